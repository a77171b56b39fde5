"""Reads shaped for their pages: every list here runs a fixed number of queries."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from core import page_cache
from marketplace.awards.models import Award
from marketplace.awards.selectors.projects import PUBLIC_PROJECT
from marketplace.challenges.models import ChallengePage
from marketplace.organisations.models import Organisation
from payments import api as payments_api


def headline_figures() -> dict[str, int]:
    """The home page's figures about everything, kept until something public changes."""
    return page_cache.remembered("headline-figures", _headline_figures)  # type: ignore[return-value]


def headline_counts() -> dict[str, int]:
    """``headline_figures`` without the money (one query when not kept), kept the same way."""
    return page_cache.remembered("headline-counts", _headline_counts)  # type: ignore[return-value]


def _headline_figures() -> dict[str, int]:
    """The counts and the rupiah paid out: one query."""
    return _counts(**_counted(), sums={"disbursed": payments_api.public_disbursements()})


def _headline_counts() -> dict[str, int]:
    """Open and posted challenges, public funded projects and organisations: one query."""
    return _counts(**_counted())


def _counted() -> dict[str, QuerySet]:
    now = timezone.now()
    live = ChallengePage.objects.live()
    return {
        "open_challenges": live.filter(Q(opens_at__lte=now, closes_at__gt=now, outcome="")),
        "challenges": live,
        "funded_projects": Award.objects.filter(PUBLIC_PROJECT),
        "organisations": Organisation.objects.all(),
    }


def _counts(*, sums: dict[str, QuerySet] | None = None, **querysets: QuerySet) -> dict[str, int]:
    """The number of rows of each queryset, and the sum of ``amount`` over each of ``sums``, in
    one query (a SELECT of scalar subqueries)."""
    parts, params = [], []
    for name, queryset in querysets.items():
        sql, query_params = queryset.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted) AS {connection.ops.quote_name(name)}")
        params.extend(query_params)
    for name, queryset in (sums or {}).items():
        sql, query_params = queryset.order_by().values("amount").query.sql_with_params()
        parts.append(
            f"(SELECT COALESCE(SUM(amount), 0) FROM ({sql}) summed) AS {connection.ops.quote_name(name)}"
        )
        params.extend(query_params)
    names = [*querysets, *(sums or {})]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return {name: int(value) for name, value in zip(names, row, strict=True)}
