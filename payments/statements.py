"""Monthly statement of a fund, as CSV and PDF.

A fund's money is what ``selectors.fund_balance`` counts: its own cash and committed accounts,
and its share of the accounts money passes through on the way out (owed to a grantee, in a
gateway's clearing; their entries belong to the fund their transaction names). A statement lists
every such entry in one calendar month (in the site's time zone), with the opening balance, a
running balance, the closing balance, the totals per kind of transaction and each account's
opening and closing balance. Money moved between two of these accounts (cash to committed,
committed to owed) shows as two lines that cancel out in the balance; money leaves when it is
paid out (or refunded).

What the public ledger keeps out is kept out here too: the descriptions are the ledger's own
(which name a sponsor only when they asked to be named), and any email address in a text is
replaced and any long run of digits (a bank account number) masked to its last four."""

from __future__ import annotations

import calendar
import datetime
import logging
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core import exports
from payments import configuration
from payments.models import Account, Entry, Fund, Transaction
from payments.selectors import format_money

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Bank account numbers are 10 to 16 digits (spaces or dashes allowed in between).
LONG_NUMBER = re.compile(r"\d(?:[\s-]?\d){9,}")
UNICODE_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


# The domain's references ("award:3", "milestone:2:1") as ledger texts carry them.
INTERNAL_REFERENCE = re.compile(r"\b[a-z]+:\d+(?::\d+)*\b")


def _named(text: str, labels: dict[str, str]) -> str:
    """``text`` with each internal reference the site can name replaced by its name."""
    return INTERNAL_REFERENCE.sub(lambda m: labels.get(m.group(0), m.group(0)), text)


def public_text(text: str) -> str:
    """The text without email addresses and with long numbers masked to their last four digits."""
    text = EMAIL.sub("[email]", text or "")
    return LONG_NUMBER.sub(lambda m: "•••• " + re.sub(r"\D", "", m.group(0))[-4:], text)


@dataclass(frozen=True)
class StatementLine:
    created_at: datetime.datetime  # in the statement's time zone
    transaction_id: int
    kind: str
    kind_label: str
    description: str
    reference: str
    account: str
    amount: int
    balance: int  # the fund's balance after this line


@dataclass
class Statement:
    fund: Fund
    year: int
    month: int
    zone: datetime.tzinfo
    opening: int
    lines: list[StatementLine]
    # (kind, label, total), in the order kinds are declared.
    totals_by_kind: list[tuple[str, str, int]]
    # (account name, opening, closing) for each of the fund's accounts.
    accounts: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return self.fund.currency

    @property
    def closing(self) -> int:
        return self.opening + sum(line.amount for line in self.lines)

    @property
    def money_in(self) -> int:
        return sum(line.amount for line in self.lines if line.amount > 0)

    @property
    def money_out(self) -> int:
        return sum(line.amount for line in self.lines if line.amount < 0)

    @property
    def period_label(self) -> str:
        return formats.date_format(datetime.date(self.year, self.month, 1), "F Y")

    @property
    def filename_stem(self) -> str:
        return f"laporan-dana-{self.fund.pk}-{self.year:04d}-{self.month:02d}"


def default_zone() -> datetime.tzinfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def month_bounds(year: int, month: int, zone: datetime.tzinfo) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of the month and of the next one, in ``zone``."""
    if not (1 <= month <= 12 and 2000 <= year <= 9999):
        raise ValueError("month out of range")
    start = datetime.datetime(year, month, 1, tzinfo=zone)
    days = calendar.monthrange(year, month)[1]
    return start, start + datetime.timedelta(days=days)


def statement_months(
    funds: list[Fund], *, zone: datetime.tzinfo | None = None
) -> dict[int, list[datetime.date]]:
    """Per fund id: the months (first day) with at least one transaction, newest first. One query."""
    zone = zone or default_zone()
    rows = (
        Transaction.objects.filter(fund__in=funds)
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values_list("fund_id", "month")
        .distinct()
        .order_by("fund_id", "-month")
    )
    months: dict[int, list[datetime.date]] = {fund.pk: [] for fund in funds}
    for fund_id, month in rows:
        months[fund_id].append(
            month.astimezone(zone).date() if isinstance(month, datetime.datetime) else month
        )
    return months


def _holding(fund: Fund) -> Q:
    """The entries that make up the fund's money (as ``selectors.fund_balance`` sums them)."""
    return Q(account__fund=fund, account__kind__in=[Account.Kind.FUND, Account.Kind.COMMITTED]) | Q(
        account__kind__in=[Account.Kind.RECEIVABLE, Account.Kind.CLEARING], transaction__fund=fund
    )


def fund_statement(*, fund: Fund, year: int, month: int, zone: datetime.tzinfo | None = None) -> Statement:
    """The statement of ``fund`` for one month. Three queries whatever its size."""
    zone = zone or default_zone()
    start, end = month_bounds(year, month, zone)
    holding = _holding(fund)
    openings = dict(
        Entry.objects.filter(holding, transaction__created_at__lt=start)
        .values_list("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    entries = list(
        Entry.objects.filter(holding, transaction__created_at__gte=start, transaction__created_at__lt=end)
        .select_related("transaction")
        .order_by("transaction__created_at", "transaction_id", "id")
    )
    accounts = list(
        Account.objects.filter(pk__in=set(openings) | {e.account_id for e in entries}).order_by("pk")
    )
    names = {account.pk: str(account.name) for account in accounts}
    found = [str(a.name) for a in accounts] + [fund.reference]
    found += [f"{entry.transaction.reference} {entry.transaction.description}" for entry in entries]
    labels = configuration.reference_labels(INTERNAL_REFERENCE.findall(" ".join(found)))
    names = {pk: _named(name, labels) for pk, name in names.items()}
    kind_labels = dict(Transaction.Kind.choices)
    opening = sum(openings.values())
    balance = opening
    lines = []
    totals: dict[str, int] = {}
    per_account = {account.pk: openings.get(account.pk, 0) for account in accounts}
    for entry in entries:
        txn = entry.transaction
        balance += entry.amount
        per_account[entry.account_id] += entry.amount
        totals[txn.kind] = totals.get(txn.kind, 0) + entry.amount
        description = public_text(_named(txn.description, labels))
        lines.append(
            StatementLine(
                created_at=txn.created_at.astimezone(zone),
                transaction_id=txn.pk,
                kind=txn.kind,
                kind_label=str(kind_labels.get(txn.kind, txn.kind)),
                description=description,
                reference=public_text(_named(txn.reference, labels)),
                account=names[entry.account_id],
                amount=entry.amount,
                balance=balance,
            )
        )
    order = list(kind_labels)
    totals_by_kind = [
        (kind, str(kind_labels.get(kind, kind)), total)
        for kind, total in sorted(
            totals.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99
        )
    ]
    return Statement(
        fund=fund,
        year=year,
        month=month,
        zone=zone,
        opening=opening,
        lines=lines,
        totals_by_kind=totals_by_kind,
        accounts=[(names[a.pk], openings.get(a.pk, 0), per_account[a.pk]) for a in accounts],
    )


# CSV ----------------------------------------------------------------------------------------


def statement_csv(statement: Statement) -> bytes:
    """UTF-8 with a byte-order mark (Excel opens it as such), comma-separated. Amounts twice:
    as written in Indonesian ("Rp 1.250.000") and as an integer in minor units (sen)."""
    money = lambda amount: format_money(amount, statement.currency)  # noqa: E731
    start = datetime.datetime(statement.year, statement.month, 1, tzinfo=statement.zone)
    rows: list[list] = [
        [_("Monthly fund statement"), str(statement.fund)],
        [_("Period"), statement.period_label],
        [_("Currency"), statement.currency],
        [],
        [
            _("Date"),
            _("Transaction"),
            _("Kind"),
            _("Description"),
            _("Reference"),
            _("Account"),
            _("Amount"),
            _("Amount (minor units)"),
            _("Balance"),
            _("Balance (minor units)"),
        ],
        [
            start.strftime("%Y-%m-%d %H:%M"),
            "",
            "",
            _("Opening balance"),
            "",
            "",
            "",
            "",
            money(statement.opening),
            statement.opening,
        ],
    ]
    for line in statement.lines:
        rows.append(
            [
                line.created_at.strftime("%Y-%m-%d %H:%M"),
                line.transaction_id,
                line.kind_label,
                line.description,
                line.reference,
                line.account,
                money(line.amount),
                line.amount,
                money(line.balance),
                line.balance,
            ]
        )
    rows.append(
        ["", "", "", _("Closing balance"), "", "", "", "", money(statement.closing), statement.closing]
    )
    rows.append([])
    rows.append([_("Totals by kind"), "", "", "", "", "", _("Amount"), _("Amount (minor units)")])
    rows.extend(
        [label, "", "", "", "", "", money(total), total] for _kind, label, total in statement.totals_by_kind
    )
    return exports.csv_bytes(rows)


# PDF ----------------------------------------------------------------------------------------


def _unicode_font() -> tuple[Path, Path] | None:
    for directory in UNICODE_FONT_DIRS:
        regular, bold = directory / "DejaVuSans.ttf", directory / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    return None


def statement_pdf(statement: Statement) -> bytes:
    """A4 landscape, the table repeating its header on each page. DejaVu Sans when the system
    has it (any character); otherwise Helvetica, with what Latin-1 cannot show replaced."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    # fontTools reports every glyph subset at INFO level; that is not news for the site's log.
    logging.getLogger("fontTools").setLevel(logging.WARNING)

    footer_text = f"{statement.fund} · {statement.year:04d}-{statement.month:02d}"

    class StatementPDF(FPDF):
        def footer(self) -> None:
            self.set_y(-9)
            self.set_font(self.font_family or "Helvetica", "", 7)
            self.cell(0, 4, text(f"{footer_text} · {self.page_no()}/{{nb}}"), align="R")

    pdf = StatementPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.set_margins(12, 12, 12)
    fonts = _unicode_font()
    if fonts:
        pdf.add_font("Statement", "", str(fonts[0]))
        pdf.add_font("Statement", "B", str(fonts[1]))
        family = "Statement"

        def text(value) -> str:
            return str(value)

    else:
        family = "Helvetica"

        def text(value) -> str:
            value = str(value).replace("•", "*").replace("—", "-").replace("–", "-")
            return value.encode("latin-1", "replace").decode("latin-1")

    title = _("Monthly fund statement")
    pdf.set_title(text(f"{title}: {statement.fund} — {statement.period_label}"))
    pdf.set_creator(text(settings.WAGTAIL_SITE_NAME))
    pdf.set_lang(getattr(settings, "LANGUAGE_CODE", "id"))
    pdf.add_page()
    money = lambda amount: format_money(amount, statement.currency)  # noqa: E731

    pdf.set_font(family, "B", 14)
    pdf.cell(0, 8, text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    generated = timezone.now().astimezone(statement.zone)
    facts = [
        (_("Fund"), str(statement.fund)),
        (_("Period"), statement.period_label),
        (_("Opening balance"), money(statement.opening)),
        (_("Money in"), money(statement.money_in)),
        (_("Money out"), money(statement.money_out)),
        (_("Closing balance"), money(statement.closing)),
        (_("Produced"), f"{generated:%d/%m/%Y %H:%M} ({statement.zone})"),
    ]
    for label, value in facts:
        pdf.set_font(family, "B", 10)
        pdf.cell(45, 6, text(label))
        pdf.set_font(family, "", 10)
        pdf.cell(0, 6, text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    heading = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))
    pdf.set_font(family, "", 8)
    with pdf.table(
        col_widths=(27, 28, 75, 40, 38, 32, 33),
        text_align=("LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"),
        headings_style=heading,
        line_height=4.5,
    ) as table:
        table.row(
            [
                text(_("Date")),
                text(_("Kind")),
                text(_("Description")),
                text(_("Reference")),
                text(_("Account")),
                text(_("Amount")),
                text(_("Balance")),
            ]
        )
        table.row(["", "", text(_("Opening balance")), "", "", "", text(money(statement.opening))])
        for line in statement.lines:
            table.row(
                [
                    text(f"{line.created_at:%d/%m/%Y %H:%M}"),
                    text(line.kind_label),
                    text(line.description),
                    text(line.reference),
                    text(line.account),
                    text(money(line.amount)),
                    text(money(line.balance)),
                ]
            )
        table.row(["", "", text(_("Closing balance")), "", "", "", text(money(statement.closing))])
    if not statement.lines:
        pdf.ln(2)
        pdf.set_font(family, "", 10)
        pdf.cell(0, 6, text(_("No money moved in this month.")), new_x="LMARGIN", new_y="NEXT")

    pdf.ln(4)
    pdf.set_font(family, "B", 11)
    pdf.cell(0, 7, text(_("Totals by kind")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    with pdf.table(
        col_widths=(60, 40), text_align=("LEFT", "RIGHT"), headings_style=heading, width=100
    ) as table:
        table.row([text(_("Kind")), text(_("Amount"))])
        for _kind, label, total in statement.totals_by_kind:
            table.row([text(label), text(money(total))])
    return bytes(pdf.output())
