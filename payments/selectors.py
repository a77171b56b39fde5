"""Reads for money: balances are sums of entries, never stored counters."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.money import format_money  # noqa: F401 - payments' pages format money like the rest
from payments.models import (
    Account,
    Commitment,
    Disbursement,
    Entry,
    Fund,
    GatewayCall,
    Recipient,
)

# Accounts that hold a fund's money until it is paid out. Receivable and clearing accounts are
# shared (per payee, per rail): their entries belong to the fund their transaction names.
_FUND_ACCOUNTS = Q(account__kind__in=[Account.Kind.FUND, Account.Kind.COMMITTED])
_SHARED_HOLDING = Q(account__kind__in=[Account.Kind.RECEIVABLE, Account.Kind.CLEARING])
_SOURCES = [Account.Kind.BUDGET_SOURCE, Account.Kind.SPONSOR_SOURCE]


def _sum(queryset) -> int:
    return queryset.aggregate(total=Coalesce(Sum("amount"), 0))["total"]


def fund_balance(fund: Fund) -> int:
    """Money the fund holds: received and not yet paid out (uncommitted, committed, released to
    a grantee, or on its way through a gateway)."""
    return _sum(
        Entry.objects.filter(
            (_FUND_ACCOUNTS & Q(account__fund=fund)) | (_SHARED_HOLDING & Q(transaction__fund=fund))
        )
    )


def fund_outstanding_commitments(fund: Fund) -> int:
    """What is promised but not yet paid out: committed, released to grantees, in transit."""
    return _sum(
        Entry.objects.filter(
            (Q(account__kind=Account.Kind.COMMITTED) & Q(account__fund=fund))
            | (_SHARED_HOLDING & Q(transaction__fund=fund))
        )
    )


def fund_available(fund: Fund) -> int:
    """What may still be committed: the fund's cash (commitments have left it already)."""
    return _sum(Entry.objects.filter(account__code=fund.cash_account_code))


def fund_figures(references: list[str], *, public: bool = False) -> dict[str, dict[str, int]]:
    """Per fund reference: received (from the budget and sponsors, less refunds), committed
    (awards not released) and disbursed (paid out, less reversals). Four queries whatever the
    count."""
    funds = {f.pk: f.reference for f in Fund.objects.filter(reference__in=references)}
    figures = {ref: {"received": 0, "committed": 0, "disbursed": 0} for ref in references}
    received = (
        Entry.objects.filter(transaction__fund_id__in=funds, account__kind__in=_SOURCES)
        .values("transaction__fund_id")
        .annotate(total=Sum("amount"))
    )
    for row in received:
        figures[funds[row["transaction__fund_id"]]]["received"] = -row["total"]
    committed = Commitment.objects.filter(fund_id__in=funds, released_at__isnull=True)
    if public:
        committed = committed.filter(disclosed_at__isnull=False)
    for commitment_row in committed.values("fund_id").annotate(total=Sum("amount")):
        figures[funds[commitment_row["fund_id"]]]["committed"] = commitment_row["total"]
    paid = (
        Entry.objects.filter(transaction__fund_id__in=funds, account__kind=Account.Kind.GRANTS_PAID)
        .values("transaction__fund_id")
        .annotate(total=Sum("amount"))
    )
    for row in paid:
        figures[funds[row["transaction__fund_id"]]]["disbursed"] = row["total"]
    return figures


def disbursed_by_reference(references: list[str]) -> dict[str, int]:
    rows = (
        Disbursement.objects.filter(commitment__reference__in=references, status=Disbursement.Status.PAID)
        .values("commitment__reference")
        .annotate(total=Sum("amount"))
    )
    return {row["commitment__reference"]: row["total"] for row in rows}


@dataclass(frozen=True)
class PublicPayout:
    """A paid disbursement as the public may see it: no payee account, proof or officer."""

    amount: int
    currency: str
    paid_at: datetime.datetime
    rail: str

    @property
    def rail_label(self) -> str:
        return str(PAYOUT_RAIL_LABELS.get(self.rail, self.rail))


PAYOUT_RAIL_LABELS: dict[str, str | Promise] = {
    Recipient.Rail.MANUAL: _("Bank transfer by the regional treasury"),
    Recipient.Rail.STRIPE: _("Transfer through Stripe"),
}


def public_payouts(disbursement_ids: list[int]) -> dict[int, PublicPayout]:
    """Per disbursement id: the payment, if it is paid (one query)."""
    rows = Disbursement.objects.filter(
        pk__in=disbursement_ids, status=Disbursement.Status.PAID, paid_at__isnull=False
    ).values_list("pk", "amount", "currency", "paid_at", "rail")
    return {
        pk: PublicPayout(amount=amount, currency=currency, paid_at=paid_at, rail=rail)
        for pk, amount, currency, paid_at, rail in rows
        if paid_at is not None  # filtered above; says so to the type checker
    }


def public_ledger() -> QuerySet[Entry]:
    """Every entry, newest first, with what the public ledger shows; no personal data."""
    undisclosed = Commitment.objects.filter(
        disclosed_at__isnull=True, reference=OuterRef("transaction__reference")
    )
    return (
        Entry.objects.select_related("transaction", "account", "transaction__fund")
        .exclude(Exists(undisclosed))
        .annotate(fund_reference=Coalesce(F("transaction__fund__reference"), Value("")))
        .order_by("-transaction__created_at", "-transaction_id", "id")
    )


# Money out: pages ----------------------------------------------------------------------------

OPEN_STATUSES = [
    Disbursement.Status.PENDING,
    Disbursement.Status.RELEASED,
    Disbursement.Status.SENDING,
    Disbursement.Status.SENT,
    Disbursement.Status.FAILED,
]


def _with_recipients(disbursements: list[Disbursement]) -> list[Disbursement]:
    """Each disbursement with ``recipient`` (its payee's payout settings, or None): one query."""
    references = {d.payee_reference for d in disbursements}
    recipients = {r.payee_reference: r for r in Recipient.objects.filter(payee_reference__in=references)}
    for disbursement in disbursements:
        disbursement.recipient = recipients.get(disbursement.payee_reference)
    return disbursements


def disbursements_awaiting_release() -> QuerySet[Disbursement]:
    return (
        Disbursement.objects.filter(
            Q(status=Disbursement.Status.PENDING) | Q(status=Disbursement.Status.FAILED)
        )
        .select_related("commitment__fund", "requested_by")
        .order_by("created_at")
    )


def disbursements_open(limit: int = 200) -> list[Disbursement]:
    """For finance officers: every payment not yet paid or cancelled, oldest first, with its
    payee's payout settings. Two queries."""
    rows = list(
        Disbursement.objects.filter(status__in=OPEN_STATUSES)
        .select_related("commitment__fund", "requested_by")
        .order_by("created_at", "pk")[:limit]
    )
    return _with_recipients(rows)


def disbursements_for_payees(payee_references: list[str], limit: int = 100) -> QuerySet[Disbursement]:
    """A grantee's payments, newest first."""
    return (
        Disbursement.objects.filter(payee_reference__in=payee_references)
        .exclude(status=Disbursement.Status.CANCELLED)
        .order_by("-created_at", "-pk")[:limit]
    )


def disbursement_detail(pk: int) -> Disbursement:
    disbursement = (
        Disbursement.objects.select_related("commitment__fund", "requested_by", "released_by")
        .prefetch_related(
            Prefetch("gateway_calls", queryset=GatewayCall.objects.order_by("created_at", "pk"))
        )
        .get(pk=pk)
    )
    return _with_recipients([disbursement])[0]


def recipient_for(payee_reference: str) -> Recipient | None:
    return (
        Recipient.objects.select_related("bank_verified_by").filter(payee_reference=payee_reference).first()
    )


def recipients_for(payee_references: list[str]) -> dict[str, Recipient]:
    return {r.payee_reference: r for r in Recipient.objects.filter(payee_reference__in=payee_references)}


def recipients_awaiting_verification(payee_references: list[str] | None = None) -> QuerySet[Recipient]:
    """Manual-rail bank details that are new or changed since an official last verified them
    (of these payees, or of all)."""
    recipients = Recipient.objects.filter(rail=Recipient.Rail.MANUAL)
    if payee_references is not None:
        recipients = recipients.filter(payee_reference__in=payee_references)
    return (
        recipients.exclude(account_number_masked="")
        .filter(
            Q(bank_verified_at__isnull=True)
            | Q(bank_details_changed_at__isnull=False, bank_details_changed_at__gt=F("bank_verified_at"))
        )
        .order_by("bank_details_changed_at", "pk")
    )


def total_disbursed() -> int:
    """Paid out to grantees, less reversals, across every fund."""
    return _sum(Entry.objects.filter(account__kind=Account.Kind.GRANTS_PAID))
