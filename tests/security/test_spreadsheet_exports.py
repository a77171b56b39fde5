"""No export hands a spreadsheet program a formula written by a user (CSV/formula injection).

The probe put a proposal title starting ``=HYPERLINK(`` into the monthly fund statement, which
Excel ran as a formula. Every CSV/XLSX export writes through ``core.exports``; the comparison
exports are tried in tests/review/test_comparison.py (test_exports_keep_applicant_text_as_text)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from core import exports
from payments import api as payments_api
from tests.factories import UserFactory

FORMULA = '=HYPERLINK("http://x.test/?steal","Klik")'


def _cells(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


@pytest.mark.django_db
def test_the_monthly_fund_statement_keeps_typed_text_as_text(client):
    finance = UserFactory(roles=["finance"])
    fund = payments_api.fund_get_or_create(reference="challenge:701", name="@SUM(1+1) Dana desa")
    payments_api.allocation_record(
        fund=fund, amount=5_000_000_00, by=finance, description=FORMULA, idempotency_key="apbd-701"
    )
    payments_api.allocation_record(
        fund=fund, amount=1_000_00, by=finance, description="\t-2+3", idempotency_key="apbd-702"
    )
    client.force_login(finance)
    today = timezone.localdate()

    body = client.get(
        reverse(
            "marketplace:finance_statement_csv",
            kwargs={"pk": fund.pk, "year": today.year, "month": today.month},
        )
    ).content

    cells = _cells(body)
    assert "'" + FORMULA in cells and "'@SUM(1+1) Dana desa" in cells and "'\t-2+3" in cells
    dangerous = [
        cell for cell in cells if cell.startswith(exports.FORMULA_STARTS) and not cell.lstrip("-").isdigit()
    ]
    assert dangerous == []
    assert "500000000" in cells  # amounts in minor units stay numbers


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start):
    assert exports.spreadsheet_safe(f"{start}cmd|' /C calc'!A0") == f"'{start}cmd|' /C calc'!A0"


@pytest.mark.parametrize("value", [-1250000, 12.5, "-1250000", "-12,50", "Rp 1.000", None, ""])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert exports.spreadsheet_safe(value) == value


def test_an_xlsx_row_never_holds_a_formula():
    workbook = Workbook()
    exports.xlsx_append(workbook.active, [FORMULA, 42, "Usulan biasa"])
    saved = io.BytesIO()
    workbook.save(saved)

    sheet = load_workbook(saved).active
    assert [cell.value for cell in sheet[1]] == ["'" + FORMULA, 42, "Usulan biasa"]
    assert [cell.data_type for cell in sheet[1]] == ["s", "n", "s"]


@pytest.mark.django_db
def test_the_transparency_downloads_keep_typed_text_as_text(client):
    """A challenge's title and a sponsor's name are typed by people: the public downloads of
    /transparency/ (CSV and XLSX) keep them as text."""
    from tests import factories

    finance = factories.UserFactory(roles=["finance"])
    challenge = factories.challenge(title=FORMULA, slug="tantangan-rumus")
    factories.allocation(challenge, finance=finance, amount=5_000_000_00)
    factories.sponsor_pledge(challenge, finance=finance, amount=1_000_000_00, name="@SUM(1+1) Mitra")

    for table in ("challenges", "by-region", "journal"):
        cells = _cells(client.get(f"/transparency/download/{table}.csv").content)
        dangerous = [
            cell
            for cell in cells
            if cell.startswith(exports.FORMULA_STARTS) and not cell.lstrip("-").isdigit()
        ]
        assert dangerous == [], table
        workbook = load_workbook(io.BytesIO(client.get(f"/transparency/download/{table}.xlsx").content))
        for row in workbook.active.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (table, cell.value)
    assert "'" + FORMULA in _cells(client.get("/transparency/download/challenges.csv").content)
