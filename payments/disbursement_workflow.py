"""Money out: the disbursement state machine (the only code that changes ``Disbursement.status``)
and the services that move a disbursement through it.

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
ones move it between our own accounts. The accounts and the postings are in
``payments.postings``; sending through a rail and what the rail reports back are in
``payments.disbursement_sending``.

Exactly once: every state change happens under a row lock (``select_for_update``) and checks
the state it leaves from; every provider call carries the key ``disbursement:<d>:attempt:<n>``
(unique ``GatewayCall``) and is made outside any lock or transaction; a call whose answer was
lost is repeated with the same key; every ledger posting has a unique key."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actors import Actor, Person, Visitor
from payments import ledger, signals
from payments.errors import PaymentError
from payments.gateways import stripe_configured
from payments.models import Commitment, Disbursement, GatewayCall, Recipient, Transaction
from payments.permissions import can_handle_disbursement, can_release_disbursement
from payments.postings import (
    CLEARING_RAILS,
    clearing_account,
    committed_account,
    description_of,
    grants_paid_account,
    paid_key,
    post_released,
    receivable_account,
    released_key,
)
from payments.proofs import check_proof

logger = logging.getLogger(__name__)

S = Disbursement.Status
MANUAL, STRIPE = Recipient.Rail.MANUAL, Recipient.Rail.STRIPE


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


def check_transition(disbursement: Disbursement, name: str, *, by: Visitor = None) -> None:
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


def allowed_transitions(disbursement: Disbursement, user: Visitor) -> set[str]:
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


def perform(disbursement: Disbursement, name: str, *, by: Actor = None, extra: dict | None = None) -> None:
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


def lock_disbursement(pk: int) -> Disbursement:
    # of=("self",): lock the disbursement only, not its commitment and fund.
    return Disbursement.objects.select_for_update(of=("self",)).select_related("commitment__fund").get(pk=pk)


def payee_recipient(payee_reference: str) -> Recipient | None:
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


def pay(disbursement: Disbursement, *, name: str, reference: str, by: Actor = None) -> None:
    """SENT/RELEASED → PAID: money leaves the platform (to grants paid). Announces
    ``disbursement_paid`` inside the transaction, so the milestone changes with it or not at all."""
    perform(disbursement, name, by=by, extra={"reference": reference, "attempt": disbursement.attempts})
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
        description=description_of(disbursement),
        idempotency_key=paid_key(disbursement),
        commitment=disbursement.commitment,
        legs=[(grants_paid_account(), amount), (source, -amount)],
    )
    disbursement.gateway_reference = reference[:100]
    disbursement.paid_at = timezone.now()
    disbursement.failure_reason = ""
    disbursement.save(update_fields=["status", "gateway_reference", "paid_at", "failure_reason", "attempts"])
    signals.disbursement_paid.send(sender=Disbursement, disbursement=disbursement)


def reverse_payment(disbursement: Disbursement, *, reason: str, by: Actor = None) -> None:
    """PAID → FAILED: the money came back and is owed to the payee again (receivable), to be
    retried or cancelled."""
    paid = Transaction.objects.filter(idempotency_key=paid_key(disbursement)).first()
    perform(disbursement, "reverse", by=by, extra={"reason": reason})
    if paid is not None:
        amount, currency = disbursement.amount, disbursement.currency
        ledger.post(
            kind=Transaction.Kind.REVERSAL,
            fund=disbursement.fund,
            by=by,
            reverses=paid,
            reference=disbursement.gateway_reference,
            description=f"Pembalikan: {description_of(disbursement)}"[:255],
            idempotency_key=f"disbursement:{disbursement.pk}:attempt:{disbursement.attempts}:reversed",
            legs=[
                (receivable_account(disbursement.payee_reference, currency), amount),
                (grants_paid_account(), -amount),
            ],
        )
    disbursement.failure_reason = reason[:255]
    disbursement.paid_at = None
    disbursement.save(update_fields=["status", "failure_reason", "paid_at"])
    signals.disbursement_failed.send(sender=Disbursement, disbursement=disbursement, reversed=True)


def refuse(disbursement: Disbursement, *, reason: str) -> None:
    perform(disbursement, "refuse", extra={"error": reason})
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
    requested_by: Person,
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


def disbursement_release(*, disbursement: Disbursement, by: Actor) -> Disbursement:
    """PENDING → RELEASED. Four eyes: ``by`` is a finance officer who did not request (approve)
    it. The payee must be payable now (see ``payable_rail``): the rail is fixed here. Moves the
    money from the fund's commitment to what is owed to the payee, and queues
    ``payments.tasks.send_disbursement`` after commit. Raises PaymentError when refused; a
    second release (a double click, two officers at once) is refused, so nothing is paid twice."""
    with transaction.atomic():
        locked = lock_disbursement(disbursement.pk)
        check_transition(locked, "release", by=by)
        rail = payable_rail(payee_recipient(locked.payee_reference))
        locked.rail = rail
        perform(locked, "release", by=by, extra={"rail": rail})
        locked.released_by, locked.released_at = by, timezone.now()
        locked.failure_reason = ""
        locked.save(update_fields=["status", "rail", "released_by", "released_at", "failure_reason"])
        post_released(locked, by=by)
        _queue_send(locked)
    return locked


def disbursement_retry(*, disbursement: Disbursement, by: Actor) -> Disbursement:
    """FAILED → RELEASED, sent again (a new attempt, so a new idempotency key) through the rail
    the payee uses now. Same four eyes as the release; PaymentError when refused."""
    with transaction.atomic():
        locked = lock_disbursement(disbursement.pk)
        check_transition(locked, "retry", by=by)
        rail = payable_rail(payee_recipient(locked.payee_reference))
        locked.rail = rail
        perform(locked, "retry", by=by, extra={"rail": rail})
        locked.failure_reason = ""
        locked.save(update_fields=["status", "rail", "failure_reason"])
        _queue_send(locked)
    return locked


def disbursement_cancel(*, disbursement: Disbursement, by: Actor, reason: str) -> Disbursement:
    """PENDING, RELEASED, FAILED, or SENT on the manual rail (the treasury did not pay, or the
    bank returned the transfer) → CANCELLED, with the reason. What was released goes back to the
    fund's commitment (a reversal). Announces ``disbursement_cancelled`` (the milestone goes back
    to "reported" so the official can approve it again). PaymentError when refused; a payment
    being sent, sent through Stripe, or paid cannot be cancelled."""
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(_("Say why the payment is cancelled."))
    with transaction.atomic():
        locked = lock_disbursement(disbursement.pk)
        if locked.status == Disbursement.Status.SENT and locked.rail != MANUAL:
            raise PaymentError(
                _("A transfer already made through Stripe cannot be cancelled; only Stripe can reverse it.")
            )
        perform(locked, "cancel", by=by, extra={"reason": reason})
        released = Transaction.objects.filter(idempotency_key=released_key(locked)).first()
        if released is not None:
            amount, currency = locked.amount, locked.currency
            ledger.post(
                kind=Transaction.Kind.REVERSAL,
                fund=locked.fund,
                by=by,
                reverses=released,
                reference=locked.reference,
                description=f"Dibatalkan: {description_of(locked)}"[:255],
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


def disbursement_record_paid(
    *, disbursement: Disbursement, by: Actor, bank_reference: str, proof: File
) -> Disbursement:
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
        locked = lock_disbursement(disbursement.pk)
        check_transition(locked, "record_payment", by=by)
        if locked.rail != MANUAL:
            raise PaymentError(
                _("This payment goes through Stripe: Stripe confirms it, nobody records it by hand.")
            )
        require_verified_bank(payee_recipient(locked.payee_reference))  # changed since the release?
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
        pay(locked, name="record_payment", reference=bank_reference, by=by)
    return locked
