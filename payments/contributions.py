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
from dataclasses import dataclass
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from payments import ledger, selectors, webhooks
from payments.errors import PaymentError
from payments.gateways import stripe_configured
from payments.interface import GatewayUnavailable
from payments.models import Account, Contribution, Fund, Refund, Transaction, WebhookEvent
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
# the amounts (``_status_after_refunds``).
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


def _status_after_refunds(contribution: Contribution) -> str:
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
    """What the sponsor writes on the bank transfer: the fund, then the pledge."""
    return f"{contribution.fund.reference} P{contribution.pk}"


# Services -----------------------------------------------------------------------------------


def contribution_create(
    *, fund: Fund, by, sponsor_name: str, email: str, public: bool, amount: int, rail: str = ""
) -> Contribution:
    """Record what a signed-in sponsor means to give, as pending. Nothing counts yet and nothing
    is sent to Stripe here, so an outage loses nothing: for the card rail, call
    ``contribution_payment_intent`` next. ``rail`` defaults to card when Stripe is configured,
    else bank transfer pledge. Raises PaymentError on bad input; stores nothing then."""
    if not (by and by.is_authenticated):
        raise PaymentError(_("Sign in to contribute."))
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
    )
    try:
        contribution.full_clean()
    except ValidationError as exc:
        raise PaymentError(next(iter(exc.messages))) from exc
    with transaction.atomic():
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


def contribution_payment_intent(*, contribution: Contribution):
    """The PaymentIntent the sponsor pays with (a ``PaymentIntentInfo``): created on the first
    call with the idempotency key "contribution:<id>:payment_intent", fetched afterwards. Its
    transfer_group is the fund's reference and its metadata names the challenge and the sponsor.
    Raises PaymentError when Stripe cannot be reached (the contribution stays saved, nothing is
    charged) or refuses."""
    if contribution.rail != Rail.STRIPE:
        raise PaymentError(_("This contribution is paid by bank transfer."))
    if not stripe_configured():
        raise PaymentError(_("Card payment is not available on this site. Choose a bank transfer."))
    from payments.gateways.stripe import payments_in

    fund = contribution.fund
    try:
        if contribution.gateway_reference:
            intent = payments_in.retrieve_payment_intent(contribution.gateway_reference)
        else:
            with translation.override(settings.LANGUAGE_CODE):
                description = _("Contribution to %(fund)s") % {"fund": fund.name or fund.reference}
            intent = payments_in.create_payment_intent(
                amount=contribution.amount,
                currency=contribution.currency,
                transfer_group=fund.reference,
                description=description,
                metadata=_intent_metadata(contribution),
                idempotency_key=f"contribution:{contribution.pk}:payment_intent",
            )
    except GatewayUnavailable as exc:
        logger.warning("Stripe unavailable for contribution %s: %s", contribution.pk, exc)
        cache.set(STRIPE_DOWN_CACHE_KEY, True, STRIPE_DOWN_SECONDS)
        raise _unavailable() from exc
    except payments_in.GatewayRefused as exc:
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


def contribution_switch_to_pledge(*, contribution: Contribution, by) -> Contribution:
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
        from payments.gateways.stripe import payments_in

        try:
            payments_in.cancel_payment_intent(contribution.gateway_reference)
        except GatewayUnavailable as exc:
            raise _unavailable() from exc
        except payments_in.GatewayRefused as exc:
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
        locked.save(update_fields=["rail", "status", "failure_reason"])
        ledger.audit(
            actor=by, action="contribution.switched_to_pledge", obj=locked, before={"rail": Rail.STRIPE}
        )
    return locked


def _require_finance_not_sponsor(by, contribution: Contribution, message: str) -> None:
    if not is_finance_officer(by):
        raise PaymentError(message)
    if contribution.sponsor_id is not None and contribution.sponsor_id == by.pk:
        raise PaymentError(_("A finance officer may not handle their own contribution."))


def pledge_confirm(*, contribution: Contribution, by, bank_reference: str) -> Contribution:
    """A finance officer found the pledged transfer on the bank statement: the contribution
    counts from now (ledger, receipt number, receipt email). Idempotent for the same statement
    line; a statement line confirms one pledge only."""
    _require_finance_not_sponsor(by, contribution, _("Only a finance officer may confirm a pledge."))
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


def pledge_cancel(*, contribution: Contribution, by, reason: str) -> Contribution:
    """A pledge whose transfer never came. It may still be confirmed if the money turns up."""
    _require_finance_not_sponsor(by, contribution, _("Only a finance officer may cancel a pledge."))
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


def _sponsor_source() -> Account:
    return ledger.account(
        ledger.SPONSOR_SOURCE_CODE, name="Kontribusi mitra (sponsor)", kind=Account.Kind.SPONSOR_SOURCE
    )


def _ledger_description(contribution: Contribution, text: str) -> str:
    # The public ledger shows no personal data: a sponsor is named only if they asked to be.
    with translation.override(settings.LANGUAGE_CODE):
        who = contribution.sponsor_name if contribution.public else _("anonymous sponsor")
        return f"{text}: {who}"


def _record_received(locked: Contribution, *, by, reference: str) -> None:
    """Inside the caller's transaction, with the contribution locked."""
    fund = locked.fund
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Sponsor contribution")
    ledger.post(
        kind=Transaction.Kind.CONTRIBUTION,
        fund=fund,
        by=by,
        reference=reference,
        description=_ledger_description(locked, text),
        idempotency_key=f"contribution:{locked.pk}",
        legs=[(ledger.fund_cash_account(fund), locked.amount), (_sponsor_source(), -locked.amount)],
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
    pk = locked.pk
    # robust: a broker outage must not undo the money received; the receipt stays on screen.
    transaction.on_commit(lambda: send_contribution_email.delay(contribution_id=pk), robust=True)


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
    contribution_record_payment(intent=event.body["data"]["object"])


@webhooks.handles("payment_intent.payment_failed")
def _on_payment_intent_failed(event: WebhookEvent) -> None:
    contribution_record_failure(intent=event.body["data"]["object"], happening="failed")


@webhooks.handles("payment_intent.canceled")
def _on_payment_intent_canceled(event: WebhookEvent) -> None:
    contribution_record_failure(intent=event.body["data"]["object"], happening="canceled")


# Refunds ------------------------------------------------------------------------------------


def refundable_amount(contribution: Contribution) -> int:
    """What may still be refunded: the amount less what was refunded or is being refunded."""
    if contribution.status not in REFUNDABLE:
        return 0
    pending = contribution.refunds.filter(status=Refund.Status.PENDING).aggregate(
        total=Coalesce(Sum("amount"), 0)
    )["total"]
    return contribution.amount - contribution.refunded_amount - pending


def contribution_refund(
    *,
    contribution: Contribution,
    amount: int,
    reason: str,
    by,
    idempotency_key: str,
    bank_reference: str = "",
) -> Refund:
    """A finance officer gives money back (full or partial). ``idempotency_key`` identifies the
    request (a token in the form): sending it again returns the same refund, and finishes it
    if Stripe could not be reached the first time. Card contributions are refunded through
    Stripe; a pledge's refund is the treasury's bank transfer, recorded with its reference.
    Raises PaymentError when refused; a refused request stores nothing."""
    _require_finance_not_sponsor(by, contribution, _("Only a finance officer may refund a contribution."))
    token = (idempotency_key or "").strip()
    if not token or len(token) > 64:
        raise PaymentError(_("The form has expired. Open it again."))
    key = f"contribution:{contribution.pk}:refund:{token}"
    existing = Refund.objects.filter(idempotency_key=key).select_related("contribution__fund").first()
    if existing is not None:
        if existing.status == Refund.Status.PENDING and existing.contribution.rail == Rail.STRIPE:
            return _refund_send(existing, by=by)
        return existing
    ledger.require_positive(amount)
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(_("Give the reason for the refund."))
    bank_reference = (bank_reference or "").strip()
    with transaction.atomic():
        # The fund first (as commitments lock it), then the contribution.
        fund = Fund.objects.select_for_update().get(pk=contribution.fund_id)
        locked = (
            Contribution.objects.select_for_update(of=("self",))
            .select_related("fund")
            .get(pk=contribution.pk)
        )
        if locked.status not in REFUNDABLE:
            raise PaymentError(_("Only money that was received can be refunded."))
        remaining = refundable_amount(locked)
        if amount > remaining:
            raise PaymentError(
                _("At most %(remaining)s of this contribution can still be refunded.")
                % {"remaining": selectors.format_money(remaining, locked.currency)}
            )
        available = selectors.fund_available(fund)
        if amount > available:
            raise PaymentError(
                _(
                    "The fund holds only %(available)s that is not promised to winners; "
                    "a larger refund would break those promises."
                )
                % {"available": selectors.format_money(max(available, 0), fund.currency)}
            )
        if locked.rail == Rail.PLEDGE and not bank_reference:
            raise PaymentError(_("Enter the reference of the treasury's refund transfer."))
        if locked.rail == Rail.STRIPE and not locked.gateway_reference:
            raise PaymentError(_("This card payment has no Stripe reference; it cannot be refunded here."))
        try:
            with transaction.atomic():
                refund = Refund.objects.create(
                    contribution=locked,
                    amount=amount,
                    reason=reason[:255],
                    idempotency_key=key,
                    requested_by=by,
                )
        except IntegrityError:
            # The same request, sent twice at once: the other one is handling it.
            return Refund.objects.get(idempotency_key=key)
        ledger.audit(
            actor=by, action="refund.requested", obj=refund, after={"amount": amount, "reason": reason}
        )
        if locked.rail == Rail.PLEDGE:
            refund.gateway_reference = bank_reference[:100]
            refund.save(update_fields=["gateway_reference"])
            _refund_done(refund, locked, by=by)
            return refund
    return _refund_send(refund, by=by)


def _refund_send(refund: Refund, *, by) -> Refund:
    """Ask Stripe for the refund, outside any lock. The key makes a resend safe."""
    if not stripe_configured():
        raise PaymentError(
            _("Card refunds need Stripe, which is not configured right now. The refund request is kept.")
        )
    from payments.gateways.stripe import payments_in

    contribution = refund.contribution
    try:
        result = payments_in.create_refund(
            payment_intent_id=contribution.gateway_reference,
            amount=refund.amount,
            metadata={"refund": str(refund.pk), "contribution": str(contribution.pk)},
            idempotency_key=refund.idempotency_key,
        )
    except GatewayUnavailable as exc:
        logger.warning("Stripe unavailable for refund %s: %s", refund.pk, exc)
        raise PaymentError(
            _(
                "Stripe could not be reached. The refund request is saved; send it again later. "
                "Nothing will be refunded twice."
            )
        ) from exc
    except payments_in.GatewayRefused as exc:
        refund_apply_gateway_status(refund=refund, gateway_id="", status="failed", by=by, reason=exc.message)
        raise PaymentError(_("Stripe refused the refund: %(reason)s") % {"reason": exc.message}) from exc
    return refund_apply_gateway_status(refund=refund, gateway_id=result.id, status=result.status, by=by)


def refund_apply_gateway_status(
    *, refund: Refund, gateway_id: str, status: str, by=None, reason: str = ""
) -> Refund:
    """Bring our refund in line with Stripe's: "pending" or "succeeded" (the money left our
    Stripe balance) records it; "failed" or "canceled" marks it failed, reversing it in the
    ledger if it was recorded; "requires_action" waits. Idempotent; a failed refund stays
    failed (Stripe's failed and canceled are final)."""
    with transaction.atomic():
        contribution = (
            Contribution.objects.select_for_update(of=("self",))
            .select_related("fund")
            .get(pk=refund.contribution_id)
        )
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        if gateway_id and not locked.gateway_reference:
            locked.gateway_reference = gateway_id
            locked.save(update_fields=["gateway_reference"])
        if status in ("pending", "succeeded"):
            _refund_done(locked, contribution, by=by)
        elif status in ("failed", "canceled"):
            _refund_undone(locked, contribution, by=by, reason=reason or status)
    return locked


def _refund_done(refund: Refund, contribution: Contribution, *, by) -> None:
    """With both rows locked. Money went back: a REFUND transaction reversing the contribution's."""
    if refund.status != Refund.Status.PENDING:
        return
    fund = contribution.fund
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Refund of a sponsor contribution")
    ledger.post(
        kind=Transaction.Kind.REFUND,
        fund=fund,
        by=by,
        reference=refund.gateway_reference,
        description=_ledger_description(contribution, text),
        idempotency_key=f"refund:{refund.pk}",
        reverses=Transaction.objects.get(idempotency_key=f"contribution:{contribution.pk}"),
        legs=[(ledger.fund_cash_account(fund), -refund.amount), (_sponsor_source(), refund.amount)],
    )
    refund.status = Refund.Status.SUCCEEDED
    refund.save(update_fields=["status"])
    before = contribution.status
    contribution.refunded_amount = F("refunded_amount") + refund.amount
    contribution.save(update_fields=["refunded_amount"])
    contribution.refresh_from_db(fields=["refunded_amount"])
    contribution.status = _status_after_refunds(contribution)
    contribution.save(update_fields=["status"])
    ledger.audit(
        actor=by,
        action="refund.succeeded",
        obj=refund,
        before={"contribution_status": before},
        after={
            "amount": refund.amount,
            "reference": refund.gateway_reference,
            "contribution_status": contribution.status,
        },
    )
    contribution_id, refund_id = contribution.pk, refund.pk
    transaction.on_commit(
        lambda: send_contribution_email.delay(contribution_id=contribution_id, refund_id=refund_id),
        robust=True,
    )


def _refund_undone(refund: Refund, contribution: Contribution, *, by, reason: str) -> None:
    """With both rows locked. The refund did not happen (Stripe refused, or it failed later)."""
    if refund.status == Refund.Status.FAILED:
        return
    if refund.status == Refund.Status.SUCCEEDED:
        fund = contribution.fund
        with translation.override(settings.LANGUAGE_CODE):
            text = _("Failed refund returned to the fund")
        ledger.post(
            kind=Transaction.Kind.REVERSAL,
            fund=fund,
            by=by,
            reference=refund.gateway_reference,
            description=_ledger_description(contribution, text),
            idempotency_key=f"refund:{refund.pk}:failed",
            reverses=Transaction.objects.get(idempotency_key=f"refund:{refund.pk}"),
            legs=[(ledger.fund_cash_account(fund), refund.amount), (_sponsor_source(), -refund.amount)],
        )
        contribution.refunded_amount = F("refunded_amount") - refund.amount
        contribution.save(update_fields=["refunded_amount"])
        contribution.refresh_from_db(fields=["refunded_amount"])
        contribution.status = _status_after_refunds(contribution)
        contribution.save(update_fields=["status"])
    before = refund.status
    refund.status = Refund.Status.FAILED
    refund.save(update_fields=["status"])
    ledger.audit(
        actor=by, action="refund.failed", obj=refund, before={"status": before}, after={"reason": reason}
    )


def refund_resend_pending() -> int:
    """For a periodic task: card refunds left pending because Stripe could not be reached are
    sent again with the same key. Returns how many were finished."""
    finished = 0
    pending = Refund.objects.filter(
        status=Refund.Status.PENDING, contribution__rail=Rail.STRIPE, gateway_reference=""
    ).select_related("contribution__fund", "requested_by")
    for refund in pending:
        try:
            _refund_send(refund, by=refund.requested_by)
        except PaymentError:
            continue
        finished += 1
    return finished


@shared_task
def resend_pending_refunds() -> int:
    """Beat: ``refund_resend_pending``. Idempotent (each refund keeps its key)."""
    return refund_resend_pending()


def _reconcile_refund(data: dict) -> None:
    """One Stripe refund object, from a webhook: matched by its id or by our id in its
    metadata (when the answer to the create call was lost)."""
    refund = Refund.objects.filter(gateway_reference=data.get("id", "")).exclude(gateway_reference="").first()
    if refund is None:
        pk = str((data.get("metadata") or {}).get("refund", ""))
        if pk.isdigit():
            refund = Refund.objects.filter(
                pk=int(pk),
                contribution__rail=Rail.STRIPE,
                contribution__gateway_reference=data.get("payment_intent") or "",
            ).first()
    if refund is None:
        contribution = Contribution.objects.filter(
            rail=Rail.STRIPE, gateway_reference=data.get("payment_intent") or "~"
        ).first()
        if contribution is not None:
            # Made outside the site (the Stripe dashboard): the reconciliation report shows the
            # difference; a finance officer records it as a correction.
            logger.warning("Refund %s of contribution %s was not made here", data.get("id"), contribution.pk)
            ledger.audit(
                actor=None,
                action="refund.unknown",
                obj=contribution,
                after={"refund": data.get("id"), "amount": data.get("amount")},
            )
        return
    refund_apply_gateway_status(
        refund=refund,
        gateway_id=data.get("id", ""),
        status=data.get("status") or "",
        reason=data.get("failure_reason") or "",
    )


@webhooks.handles("refund.created", "refund.updated", "refund.failed", "charge.refund.updated")
def _on_refund_event(event: WebhookEvent) -> None:
    _reconcile_refund(event.body["data"]["object"])


@webhooks.handles("charge.refunded")
def _on_charge_refunded(event: WebhookEvent) -> None:
    charge = event.body["data"]["object"]
    refunds = (charge.get("refunds") or {}).get("data")
    if refunds is None and charge.get("payment_intent") and stripe_configured():
        # Current API versions no longer embed the refunds in the charge: ask for them.
        from payments.gateways.stripe import payments_in

        refunds = [info.raw for info in payments_in.list_refunds(charge["payment_intent"])]
    for data in refunds or []:
        data.setdefault("payment_intent", charge.get("payment_intent"))
        _reconcile_refund(data)


# Receipts -----------------------------------------------------------------------------------


def _site_link(name: str, pk: int) -> str:
    try:
        path = reverse(name, kwargs={"pk": pk})
    except NoReverseMatch:
        return ""
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


def _email_text(contribution: Contribution, refund: Refund | None) -> tuple[str, str]:
    amount = selectors.format_money(contribution.amount, contribution.currency)
    fund = contribution.fund.name or contribution.fund.reference
    if refund is None:
        subject = _("Receipt %(number)s: thank you for your contribution") % {
            "number": contribution.receipt_number
        }
        lines = [
            _("Dear %(name)s,") % {"name": contribution.sponsor_name},
            "",
            _("We received your contribution of %(amount)s to %(fund)s.") % {"amount": amount, "fund": fund},
            _("Receipt number: %(number)s") % {"number": contribution.receipt_number},
            _("Paid by: %(rail)s") % {"rail": contribution.get_rail_display()},
            _("Date: %(date)s")
            % {"date": timezone.localtime(contribution.succeeded_at).strftime("%d-%m-%Y %H:%M")},
            "",
            _("Every rupiah of the fund is recorded in the public ledger."),
        ]
    else:
        refunded = selectors.format_money(refund.amount, contribution.currency)
        subject = _("Refund of your contribution %(number)s") % {"number": contribution.receipt_number}
        lines = [
            _("Dear %(name)s,") % {"name": contribution.sponsor_name},
            "",
            _("%(refunded)s of your contribution of %(amount)s to %(fund)s has been refunded.")
            % {"refunded": refunded, "amount": amount, "fund": fund},
            _("Reason: %(reason)s") % {"reason": refund.reason},
        ]
    link = _site_link("marketplace:contribution_receipt", contribution.pk)
    if link:
        lines += ["", _("Your receipt, to print or save: %(link)s") % {"link": link}]
    return subject, "\n".join(lines) + "\n"


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_contribution_email(*, contribution_id: int, refund_id: int | None = None) -> int:
    """The receipt after a contribution counts, or the notice of a refund, in the site's
    default language, to the address the sponsor gave for the receipt."""
    contribution = Contribution.objects.select_related("fund").get(pk=contribution_id)
    refund = Refund.objects.get(pk=refund_id) if refund_id else None
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _email_text(contribution, refund)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [contribution.email])


# Selectors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicContribution:
    """What the public sees of one contribution: the name only if the sponsor asked."""

    name: str | None
    amount: int
    currency: str
    received_at: datetime | None


@dataclass(frozen=True)
class FundSponsors:
    total: int
    count: int
    rows: list[PublicContribution]


def _counted() -> QuerySet[Contribution]:
    """Received and not wholly refunded, with ``net`` (amount less refunds)."""
    return (
        Contribution.objects.filter(status__in=REFUNDABLE)
        .annotate(net=F("amount") - F("refunded_amount"))
        .filter(net__gt=0)
    )


def fund_sponsors(fund_reference: str, *, limit: int = 50) -> FundSponsors:
    """The sponsors of a fund for its public page, largest first. Two queries."""
    counted = _counted().filter(fund__reference=fund_reference)
    totals = counted.aggregate(total=Coalesce(Sum("net"), 0), count=Count("id"))
    rows = [
        PublicContribution(
            name=row.sponsor_name if row.public else None,
            amount=row.net,
            currency=row.currency,
            received_at=row.succeeded_at,
        )
        for row in counted.only(
            "sponsor_name", "public", "currency", "succeeded_at", "amount", "refunded_amount"
        ).order_by("-net", "succeeded_at", "id")[:limit]
    ]
    return FundSponsors(total=totals["total"], count=totals["count"], rows=rows)


def contributions_of(user) -> QuerySet[Contribution]:
    return Contribution.objects.filter(sponsor=user).select_related("fund").order_by("-created_at", "-id")


def contribution_for_page(pk: int) -> Contribution:
    """Raises Contribution.DoesNotExist."""
    return (
        Contribution.objects.select_related("fund", "sponsor", "confirmed_by")
        .prefetch_related(
            Prefetch(
                "refunds", queryset=Refund.objects.select_related("requested_by").order_by("created_at", "id")
            )
        )
        .get(pk=pk)
    )


def pledges_awaiting_confirmation() -> QuerySet[Contribution]:
    return (
        Contribution.objects.filter(rail=Rail.PLEDGE, status=Status.PENDING)
        .select_related("fund", "sponsor")
        .order_by("created_at", "id")
    )


def contributions_received() -> QuerySet[Contribution]:
    """For finance officers: every contribution that reached a fund, newest first."""
    return (
        Contribution.objects.filter(status__in=RECEIVED)
        .select_related("fund", "sponsor", "confirmed_by")
        .annotate(net=F("amount") - F("refunded_amount"))
        .order_by("-succeeded_at", "-id")
    )


def refunds_pending() -> QuerySet[Refund]:
    return (
        Refund.objects.filter(status=Refund.Status.PENDING)
        .select_related("contribution__fund", "requested_by")
        .order_by("created_at", "id")
    )
