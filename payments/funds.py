"""Writes for money into funds and promised from them. Every function here is the only way its
records change.

Rules kept here: amounts are positive integers in minor units; a transaction's entries sum
to zero; a fund never commits more than it holds (an award moves the money from the fund's
cash to its committed account); a commitment never pays out more than it promised (enforced by
``payments.disbursement_workflow.disbursement_create``)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actors import Actor, Person
from payments import ledger, postings, selectors
from payments.errors import PaymentError
from payments.models import Account, Commitment, Disbursement, Fund, Transaction
from payments.permissions import can_record_allocation


def fund_get_or_create(*, reference: str, name: str = "", currency: str = "IDR") -> Fund:
    """The fund of ``reference`` (e.g. "challenge:7"), created with its cash account if new."""
    fund, created = Fund.objects.get_or_create(
        reference=reference, defaults={"name": name, "currency": currency}
    )
    if created:
        ledger.fund_cash_account(fund)
    return fund


def allocation_record(
    *, fund: Fund, amount: int, by: Actor, description: str, reference: str = "", idempotency_key: str
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


def commitment_create(
    *, fund: Fund, reference: str, amount: int, by: Person, disclosed: bool = True
) -> Commitment:
    """Promise ``amount`` of the fund to an award: the money moves from the fund's cash to its
    committed account (an AWARD transaction keyed ``commitment:<id>``). Raises PaymentError when
    the fund does not hold it available; nothing is written then."""
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
            fund=fund,
            reference=reference,
            amount=amount,
            currency=fund.currency,
            created_by=by,
            disclosed_at=timezone.now() if disclosed else None,
        )
        postings.commitment_post(commitment, amount, by=by)
        ledger.audit(actor=by, action="commitment.created", obj=commitment, after={"amount": amount})
    return commitment


def commitment_release(*, commitment: Commitment, by: Actor, reason: str) -> Commitment:
    """Give a commitment's money back to the fund's cash (an award declined before anything was
    paid): a REVERSAL of what remains committed. Idempotent: releasing again changes nothing.
    Refused (PaymentError) while a payment against it exists that was not cancelled."""
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().select_related("fund").get(pk=commitment.pk)
        if locked.released_at is not None:
            return locked
        if locked.disbursements.exclude(status=Disbursement.Status.CANCELLED).exists():
            raise PaymentError(
                _("Payments were already made against this commitment; it cannot be released.")
            )
        award = Transaction.objects.filter(idempotency_key=postings.commitment_key(locked)).first()
        if award is not None:
            fund = locked.fund
            committed = postings.committed_account(fund)
            # No payment is left, so what the award moved is all still committed.
            remaining = award.entries.filter(account=committed).aggregate(total=Sum("amount"))["total"] or 0
            if remaining > 0:
                ledger.post(
                    kind=Transaction.Kind.REVERSAL,
                    fund=fund,
                    by=by,
                    reverses=award,
                    reference=locked.reference,
                    description=f"Komitmen dilepas: {locked.reference}",
                    idempotency_key=f"{postings.commitment_key(locked)}:released",
                    legs=[(ledger.fund_cash_account(fund), remaining), (committed, -remaining)],
                )
        locked.released_at, locked.released_by, locked.release_reason = timezone.now(), by, reason[:255]
        locked.save(update_fields=["released_at", "released_by", "release_reason"])
        ledger.audit(actor=by, action="commitment.released", obj=locked, before={"amount": locked.amount})
    return locked


def commitments_disclose(*, references: list[str]) -> int:
    """Make the commitments with these references public (their results were published): the
    public ledger and figures show them from now on. Returns how many were disclosed now."""
    return Commitment.objects.filter(reference__in=references, disclosed_at__isnull=True).update(
        disclosed_at=timezone.now()
    )
