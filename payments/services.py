"""Writes for money. Every function here is the only way its records change.

Rules kept here: amounts are positive integers in minor units; a transaction's entries sum
to zero; a fund never commits more than it holds; a commitment never pays out more than
it promised; a disbursement is released by a finance officer other than its requester
and is sent with an idempotency key, so no retry or double click pays twice."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from payments import ledger, selectors, signals
from payments.errors import PaymentError
from payments.gateways import get_gateway, stripe_configured
from payments.interface import GatewayUnavailable, TransferRequest
from payments.models import (
    Account,
    Commitment,
    Disbursement,
    Fund,
    GatewayCall,
    Recipient,
    Transaction,
)
from payments.permissions import can_record_allocation, can_release_disbursement

logger = logging.getLogger(__name__)


def fund_get_or_create(*, reference: str, name: str = "", currency: str = "IDR") -> Fund:
    fund, created = Fund.objects.get_or_create(
        reference=reference, defaults={"name": name, "currency": currency}
    )
    if created:
        ledger.fund_cash_account(fund)
    return fund


def allocation_record(
    *, fund: Fund, amount: int, by, description: str, reference: str = "", idempotency_key: str
) -> Transaction:
    """Record money from the regional budget (APBD) into a fund. Idempotent per key."""
    allowed, reason = can_record_allocation(by)
    if not allowed:
        raise PaymentError(reason)
    ledger.require_positive(amount)
    source = ledger.account(
        ledger.BUDGET_SOURCE_CODE, name="APBD (anggaran daerah)", kind=Account.Kind.BUDGET_SOURCE
    )
    with transaction.atomic():
        txn, created = ledger.post(
            kind=Transaction.Kind.ALLOCATION,
            fund=fund,
            by=by,
            reference=reference,
            description=description or _("Budget allocation"),
            idempotency_key=f"allocation:{idempotency_key}",
            legs=[(ledger.fund_cash_account(fund), amount), (source, -amount)],
        )
        if created:
            ledger.audit(
                actor=by,
                action="allocation.recorded",
                obj=txn,
                after={"amount": amount, "fund": fund.reference},
            )
    return txn


def commitment_create(*, fund: Fund, reference: str, amount: int, by) -> Commitment:
    """Promise ``amount`` of the fund. Raises PaymentError when the fund does not hold it."""
    ledger.require_positive(amount)
    with transaction.atomic():
        Fund.objects.select_for_update().get(pk=fund.pk)  # serialise commitments per fund
        available = selectors.fund_available(fund)
        if amount > available:
            raise PaymentError(
                _("The fund holds only %(available)s available; %(amount)s cannot be committed.")
                % {
                    "available": selectors.format_money(available, fund.currency),
                    "amount": selectors.format_money(amount, fund.currency),
                }
            )
        commitment = Commitment.objects.create(
            fund=fund, reference=reference, amount=amount, currency=fund.currency, created_by=by
        )
        ledger.audit(actor=by, action="commitment.created", obj=commitment, after={"amount": amount})
    return commitment


def commitment_release(*, commitment: Commitment, by, reason: str) -> Commitment:
    """Give a commitment's money back to the fund (an award declined before anything was
    paid). Idempotent: releasing again changes nothing. Refused once money was disbursed."""
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if locked.released_at is not None:
            return locked
        if locked.disbursements.exists():
            raise PaymentError(
                _("Payments were already made against this commitment; it cannot be released.")
            )
        locked.released_at, locked.released_by, locked.release_reason = timezone.now(), by, reason[:255]
        locked.save(update_fields=["released_at", "released_by", "release_reason"])
        ledger.audit(actor=by, action="commitment.released", obj=locked, before={"amount": locked.amount})
    return locked


def recipient_set_bank_account(
    *, payee_reference: str, bank_name: str, account_holder: str, account_number: str
) -> Recipient:
    digits = "".join(ch for ch in account_number if ch.isdigit())
    if len(digits) < 6:
        raise PaymentError(_("Enter the full bank account number."))
    recipient, _created = Recipient.objects.update_or_create(
        payee_reference=payee_reference,
        defaults={
            "rail": Recipient.Rail.MANUAL,
            "bank_name": bank_name,
            "account_holder": account_holder,
            "account_number_masked": "•••• " + digits[-4:],
        },
    )
    return recipient


def recipient_start_stripe_onboarding(
    *, payee_reference: str, email: str, country: str, return_url: str, refresh_url: str
) -> str:
    """Create (or reuse) the payee's connected account and return the onboarding URL."""
    if not stripe_configured():
        raise PaymentError(_("Stripe payouts are not configured on this site."))
    from payments.gateways.stripe.gateway import create_onboarding_link

    recipient = Recipient.objects.filter(payee_reference=payee_reference).first()
    link = create_onboarding_link(
        email=email,
        country=country,
        return_url=return_url,
        refresh_url=refresh_url,
        existing_account_id=recipient.stripe_account_id if recipient else "",
    )
    Recipient.objects.update_or_create(
        payee_reference=payee_reference,
        defaults={"rail": Recipient.Rail.STRIPE, "stripe_account_id": link.account_id},
    )
    return link.url


def disbursement_create(
    *,
    commitment: Commitment,
    reference: str,
    amount: int,
    payee_reference: str,
    requested_by,
    description: str = "",
) -> Disbursement:
    """Queue a payment against a commitment. Idempotent per ``reference``."""
    ledger.require_positive(amount)
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        existing = Disbursement.objects.filter(reference=reference).first()
        if existing:
            return existing
        if locked.released_at is not None:
            raise PaymentError(_("This commitment was released; nothing can be paid against it."))
        already = commitment.disbursements.aggregate(total=Sum("amount"))["total"] or 0
        if already + amount > commitment.amount:
            raise PaymentError(_("This payment would exceed the amount awarded."))
        disbursement = Disbursement.objects.create(
            commitment=commitment,
            reference=reference,
            amount=amount,
            currency=commitment.currency,
            payee_reference=payee_reference,
            requested_by=requested_by,
            description=description[:255],
        )
        ledger.audit(
            actor=requested_by, action="disbursement.created", obj=disbursement, after={"amount": amount}
        )
    return disbursement


def disbursement_release(*, disbursement: Disbursement, by, bank_reference: str = "") -> Disbursement:
    """Release and send a pending (or failed) disbursement. Four-eyes: ``by`` must be a finance
    officer and not the requester. Raises PaymentError when refused; never pays twice."""
    with transaction.atomic():
        locked = (
            Disbursement.objects.select_for_update()
            .select_related("commitment__fund")
            .get(pk=disbursement.pk)
        )
        allowed, reason = can_release_disbursement(by, locked)
        if not allowed:
            raise PaymentError(reason)
        if locked.status not in (Disbursement.Status.PENDING, Disbursement.Status.FAILED):
            raise PaymentError(_("This disbursement has already been released."))
        recipient = Recipient.objects.filter(payee_reference=locked.payee_reference).first()
        rail = recipient.rail if recipient else Recipient.Rail.MANUAL
        if rail == Recipient.Rail.MANUAL and not bank_reference.strip():
            raise PaymentError(_("Enter the bank transfer reference (SP2D or bank receipt number)."))
        if rail == Recipient.Rail.STRIPE and not stripe_configured():
            raise PaymentError(_("Stripe payouts are not configured on this site."))
        locked.attempts += 1
        locked.status = Disbursement.Status.SENDING
        locked.released_by = by
        locked.released_at = timezone.now()
        locked.rail = rail
        locked.save(update_fields=["attempts", "status", "released_by", "released_at", "rail"])
        request = _transfer_request(locked, recipient, bank_reference)
        call = GatewayCall.objects.create(
            disbursement=locked,
            gateway=rail,
            idempotency_key=request.idempotency_key,
            request={
                "amount": request.amount,
                "currency": request.currency,
                "destination": request.destination,
                "transfer_group": request.transfer_group,
            },
        )
        ledger.audit(actor=by, action="disbursement.released", obj=locked, after={"attempt": locked.attempts})
    # The provider is called outside the lock; the same idempotency key makes a resend safe.
    return _send(locked, call, request, by=by)


def disbursement_resend(*, disbursement: Disbursement) -> Disbursement:
    """Finish a disbursement left in SENDING (a crash between the call and its answer) by
    repeating the same call with the same idempotency key. Safe to run any number of times."""
    locked = Disbursement.objects.get(pk=disbursement.pk)
    if locked.status != Disbursement.Status.SENDING:
        return locked
    call = locked.gateway_calls.get(idempotency_key=locked.idempotency_key)
    recipient = Recipient.objects.get(payee_reference=locked.payee_reference)
    request = _transfer_request(locked, recipient)
    return _send(locked, call, request, by=locked.released_by)


def _transfer_request(
    disbursement: Disbursement, recipient: Recipient | None, bank_reference: str = ""
) -> TransferRequest:
    """Built only from stored fields, so a resend repeats the first request exactly."""
    on_stripe = disbursement.rail == Recipient.Rail.STRIPE
    return TransferRequest(
        amount=disbursement.amount,
        currency=disbursement.currency,
        idempotency_key=disbursement.idempotency_key,
        transfer_group=disbursement.fund.reference,
        description=disbursement.description or disbursement.reference,
        destination=(recipient.stripe_account_id if on_stripe else recipient.account_number_masked)
        if recipient
        else "",
        bank_reference=bank_reference,
        metadata={"disbursement": str(disbursement.pk), "reference": disbursement.reference},
    )


def _send(disbursement: Disbursement, call: GatewayCall, request: TransferRequest, *, by) -> Disbursement:
    try:
        result = get_gateway(disbursement.rail).send_transfer(request)
    except GatewayUnavailable as exc:
        # Outcome unknown: stay SENDING so disbursement_resend repeats the same key later.
        logger.warning("Gateway unavailable for disbursement %s: %s", disbursement.pk, exc)
        raise PaymentError(
            _(
                "The payment provider could not be reached. The payment will be retried; "
                "nothing has been paid twice."
            )
        ) from exc
    with transaction.atomic():
        locked = (
            Disbursement.objects.select_for_update()
            .select_related("commitment__fund")
            .get(pk=disbursement.pk)
        )
        GatewayCall.objects.filter(pk=call.pk).update(
            response=result.raw or {"error": result.error}, succeeded=result.succeeded
        )
        if locked.status != Disbursement.Status.SENDING:
            return locked  # another worker finished it
        if result.succeeded:
            _record_paid(locked, result.reference, by=by)
        else:
            locked.status = Disbursement.Status.FAILED
            locked.failure_reason = result.error[:255]
            locked.save(update_fields=["status", "failure_reason"])
            ledger.audit(actor=by, action="disbursement.failed", obj=locked, after={"error": result.error})
    if not result.succeeded:
        # Raised after the commit so the failure stays recorded and the release can be retried.
        raise PaymentError(_("The payment was refused: %(error)s") % {"error": result.error})
    return locked


def _record_paid(disbursement: Disbursement, gateway_reference: str, *, by) -> None:
    fund = disbursement.fund
    paid_out = ledger.account(
        ledger.GRANTS_PAID_CODE, name="Hibah dan hadiah dibayarkan", kind=Account.Kind.GRANTS_PAID
    )
    ledger.post(
        kind=Transaction.Kind.DISBURSEMENT,
        fund=fund,
        by=by,
        reference=gateway_reference,
        description=disbursement.description or disbursement.reference,
        idempotency_key=f"disbursement:{disbursement.pk}",
        legs=[(paid_out, disbursement.amount), (ledger.fund_cash_account(fund), -disbursement.amount)],
    )
    disbursement.status = Disbursement.Status.PAID
    disbursement.gateway_reference = gateway_reference
    disbursement.paid_at = timezone.now()
    disbursement.save(update_fields=["status", "gateway_reference", "paid_at"])
    ledger.audit(
        actor=by, action="disbursement.paid", obj=disbursement, after={"reference": gateway_reference}
    )
    # Inside the transaction: whoever tracks the payment (a milestone) changes with it, or not at all.
    signals.disbursement_paid.send(sender=Disbursement, disbursement=disbursement)
