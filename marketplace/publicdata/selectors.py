"""Reads shaped for their pages: every list here runs a fixed number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core import page_cache
from marketplace.awards.models import Award
from marketplace.awards.selectors.projects import LISTED
from marketplace.challenges.models import ChallengePage
from marketplace.organisations.models import Organisation
from payments import api as payments_api


def headline_figures() -> dict:
    """The home page's figures about everything, kept until something public changes or a
    challenge opens or closes (``changes_at``: the open count is then different)."""
    return page_cache.remembered(  # type: ignore[return-value]
        "headline-figures", _headline_figures, holds=_figures_hold
    )


def headline_counts() -> dict:
    """``headline_figures`` without the money (one query when not kept), kept the same way."""
    return page_cache.remembered("headline-counts", _headline_counts, holds=_figures_hold)  # type: ignore[return-value]


def _figures_hold(figures: dict) -> bool:
    return figures["changes_at"] is None or timezone.now() < figures["changes_at"]


def _headline_figures() -> dict:
    """The counts, the rupiah paid out and when the open count next changes: one query."""
    return _with_next_change(_counts(**_counted(), sums={"disbursed": payments_api.public_disbursements()}))


def _headline_counts() -> dict:
    """Open and posted challenges, public funded projects and organisations: one query."""
    return _with_next_change(_counts(**_counted()))


def _with_next_change(figures: dict) -> dict:
    moments = (_moment(figures.pop("next_opening")), _moment(figures.pop("next_closing")))
    figures["changes_at"] = min((moment for moment in moments if moment is not None), default=None)
    return figures


def _moment(value):
    """A moment as the database gave it: SQLite (the embedded default) gives raw SQL's as text."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def _counted() -> dict[str, QuerySet]:
    now = timezone.now()
    live = ChallengePage.objects.live()
    open_now = live.filter(Q(opens_at__lte=now, closes_at__gt=now, outcome=""))
    return {
        "open_challenges": open_now,
        "challenges": live,
        # The column the services keep for the rule (``PUBLIC_PROJECT``), as /projects/ lists
        # them: a count of an index rather than a join of every award to its challenge.
        "funded_projects": Award.objects.filter(LISTED),
        "organisations": Organisation.objects.all(),
        "next_opening": live.filter(opens_at__gt=now, outcome="").values("opens_at"),
        "next_closing": open_now.values("closes_at"),
    }


def _counts(*, sums: dict[str, QuerySet] | None = None, **querysets: QuerySet) -> dict:
    """The number of rows of each queryset, and the sum of ``amount`` over each of ``sums``, in
    one query (a SELECT of scalar subqueries). A queryset of ``values(column)`` gives the
    column's smallest value instead of a count."""
    parts, params = [], []
    for name, queryset in querysets.items():
        if queryset._fields:  # type: ignore[attr-defined]
            column = queryset._fields[0]  # type: ignore[attr-defined]
            sql, query_params = queryset.order_by(column)[:1].query.sql_with_params()
            parts.append(f"({sql}) AS {connection.ops.quote_name(name)}")
        else:
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
    return {
        name: int(value) if isinstance(value, int | Decimal) else value
        for name, value in zip(names, row, strict=True)
    }
