"""/transparency/: the public money in figures, tables and pictures, and the public journal.

Every number comes from the ledger as ``payments.api`` lets the public see it (no award before
its results are published): the database sums the funds' public figures per region, agency,
sector, year and incentive kind (``money.money_groups``, one query whatever the number of
challenges), and the per-challenge table is read a page at a time (``money.money_rows``). The
same ``Table`` feeds the page, the CSV and the XLSX downloads, so they cannot disagree."""

from __future__ import annotations

import datetime
import io
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from core import exports, page_cache
from core.money import format_money
from core.references import AWARD, CHALLENGE, parse_reference
from marketplace.awards.models import Award
from marketplace.awards.selectors.projects import PUBLIC_PROJECT
from marketplace.challenges.filters import CHOICES_GENERATION
from marketplace.challenges.models import ChallengePage, Incentive, RegionPage
from marketplace.publicdata import charts, money
from marketplace.publicdata.money import ChallengeRow, Group, Money

TABLES = ("by-region", "by-agency", "by-sector", "by-year", "by-kind", "challenges", "monthly", "journal")
FORMATS = ("csv", "xlsx")
DEFAULT_ZONE = "Asia/Jakarta"


# Money of one challenge, or of a group of them (``money.Money``) ------------------------------------

MONEY_COLUMNS = [
    ("allocated", gettext_lazy("Allocated (APBD)")),
    ("sponsored", gettext_lazy("Sponsored")),
    ("returned", gettext_lazy("Returned to sponsors")),
    ("awarded", gettext_lazy("Awarded")),
    ("paid", gettext_lazy("Paid")),
    ("remaining", gettext_lazy("Not yet awarded")),
]


# Tables: what the page shows and the downloads write --------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text, money, count


@dataclass
class Cell:
    value: Any
    url: str = ""
    # Further links shown under the value (a challenge's projects); in a download, their names.
    links: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Table:
    slug: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    total: list[Cell] | None = None
    note: str = ""

    def html_rows(self) -> list[SafeString]:
        """Each row's cells as HTML (written here rather than by a template per cell, which took
        most of the page's time)."""
        return [self._html_row(row) for row in self.rows]

    def html_total(self) -> SafeString:
        return self._html_row(self.total) if self.total else SafeString("")

    def _html_row(self, row: list[Cell]) -> SafeString:
        return SafeString(
            "".join(
                f"{_cell_html(column, cell, first=index == 0)}\n"
                for index, (column, cell) in enumerate(zip(self.columns, row, strict=True))
            )
        )

    def download_rows(self) -> Iterable[list[Any]]:
        """Header, rows and total as a spreadsheet gets them: money in whole rupiah (a number),
        links as their text."""
        yield [column.label if column.kind != "money" else f"{column.label} (Rp)" for column in self.columns]
        for row in [*self.rows, *([self.total] if self.total else [])]:
            yield [_download_value(column, cell) for column, cell in zip(self.columns, row, strict=True)]


def _cell_html(column: Column, cell: Cell, *, first: bool) -> SafeString:
    """A cell as the page shows it: the first of a row as its heading (a link when it has a
    url), money in rupiah, a count as a number, a list of links, or text."""
    if first:
        if cell.url:
            return format_html('<th scope="row"><a href="{}">{}</a></th>', cell.url, localize(cell.value))
        return format_html('<th scope="row">{}</th>', localize(cell.value))
    if column.kind == "money":
        amount = "" if cell.value is None or cell.value == "" else format_money(int(cell.value))
        return format_html('<td class="num" data-label="{}">{}</td>', column.label, amount)
    if column.kind == "count":
        return format_html('<td class="num" data-label="{}">{}</td>', column.label, localize(cell.value))
    if cell.links:
        links = ((url, text) for text, url in cell.links)
        items = format_html_join("", '<li><a href="{}">{}</a></li>', links)
        return format_html(
            '<td class="cell--text" data-label="{}"><ul class="plain-list">{}</ul></td>', column.label, items
        )
    return format_html('<td class="cell--text" data-label="{}">{}</td>', column.label, localize(cell.value))


def _download_value(column: Column, cell: Cell) -> Any:
    if column.kind == "money":
        whole, sen = divmod(int(cell.value), 100)
        return whole if not sen else Decimal(int(cell.value)) / 100
    if cell.links:
        return "; ".join(text for text, _url in cell.links)
    return cell.value


def _money_cells(money: Money) -> list[Cell]:
    return [Cell(getattr(money, key)) for key, _label in MONEY_COLUMNS]


def _money_columns() -> list[Column]:
    return [Column(str(label), "money") for _key, label in MONEY_COLUMNS]


# The report ------------------------------------------------------------------------------------


@dataclass
class Filters:
    region: RegionPage | None = None
    year: int | None = None


@dataclass
class Report:
    """The figures of the live challenges with public money within ``filters``: their groups
    (``money.Group``), totals and payments per month; the years and regions the filters offer."""

    groups: list[Group]
    totals: Money
    count: int
    monthly: dict[datetime.date, int]
    years: list[int]
    regions: list[RegionPage]
    filters: Filters = field(default_factory=Filters)

    def tables(self) -> dict[str, Table]:
        """The grouped tables and the months (the per-challenge table is read a page at a time:
        ``challenge_table``)."""
        return {
            "by-region": self.group_table(
                "by-region",
                _("Money by region"),
                _("Region"),
                lambda group: (group.region_pk, group.region_title),
            ),
            "by-agency": self.group_table(
                "by-agency",
                _("Money by agency (OPD)"),
                _("Agency (OPD)"),
                lambda group: (group.agency_pk, group.agency_label),
            ),
            "by-sector": self.group_table(
                "by-sector",
                _("Money by sector"),
                _("Sector"),
                lambda group: (group.sector_pk, group.sector_label),
            ),
            "by-year": self.group_table(
                "by-year",
                _("Money by year"),
                _("Year"),
                lambda group: (group.year, str(group.year)),
                note=_("A challenge's money counts in the year the challenge opened (in its region's time)."),
            ),
            "by-kind": self.group_table(
                "by-kind",
                _("Money by incentive kind"),
                _("Incentive kind"),
                lambda group: (group.kind, _kind_label(group.kind)),
                note=_(
                    "A challenge's money counts under the kind of its largest incentive, "
                    "even when it offers several."
                ),
            ),
            "monthly": self.monthly_table(),
        }

    def group_table(
        self,
        slug: str,
        title: str,
        heading: str,
        key: Callable[[Group], tuple[Any, str]],
        note: str = "",
    ) -> Table:
        # label, money, challenges, smallest challenge id (equal labels keep the challenges' order)
        rolled: dict[Any, tuple[str, Money, int, int]] = {}
        for group in self.groups:
            group_key, label = key(group)
            _label, summed, count, first = rolled.get(group_key, (label, Money(), 0, group.first_challenge))
            summed.add(group.money)
            rolled[group_key] = (label, summed, count + group.challenges, min(first, group.first_challenge))
        if slug == "by-year":
            ordered = [rolled[year] for year in sorted(rolled)]
        else:
            ordered = sorted(rolled.values(), key=lambda item: (item[0].casefold(), item[3]))
        return Table(
            slug=slug,
            title=title,
            columns=[Column(heading), Column(_("Challenges"), "count"), *_money_columns()],
            rows=[
                [Cell(label), Cell(count), *_money_cells(summed)] for label, summed, count, _first in ordered
            ],
            total=[Cell(_("Total")), Cell(self.count), *_money_cells(self.totals)],
            note=note,
        )

    def challenge_rows(self, *, offset: int = 0, limit: int | None = None) -> list[ChallengeRow]:
        """The challenges within the filters, ordered by region and title: one query."""
        region_pk = self.filters.region.pk if self.filters.region else None

        def rows() -> list[ChallengeRow]:
            return money.money_rows(region_pk=region_pk, year=self.filters.year, offset=offset, limit=limit)

        if limit is None:  # every row, for a download: too big to keep
            return rows()
        key = f"transparency-challenges:{region_pk}:{self.filters.year}:{offset}:{limit}"
        return page_cache.remembered(key, rows)  # type: ignore[return-value]

    def challenge_table(self, rows: Iterable[ChallengeRow]) -> Table:
        """The per-challenge table of ``rows`` (a page of them, or all for a download), with the
        total of every challenge within the filters."""
        return Table(
            slug="challenges",
            title=_("Money per challenge"),
            columns=[
                Column(_("Challenge")),
                Column(_("Region")),
                Column(_("Funded projects")),
                *_money_columns(),
            ],
            rows=[_challenge_cells(row) for row in rows],
            total=[Cell(_("Total")), Cell(""), Cell(""), *_money_cells(self.totals)],
        )

    def monthly_table(self) -> Table:
        return Table(
            slug="monthly",
            title=_("Paid to winners per month"),
            columns=[Column(_("Month")), Column(str(MONEY_COLUMNS[4][1]), "money")],
            rows=[[Cell(month_label(month)), Cell(amount)] for month, amount in self.monthly_series()],
            total=[Cell(_("Total")), Cell(sum(self.monthly.values()))],
            note=_("Each payment counts in the month it was made, in its region's time."),
        )

    def monthly_series(self) -> list[tuple[datetime.date, int]]:
        """Every month from the first payment to the last, months without payments as zero."""
        if not self.monthly:
            return []
        first, last = min(self.monthly), max(self.monthly)
        series, month = [], first
        while month <= last:
            series.append((month, self.monthly.get(month, 0)))
            month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return series

    # Pictures ---------------------------------------------------------------------------------

    def flow_chart(self):
        money = self.totals
        return charts.flow_chart(
            title=_("Where the money comes from and where it is"),
            sources_heading=_("Money in"),
            sources=[(_("APBD allocations"), money.allocated), (_("Sponsors"), money.sponsored)],
            middle=_("Challenge funds"),
            outcomes_heading=_("Where it is now"),
            outcomes=[
                (_("Paid to winners"), money.paid),
                (_("Awarded, still to pay"), money.to_pay),
                (_("Returned to sponsors"), money.returned),
                (_("Still available"), money.remaining),
            ],
            money=format_money,
            chart_id="flow-chart",
        )

    def flow_rows(self) -> list[tuple[str, int]]:
        money = self.totals
        return [
            (_("APBD allocations"), money.allocated),
            (_("Sponsors"), money.sponsored),
            (_("Paid to winners"), money.paid),
            (_("Awarded, still to pay"), money.to_pay),
            (_("Returned to sponsors"), money.returned),
            (_("Still available"), money.remaining),
        ]

    def region_chart(self, table: Table):
        return charts.bar_chart(
            title=_("Money received and paid per region"),
            series=[_("Received (APBD and sponsors)"), _("Paid to winners")],
            rows=[
                (row[0].value, [row[2].value + row[3].value - row[4].value, row[6].value])
                for row in table.rows
            ],
            money=format_money,
            chart_id="region-chart",
        )

    def monthly_chart(self):
        return charts.line_chart(
            title=_("Paid to winners per month"),
            points=[(month_label(month, short=True), amount) for month, amount in self.monthly_series()],
            money=format_money,
            chart_id="monthly-chart",
        )


def month_label(month: datetime.date, *, short: bool = False) -> str:
    return date_format(month, "M Y" if short else "F Y")


def _kind_label(kind: str) -> str:
    if not kind:
        return pgettext("incentive kind", "None")
    return str(dict(Incentive.Kind.choices).get(kind, kind))


def public_regions() -> list[RegionPage]:
    """The live regions, kept until a region, sector or agency changes (the challenge list's
    choices' own generation)."""
    return page_cache.remembered(  # type: ignore[return-value]
        "public-regions",
        lambda: list(RegionPage.objects.live().order_by("title")),
        generation=CHOICES_GENERATION,
    )


def _challenge_cells(row: ChallengeRow) -> list[Cell]:
    projects = [
        (title, reverse("marketplace:project_detail", kwargs={"pk": pk})) for pk, title in row.projects
    ]
    return [
        Cell(row.display_title, url=reverse("marketplace:challenge_detail", kwargs={"slug": row.slug})),
        Cell(row.region_title),
        Cell(", ".join(title for title, _url in projects) or "–", links=projects),
        *_money_cells(row.money),
    ]


def money_groups() -> tuple[list[Group], list[int]]:
    """The grouped figures of every live challenge with public money (one query, kept until
    something public changes) and the years those challenges opened in, newest first."""
    groups: list[Group] = page_cache.remembered("transparency-groups", money.money_groups)  # type: ignore[assignment]
    return groups, sorted({group.year for group in groups}, reverse=True)


def build_report(
    groups: list[Group], years: list[int], filters: Filters, *, regions: list[RegionPage]
) -> Report:
    """``money_groups`` within the filters, with the payments per month: one more query (kept
    until something public changes, like the groups and each page of challenges)."""
    region_pk = filters.region.pk if filters.region else None
    groups = [
        group
        for group in groups
        if (region_pk is None or group.region_pk == region_pk)
        and (filters.year is None or group.year == filters.year)
    ]
    totals = Money()
    for group in groups:
        totals.add(group.money)
    monthly: dict[datetime.date, int] = (
        page_cache.remembered(  # type: ignore[assignment]
            f"transparency-monthly:{region_pk}:{filters.year}",
            lambda: money.paid_by_month(region_pk=region_pk, year=filters.year),
        )
        if groups
        else {}
    )
    return Report(
        groups=groups,
        totals=totals,
        count=sum(group.challenges for group in groups),
        monthly=monthly,
        years=years,
        regions=regions,
        filters=filters,
    )


class ChallengePages:
    """The report's challenges for ``core.pagination.paginate``: its count is known from the
    groups (no query); a page is one query (``Report.challenge_rows``)."""

    def __init__(self, report: Report):
        self.report = report

    def count(self) -> int:
        return self.report.count

    def __len__(self) -> int:
        return self.report.count

    def __getitem__(self, index: slice) -> list[ChallengeRow]:
        start, stop = index.start or 0, index.stop
        if stop is not None and stop <= start:
            return []
        return self.report.challenge_rows(offset=start, limit=None if stop is None else stop - start)

    def __iter__(self) -> Iterator[ChallengeRow]:
        return iter(self.report.challenge_rows())


# The journal ------------------------------------------------------------------------------------

DIRECTIONS = [
    ("in", gettext_lazy("In")),
    ("out", gettext_lazy("Out")),
    ("awarded", gettext_lazy("Awarded to a winner")),
    ("released", gettext_lazy("Award withdrawn, back to the fund")),
]


@dataclass
class JournalLine:
    when: datetime.datetime
    direction: str  # one of DIRECTIONS
    what: str
    amount: int
    challenge: ChallengePage | None
    project: Award | None
    zone: str

    @property
    def direction_label(self) -> str:
        return str(dict(DIRECTIONS)[self.direction])

    @property
    def challenge_title(self) -> str:
        return self.challenge.display_title if self.challenge else ""

    @property
    def challenge_url(self) -> str:
        return (
            reverse("marketplace:challenge_detail", kwargs={"slug": self.challenge.slug})
            if self.challenge
            else ""
        )


def _what(txn, direction: str) -> str:
    """The movement in plain words (never an account name or an internal reference)."""
    kind = txn.kind
    if direction in ("awarded", "released"):
        return _("Winner's award") if direction == "awarded" else _("Award withdrawn")
    if kind == "allocation":
        return _("Budget from the APBD")
    if kind == "contribution":
        return _("Sponsor contribution")
    if kind == "refund":
        return _("Refund to a sponsor")
    if kind == "disbursement":
        return _("Payment to a winner")
    if kind == "reversal" and direction == "in":
        return _("Payment returned to the fund")
    if kind == "reversal":
        return _("Failed refund undone")
    return _("Correction")


def journal_lines(transactions: Iterable[Any]) -> list[JournalLine]:
    """The page's (or download's) transactions as lines: two queries for their challenges and
    projects, whatever the number of lines."""
    transactions = list(transactions)
    challenge_of = {txn.pk: parse_reference(txn.fund.reference, CHALLENGE) or 0 for txn in transactions}
    award_of = {txn.pk: parse_reference(txn.commitment_reference, AWARD) or 0 for txn in transactions}
    challenges = {
        challenge.pk: challenge
        for challenge in ChallengePage.objects.filter(pk__in=set(challenge_of.values()) - {0}).select_related(
            "agency__region"
        )
    }
    projects = {
        award.pk: award
        for award in Award.objects.filter(PUBLIC_PROJECT, pk__in=set(award_of.values()) - {0}).select_related(
            "proposal"
        )
    }
    lines = []
    for txn in transactions:
        if txn.reserved:
            direction, amount = ("awarded" if txn.reserved > 0 else "released"), abs(txn.reserved)
        else:
            direction, amount = ("in" if txn.flow > 0 else "out"), abs(txn.flow)
        challenge = challenges.get(challenge_of[txn.pk])
        lines.append(
            JournalLine(
                when=txn.created_at,
                direction=direction,
                what=_what(txn, direction),
                amount=amount,
                challenge=challenge,
                project=projects.get(award_of[txn.pk]),
                zone=challenge.agency.region.timezone if challenge else DEFAULT_ZONE,
            )
        )
    return lines


def journal_table(lines: list[JournalLine]) -> Table:
    return Table(
        slug="journal",
        title=_("Journal of public money"),
        columns=[
            Column(_("Date")),
            Column(_("Direction")),
            Column(_("Movement")),
            Column(_("Challenge")),
            Column(_("Project")),
            Column(_("Amount"), "money"),
        ],
        rows=[
            [
                Cell(timezone.localtime(line.when, _zone(line.zone)).strftime("%Y-%m-%d %H:%M")),
                Cell(line.direction_label),
                Cell(line.what),
                Cell(line.challenge_title),
                Cell(line.project.proposal.title if line.project else ""),
                Cell(line.amount),
            ]
            for line in lines
        ],
    )


def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


# Downloads ---------------------------------------------------------------------------------------


def table_csv(table: Table) -> bytes:
    return exports.csv_bytes(table.download_rows())


def table_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.slug[:31]
    for row in table.download_rows():
        exports.xlsx_append(sheet, row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
