"""Reads for money: balances are sums of entries, never stored counters."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    CharField,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.money import format_money  # noqa: F401 - payments' pages format money like the rest
from payments import fund_balances
from payments.fund_balances import award_movement
from payments.models import (
    Account,
    Commitment,
    Disbursement,
    Entry,
    Fund,
    FundBalance,
    GatewayCall,
    Recipient,
    Transaction,
)

# Accounts that hold a fund's money until it is paid out. Receivable and clearing accounts are
# shared (per payee, per rail): their entries belong to the fund their transaction names.
_FUND_ACCOUNTS = Q(account__kind__in=[Account.Kind.FUND, Account.Kind.COMMITTED])
_SHARED_HOLDING = Q(account__kind__in=[Account.Kind.RECEIVABLE, Account.Kind.CLEARING])


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
    (awards not released) and disbursed (paid out, less reversals). One query whatever the
    count, from each fund's kept totals (``FundBalance``) rather than a sum over its entries.
    With ``public``, commitments not yet disclosed and payments made against them are left
    out."""
    figures = {ref: {"received": 0, "committed": 0, "disbursed": 0} for ref in references}
    for row in fund_figures_rows(references, public=public):
        figures[row["reference"]] = fund_figures_of(row)
    return figures


def fund_figures_rows(references: list[str], *, public: bool = False) -> QuerySet[Fund, Any]:
    """``fund_figures`` as a ``values()`` queryset of ``reference``, ``received``, ``committed``
    and ``disbursed``, one row per fund that exists (none for a reference without a fund), for a
    page that reads it together with other rows; each row gives its figures through
    ``fund_figures_of``. Received and disbursed come from the fund's kept totals (what
    ``verify_fund_balances`` proves equal to the entries): received is ``allocated + sponsored
    - returned``, the money that left the budget and sponsor sources for the fund, disbursed is
    ``paid``."""
    balance = FundBalance.objects.filter(fund_id=OuterRef("pk"))
    committed = Commitment.objects.filter(fund_id=OuterRef("pk"), released_at__isnull=True)
    disbursed: Any = _kept(balance, F("paid"))
    if public:
        committed = committed.filter(disclosed_at__isnull=False)
        # Payments made against undisclosed awards: few, found from the fund's transactions.
        hidden = Entry.objects.filter(
            hidden_from_public("transaction__"),
            transaction__fund_id=OuterRef("pk"),
            account__kind=Account.Kind.GRANTS_PAID,
        )
        disbursed = disbursed - _sum_of(hidden)
    return Fund.objects.filter(reference__in=references).values(
        "reference",
        received=_kept(balance, F("allocated") + F("sponsored") - F("returned")),
        committed=_sum_of(committed),
        disbursed=disbursed,
    )


def fund_figures_of(row: dict[str, Any]) -> dict[str, int]:
    return {"received": row["received"], "committed": row["committed"], "disbursed": row["disbursed"]}


def _kept(balance: QuerySet[FundBalance], total) -> Coalesce:
    """A figure of the fund's kept totals, 0 when the fund has none yet (no movement)."""
    return Coalesce(Subquery(balance.values(total=total)[:1]), 0)


def _sum_of(queryset) -> Coalesce:
    """The sum of ``amount`` over a correlated queryset, 0 when it has no row."""
    # SUM as a plain function: the subquery sums all its rows, with no GROUP BY.
    summed = queryset.order_by().values(total=Func(F("amount"), function="SUM"))
    return Coalesce(Subquery(summed), 0)


def budget_allocations(references: list[str]) -> dict[str, list[Transaction]]:
    """Per fund reference: its budget allocations (APBD), oldest first, each with ``amount`` (the
    money it brought, minor units). One query whatever the count."""
    rows = (
        Transaction.objects.filter(kind=Transaction.Kind.ALLOCATION, fund__reference__in=references)
        .annotate(
            fund_reference=F("fund__reference"),
            amount=Coalesce(Sum("entries__amount", filter=Q(entries__account__kind=Account.Kind.FUND)), 0),
        )
        .order_by("created_at", "pk")
    )
    allocations: dict[str, list[Transaction]] = {reference: [] for reference in references}
    for row in rows:
        allocations[row.fund_reference].append(row)
    return allocations


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
    return (
        Entry.objects.select_related("transaction", "account", "transaction__fund")
        .exclude(hidden_from_public("transaction__"))
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
    """Paid out to grantees, less reversals, across every fund, as the public may see it (no
    payment of an award whose results are unpublished)."""
    return _sum(public_disbursements())


def public_disbursements() -> QuerySet[Entry]:
    """The entries ``total_disbursed`` sums (their ``amount``)."""
    return Entry.objects.filter(account__kind=Account.Kind.GRANTS_PAID).exclude(
        hidden_from_public("transaction__")
    )


# The public picture of the money ---------------------------------------------------------------
# What the public sees: every transaction except those of a commitment not yet disclosed (an
# award whose results are unpublished: its reservation, its release and any payment made against
# it). Money the fund holds for such an award stays in what the public sees as still available.


def hidden_from_public(path: str = "") -> Q:
    """A Q over ``Transaction`` (or over a model reaching it through ``path``, e.g.
    ``"transaction__"``) matching the transactions of commitments not yet disclosed: the
    award's reservation, its release, and every movement of its payments."""
    return Q(**{f"{path}commitment__isnull": False, f"{path}commitment__disclosed_at__isnull": True})


def public_fund_totals(references: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Per fund reference (all funds, or those named): ``allocated`` (from the APBD), ``sponsored``
    (sponsor contributions received), ``returned`` (refunded to sponsors, net of refunds that
    failed), ``awarded`` (reserved for winners whose results are published, less awards released)
    and ``paid`` (to grantees, less reversals). The funds' kept totals (``FundBalance``) less
    what the public may not see yet (the movements of undisclosed commitments, summed from
    their few entries): three small queries whatever the size of the ledger."""
    funds = Fund.objects.all() if references is None else Fund.objects.filter(reference__in=references)
    reference_of = dict(funds.values_list("pk", "reference"))
    if not reference_of:
        return {}
    fund_ids = None if references is None else list(reference_of)
    totals = fund_balances.kept(fund_ids)
    hidden_entries = Entry.objects.filter(hidden_from_public("transaction__"))
    if fund_ids is not None:
        hidden_entries = hidden_entries.filter(transaction__fund_id__in=fund_ids)
    for fund_id, hidden in fund_balances.sums(hidden_entries).items():
        if fund_id in totals:
            totals[fund_id] = {name: totals[fund_id][name] - hidden[name] for name in fund_balances.TOTALS}
    return {reference_of[fund_id]: figures for fund_id, figures in totals.items() if fund_id in reference_of}


def public_fund_totals_sql() -> tuple[str, tuple]:
    """Every fund's public figures as one SQL ``SELECT`` for a report to join to its own rows
    (on ``reference``) and sum in the same statement: columns ``reference``, ``allocated``,
    ``sponsored``, ``returned``, ``awarded`` and ``paid``, the same figures as
    ``public_fund_totals`` (the kept totals less the movements of undisclosed commitments).
    Returns the SQL and its parameters."""
    quote = connection.ops.quote_name
    hidden = fund_balances.sums_query(Entry.objects.filter(hidden_from_public("transaction__")))
    hidden_sql, hidden_params = hidden.query.sql_with_params()
    columns = ", ".join(
        f"b.{quote(name)} - ({sign}) * COALESCE(h.{quote(name)}, 0) AS {quote(name)}"
        for name, (_condition, sign) in fund_balances.KINDS.items()
    )
    sql = (
        f"SELECT f.{quote('reference')} AS {quote('reference')}, {columns} "
        f"FROM {quote(FundBalance._meta.db_table)} b "
        f"INNER JOIN {quote(Fund._meta.db_table)} f ON f.{quote('id')} = b.{quote('fund_id')} "
        f"LEFT OUTER JOIN ({hidden_sql}) h ON h.{quote('transaction__fund')} = b.{quote('fund_id')}"
    )
    return sql, tuple(hidden_params)


def public_paid_by_month(zones: dict[str, list[str]]) -> dict[datetime.date, int]:
    """Paid to grantees (less reversals) per month, each fund's months in its own time zone:
    ``zones`` maps a zone name to the fund references it holds. One query per zone."""
    months: dict[datetime.date, int] = {}
    for zone_name, references in zones.items():
        rows = (
            Entry.objects.exclude(hidden_from_public("transaction__"))
            .filter(account__kind=Account.Kind.GRANTS_PAID, transaction__fund__reference__in=references)
            .annotate(month=TruncMonth("transaction__created_at", tzinfo=zoneinfo.ZoneInfo(zone_name)))
            .values("month")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        for row in rows:
            month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
            months[month] = months.get(month, 0) + row["total"]
    return dict(sorted(months.items()))


def public_paid_by_fund_and_month(zones: Sequence[str]) -> QuerySet[Entry, Any]:
    """Paid to grantees (less reversals) per fund and month, for a report to join to its own
    rows (on ``reference``) in one statement: rows of ``reference``, ``total`` and, for each
    zone ``zones[i]``, ``month_<i>``, the payment's month (first day, midnight) in that zone.
    No payment of an undisclosed commitment."""
    months = {
        f"month_{index}": TruncMonth("transaction__created_at", tzinfo=zoneinfo.ZoneInfo(zone))
        for index, zone in enumerate(zones)
    }
    return (
        Entry.objects.exclude(hidden_from_public("transaction__"))
        .filter(account__kind=Account.Kind.GRANTS_PAID, transaction__fund__isnull=False)
        .values(reference=F("transaction__fund__reference"), **months)
        .annotate(total=Sum("amount"))
        .order_by()
    )


def public_journal(
    *,
    references: list[str] | None = None,
    direction: str = "",
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
) -> QuerySet[Transaction]:
    """One row per movement of public money, newest first: money into a fund (``flow`` > 0: the
    APBD, a sponsor, a payment that came back), out of it (``flow`` < 0: paid to a grantee,
    refunded to a sponsor), or reserved for a published winner (``reserved`` > 0, or < 0 when
    the award was released). Moves inside the platform (a payment on its way) are not
    movements. ``commitment_reference`` names the award a row belongs to ("" for none).
    ``direction`` is one of ``in``, ``out``, ``awarded``, ``released`` or empty."""
    flow_accounts = [Account.Kind.BUDGET_SOURCE, Account.Kind.SPONSOR_SOURCE, Account.Kind.GRANTS_PAID]
    rows = (
        Transaction.objects.exclude(hidden_from_public())
        .filter(fund__isnull=False)
        .select_related("fund")
        .annotate(
            flow=-Coalesce(Sum("entries__amount", filter=Q(entries__account__kind__in=flow_accounts)), 0),
            reserved=Coalesce(
                Sum(
                    "entries__amount",
                    filter=Q(entries__account__kind=Account.Kind.COMMITTED) & award_movement(),
                ),
                0,
            ),
            commitment_reference=Coalesce(F("commitment__reference"), Value(""), output_field=CharField()),
        )
        .exclude(flow=0, reserved=0)
    )
    if references is not None:
        rows = rows.filter(fund__reference__in=references)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    by_direction = {
        "in": Q(flow__gt=0),
        "out": Q(flow__lt=0),
        "awarded": Q(reserved__gt=0),
        "released": Q(reserved__lt=0),
    }
    if direction in by_direction:
        rows = rows.filter(by_direction[direction])
    return rows.order_by("-created_at", "-id")
