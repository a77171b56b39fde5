"""Reads of money in: the public sponsors of a fund, a sponsor's own contributions, and the
finance officers' lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Prefetch, QuerySet, Sum, Window

from payments.contribution_services import RECEIVED, REFUNDABLE, Rail, Status
from payments.models import Contribution, Refund

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
    """The sponsors of a fund for its public page, largest first. One query: the total and the
    count of every contribution come with the first rows (window functions, computed before the
    limit)."""
    counted = _counted().filter(fund__reference=fund_reference)
    rows = list(
        counted.only("sponsor_name", "public", "currency", "succeeded_at", "amount", "refunded_amount")
        .annotate(all_net=Window(Sum("net")), all_count=Window(Count("id")))
        .order_by((F("amount") - F("refunded_amount")).desc(), "succeeded_at", "id")[:limit]
    )
    return FundSponsors(
        total=rows[0].all_net if rows else 0,
        count=rows[0].all_count if rows else 0,
        rows=[
            PublicContribution(
                name=row.sponsor_name if row.public else None,
                amount=row.amount - row.refunded_amount,
                currency=row.currency,
                received_at=row.succeeded_at,
            )
            for row in rows
        ],
    )


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
