"""Money out: the accounts money passes through on its way to a grantee, the disbursement state
machine (the only code that changes ``Disbursement.status``), sending through a rail, and what
the gateway reports back (its webhook handlers are registered here).

The ledger, for a disbursement of ``a`` (debits positive; ``<c>`` a commitment, ``<d>`` a
disbursement, ``<n>`` its attempt):

movement               legs (debit +, credit -)           kind         key (idempotency)
award committed        fund committed +a, fund cash -a    award        commitment:<c>
commitment released    fund cash +r, fund committed -r    reversal     commitment:<c>:released
disbursement released  payee receivable +a, committed -a  disbursement payout:<d>:released
sent (Stripe)          clearing:stripe +a, receivable -a  disbursement payout:<d>:attempt:<n>:sent
paid (Stripe)          grants paid +a, clearing -a        disbursement disbursement:<d>:attempt:<n>:paid
paid (manual)          grants paid +a, receivable -a      disbursement disbursement:<d>:attempt:<n>:paid
reversed after paid    receivable +a, grants paid -a      reversal     disbursement:<d>:attempt:<n>:reversed
cancelled              committed +a, receivable -a        reversal     payout:<d>:cancelled

Only the transactions keyed ``disbursement:<d>…`` move money out of the platform (reconciliation
compares them, less their reversals, with the disbursement and the gateway); ``payout:<d>…``
ones move it between our own accounts. Disbursements paid before this module existed have one
transaction keyed ``disbursement:<d>`` (fund cash → grants paid), and commitments made before it
moved nothing: ``ensure_commitment_posted`` moves what remains of such a commitment the first
time money moves against it, and the selectors count the rest.

Exactly once: every state change happens under a row lock (``select_for_update``) and checks
the state it leaves from; every provider call carries the key ``disbursement:<d>:attempt:<n>``
(unique ``GatewayCall``) and is made outside any lock or transaction; a call whose answer was
lost is repeated with the same key; every ledger posting has a unique key."""

from __future__ import annotations

import dataclasses
import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from payments import ledger, signals
from payments.errors import PaymentError
from payments.gateways import get_gateway, stripe_configured
from payments.interface import TransferRequest, TransferResult
from payments.models import (
    Account,
    Commitment,
    Disbursement,
    Fund,
    GatewayCall,
    Recipient,
    Transaction,
    WebhookEvent,
)
from payments.permissions import can_handle_disbursement, can_release_disbursement
from payments.webhooks import handles

logger = logging.getLogger(__name__)

S = Disbursement.Status
MANUAL, STRIPE = Recipient.Rail.MANUAL, Recipient.Rail.STRIPE
# Rails whose provider takes the money at once and confirms later: the money waits in the
# rail's clearing account between "sent" and "paid".
CLEARING_RAILS = {STRIPE}
# Stripe keeps idempotency keys for 24 hours; a call older than this is looked up, not repeated.
IDEMPOTENCY_WINDOW = datetime.timedelta(hours=20)


# Accounts ---------------------------------------------------------------------------------------


def committed_account(fund: Fund) -> Account:
    """What a fund has promised to awards and not yet released to a grantee."""
    return ledger.account(
        f"fund:{fund.pk}:committed",
        name=f"Komitmen {fund}"[:255],
        kind=Account.Kind.COMMITTED,
        fund=fund,
        currency=fund.currency,
    )


def receivable_account(payee_reference: str, currency: str) -> Account:
    """What is owed to one payee: released, not yet paid out (across funds; each entry's
    transaction names its fund)."""
    return ledger.account(
        f"receivable:{payee_reference}"[:64],
        name=f"Hak penerima {payee_reference}",
        kind=Account.Kind.RECEIVABLE,
        currency=currency,
    )


def clearing_account(rail: str, currency: str) -> Account:
    """Money handed to a provider and not yet confirmed by it."""
    return ledger.account(
        f"clearing:{rail}", name=f"Dalam proses di {rail}", kind=Account.Kind.CLEARING, currency=currency
    )


def grants_paid_account() -> Account:
    return ledger.account(
        ledger.GRANTS_PAID_CODE, name="Hibah dan hadiah dibayarkan", kind=Account.Kind.GRANTS_PAID
    )


def commitment_key(commitment: Commitment) -> str:
    return f"commitment:{commitment.pk}"


def commitment_post(commitment: Commitment, amount: int, *, by) -> Transaction:
    """Move ``amount`` of the fund's cash to its committed account (the caller holds the fund's
    lock and has checked that the fund holds it). Idempotent per commitment."""
    fund = commitment.fund
    txn, _created = ledger.post(
        kind=Transaction.Kind.AWARD,
        fund=fund,
        by=by,
        reference=commitment.reference,
        description=f"Komitmen {commitment.reference}",
        idempotency_key=commitment_key(commitment),
        legs=[(committed_account(fund), amount), (ledger.fund_cash_account(fund), -amount)],
    )
    return txn


def ensure_commitment_posted(commitment: Commitment) -> None:
    """A commitment made before commitments were ledger movements keeps its money in the fund's
    cash account: move what it has not paid yet to the committed account, once."""
    if commitment.released_at is not None:
        return
    if Transaction.objects.filter(idempotency_key=commitment_key(commitment)).exists():
        return
    # Paid before this module existed: straight out of the fund's cash.
    paid = (
        Disbursement.objects.filter(commitment=commitment, status=S.PAID).aggregate(total=Sum("amount"))[
            "total"
        ]
        or 0
    )
    if commitment.amount - paid > 0:
        commitment_post(commitment, commitment.amount - paid, by=None)


# The state machine ------------------------------------------------------------------------------

SYSTEM = "system"  # a task or a webhook handler, acting on the provider's answer
FINANCE = "finance"  # a finance officer who did not approve the milestone (four eyes)


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[str, ...]
    target: str
    actor: str
    audit_action: str


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        # Money moves from the fund's commitment to what is owed to the payee.
        Transition("release", (S.PENDING,), S.RELEASED, FINANCE, "disbursement.released"),
        # A worker claims it and calls the rail (attempt n, key disbursement:<d>:attempt:<n>).
        Transition("send", (S.RELEASED,), S.SENDING, SYSTEM, "disbursement.sending"),
        # The rail took it: a Stripe transfer exists; the treasury has the instruction.
        Transition("accept", (S.SENDING,), S.SENT, SYSTEM, "disbursement.sent"),
        # The rail refused, or the payee's details no longer allow paying them.
        Transition("refuse", (S.RELEASED, S.SENDING), S.FAILED, SYSTEM, "disbursement.failed"),
        # The provider confirms the transfer (Stripe webhook, or the sweep's look-up).
        Transition("confirm", (S.SENT,), S.PAID, SYSTEM, "disbursement.paid"),
        # Manual rail: the finance officer records the treasury's reference (SP2D) and proof.
        Transition("record_payment", (S.RELEASED, S.SENT), S.PAID, FINANCE, "disbursement.paid"),
        # Money that had left came back (a reversed transfer).
        Transition("reverse", (S.PAID,), S.FAILED, SYSTEM, "disbursement.reversed"),
        Transition("retry", (S.FAILED,), S.RELEASED, FINANCE, "disbursement.retried"),
        # From SENT on the manual rail only: the treasury did not pay (or the bank returned it).
        Transition(
            "cancel",
            (S.PENDING, S.RELEASED, S.SENT, S.FAILED),
            S.CANCELLED,
            FINANCE,
            "disbursement.cancelled",
        ),
    ]
}


def _refusal(disbursement: Disbursement, transition: Transition) -> str:
    status = disbursement.status
    if status == S.CANCELLED:
        return _("This payment was cancelled; nothing more can be done with it.")
    if transition.name == "release" and status in (S.RELEASED, S.SENDING, S.SENT, S.PAID):
        return _("This disbursement has already been released.")
    if transition.name == "release" and status == S.FAILED:
        return _("This payment failed; retry it or cancel it.")
    if transition.name == "record_payment" and status == S.PAID:
        return _("This payment has already been recorded as paid.")
    if status == S.SENDING:
        return _("This payment is being handed to its payment rail right now; try again in a minute.")
    return _("This cannot be done while the payment is “%(status)s”.") % {
        "status": disbursement.get_status_display()
    }


def check_transition(disbursement: Disbursement, name: str, *, by=None) -> None:
    """Raise PaymentError when ``by`` may not perform ``name`` on the disbursement now. The
    actor is checked before the state, so a refused person learns why they are refused."""
    transition = TRANSITIONS[name]
    if transition.actor == FINANCE:
        check = can_release_disbursement if name == "release" else can_handle_disbursement
        allowed, reason = check(by, disbursement)
        if not allowed:
            raise PaymentError(reason)
    if disbursement.status not in transition.source:
        raise PaymentError(_refusal(disbursement, transition))


def allowed_transitions(disbursement: Disbursement, user) -> set[str]:
    """The finance actions ``user`` may take on the disbursement now (for the page's buttons)."""
    names = set()
    for name, transition in TRANSITIONS.items():
        if transition.actor != FINANCE:
            continue
        try:
            check_transition(disbursement, name, by=user)
        except PaymentError:
            continue
        names.add(name)
    if disbursement.rail != MANUAL:
        names.discard("record_payment")
        if disbursement.status == Disbursement.Status.SENT:
            names.discard("cancel")
    return names


def _perform(disbursement: Disbursement, name: str, *, by=None, extra: dict | None = None) -> None:
    """The one place ``status`` changes: checks, sets it and writes the audit entry. The caller
    holds the row lock and saves."""
    check_transition(disbursement, name, by=by)
    transition = TRANSITIONS[name]
    before = disbursement.status
    disbursement.status = transition.target
    ledger.audit(
        actor=by,
        action=transition.audit_action,
        obj=disbursement,
        before={"status": before},
        after={"status": transition.target, **(extra or {})},
    )


def _lock(pk: int) -> Disbursement:
    # of=("self",): lock the disbursement only, not its commitment and fund.
    return Disbursement.objects.select_for_update(of=("self",)).select_related("commitment__fund").get(pk=pk)


def _recipient(payee_reference: str) -> Recipient | None:
    return Recipient.objects.filter(payee_reference=payee_reference).first()


def payable_rail(recipient: Recipient | None) -> str:
    """The rail the payee can be paid through now; PaymentError saying why not otherwise."""
    if recipient is None:
        raise PaymentError(
            _(
                "The grantee has not set up how it receives payments yet; an owner of the "
                "organisation does that on its payout page."
            )
        )
    if recipient.rail == STRIPE:
        if not stripe_configured():
            raise PaymentError(_("Stripe payouts are not configured on this site."))
        if not recipient.stripe_account_id:
            raise PaymentError(_("The grantee has not finished connecting its Stripe account."))
        if not recipient.payouts_enabled:
            raise PaymentError(
                _("Stripe cannot pay out to the grantee's account yet: Stripe is still checking it.")
            )
        return STRIPE
    if not recipient.account_number_masked and recipient.stripe_account_id:
        raise PaymentError(_("The grantee has not finished connecting its Stripe account."))
    require_verified_bank(recipient)
    return MANUAL


def require_verified_bank(recipient: Recipient | None) -> None:
    """The manual rail pays only to bank details an official verified after their last change."""
    if recipient is None or not recipient.account_number_masked:
        raise PaymentError(_("The grantee has not given its bank details yet."))
    if not recipient.bank_verified:
        raise PaymentError(
            _(
                "The grantee's bank details are new or were changed and an official of its region "
                "has not verified them yet; nothing is paid to them until then."
            )
        )


# Postings ---------------------------------------------------------------------------------------


def _description(disbursement: Disbursement) -> str:
    return disbursement.description or disbursement.reference


def _released_key(disbursement: Disbursement) -> str:
    return f"payout:{disbursement.pk}:released"


def _paid_key(disbursement: Disbursement) -> str:
    return f"disbursement:{disbursement.pk}:attempt:{disbursement.attempts}:paid"


def _post_released(disbursement: Disbursement, *, by) -> Transaction:
    """Committed → the payee's receivable. Idempotent (once per disbursement)."""
    ensure_commitment_posted(disbursement.commitment)
    fund, amount = disbursement.fund, disbursement.amount
    txn, _created = ledger.post(
        kind=Transaction.Kind.DISBURSEMENT,
        fund=fund,
        by=by,
        reference=disbursement.reference,
        description=_description(disbursement),
        idempotency_key=_released_key(disbursement),
        legs=[
            (receivable_account(disbursement.payee_reference, disbursement.currency), amount),
            (committed_account(fund), -amount),
        ],
    )
    return txn


def _post_sent(disbursement: Disbursement) -> None:
    """The payee's receivable → the rail's clearing account (rails that confirm later)."""
    if disbursement.rail not in CLEARING_RAILS:
        return
    _post_released(disbursement, by=None)  # a disbursement left in flight by the old code
    amount = disbursement.amount
    ledger.post(
        kind=Transaction.Kind.DISBURSEMENT,
        fund=disbursement.fund,
        reference=disbursement.gateway_reference,
        description=_description(disbursement),
        idempotency_key=f"payout:{disbursement.pk}:attempt:{disbursement.attempts}:sent",
        legs=[
            (clearing_account(disbursement.rail, disbursement.currency), amount),
            (receivable_account(disbursement.payee_reference, disbursement.currency), -amount),
        ],
    )


def _pay(disbursement: Disbursement, *, name: str, reference: str, by=None) -> None:
    """SENT/RELEASED → PAID: money leaves the platform (to grants paid). Announces
    ``disbursement_paid`` inside the transaction, so the milestone changes with it or not at all."""
    _perform(disbursement, name, by=by, extra={"reference": reference, "attempt": disbursement.attempts})
    _post_released(disbursement, by=by)
    amount, currency = disbursement.amount, disbursement.currency
    source = (
        clearing_account(disbursement.rail, currency)
        if disbursement.rail in CLEARING_RAILS
        else receivable_account(disbursement.payee_reference, currency)
    )
    ledger.post(
        kind=Transaction.Kind.DISBURSEMENT,
        fund=disbursement.fund,
        by=by,
        reference=reference,
        description=_description(disbursement),
        idempotency_key=_paid_key(disbursement),
        legs=[(grants_paid_account(), amount), (source, -amount)],
    )
    disbursement.gateway_reference = reference[:100]
    disbursement.paid_at = timezone.now()
    disbursement.failure_reason = ""
    disbursement.save(update_fields=["status", "gateway_reference", "paid_at", "failure_reason", "attempts"])
    signals.disbursement_paid.send(sender=Disbursement, disbursement=disbursement)


def _reverse_payment(disbursement: Disbursement, *, reason: str, by=None) -> None:
    """PAID → FAILED: the money came back and is owed to the payee again (receivable), to be
    retried or cancelled."""
    legacy_key = f"disbursement:{disbursement.pk}"  # paid by the old code: fund cash → grants paid
    paid = (
        Transaction.objects.filter(idempotency_key=_paid_key(disbursement)).first()
        or Transaction.objects.filter(idempotency_key=legacy_key).first()
    )
    # Before the status changes: a commitment of the old code leaves this payment out.
    ensure_commitment_posted(disbursement.commitment)
    _perform(disbursement, "reverse", by=by, extra={"reason": reason})
    if paid is not None:
        amount, currency = disbursement.amount, disbursement.currency
        legacy = paid.idempotency_key == legacy_key
        # An old-code payment goes back to the commitment and is released again below, so a
        # retry or a cancel finds it where a payment of this module would be.
        back_to = (
            committed_account(disbursement.fund)
            if legacy
            else receivable_account(disbursement.payee_reference, currency)
        )
        ledger.post(
            kind=Transaction.Kind.REVERSAL,
            fund=disbursement.fund,
            by=by,
            reverses=paid,
            reference=disbursement.gateway_reference,
            description=f"Pembalikan: {_description(disbursement)}"[:255],
            idempotency_key=f"disbursement:{disbursement.pk}:attempt:{disbursement.attempts}:reversed",
            legs=[(back_to, amount), (grants_paid_account(), -amount)],
        )
        if legacy:
            _post_released(disbursement, by=by)
    disbursement.failure_reason = reason[:255]
    disbursement.paid_at = None
    disbursement.save(update_fields=["status", "failure_reason", "paid_at"])
    signals.disbursement_failed.send(sender=Disbursement, disbursement=disbursement, reversed=True)


def _refuse(disbursement: Disbursement, *, reason: str) -> None:
    _perform(disbursement, "refuse", extra={"error": reason})
    disbursement.failure_reason = reason[:255]
    disbursement.save(update_fields=["status", "failure_reason"])
    signals.disbursement_failed.send(sender=Disbursement, disbursement=disbursement, reversed=False)


def _queue_send(disbursement: Disbursement) -> None:
    from payments import tasks

    pk = disbursement.pk
    # robust: with the broker down the release still stands; the beat sweep sends it later.
    transaction.on_commit(lambda: tasks.send_disbursement.delay(pk), robust=True)


# Services ---------------------------------------------------------------------------------------


def disbursement_create(
    *,
    commitment: Commitment,
    reference: str,
    amount: int,
    payee_reference: str,
    requested_by,
    description: str = "",
) -> Disbursement:
    """Request a payment against a commitment (PENDING). Idempotent per ``reference``. Raises
    PaymentError when the commitment was released or the payments (not counting cancelled
    ones) would exceed it. Moves no money: the release does."""
    ledger.require_positive(amount)
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        existing = Disbursement.objects.filter(reference=reference).first()
        if existing:
            return existing
        if locked.released_at is not None:
            raise PaymentError(_("This commitment was released; nothing can be paid against it."))
        already = (
            locked.disbursements.exclude(status=S.CANCELLED).aggregate(total=Sum("amount"))["total"] or 0
        )
        if already + amount > locked.amount:
            raise PaymentError(_("This payment would exceed the amount awarded."))
        disbursement = Disbursement.objects.create(
            commitment=locked,
            reference=reference,
            amount=amount,
            currency=locked.currency,
            payee_reference=payee_reference,
            requested_by=requested_by,
            description=description[:255],
        )
        ledger.audit(
            actor=requested_by, action="disbursement.created", obj=disbursement, after={"amount": amount}
        )
    return disbursement


def disbursement_release(*, disbursement: Disbursement, by) -> Disbursement:
    """PENDING → RELEASED. Four eyes: ``by`` is a finance officer who did not request (approve)
    it. The payee must be payable now (see ``payable_rail``): the rail is fixed here. Moves the
    money from the fund's commitment to what is owed to the payee, and queues
    ``payments.tasks.send_disbursement`` after commit. Raises PaymentError when refused; a
    second release (a double click, two officers at once) is refused, so nothing is paid twice."""
    with transaction.atomic():
        locked = _lock(disbursement.pk)
        check_transition(locked, "release", by=by)
        rail = payable_rail(_recipient(locked.payee_reference))
        locked.rail = rail
        _perform(locked, "release", by=by, extra={"rail": rail})
        locked.released_by, locked.released_at = by, timezone.now()
        locked.failure_reason = ""
        locked.save(update_fields=["status", "rail", "released_by", "released_at", "failure_reason"])
        _post_released(locked, by=by)
        _queue_send(locked)
    return locked


def disbursement_retry(*, disbursement: Disbursement, by) -> Disbursement:
    """FAILED → RELEASED, sent again (a new attempt, so a new idempotency key) through the rail
    the payee uses now. Same four eyes as the release; PaymentError when refused."""
    with transaction.atomic():
        locked = _lock(disbursement.pk)
        check_transition(locked, "retry", by=by)
        rail = payable_rail(_recipient(locked.payee_reference))
        locked.rail = rail
        _perform(locked, "retry", by=by, extra={"rail": rail})
        locked.failure_reason = ""
        locked.save(update_fields=["status", "rail", "failure_reason"])
        _post_released(locked, by=by)  # only for a payment that failed under the old code
        _queue_send(locked)
    return locked


def disbursement_cancel(*, disbursement: Disbursement, by, reason: str) -> Disbursement:
    """PENDING, RELEASED, FAILED, or SENT on the manual rail (the treasury did not pay, or the
    bank returned the transfer) → CANCELLED, with the reason. What was released goes back to the
    fund's commitment (a reversal). Announces ``disbursement_cancelled`` (the milestone goes back
    to "reported" so the official can approve it again). PaymentError when refused; a payment
    being sent, sent through Stripe, or paid cannot be cancelled."""
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(_("Say why the payment is cancelled."))
    with transaction.atomic():
        locked = _lock(disbursement.pk)
        if locked.status == Disbursement.Status.SENT and locked.rail != MANUAL:
            raise PaymentError(
                _("A transfer already made through Stripe cannot be cancelled; only Stripe can reverse it.")
            )
        _perform(locked, "cancel", by=by, extra={"reason": reason})
        released = Transaction.objects.filter(idempotency_key=_released_key(locked)).first()
        if released is not None:
            amount, currency = locked.amount, locked.currency
            ledger.post(
                kind=Transaction.Kind.REVERSAL,
                fund=locked.fund,
                by=by,
                reverses=released,
                reference=locked.reference,
                description=f"Dibatalkan: {_description(locked)}"[:255],
                idempotency_key=f"payout:{locked.pk}:cancelled",
                legs=[
                    (committed_account(locked.fund), amount),
                    (receivable_account(locked.payee_reference, currency), -amount),
                ],
            )
        locked.cancelled_reason = reason[:255]
        locked.save(update_fields=["status", "cancelled_reason"])
        signals.disbursement_cancelled.send(sender=Disbursement, disbursement=locked)
    return locked


def disbursement_record_paid(*, disbursement: Disbursement, by, bank_reference: str, proof) -> Disbursement:
    """Manual rail: RELEASED or SENT → PAID when the finance officer records the treasury's
    reference (SP2D or bank receipt) and uploads the transfer proof (PDF, PNG or JPEG, checked by
    content; kept private). The payee's bank details must still be verified. Raises
    PaymentError when refused; recording twice is refused, so the ledger records it once."""
    bank_reference = (bank_reference or "").strip()
    if not bank_reference:
        raise PaymentError(_("Enter the bank transfer reference (SP2D or bank receipt number)."))
    if not proof:
        raise PaymentError(
            _("Attach the transfer proof: the SP2D or the bank receipt, as a PDF or an image.")
        )
    check_proof(proof)
    with transaction.atomic():
        locked = _lock(disbursement.pk)
        check_transition(locked, "record_payment", by=by)
        if locked.rail != MANUAL:
            raise PaymentError(
                _("This payment goes through Stripe: Stripe confirms it, nobody records it by hand.")
            )
        require_verified_bank(_recipient(locked.payee_reference))  # changed since the release?
        if locked.status == S.RELEASED:
            # Recorded before the send task ran: the recording is the attempt.
            locked.attempts += 1
            GatewayCall.objects.create(
                disbursement=locked,
                gateway=MANUAL,
                idempotency_key=locked.idempotency_key,
                request={"amount": locked.amount, "currency": locked.currency},
                response={"bank_reference": bank_reference},
                succeeded=True,
            )
        else:
            locked.gateway_calls.filter(idempotency_key=locked.idempotency_key).update(
                response={"bank_reference": bank_reference}, succeeded=True
            )
        locked.proof.save(proof.name or "bukti", proof, save=False)
        locked.save(update_fields=["proof"])
        _pay(locked, name="record_payment", reference=bank_reference, by=by)
    return locked


# Sending ----------------------------------------------------------------------------------------


def _new_request(disbursement: Disbursement, recipient: Recipient) -> TransferRequest:
    key = disbursement.idempotency_key
    return TransferRequest(
        amount=disbursement.amount,
        currency=disbursement.currency,
        idempotency_key=key,
        transfer_group=disbursement.fund.reference,
        description=_description(disbursement),
        destination=recipient.stripe_account_id
        if disbursement.rail == STRIPE
        else recipient.account_number_masked,
        metadata={
            "disbursement": str(disbursement.pk),
            "attempt": str(disbursement.attempts),
            "reference": disbursement.reference,
            "idempotency_key": key,
        },
    )


def _stored_request(call: GatewayCall, disbursement: Disbursement) -> TransferRequest:
    """The first call's request, exactly: a repeat with other parameters would be refused by
    the provider (and could pay someone else). Calls stored by the old code lack some fields."""
    stored = dict(call.request or {})
    fields = {f.name for f in dataclasses.fields(TransferRequest)}
    defaults = {
        "amount": disbursement.amount,
        "currency": disbursement.currency,
        "idempotency_key": call.idempotency_key,
        "transfer_group": disbursement.fund.reference,
        "description": _description(disbursement),
        "metadata": {"disbursement": str(disbursement.pk), "reference": disbursement.reference},
    }
    return TransferRequest(**{**defaults, **{k: v for k, v in stored.items() if k in fields}})


def _claim(pk: int) -> tuple[Disbursement, GatewayCall, TransferRequest] | None:
    """RELEASED → SENDING with a new attempt and its GatewayCall, or the call in flight of a
    disbursement left SENDING; None when there is nothing to send."""
    with transaction.atomic():
        locked = _lock(pk)
        if locked.status == S.SENDING:
            call = locked.gateway_calls.filter(idempotency_key=locked.idempotency_key).first()
            if call is None:  # the old code wrote the call with the state; this cannot be
                raise PaymentError(f"disbursement {pk} is sending without a gateway call")
            return locked, call, _stored_request(call, locked)
        if locked.status != S.RELEASED:
            return None
        recipient = _recipient(locked.payee_reference)
        try:
            rail = payable_rail(recipient)
            if rail != locked.rail:
                raise PaymentError(
                    _("The grantee changed how it is paid after the release; retry to pay it the new way.")
                )
        except PaymentError as exc:
            _refuse(locked, reason=exc.message)
            return None
        locked.attempts += 1
        _perform(locked, "send", extra={"attempt": locked.attempts})
        locked.save(update_fields=["status", "attempts"])
        request = _new_request(locked, recipient)
        call = GatewayCall.objects.create(
            disbursement=locked,
            gateway=locked.rail,
            idempotency_key=request.idempotency_key,
            request=dataclasses.asdict(request),
        )
        return locked, call, request


def disbursement_send(*, disbursement_id: int) -> Disbursement:
    """Hand a RELEASED disbursement to its rail, or finish one left SENDING (a worker that
    crashed, timed out or lost the answer) by repeating its call with the same idempotency key.
    Safe to run any number of times, in turn or at once: whatever happens, the provider makes
    one transfer per attempt and the ledger records it once. Raises GatewayUnavailable when the
    provider could not be reached (the disbursement stays SENDING; the caller retries)."""
    claimed = _claim(disbursement_id)
    if claimed is None:
        return Disbursement.objects.get(pk=disbursement_id)
    disbursement, call, request = claimed
    gateway = get_gateway(disbursement.rail)
    result: TransferResult | None = None
    if timezone.now() - call.created_at > IDEMPOTENCY_WINDOW and hasattr(gateway, "find_transfer"):
        result = gateway.find_transfer(request)
    if result is None:
        # Outside any transaction and lock: a slow provider holds nothing up.
        result = gateway.send_transfer(request)
    return record_send_result(
        disbursement_id=disbursement.pk, call=call, attempt=disbursement.attempts, result=result
    )


def record_send_result(
    *, disbursement_id: int, call: GatewayCall, attempt: int, result: TransferResult
) -> Disbursement:
    """SENDING → SENT (accepted) or FAILED (refused), once: whoever comes second (a repeated
    call, a webhook that was faster) finds the state already moved and changes nothing."""
    with transaction.atomic():
        locked = _lock(disbursement_id)
        GatewayCall.objects.filter(pk=call.pk).update(
            response=result.raw or {"error": result.error}, succeeded=result.succeeded
        )
        if locked.status != S.SENDING or locked.attempts != attempt:
            return locked
        if result.succeeded:
            locked.gateway_reference = result.reference[:100]
            _perform(locked, "accept", extra={"reference": result.reference, "attempt": attempt})
            locked.save(update_fields=["status", "gateway_reference"])
            _post_sent(locked)
        else:
            _refuse(locked, reason=result.error or _("The payment provider refused the transfer."))
    return locked


def disbursement_resend(*, disbursement: Disbursement) -> Disbursement:
    """Finish a disbursement left SENDING (same call, same key). Anything else is left alone."""
    if Disbursement.objects.filter(pk=disbursement.pk, status=S.SENDING).exists():
        return disbursement_send(disbursement_id=disbursement.pk)
    return Disbursement.objects.get(pk=disbursement.pk)


def disbursements_to_send(*, older_than: datetime.timedelta) -> list[int]:
    """RELEASED ones whose send task never ran (a broker outage) and SENDING ones whose call
    was interrupted, untouched for ``older_than``."""
    cutoff = timezone.now() - older_than
    released = Disbursement.objects.filter(status=S.RELEASED, released_at__lte=cutoff)
    sending = Disbursement.objects.filter(status=S.SENDING).exclude(gateway_calls__created_at__gt=cutoff)
    return sorted(set(released.values_list("pk", flat=True)) | set(sending.values_list("pk", flat=True)))


# What the provider reports ----------------------------------------------------------------------


def _for_transfer(transfer) -> Disbursement | None:
    """The disbursement a provider transfer pays, locked: by the reference we recorded, else by
    the metadata we sent (a worker that crashed before recording it)."""
    found = Disbursement.objects.filter(gateway_reference=transfer.id, rail=STRIPE).values_list(
        "pk", flat=True
    )
    pk = found[0] if found else None
    if pk is None and str(transfer.metadata.get("disbursement", "")).isdigit():
        pk = int(transfer.metadata["disbursement"])
    if pk is None:
        return None
    try:
        return _lock(pk)
    except Disbursement.DoesNotExist:
        return None


def _matches(disbursement: Disbursement, transfer) -> bool:
    return transfer.amount == disbursement.amount and transfer.currency == disbursement.currency.upper()


def _accept_if_in_flight(disbursement: Disbursement, transfer) -> None:
    """The transfer of the attempt in flight exists although no worker recorded it yet."""
    if (
        disbursement.status == S.SENDING
        and disbursement.rail == STRIPE
        and transfer.metadata.get("idempotency_key") == disbursement.idempotency_key
        and _matches(disbursement, transfer)
    ):
        disbursement.gateway_reference = transfer.id
        _perform(disbursement, "accept", extra={"reference": transfer.id, "attempt": disbursement.attempts})
        disbursement.save(update_fields=["status", "gateway_reference"])
        _post_sent(disbursement)
        disbursement.gateway_calls.filter(
            idempotency_key=disbursement.idempotency_key, response__isnull=True
        ).update(response={"id": transfer.id, "seen_in": "webhook"}, succeeded=True)


def disbursement_confirm(*, transfer) -> Disbursement | None:
    """The provider reports the transfer (``transfer.created``/``transfer.updated``, or the
    sweep's look-up): SENT → PAID; a transfer already fully reversed is paid and reversed.
    Idempotent and order-proof; None when the transfer pays none of ours."""
    with transaction.atomic():
        disbursement = _for_transfer(transfer)
        if disbursement is None:
            return None
        _accept_if_in_flight(disbursement, transfer)
        if disbursement.status != S.SENT or disbursement.gateway_reference != transfer.id:
            return disbursement
        if not _matches(disbursement, transfer):
            logger.error("Transfer %s does not match disbursement %s", transfer.id, disbursement.pk)
            return disbursement
        _pay(disbursement, name="confirm", reference=transfer.id)
        if transfer.fully_reversed:
            _reverse_payment(disbursement, reason=_("The transfer was reversed at Stripe."))
    return disbursement


def disbursement_reversed(*, transfer, reason: str = "") -> Disbursement | None:
    """The provider took a transfer back (``transfer.reversed``): PAID → FAILED with a reversal
    in the ledger (a transfer still waiting for its confirmation is confirmed first). A partial
    reversal is left to the finance officers (reconciliation reports it). Idempotent."""
    reason = reason or _("The transfer was reversed at Stripe.")
    with transaction.atomic():
        disbursement = _for_transfer(transfer)
        if disbursement is None:
            return None
        _accept_if_in_flight(disbursement, transfer)
        if disbursement.gateway_reference != transfer.id:
            return disbursement  # an earlier attempt's transfer: that attempt was settled already
        if not transfer.fully_reversed:
            ledger.audit(
                actor=None,
                action="disbursement.partly_reversed",
                obj=disbursement,
                after={"reversed": transfer.amount_reversed, "transfer": transfer.id},
            )
            return disbursement
        if disbursement.status == S.SENT:
            _pay(disbursement, name="confirm", reference=transfer.id)
        if disbursement.status == S.PAID:
            _reverse_payment(disbursement, reason=reason)
    return disbursement


def disbursement_check_at_gateway(*, disbursement: Disbursement) -> Disbursement:
    """A Stripe disbursement SENT for a while (its webhook lost): ask Stripe and settle it."""
    from payments.gateways.stripe.gateway import retrieve_transfer

    if disbursement.status != S.SENT or disbursement.rail != STRIPE or not disbursement.gateway_reference:
        return disbursement
    transfer = retrieve_transfer(disbursement.gateway_reference)
    if transfer is None:
        logger.error(
            "Disbursement %s: transfer %s not found", disbursement.pk, disbursement.gateway_reference
        )
        return disbursement
    return disbursement_confirm(transfer=transfer) or disbursement


# Transfer proofs --------------------------------------------------------------------------------

PROOF_KINDS = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
}


def proof_kind(fileobj) -> tuple[str, str] | None:
    """(content type, extension) judged by the bytes, never by the name; None otherwise."""
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(0)
    for magic, kind in PROOF_KINDS.items():
        if head.startswith(magic):
            return kind
    return None


def check_proof(upload) -> str:
    """The checks every upload passes (settings.PROPOSAL_ATTACHMENT_MAX_BYTES and the virus-scan
    hook settings.PROPOSAL_ATTACHMENT_SCANNER), for a PDF or an image. Returns the content type;
    raises PaymentError with the reason."""
    limit = settings.PROPOSAL_ATTACHMENT_MAX_BYTES
    if not upload.size:
        raise PaymentError(_("The file is empty."))
    if upload.size > limit:
        raise PaymentError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    kind = proof_kind(upload)
    if kind is None:
        raise PaymentError(
            _("The transfer proof must be a PDF or an image (PNG or JPEG); this file is neither.")
        )
    scanner = import_string(settings.PROPOSAL_ATTACHMENT_SCANNER)
    upload.seek(0)
    try:
        clean, reason = scanner(upload)
    finally:
        upload.seek(0)
    if not clean:
        raise PaymentError(_("The virus scan refused this file: %(reason)s") % {"reason": reason})
    return kind[0]


# Webhooks ---------------------------------------------------------------------------------------


@handles("transfer.created", "transfer.updated")
def _transfer_reported(event: WebhookEvent) -> None:
    from payments.gateways.stripe.gateway import transfer_info

    disbursement_confirm(transfer=transfer_info(event.body["data"]["object"]))


@handles("transfer.reversed")
def _transfer_reversed(event: WebhookEvent) -> None:
    from payments.gateways.stripe.gateway import transfer_info

    disbursement_reversed(transfer=transfer_info(event.body["data"]["object"]))


@handles("account.updated")
def _account_updated(event: WebhookEvent) -> None:
    from payments import services

    account = event.body.get("data", {}).get("object") or {}
    account_id = account.get("id") or event.body.get("account") or ""
    if account_id:
        services.recipient_sync_stripe(account_id=account_id)
