"""A fund's monthly statement: opening balance, every entry of the month, closing balance and
totals per kind, as CSV and PDF, without personal data."""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from payments import api as payments_api
from payments.models import Contribution, Disbursement, Transaction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages", "private_media")]


WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@contextlib.contextmanager
def ledger_clock(when: datetime.datetime):
    """Transactions written inside are dated ``when`` (the services always use "now")."""
    field = Transaction._meta.get_field("created_at")
    had = "_get_default" in field.__dict__
    previous = field.__dict__.get("_get_default")
    field.__dict__["_get_default"] = lambda: when
    try:
        yield
    finally:
        if had:
            field.__dict__["_get_default"] = previous
        else:
            del field.__dict__["_get_default"]


@pytest.fixture
def february(people, django_capture_on_commit_callbacks):
    """January: an allocation. February: another, a pledge from a sponsor who is not named, an
    award and a manual payment of part of it. March: one more allocation."""
    finance, official = people["finance"], people["official"]
    fund = payments_api.fund_get_or_create(reference="challenge:31", name="Literasi digital desa")
    with ledger_clock(datetime.datetime(2026, 1, 15, 9, 0, tzinfo=WIB)):
        payments_api.allocation_record(
            fund=fund,
            amount=100_000_000_00,
            by=finance,
            description="APBD murni",
            reference="DPA-1",
            idempotency_key="a1",
        )
    with ledger_clock(datetime.datetime(2026, 2, 3, 10, 30, tzinfo=WIB)):
        payments_api.allocation_record(
            fund=fund,
            amount=25_000_000_00,
            by=finance,
            # Personal data that must not leave in a statement.
            description="Tambahan, konfirmasi ke budi.santoso@example.id rek 1234567890123",
            reference="DPA-2",
            idempotency_key="a2",
        )
    with ledger_clock(datetime.datetime(2026, 2, 10, 14, 0, tzinfo=WIB)):
        pledge = payments_api.contribution_create(
            fund=fund,
            by=people["sponsor"],
            sponsor_name="Ibu Rahasia",
            email="rahasia@mitra.example.id",
            public=False,
            amount=10_000_000_00,
            rail=Contribution.Rail.PLEDGE,
        )
        payments_api.pledge_confirm(contribution=pledge, by=finance, bank_reference="BNI-778")
    with ledger_clock(datetime.datetime(2026, 2, 20, 8, 0, tzinfo=WIB)):
        commitment = payments_api.commitment_create(
            fund=fund, reference="award:5", amount=60_000_000_00, by=official
        )
        payments_api.recipient_set_bank_account(
            payee_reference="organisation:5",
            bank_name="Bank NTT",
            account_holder="PT Uji",
            account_number="9876543210",
        )
        payments_api.recipient_verify_bank_account(payee_reference="organisation:5", by=official)
        disbursement = payments_api.disbursement_create(
            commitment=commitment,
            reference="milestone:5",
            amount=20_000_000_00,
            payee_reference="organisation:5",
            requested_by=official,
            description="Tahap 1: kelas di 5 desa",
        )
        with django_capture_on_commit_callbacks(execute=True):
            payments_api.disbursement_release(disbursement=disbursement, by=finance)
    with ledger_clock(datetime.datetime(2026, 2, 28, 23, 30, tzinfo=WIB)):
        payments_api.disbursement_record_paid(
            disbursement=Disbursement.objects.get(pk=disbursement.pk),
            by=people["finance2"],
            bank_reference="SP2D-0042",
            proof=SimpleUploadedFile("sp2d.pdf", PDF, content_type="application/pdf"),
        )
    with ledger_clock(datetime.datetime(2026, 3, 1, 0, 30, tzinfo=WIB)):
        payments_api.allocation_record(
            fund=fund, amount=5_000_000_00, by=finance, description="APBD perubahan", idempotency_key="a3"
        )
    return fund


def test_the_statement_runs_from_the_opening_to_the_closing_balance(february):
    statement = payments_api.fund_statement(fund=february, year=2026, month=2)

    assert statement.opening == 100_000_000_00
    # In: 25 + 10 million; out: 20 million paid. The award only moves money inside the fund.
    assert statement.closing == 115_000_000_00
    assert (statement.money_in - (-statement.money_out)) == statement.closing - statement.opening
    running = statement.opening
    for line in statement.lines:
        running += line.amount
        assert line.balance == running
        assert (
            datetime.datetime(2026, 2, 1, tzinfo=WIB)
            <= line.created_at
            < datetime.datetime(2026, 3, 1, tzinfo=WIB)
        )
    assert [line.created_at for line in statement.lines] == sorted(
        line.created_at for line in statement.lines
    )
    totals = {kind: total for kind, _label, total in statement.totals_by_kind}
    assert totals["allocation"] == 25_000_000_00 and totals["contribution"] == 10_000_000_00
    assert totals.get("award", 0) == 0  # cash to committed: both sides are the fund's
    # Released to the grantee on the 20th (still the fund's money), paid out on the 28th.
    paid = [line for line in statement.lines if line.reference == "SP2D-0042"]
    assert [(line.amount, line.created_at.day) for line in paid] == [(-20_000_000_00, 28)]
    assert totals["disbursement"] == -20_000_000_00
    assert sum(totals.values()) == statement.closing - statement.opening
    # The fund's own accounts, each with its opening and closing balance.
    assert sum(opening for _name, opening, _closing in statement.accounts) == statement.opening
    assert sum(closing for _name, _opening, closing in statement.accounts) == statement.closing


def test_the_month_follows_the_site_time_zone(february):
    # 28 February 23:30 WIB is 16:30 UTC; 1 March 00:30 WIB is still February in UTC.
    february_lines = payments_api.fund_statement(fund=february, year=2026, month=2).lines
    march = payments_api.fund_statement(fund=february, year=2026, month=3)
    assert february_lines[-1].created_at.date() == datetime.date(2026, 2, 28)
    assert [line.amount for line in march.lines] == [5_000_000_00]
    assert march.opening == 115_000_000_00
    assert march.closing == payments_api.fund_balance(fund=february)  # the same money the selectors count
    assert payments_api.statement_months(funds=[february])[february.pk] == [
        datetime.date(2026, 3, 1),
        datetime.date(2026, 2, 1),
        datetime.date(2026, 1, 1),
    ]


def test_the_csv_is_for_excel_with_amounts_written_the_indonesian_way(february):
    with translation.override("id"):
        data = payments_api.statement_csv(
            statement=payments_api.fund_statement(fund=february, year=2026, month=2)
        )

    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][1] == "Literasi digital desa"
    header = rows[4]
    assert len(header) == 10
    end = rows.index([], 5)  # a blank row, then the totals per kind
    opening, *entries, closing = rows[5:end]
    assert rows[end + 1][0] and rows[-1][6].startswith(("Rp", "'-Rp"))
    assert opening[8:] == ["Rp 100.000.000", "10000000000"]
    assert closing[8:] == ["Rp 115.000.000", "11500000000"]
    amounts = [row[6] for row in entries]
    # A negative amount as text would start like a formula: it keeps the apostrophe that makes
    # a spreadsheet read it as text (core.exports); the minor-units column is the number.
    assert "Rp 25.000.000" in amounts and "'-Rp 20.000.000" in amounts
    assert all(row[0].startswith("2026-02-") for row in entries)
    text = data.decode("utf-8-sig")
    assert "DPA-2" in text and "SP2D-0042" in text and "BNI-778" in text


def test_no_personal_data_leaves_in_a_statement(february):
    statement = payments_api.fund_statement(fund=february, year=2026, month=2)
    text = payments_api.statement_csv(statement=statement).decode("utf-8-sig")

    for secret in (
        "budi.santoso@example.id",
        "rahasia@mitra.example.id",
        "Ibu Rahasia",
        "1234567890123",
        "9876543210",
    ):
        assert secret not in text
    assert "•••• 0123" in text and "[email]" in text


def test_the_pdf_is_a_pdf_and_grows_pages_with_the_entries(february, people):
    small = payments_api.statement_pdf(
        statement=payments_api.fund_statement(fund=february, year=2026, month=2)
    )
    assert small.startswith(b"%PDF-") and small.rstrip().endswith(b"%%EOF")
    assert small.count(b"/Type /Page") - small.count(b"/Type /Pages") == 1

    with ledger_clock(datetime.datetime(2026, 4, 2, 9, 0, tzinfo=WIB)):
        for index in range(120):
            payments_api.allocation_record(
                fund=february,
                amount=(index + 1) * 1_000_00,
                by=people["finance"],
                description=f"Alokasi ke-{index} — dana operasional ‘khusus’",
                idempotency_key=f"many-{index}",
            )
    big = payments_api.statement_pdf(statement=payments_api.fund_statement(fund=february, year=2026, month=4))
    pages = big.count(b"/Type /Page") - big.count(b"/Type /Pages")
    assert pages >= 3


def test_a_month_without_movement_has_equal_opening_and_closing(february):
    statement = payments_api.fund_statement(fund=february, year=2026, month=6)

    assert statement.lines == [] and statement.opening == statement.closing == 120_000_000_00
    assert payments_api.statement_pdf(statement=statement).startswith(b"%PDF-")


def test_a_statement_takes_the_same_queries_however_many_entries(february, people, django_assert_num_queries):
    payments_api.fund_statement(fund=february, year=2026, month=2)  # accounts exist
    # Three for the statement, and one for the names of each kind of reference it shows (the
    # challenge, the payee), whatever the number of entries.
    with django_assert_num_queries(5):
        payments_api.fund_statement(fund=february, year=2026, month=3)
    with ledger_clock(datetime.datetime(2026, 3, 5, 9, 0, tzinfo=WIB)):
        for index in range(30):
            payments_api.allocation_record(
                fund=february,
                amount=1_000_00,
                by=people["finance"],
                description="x",
                idempotency_key=f"q{index}",
            )
    # Three for the statement, and one for the names of each kind of reference it shows (the
    # challenge, the payee), whatever the number of entries.
    with django_assert_num_queries(5):
        statement = payments_api.fund_statement(fund=february, year=2026, month=3)
    assert len(statement.lines) == 31


@pytest.mark.parametrize("month", [0, 13])
def test_there_is_no_thirteenth_month(february, month):
    with pytest.raises(ValueError):
        payments_api.fund_statement(fund=february, year=2026, month=month)
