"""Each fund's running totals of public money (``FundBalance``), kept with the ledger.

One rule says which entries count towards which total: ``KINDS`` (for sums in SQL) and
``classify`` (for one transaction about to be written) are the same rule twice, and
``mismatches`` compares the kept totals with the sums of the entries, so any drift between
the two shows (``manage.py verify_fund_balances``, and the tests)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from payments.models import Account, Entry, Fund, FundBalance, Transaction

TOTALS = ("allocated", "sponsored", "returned", "awarded", "paid")


def award_movement(path: str = "") -> Q:
    """An award's reservation, or its release back to the fund (a reversal of it)."""
    return Q(**{f"{path}kind": Transaction.Kind.AWARD}) | Q(
        **{f"{path}kind": Transaction.Kind.REVERSAL, f"{path}reverses__kind": Transaction.Kind.AWARD}
    )


_CONTRIBUTION = Q(transaction__kind=Transaction.Kind.CONTRIBUTION)
# Per total: which entries count, and the sign that makes money in positive.
KINDS: dict[str, tuple[Q, int]] = {
    "allocated": (Q(account__kind=Account.Kind.BUDGET_SOURCE), -1),
    "sponsored": (Q(account__kind=Account.Kind.SPONSOR_SOURCE) & _CONTRIBUTION, -1),
    "returned": (Q(account__kind=Account.Kind.SPONSOR_SOURCE) & ~_CONTRIBUTION, 1),
    "awarded": (Q(account__kind=Account.Kind.COMMITTED) & award_movement("transaction__"), 1),
    "paid": (Q(account__kind=Account.Kind.GRANTS_PAID), 1),
}


def classify(*, kind: str, reverses_kind: str | None, legs: list[tuple[Account, int]]) -> dict[str, int]:
    """What one transaction adds to its fund's totals (the rule of ``KINDS``, in Python)."""
    deltas = dict.fromkeys(TOTALS, 0)
    award_movement = kind == Transaction.Kind.AWARD or (
        kind == Transaction.Kind.REVERSAL and reverses_kind == Transaction.Kind.AWARD
    )
    for account, amount in legs:
        if account.kind == Account.Kind.BUDGET_SOURCE:
            deltas["allocated"] -= amount
        elif account.kind == Account.Kind.SPONSOR_SOURCE:
            if kind == Transaction.Kind.CONTRIBUTION:
                deltas["sponsored"] -= amount
            else:
                deltas["returned"] += amount
        elif account.kind == Account.Kind.COMMITTED and award_movement:
            deltas["awarded"] += amount
        elif account.kind == Account.Kind.GRANTS_PAID:
            deltas["paid"] += amount
    return deltas


def add(fund: Fund, deltas: dict[str, int]) -> None:
    """Add to the fund's totals; inside the transaction that writes the entries."""
    if not any(deltas.values()):
        return
    FundBalance.objects.get_or_create(fund=fund)
    FundBalance.objects.filter(fund=fund).update(**{name: F(name) + value for name, value in deltas.items()})


def sums_query(entries: QuerySet[Entry]) -> QuerySet[Entry, Any]:
    """``entries`` grouped per fund: one row per fund with ``transaction__fund`` and one column
    per total, summed in SQL, before the sign of ``KINDS`` is applied (money in is negative on
    the source accounts)."""

    def total(condition: Q):
        return Coalesce(Sum("amount", filter=condition), 0)

    # The annotations' names come from KINDS, which the stubs cannot follow.
    annotations: dict[str, Any] = {name: total(condition) for name, (condition, _sign) in KINDS.items()}
    grouped = entries.filter(transaction__fund__isnull=False).values("transaction__fund")
    return grouped.annotate(**annotations).order_by()


def sums(entries: QuerySet[Entry]) -> dict[int, dict[str, int]]:
    """Per fund id, the totals of ``entries`` summed in SQL (one query)."""
    rows: Iterable[dict[str, Any]] = sums_query(entries)
    return {
        row["transaction__fund"]: {name: sign * row[name] for name, (_condition, sign) in KINDS.items()}
        for row in rows
    }


def kept(fund_ids: list[int] | None = None) -> dict[int, dict[str, int]]:
    """Per fund id, the kept totals (one query)."""
    balances = FundBalance.objects.all()
    if fund_ids is not None:
        balances = balances.filter(fund_id__in=fund_ids)
    rows = balances.values("fund_id", *TOTALS)
    return {row["fund_id"]: {name: row[name] for name in TOTALS} for row in rows}


def mismatches() -> dict[int, tuple[dict[str, int], dict[str, int]]]:
    """Funds whose kept totals differ from the sums of their entries: {fund id: (kept, summed)}."""
    summed = sums(Entry.objects.all())
    kept_totals = kept()
    zero = dict.fromkeys(TOTALS, 0)
    return {
        fund_id: (kept_totals.get(fund_id, zero), summed.get(fund_id, zero))
        for fund_id in set(summed) | set(kept_totals)
        if kept_totals.get(fund_id, zero) != summed.get(fund_id, zero)
    }


def rebuild() -> int:
    """Set every fund's kept totals to the sums of its entries (after a restore); returns how many."""
    summed = sums(Entry.objects.all())
    FundBalance.objects.all().delete()
    FundBalance.objects.bulk_create(
        FundBalance(fund_id=fund_id, **totals) for fund_id, totals in summed.items()
    )
    return len(summed)
