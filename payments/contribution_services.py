"""Money in: sponsor contributions (Stripe PaymentIntents, or pledges confirmed against the bank
statement when Stripe is not configured), refunds and receipts.

What callers may rely on:

* A contribution counts (a CONTRIBUTION transaction "contribution:<id>": fund cash +X, sponsor
  source -X) only when Stripe's ``payment_intent.succeeded`` webhook arrives, or when a finance
  officer confirms a pledge against the bank statement. Nothing else moves money in.
* The lifecycle is the table ``TRANSITIONS``; a happening that does not fit the current status
  changes nothing, so replayed and out-of-order webhook events are harmless.
* Every Stripe call carries an idempotency key derived from our own row
  ("contribution:<id>:payment_intent", "contribution:<id>:refund:<token>"): retries after a
  lost answer, double clicks and a Stripe outage never charge or refund twice.
* A refund is a new REFUND transaction that names the contribution's transaction it reverses;
  the ledger is never edited. A refund never exceeds what remains of the contribution, nor
  what the fund holds beyond its commitments to winners.

Errors are PaymentError with a message for the user."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.actors import Actor, Visitor
from payments import gateway_balance, ledger, receipts, selectors, transfer_references, webhooks
from payments.errors import PaymentError
from payments.gateways import get_gateway, stripe_configured
from payments.interface import GatewayRefused, GatewayUnavailable, PaymentIntentInfo, PaymentRequest
from payments.models import Account, Contribution, Fund, Transaction, WebhookEvent
from payments.permissions import is_finance_officer

logger = logging.getLogger(__name__)

Status = Contribution.Status
Rail = Contribution.Rail

# Whole rupiah, in minor units. The floor keeps card fees sensible; card payments above the
# ceiling go by bank transfer (Stripe's limits per payment, and the treasury's preference).
MIN_AMOUNT = 10_000_00
MAX_CARD_AMOUNT = 1_000_000_000_00
MAX_PLEDGE_AMOUNT = 1_000_000_000_000_00  # a guard against a mistyped number of zeros

# Money that reached the fund (whatever was refunded later).
RECEIVED = (Status.SUCCEEDED, Status.PARTIALLY_REFUNDED, Status.REFUNDED)
REFUNDABLE = (Status.SUCCEEDED, Status.PARTIALLY_REFUNDED)

# The lifecycle as data: happening -> (statuses it may start from, status it leads to).
# Refunds move a received contribution between SUCCEEDED, PARTIALLY_REFUNDED and REFUNDED by
# the amounts (``status_after_refunds``).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    # Stripe's payment_intent.succeeded, or a finance officer's confirmation of a pledge. A
    # card that failed may be tried again on the same PaymentIntent, and a pledge cancelled for
    # lack of a transfer may still be confirmed when the money turns up late.
    "received": (frozenset({Status.PENDING, Status.FAILED, Status.CANCELED}), Status.SUCCEEDED),
    "failed": (frozenset({Status.PENDING, Status.FAILED}), Status.FAILED),
    "canceled": (frozenset({Status.PENDING, Status.FAILED}), Status.CANCELED),
    # The sponsor pays by bank transfer instead of by card.
    "switched_to_pledge": (frozenset({Status.PENDING, Status.FAILED}), Status.PENDING),
}

STRIPE_DOWN_CACHE_KEY = "payments:stripe-payments-unavailable"
STRIPE_DOWN_SECONDS = 120


def _may(contribution: Contribution, happening: str) -> bool:
    sources, _target = TRANSITIONS[happening]
    return contribution.status in sources


def _move(contribution: Contribution, happening: str) -> None:
    contribution.status = TRANSITIONS[happening][1]


def status_after_refunds(contribution: Contribution) -> str:
    if contribution.refunded_amount <= 0:
        return Status.SUCCEEDED
    if contribution.refunded_amount >= contribution.amount:
        return Status.REFUNDED
    return Status.PARTIALLY_REFUNDED


# Rules shared by the form and the service -------------------------------------------------


def available_rails() -> list[str]:
    """Card payments when Stripe is configured, with bank transfer beside them; otherwise
    bank transfer pledges only."""
    return [Rail.STRIPE, Rail.PLEDGE] if stripe_configured() else [Rail.PLEDGE]


def card_payments_unavailable() -> bool:
    """Stripe did not answer a moment ago: the form says so and suggests a bank transfer."""
    return stripe_configured() and bool(cache.get(STRIPE_DOWN_CACHE_KEY))


def check_amount(amount: int, *, rail: str, currency: str = "IDR") -> None:
    """Raise PaymentError unless ``amount`` (minor units) may be given on ``rail``."""
    ledger.require_positive(amount)
    if currency == "IDR" and amount % 100:
        raise PaymentError(_("Enter the amount in whole rupiah."))
    if amount < MIN_AMOUNT:
        raise PaymentError(
            _("The smallest contribution is %(minimum)s.")
            % {"minimum": selectors.format_money(MIN_AMOUNT, currency)}
        )
    if rail == Rail.STRIPE and amount > MAX_CARD_AMOUNT:
        raise PaymentError(
            _("A card payment may be at most %(maximum)s. Choose a bank transfer for a larger amount.")
            % {"maximum": selectors.format_money(MAX_CARD_AMOUNT, currency)}
        )
    if amount > MAX_PLEDGE_AMOUNT:
        raise PaymentError(
            _("The amount may be at most %(maximum)s. Check the number of zeros.")
            % {"maximum": selectors.format_money(MAX_PLEDGE_AMOUNT, currency)}
        )


def receipt_number_for(contribution: Contribution, when: datetime) -> str:
    return f"KW-{timezone.localtime(when).year}-{contribution.pk:06d}"


def transfer_note(contribution: Contribution) -> str:
    """What the sponsor writes on the bank transfer ("PTD-15-0003")."""
    return contribution.transfer_reference


def contributions_in_statement_line(text: str) -> list[Contribution]:
    """The contributions whose transfer reference a bank statement line's text names (case,
    spaces, dashes and leading zeros do not matter), in the order the line names them."""
    references = transfer_references.references_in(text)
    if not references:
        return []
    found = {
        row.transfer_reference: row
        for row in Contribution.objects.filter(transfer_reference__in=references).select_related("fund")
    }
    return [found[reference] for reference in references if reference in found]


# Services -----------------------------------------------------------------------------------


def contribution_create(
    *,
    fund: Fund,
    by: Visitor,
    sponsor_name: str,
    email: str,
    public: bool,
    amount: int,
    rail: str = "",
    idempotency_key: str = "",
) -> Contribution:
    """Record what a signed-in sponsor means to give, as pending. Nothing counts yet and nothing
    is sent to Stripe here, so an outage loses nothing: for the card rail, call
    ``contribution_payment_intent`` next. ``rail`` defaults to card when Stripe is configured,
    else bank transfer pledge. Raises PaymentError on bad input; stores nothing then.

    With an ``idempotency_key`` (the form's one-time token), the same key from the same sponsor
    returns the contribution it first made, even when both requests arrive at once."""
    if by is None or isinstance(by, AnonymousUser) or not by.is_authenticated:
        raise PaymentError(_("Sign in to contribute."))
    if idempotency_key:
        earlier = Contribution.objects.filter(sponsor=by, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    rail = rail or available_rails()[0]
    if rail not in available_rails():
        raise PaymentError(_("Card payment is not available on this site. Choose a bank transfer."))
    check_amount(amount, rail=rail, currency=fund.currency)
    sponsor_name, email = (sponsor_name or "").strip(), (email or "").strip()
    if not sponsor_name:
        raise PaymentError(_("Enter the name for the receipt."))
    try:
        validate_email(email)
    except ValidationError:
        raise PaymentError(_("Enter a valid email address for the receipt.")) from None
    contribution = Contribution(
        fund=fund,
        sponsor=by,
        sponsor_name=sponsor_name[:200],
        email=email,
        public=bool(public),
        amount=amount,
        currency=fund.currency,
        rail=rail,
        status=Status.PENDING,
        idempotency_key=idempotency_key[:64],
    )
    try:
        contribution.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise PaymentError(next(iter(exc.messages))) from exc
    try:
        return _save_new_contribution(contribution)
    except IntegrityError:
        if not contribution.idempotency_key:
            raise
        # The same form, submitted concurrently: the other request saved it first.
        return Contribution.objects.get(sponsor=by, idempotency_key=contribution.idempotency_key)


def _save_new_contribution(contribution: Contribution) -> Contribution:
    by, amount, rail = contribution.sponsor, contribution.amount, contribution.rail
    fund = contribution.fund
    with transaction.atomic():
        transfer_references.assign(contribution)
        contribution.save()
        ledger.audit(
            actor=by,
            action="contribution.created",
            obj=contribution,
            after={"amount": amount, "rail": rail, "fund": fund.reference, "public": contribution.public},
        )
    return contribution


def _intent_metadata(contribution: Contribution) -> dict[str, str]:
    """Built only from stored fields, so a retry sends exactly the first request again."""
    return {
        "contribution": str(contribution.pk),
        "fund": contribution.fund.reference,
        "challenge": (contribution.fund.name or contribution.fund.reference)[:500],
        "sponsor": contribution.sponsor_name[:500],
        "sponsor_user": str(contribution.sponsor_id or ""),
    }


def _unavailable() -> PaymentError:
    return PaymentError(
        _(
            "Card payment is unavailable right now. Your contribution is saved and nothing has been "
            "charged; try again in a few minutes or pay by bank transfer."
        )
    )


def contribution_payment_intent(*, contribution: Contribution) -> PaymentIntentInfo:
    """The PaymentIntent the sponsor pays with (a ``PaymentIntentInfo``): created on the first
    call with the idempotency key "contribution:<id>:payment_intent", fetched afterwards. Its
    transfer_group is the fund's reference and its metadata names the challenge and the sponsor.
    Raises PaymentError when Stripe cannot be reached (the contribution stays saved, nothing is
    charged) or refuses."""
    if contribution.rail != Rail.STRIPE:
        raise PaymentError(_("This contribution is paid by bank transfer."))
    if not stripe_configured():
        raise PaymentError(_("Card payment is not available on this site. Choose a bank transfer."))
    gateway = get_gateway(Rail.STRIPE)
    fund = contribution.fund
    try:
        if contribution.gateway_reference:
            intent = gateway.retrieve_payment(contribution.gateway_reference)
        else:
            with translation.override(settings.LANGUAGE_CODE):
                description = _("Contribution to %(fund)s") % {"fund": fund.name or fund.reference}
            intent = gateway.create_payment(
                PaymentRequest(
                    amount=contribution.amount,
                    currency=contribution.currency,
                    transfer_group=fund.reference,
                    description=description,
                    metadata=_intent_metadata(contribution),
                    idempotency_key=f"contribution:{contribution.pk}:payment_intent",
                )
            )
    except GatewayUnavailable as exc:
        logger.warning("Stripe unavailable for contribution %s: %s", contribution.pk, exc)
        cache.set(STRIPE_DOWN_CACHE_KEY, True, STRIPE_DOWN_SECONDS)
        raise _unavailable() from exc
    except GatewayRefused as exc:
        logger.warning("Stripe refused contribution %s: %s", contribution.pk, exc.message)
        raise PaymentError(_("Stripe refused the payment: %(reason)s") % {"reason": exc.message}) from exc
    cache.delete(STRIPE_DOWN_CACHE_KEY)
    if not contribution.gateway_reference:
        # Two tabs may race here; the same key gave both the same PaymentIntent.
        Contribution.objects.filter(pk=contribution.pk, gateway_reference="").update(
            gateway_reference=intent.id
        )
        contribution.gateway_reference = intent.id
    return intent


def contribution_switch_to_pledge(*, contribution: Contribution, by: Visitor) -> Contribution:
    """The sponsor pays by bank transfer instead of by card (no JavaScript, Stripe down, or a
    card refused). An existing PaymentIntent is cancelled first so it can never be paid too;
    refused when the card payment is already under way."""
    if not (by and by.is_authenticated and contribution.sponsor_id == by.pk):
        raise PaymentError(_("Only the sponsor may change how this contribution is paid."))
    if contribution.rail != Rail.STRIPE or not _may(contribution, "switched_to_pledge"):
        raise PaymentError(_("This contribution can no longer be changed to a bank transfer."))
    if contribution.gateway_reference:
        if not stripe_configured():
            raise PaymentError(_("This contribution can no longer be changed to a bank transfer."))
        try:
            get_gateway(Rail.STRIPE).cancel_payment(contribution.gateway_reference)
        except GatewayUnavailable as exc:
            raise _unavailable() from exc
        except GatewayRefused as exc:
            raise PaymentError(
                _("The card payment is already under way; it cannot be changed to a bank transfer.")
            ) from exc
    with transaction.atomic():
        locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
        if locked.rail != Rail.STRIPE or not _may(locked, "switched_to_pledge"):
            raise PaymentError(_("This contribution can no longer be changed to a bank transfer."))
        # The cancelled PaymentIntent's id stays for the record; its events are ignored now
        # that the rail is the pledge.
        locked.rail = Rail.PLEDGE
        _move(locked, "switched_to_pledge")
        locked.failure_reason = ""
        if not locked.transfer_reference:
            transfer_references.assign(locked)
        locked.save(
            update_fields=["rail", "status", "failure_reason", "transfer_sequence", "transfer_reference"]
        )
        ledger.audit(
            actor=by, action="contribution.switched_to_pledge", obj=locked, before={"rail": Rail.STRIPE}
        )
    return locked


def require_finance_not_sponsor(by: Actor, contribution: Contribution, message: str) -> None:
    if by is None or not is_finance_officer(by):
        raise PaymentError(message)
    if contribution.sponsor_id is not None and contribution.sponsor_id == by.pk:
        raise PaymentError(_("A finance officer may not handle their own contribution."))


def pledge_confirm(*, contribution: Contribution, by: Actor, bank_reference: str) -> Contribution:
    """A finance officer found the pledged transfer on the bank statement: the contribution
    counts from now (ledger, receipt number, receipt email). Idempotent for the same statement
    line; a statement line confirms one pledge only."""
    require_finance_not_sponsor(by, contribution, _("Only a finance officer may confirm a pledge."))
    reference = (bank_reference or "").strip()
    if not reference:
        raise PaymentError(_("Enter the reference of the bank statement line."))
    if len(reference) > 64:
        raise PaymentError(_("The bank reference may be at most 64 characters."))
    with transaction.atomic():
        locked = (
            Contribution.objects.select_for_update(of=("self",))
            .select_related("fund")
            .get(pk=contribution.pk)
        )
        if locked.rail != Rail.PLEDGE:
            raise PaymentError(_("Only a bank transfer pledge is confirmed by hand."))
        if locked.status in RECEIVED:
            if locked.bank_reference == reference:
                return locked  # the same confirmation, sent twice
            raise PaymentError(_("This pledge has already been confirmed."))
        if not _may(locked, "received"):
            raise PaymentError(_("This pledge can no longer be confirmed."))
        used = (
            Contribution.objects.filter(rail=Rail.PLEDGE, bank_reference__iexact=reference)
            .exclude(pk=locked.pk)
            .exists()
        )
        if used:
            raise PaymentError(_("This bank statement line already confirmed another pledge."))
        locked.bank_reference = reference
        locked.confirmed_by = by
        locked.save(update_fields=["bank_reference", "confirmed_by"])
        _record_received(locked, by=by, reference=reference)
    return locked


def pledge_cancel(*, contribution: Contribution, by: Actor, reason: str) -> Contribution:
    """A pledge whose transfer never came. It may still be confirmed if the money turns up."""
    require_finance_not_sponsor(by, contribution, _("Only a finance officer may cancel a pledge."))
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(_("Give the reason for cancelling the pledge."))
    with transaction.atomic():
        locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
        if locked.rail != Rail.PLEDGE or not _may(locked, "canceled"):
            raise PaymentError(_("Only a pledge still waiting for its transfer may be cancelled."))
        _move(locked, "canceled")
        locked.failure_reason = reason[:255]
        locked.save(update_fields=["status", "failure_reason"])
        ledger.audit(actor=by, action="contribution.pledge_canceled", obj=locked, after={"reason": reason})
    return locked


def sponsor_source_account() -> Account:
    return ledger.account(
        ledger.SPONSOR_SOURCE_CODE, name="Kontribusi mitra (sponsor)", kind=Account.Kind.SPONSOR_SOURCE
    )


def post_sponsor_money(
    contribution: Contribution,
    *,
    kind: str,
    text: str,
    amount: int,
    idempotency_key: str,
    by: Actor,
    reference: str,
    reverses: Transaction | None = None,
) -> None:
    """Post ``amount`` from the sponsors' source account into the fund's cash (a negative amount
    gives it back). ``text`` (marked with ``gettext_noop``) is written in the site's language,
    followed by the sponsor's name only if they asked to be named: the public ledger shows no
    personal data."""
    fund = contribution.fund
    with translation.override(settings.LANGUAGE_CODE):
        who = contribution.sponsor_name if contribution.public else _("anonymous sponsor")
        description = f"{_(text)}: {who}"
    ledger.post(
        kind=kind,
        fund=fund,
        by=by,
        reference=reference,
        description=description,
        idempotency_key=idempotency_key,
        reverses=reverses,
        legs=[(ledger.fund_cash_account(fund), amount), (sponsor_source_account(), -amount)],
    )


def received_key(contribution: Contribution) -> str:
    """The key of the ledger transaction that received the contribution's money."""
    return f"contribution:{contribution.pk}"


def _record_received(locked: Contribution, *, by: Actor, reference: str) -> None:
    """Inside the caller's transaction, with the contribution locked."""
    post_sponsor_money(
        locked,
        kind=Transaction.Kind.CONTRIBUTION,
        text=gettext_noop("Sponsor contribution"),
        amount=locked.amount,
        idempotency_key=received_key(locked),
        by=by,
        reference=reference,
    )
    before = locked.status
    _move(locked, "received")
    locked.succeeded_at = timezone.now()
    locked.receipt_number = locked.receipt_number or receipt_number_for(locked, locked.succeeded_at)
    locked.failure_reason = ""
    locked.save(update_fields=["status", "succeeded_at", "receipt_number", "failure_reason"])
    ledger.audit(
        actor=by,
        action="contribution.received",
        obj=locked,
        before={"status": before},
        after={"amount": locked.amount, "reference": reference, "receipt": locked.receipt_number},
    )
    receipts.queue_receipt(contribution_id=locked.pk)


# Webhooks: Stripe tells us what happened to the PaymentIntent ------------------------------


def _contribution_for_intent(intent: dict) -> Contribution | None:
    """Locked. Matched by the PaymentIntent id, or by our id in its metadata when the answer to
    the create call was lost before we stored the PaymentIntent's id."""
    rows = Contribution.objects.select_for_update(of=("self",)).select_related("fund")
    found = rows.filter(rail=Rail.STRIPE, gateway_reference=intent.get("id", "")).first()
    if found is None:
        pk = str((intent.get("metadata") or {}).get("contribution", ""))
        if pk.isdigit():
            found = rows.filter(pk=int(pk), rail=Rail.STRIPE, gateway_reference="").first()
            if found is not None:
                found.gateway_reference = intent["id"]
                found.save(update_fields=["gateway_reference"])
    return found


def contribution_record_payment(*, intent: dict) -> Contribution | None:
    """``payment_intent.succeeded``: the money is in. Idempotent; an unknown PaymentIntent
    (not ours) or one whose amount differs from the contribution changes nothing."""
    with transaction.atomic():
        locked = _contribution_for_intent(intent)
        if locked is None or not _may(locked, "received"):
            return locked
        received = int(intent.get("amount_received") or intent.get("amount") or 0)
        currency = str(intent.get("currency") or "").upper()
        if received != locked.amount or currency != locked.currency:
            logger.error(
                "PaymentIntent %s paid %s %s for contribution %s of %s %s",
                intent.get("id"),
                received,
                currency,
                locked.pk,
                locked.amount,
                locked.currency,
            )
            ledger.audit(
                actor=None,
                action="contribution.amount_mismatch",
                obj=locked,
                after={"received": received, "currency": currency},
            )
            return locked
        _record_received(locked, by=None, reference=intent["id"])
    return locked


def contribution_record_failure(*, intent: dict, happening: str) -> Contribution | None:
    """``payment_intent.payment_failed`` ("failed") or ``payment_intent.canceled``
    ("canceled"): shown to the sponsor. Ignored once the money is in."""
    with transaction.atomic():
        locked = _contribution_for_intent(intent)
        if locked is None or not _may(locked, happening):
            return locked
        error = intent.get("last_payment_error") or {}
        if happening == "failed":
            reason = error.get("message") or error.get("code") or ""
        else:
            reason = intent.get("cancellation_reason") or ""
        before = locked.status
        _move(locked, happening)
        locked.failure_reason = str(reason)[:255]
        locked.save(update_fields=["status", "failure_reason"])
        ledger.audit(
            actor=None,
            action=f"contribution.{happening}",
            obj=locked,
            before={"status": before},
            after={"reason": locked.failure_reason},
        )
    return locked


@webhooks.handles("payment_intent.succeeded")
def _on_payment_intent_succeeded(event: WebhookEvent) -> None:
    contribution = contribution_record_payment(intent=event.body["data"]["object"])
    if contribution is not None:
        # The fee Stripe kept out of the payment, read from its balance transaction. Should
        # Stripe not answer, the event is retried whole (both steps are idempotent).
        gateway_balance.contribution_record_fee(contribution=contribution)


@webhooks.handles("payment_intent.payment_failed")
def _on_payment_intent_failed(event: WebhookEvent) -> None:
    contribution_record_failure(intent=event.body["data"]["object"], happening="failed")


@webhooks.handles("payment_intent.canceled")
def _on_payment_intent_canceled(event: WebhookEvent) -> None:
    contribution_record_failure(intent=event.body["data"]["object"], happening="canceled")
