"""The public money of live challenges, summed by the database.

Each live challenge is joined to its fund's public figures (``payments.api.public_fund_totals_sql``:
the kept totals less what the public may not see yet) in one statement; a challenge counts when
any of its figures is not zero. ``money_groups`` sums them per combination of region, agency,
sector, year and incentive kind (the page's tables add those up), ``money_rows`` gives a slice
of the challenges themselves, ordered by region and title, with their public projects, and
``paid_by_month`` the payments per month. Each is one query, whatever the number of challenges.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Case, CharField, F, IntegerField, QuerySet, Value, When, Window
from django.db.models.functions import Cast, Coalesce, Concat, ExtractYear, RowNumber

from core.localized import localized_text
from core.references import CHALLENGE, reference
from marketplace.awards.models import Award
from marketplace.awards.selectors.projects import LISTED
from marketplace.challenges.models import ChallengePage, Incentive, RegionPage
from payments import api as payments_api

TOTALS = ("allocated", "sponsored", "returned", "awarded", "paid")


@dataclass
class Money:
    """Minor units. ``received`` is what reached the funds (less refunds to sponsors);
    ``remaining`` what is not promised to a published winner; ``to_pay`` what published winners
    are still owed."""

    allocated: int = 0
    sponsored: int = 0
    returned: int = 0
    awarded: int = 0
    paid: int = 0

    @property
    def received(self) -> int:
        return self.allocated + self.sponsored - self.returned

    @property
    def remaining(self) -> int:
        return self.received - self.awarded

    @property
    def to_pay(self) -> int:
        return self.awarded - self.paid

    def add(self, other: Money) -> None:
        self.allocated += other.allocated
        self.sponsored += other.sponsored
        self.returned += other.returned
        self.awarded += other.awarded
        self.paid += other.paid

    def any(self) -> bool:
        return any((self.allocated, self.sponsored, self.returned, self.awarded, self.paid))


@dataclass
class Group:
    """The challenges with money of one region, agency, sector, year and incentive kind."""

    region_pk: int
    region_title: str
    agency_pk: int
    agency_name: str
    agency_name_en: str
    agency_acronym: str
    sector_pk: int
    sector_name: str
    sector_name_en: str
    year: int
    kind: str
    challenges: int
    first_challenge: int  # the smallest id: ties between equal labels keep the challenges' order
    money: Money

    @property
    def agency_label(self) -> str:
        """As ``Agency.__str__`` names it."""
        name = localized_text(_Named(self.agency_name, self.agency_name_en), "name")
        return f"{self.agency_acronym or name} — {self.region_title}"

    @property
    def sector_label(self) -> str:
        return localized_text(_Named(self.sector_name, self.sector_name_en), "name")


@dataclass
class _Named:
    name: str
    name_en: str


@dataclass
class ChallengeRow:
    """One challenge of the per-challenge table: its figures and its public projects."""

    pk: int
    slug: str
    title: str
    title_en: str
    region_title: str
    money: Money
    projects: list[tuple[int, str]] = field(default_factory=list)  # (award id, proposal title)

    @property
    def display_title(self) -> str:
        return localized_text(self, "title")


# The parts of the statement -----------------------------------------------------------------------


def _opened_year() -> Case:
    """The year a challenge opened in its region's time (a region's zone is one of ``Zone``)."""
    return Case(
        *(
            When(agency__region__timezone=zone, then=ExtractYear("opens_at", tzinfo=zoneinfo.ZoneInfo(zone)))
            for zone in RegionPage.Zone.values
        ),
        default=ExtractYear("opens_at"),
        output_field=IntegerField(),
    )


def _live_challenges() -> QuerySet[ChallengePage]:
    return ChallengePage.objects.live().annotate(
        # core.references.challenge_reference, written in SQL: the fund's reference.
        fund_reference=Concat(Value(reference(CHALLENGE, "")), Cast("pk", CharField())),
        opened_year=_opened_year(),
    )


def _challenges() -> QuerySet:
    """One row per live challenge with what the tables show and group by."""
    return (
        _live_challenges()
        .values(
            "fund_reference",
            "opened_year",
            challenge_id=F("pk"),
            challenge_slug=F("slug"),
            challenge_title=F("title"),
            challenge_title_en=F("title_en"),
            region_pk=F("agency__region_id"),
            region_title=F("agency__region__title"),
            region_zone=F("agency__region__timezone"),
            agency_pk=F("agency__pk"),
            agency_name=F("agency__name"),
            agency_name_en=F("agency__name_en"),
            agency_acronym=F("agency__acronym"),
            sector_pk=F("sector__pk"),
            sector_name=F("sector__name"),
            sector_name_en=F("sector__name_en"),
        )
        .order_by()
    )


def _main_kinds() -> QuerySet:
    """Per challenge, the kind of its largest incentive (the first in the editor's order among
    equal amounts)."""
    return (
        Incentive.objects.annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("challenge_id"),
                order_by=[
                    F("amount").desc(),
                    Coalesce("sort_order", 0).asc(),
                    F("sort_order").asc(nulls_last=True),
                    F("pk").asc(),
                ],
            )
        )
        .filter(rank=1)
        .values(kind_challenge=F("challenge_id"), main_kind=F("kind"))
        .order_by()
    )


def _projects() -> QuerySet:
    """The public projects (``Award.public``, kept by the services for ``PUBLIC_PROJECT``)."""
    return (
        Award.objects.filter(LISTED)
        .values(
            project_pk=F("pk"),
            project_challenge=F("proposal__challenge_id"),
            project_title=F("proposal__title"),
        )
        .order_by()
    )


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _with_money(*, kinds: bool = True) -> tuple[str, list[Any]]:
    """Live challenges whose fund has public money, each with its figures (and, with ``kinds``,
    the kind of its largest incentive, ``main_kind``)."""
    challenges_sql, challenges_params = _challenges().query.sql_with_params()
    totals_sql, totals_params = payments_api.public_fund_totals_sql()
    columns = ["c.*", *(f"t.{_quote(name)} AS {_quote(name)}" for name in TOTALS)]
    joins = [f"INNER JOIN ({totals_sql}) t ON t.reference = c.fund_reference"]
    params = [*challenges_params, *totals_params]
    if kinds:
        kinds_sql, kinds_params = _main_kinds().query.sql_with_params()
        columns.append("COALESCE(k.main_kind, '') AS main_kind")
        joins.append(f"LEFT OUTER JOIN ({kinds_sql}) k ON k.kind_challenge = c.challenge_id")
        params += kinds_params
    nonzero = " OR ".join(f"t.{_quote(name)} <> 0" for name in TOTALS)
    sql = f"SELECT {', '.join(columns)} FROM ({challenges_sql}) c {' '.join(joins)} WHERE ({nonzero})"
    return sql, params


def _scope(region_pk: int | None, year: int | None) -> tuple[str, list[Any]]:
    conditions, params = [], []
    if region_pk is not None:
        conditions.append("m.region_pk = %s")
        params.append(region_pk)
    if year is not None:
        conditions.append("m.opened_year = %s")
        params.append(year)
    return (f"WHERE {' AND '.join(conditions)}" if conditions else ""), params


def _text_order(column: str) -> str:
    """Order text by code point, as Python sorts it, whatever the database's collation."""
    return f'{column} COLLATE "C"' if connection.vendor == "postgresql" else column


def _fetch(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _money(row: dict[str, Any]) -> Money:
    # PostgreSQL sums bigints as numerics.
    return Money(**{name: int(row[name] or 0) for name in TOTALS})


# Reads ----------------------------------------------------------------------------------------------

GROUP_COLUMNS = (
    "region_pk",
    "region_title",
    "agency_pk",
    "agency_name",
    "agency_name_en",
    "agency_acronym",
    "sector_pk",
    "sector_name",
    "sector_name_en",
    "opened_year",
    "main_kind",
)


def money_groups() -> list[Group]:
    """Every combination of region, agency, sector, year and main incentive kind that has
    challenges with public money, with their number and their summed figures. One query; the
    number of rows grows with the combinations, not with the challenges."""
    base_sql, params = _with_money()
    columns = ", ".join(f"m.{_quote(column)}" for column in GROUP_COLUMNS)
    sums = ", ".join(f"SUM(m.{_quote(name)}) AS {_quote(name)}" for name in TOTALS)
    sql = (
        f"SELECT {columns}, COUNT(*) AS challenges, MIN(m.challenge_id) AS first_challenge, {sums} "
        f"FROM ({base_sql}) m GROUP BY {columns}"
    )
    return [
        Group(
            region_pk=row["region_pk"],
            region_title=row["region_title"],
            agency_pk=row["agency_pk"],
            agency_name=row["agency_name"],
            agency_name_en=row["agency_name_en"],
            agency_acronym=row["agency_acronym"],
            sector_pk=row["sector_pk"],
            sector_name=row["sector_name"],
            sector_name_en=row["sector_name_en"],
            year=int(row["opened_year"]),
            kind=row["main_kind"],
            challenges=int(row["challenges"]),
            first_challenge=row["first_challenge"],
            money=_money(row),
        )
        for row in _fetch(sql, params)
    ]


def money_rows(
    *, region_pk: int | None = None, year: int | None = None, offset: int = 0, limit: int | None = None
) -> list[ChallengeRow]:
    """The challenges with public money (of a region, of a year), ordered by region and title,
    from ``offset`` (``limit`` of them, or all), each with its public projects. One query."""
    base_sql, params = _with_money(kinds=False)
    where, scope_params = _scope(region_pk, year)
    order = ", ".join(
        [_text_order("{t}.region_title"), _text_order("{t}.challenge_title"), "{t}.challenge_id"]
    )
    page_sql = f"SELECT m.* FROM ({base_sql}) m {where} ORDER BY {order.format(t='m')}"
    page_params = [*params, *scope_params]
    if limit is not None:
        page_sql += " LIMIT %s OFFSET %s"
        page_params += [limit, offset]
    projects_sql, projects_params = _projects().query.sql_with_params()
    sql = (
        f"SELECT p.*, a.project_pk, a.project_title FROM ({page_sql}) p "
        f"LEFT OUTER JOIN ({projects_sql}) a ON a.project_challenge = p.challenge_id "
        f"ORDER BY {order.format(t='p')}, a.project_title, a.project_pk"
    )
    rows: list[ChallengeRow] = []
    for row in _fetch(sql, [*page_params, *projects_params]):
        if not rows or rows[-1].pk != row["challenge_id"]:
            rows.append(
                ChallengeRow(
                    pk=row["challenge_id"],
                    slug=row["challenge_slug"],
                    title=row["challenge_title"],
                    title_en=row["challenge_title_en"],
                    region_title=row["region_title"],
                    money=_money(row),
                )
            )
        if row["project_pk"] is not None:
            rows[-1].projects.append((row["project_pk"], row["project_title"]))
    return rows


def paid_by_month(*, region_pk: int | None = None, year: int | None = None) -> dict[datetime.date, int]:
    """Paid to winners per month (first day), each challenge's payments in its region's months,
    of the live challenges with public money (of a region, of a year). One query."""
    zones = list(RegionPage.Zone.values)
    paid_sql, paid_params = payments_api.public_paid_by_fund_and_month(zones=zones).query.sql_with_params()
    challenges_sql, challenges_params = _challenges().query.sql_with_params()
    where, scope_params = _scope(region_pk, year)
    month = " ".join(f"WHEN %s THEN p.month_{index}" for index in range(len(zones)))
    sql = (
        f"SELECT CASE m.region_zone {month} END AS month, SUM(p.total) AS total "
        f"FROM ({paid_sql}) p INNER JOIN ({challenges_sql}) m ON m.fund_reference = p.reference "
        f"{where} GROUP BY 1"
    )
    months: dict[datetime.date, int] = {}
    for row in _fetch(sql, [*zones, *paid_params, *challenges_params, *scope_params]):
        if row["month"] is None:
            continue
        first_day = _as_date(row["month"])
        months[first_day] = months.get(first_day, 0) + int(row["total"])
    return dict(sorted(months.items()))


def _as_date(value: Any) -> datetime.date:
    """A month as the database returns it: a timestamp (PostgreSQL) or its text (SQLite)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])
