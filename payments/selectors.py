"""Reads for money: balances are sums of entries, never stored counters."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from payments.models import Commitment, Disbursement, Entry, Fund


def format_money(amount: int, currency: str = "IDR") -> str:
    """Rupiah in Indonesian style: Rp 1.500.000, or Rp 1.500.000,50 when there are sen."""
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    grouped = f"{whole:,}".replace(",", ".")
    fraction = f",{cents:02d}" if cents else ""
    if currency == "IDR":
        return f"{sign}Rp {grouped}{fraction}"
    return f"{sign}{currency} {grouped}{fraction}"


def fund_balance(fund: Fund) -> int:
    return Entry.objects.filter(account__code=fund.cash_account_code).aggregate(
        total=Coalesce(Sum("amount"), 0)
    )["total"]


def fund_outstanding_commitments(fund: Fund) -> int:
    """What is promised but not yet paid out."""
    promised = fund.commitments.filter(released_at__isnull=True).aggregate(total=Coalesce(Sum("amount"), 0))[
        "total"
    ]
    paid = Disbursement.objects.filter(commitment__fund=fund, status=Disbursement.Status.PAID).aggregate(
        total=Coalesce(Sum("amount"), 0)
    )["total"]
    return promised - paid


def fund_available(fund: Fund) -> int:
    return fund_balance(fund) - fund_outstanding_commitments(fund)


def fund_figures(references: list[str]) -> dict[str, dict[str, int]]:
    """Per fund reference: received, committed, disbursed. Three queries whatever the count."""
    funds = {f.pk: f.reference for f in Fund.objects.filter(reference__in=references)}
    figures = {ref: {"received": 0, "committed": 0, "disbursed": 0} for ref in references}
    received = (
        Entry.objects.filter(account__fund_id__in=funds, amount__gt=0)
        .values("account__fund_id")
        .annotate(total=Sum("amount"))
    )
    for row in received:
        figures[funds[row["account__fund_id"]]]["received"] = row["total"]
    committed = Commitment.objects.filter(fund_id__in=funds, released_at__isnull=True)
    for row in committed.values("fund_id").annotate(total=Sum("amount")):
        figures[funds[row["fund_id"]]]["committed"] = row["total"]
    paid = (
        Disbursement.objects.filter(commitment__fund_id__in=funds, status=Disbursement.Status.PAID)
        .values("commitment__fund_id")
        .annotate(total=Sum("amount"))
    )
    for row in paid:
        figures[funds[row["commitment__fund_id"]]]["disbursed"] = row["total"]
    return figures


def disbursed_by_reference(references: list[str]) -> dict[str, int]:
    rows = (
        Disbursement.objects.filter(commitment__reference__in=references, status=Disbursement.Status.PAID)
        .values("commitment__reference")
        .annotate(total=Sum("amount"))
    )
    return {row["commitment__reference"]: row["total"] for row in rows}


def public_ledger() -> QuerySet[Entry]:
    """Every entry, newest first, with what the public ledger shows; no personal data."""
    return (
        Entry.objects.select_related("transaction", "account", "transaction__fund")
        .annotate(fund_reference=Coalesce(F("transaction__fund__reference"), Value("")))
        .order_by("-transaction__created_at", "-transaction_id", "id")
    )


def disbursements_awaiting_release() -> QuerySet[Disbursement]:
    return (
        Disbursement.objects.filter(
            Q(status=Disbursement.Status.PENDING) | Q(status=Disbursement.Status.FAILED)
        )
        .select_related("commitment__fund", "requested_by")
        .order_by("created_at")
    )


def total_disbursed() -> int:
    return Disbursement.objects.filter(status=Disbursement.Status.PAID).aggregate(
        total=Coalesce(Sum("amount"), 0)
    )["total"]
