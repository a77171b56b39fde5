"""/transparency/: the public money in figures, tables and pictures, and the public journal.

Every number comes from the ledger as ``payments.api`` lets the public see it (no award before
its results are published): one query sums the ledger per fund, and the tables group those sums
by challenge, region, agency, sector, year and incentive kind. The same ``Table`` feeds the page,
the CSV and the XLSX downloads, so they cannot disagree."""

from __future__ import annotations

import datetime
import io
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from core import exports
from core.money import format_money
from core.references import AWARD, CHALLENGE, challenge_reference, parse_reference
from marketplace.awards.models import Award
from marketplace.awards.selectors.projects import PUBLIC_PROJECT
from marketplace.challenges.models import ChallengePage, Incentive, RegionPage
from marketplace.publicdata import charts
from payments import api as payments_api

TABLES = ("by-region", "by-agency", "by-sector", "by-year", "by-kind", "challenges", "monthly", "journal")
FORMATS = ("csv", "xlsx")
DEFAULT_ZONE = "Asia/Jakarta"


# Money of one challenge, or of a group of them -------------------------------------------------


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


MONEY_COLUMNS = [
    ("allocated", gettext_lazy("Allocated (APBD)")),
    ("sponsored", gettext_lazy("Sponsored")),
    ("returned", gettext_lazy("Returned to sponsors")),
    ("awarded", gettext_lazy("Awarded")),
    ("paid", gettext_lazy("Paid")),
    ("remaining", gettext_lazy("Not yet awarded")),
]


@dataclass
class ChallengeMoney:
    challenge: ChallengePage
    year: int
    kind: str
    money: Money
    projects: list[Award] = field(default_factory=list)

    @property
    def region(self) -> RegionPage:
        return self.challenge.agency.region


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

    def html_rows(self) -> list[list[tuple[Column, Cell]]]:
        return [list(zip(self.columns, row, strict=True)) for row in self.rows]

    def html_total(self) -> list[tuple[Column, Cell]]:
        return list(zip(self.columns, self.total, strict=True)) if self.total else []

    def download_rows(self) -> Iterable[list[Any]]:
        """Header, rows and total as a spreadsheet gets them: money in whole rupiah (a number),
        links as their text."""
        yield [column.label if column.kind != "money" else f"{column.label} (Rp)" for column in self.columns]
        for row in [*self.rows, *([self.total] if self.total else [])]:
            yield [_download_value(column, cell) for column, cell in zip(self.columns, row, strict=True)]


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
    rows: list[ChallengeMoney]
    totals: Money
    monthly: dict[datetime.date, int]
    years: list[int]
    regions: list[RegionPage]

    def tables(self) -> dict[str, Table]:
        return {
            "by-region": self.group_table(
                "by-region",
                _("Money by region"),
                _("Region"),
                lambda row: (row.region.pk, row.region.title),
            ),
            "by-agency": self.group_table(
                "by-agency",
                _("Money by agency (OPD)"),
                _("Agency (OPD)"),
                lambda row: (row.challenge.agency_id, str(row.challenge.agency)),
            ),
            "by-sector": self.group_table(
                "by-sector",
                _("Money by sector"),
                _("Sector"),
                lambda row: (row.challenge.sector_id, row.challenge.sector.display_name),
            ),
            "by-year": self.group_table(
                "by-year",
                _("Money by year"),
                _("Year"),
                lambda row: (row.year, str(row.year)),
                note=_("A challenge's money counts in the year the challenge opened (in its region's time)."),
            ),
            "by-kind": self.group_table(
                "by-kind",
                _("Money by incentive kind"),
                _("Incentive kind"),
                lambda row: (row.kind, _kind_label(row.kind)),
                note=_(
                    "A challenge's money counts under the kind of its largest incentive, "
                    "even when it offers several."
                ),
            ),
            "challenges": self.challenge_table(),
            "monthly": self.monthly_table(),
        }

    def group_table(
        self,
        slug: str,
        title: str,
        heading: str,
        key: Callable[[ChallengeMoney], tuple[Any, str]],
        note: str = "",
    ) -> Table:
        groups: dict[Any, tuple[str, Money, int]] = {}
        for row in self.rows:
            group_key, label = key(row)
            _label, money, count = groups.get(group_key, (label, Money(), 0))
            money.add(row.money)
            groups[group_key] = (label, money, count + 1)
        if slug == "by-year":
            ordered = [groups[year] for year in sorted(groups)]
        else:
            ordered = sorted(groups.values(), key=lambda group: group[0].casefold())
        return Table(
            slug=slug,
            title=title,
            columns=[Column(heading), Column(_("Challenges"), "count"), *_money_columns()],
            rows=[[Cell(label), Cell(count), *_money_cells(money)] for label, money, count in ordered],
            total=[Cell(_("Total")), Cell(len(self.rows)), *_money_cells(self.totals)],
            note=note,
        )

    def challenge_table(self) -> Table:
        rows = []
        for row in sorted(self.rows, key=lambda r: (r.region.title, r.challenge.title)):
            challenge = row.challenge
            rows.append(
                [
                    Cell(
                        challenge.display_title,
                        url=reverse("marketplace:challenge_detail", kwargs={"slug": challenge.slug}),
                    ),
                    Cell(row.region.title),
                    Cell(
                        ", ".join(project.proposal.title for project in row.projects) or "–",
                        links=[
                            (project.proposal.title, project.get_absolute_url()) for project in row.projects
                        ],
                    ),
                    *_money_cells(row.money),
                ]
            )
        return Table(
            slug="challenges",
            title=_("Money per challenge"),
            columns=[
                Column(_("Challenge")),
                Column(_("Region")),
                Column(_("Funded projects")),
                *_money_columns(),
            ],
            rows=rows,
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


def _main_kind(challenge: ChallengePage) -> str:
    incentives = sorted(
        challenge.incentives.all(), key=lambda incentive: (-incentive.amount, incentive.sort_order or 0)
    )
    return incentives[0].kind if incentives else ""


def challenge_year(challenge: ChallengePage) -> int:
    return timezone.localtime(challenge.opens_at, challenge.agency.region.zoneinfo).year


def public_regions() -> list[RegionPage]:
    return list(RegionPage.objects.live().order_by("title"))


def money_rows() -> tuple[list[ChallengeMoney], list[int]]:
    """Every live challenge whose fund has public money, with its figures, and the years they
    opened in (newest first). Three queries: challenges with agency, region and sector; their
    incentives; the ledger sums per fund."""
    challenges = list(
        ChallengePage.objects.live()
        .select_related("agency__region", "sector")
        .prefetch_related("incentives")
        .order_by("pk")
    )
    totals_by_fund = payments_api.public_fund_totals(
        references=[challenge_reference(challenge.pk) for challenge in challenges]
    )
    rows: list[ChallengeMoney] = []
    for challenge in challenges:
        money = Money(**totals_by_fund.get(challenge_reference(challenge.pk), {}))
        if money.any():
            rows.append(
                ChallengeMoney(
                    challenge=challenge,
                    year=challenge_year(challenge),
                    kind=_main_kind(challenge),
                    money=money,
                )
            )
    return rows, sorted({row.year for row in rows}, reverse=True)


def build_report(
    rows: list[ChallengeMoney], years: list[int], filters: Filters, *, regions: list[RegionPage]
) -> Report:
    """``money_rows`` filtered by region and year, with each challenge's public projects and
    the payments per month: two more queries (and one per time zone for the months)."""
    rows = [
        row
        for row in rows
        if (filters.region is None or row.region.pk == filters.region.pk)
        and (filters.year is None or row.year == filters.year)
    ]
    by_challenge = {row.challenge.pk: row for row in rows}
    for project in (
        Award.objects.filter(PUBLIC_PROJECT, proposal__challenge_id__in=by_challenge)
        .select_related("proposal")
        .order_by("proposal__title", "pk")
    ):
        by_challenge[project.proposal.challenge_id].projects.append(project)
    totals = Money()
    zones: dict[str, list[str]] = {}
    for row in rows:
        totals.add(row.money)
        zones.setdefault(row.region.timezone, []).append(challenge_reference(row.challenge.pk))
    monthly = payments_api.public_paid_by_month(zones=zones) if zones else {}
    return Report(rows=rows, totals=totals, monthly=monthly, years=years, regions=regions)


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
