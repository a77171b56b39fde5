"""/transparency/ for citizens: its tables are the ledger's sums, its downloads say the same as
the page, its filters work, its journal speaks plainly, and nothing of an unpublished
determination shows anywhere before its results are published."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from core.references import challenge_reference
from marketplace.proposals.models import Proposal
from payments import api as payments_api
from payments.models import Account, Commitment, Disbursement, Entry
from tests import factories
from tests.support.module_data import own_copy, rolled_back_after_module

pytestmark = pytest.mark.django_db

M = 1_000_000_00  # a million rupiah in minor units
# The unpublished award (and its payment, made before the results were published).
SECRET = 73_456_789_00
SECRET_MARKERS = ("73.456.789", "73456789")
TABLES = ["by-region", "by-agency", "by-sector", "by-year", "by-kind", "challenges", "monthly", "journal"]


# Reading the page like a program would ---------------------------------------------------------


class _Tables(HTMLParser):
    """Every table with a ``data-table`` attribute, as rows of cell texts (a cell's list items
    joined with "; ", as the downloads write them)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.svgs: list[dict] = []
        self._table = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._items = 0
        self._svg = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self._table = self.tables.setdefault(attrs["data-table"], [])
        elif self._table is not None and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell, self._items = [], 0
        elif self._cell is not None and tag == "li":
            if self._items:
                self._cell.append("; ")
            self._items += 1
        elif tag == "svg":
            self._svg = {"attrs": attrs, "title": None}
            self.svgs.append(self._svg)
        elif tag == "title" and self._svg is not None:
            self._svg["title"] = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "svg":
            self._svg = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._svg is not None and self._svg["title"] == "":
            self._svg["title"] = data


def page(client, url: str) -> _Tables:
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = _Tables()
    parsed.feed(response.content.decode())
    parsed.html = response.content.decode()
    return parsed


def rupiah(text: str) -> int:
    """ "Rp 1.500.000" → 150000000 (minor units)."""
    assert re.fullmatch(r"Rp [\d.]+", text), text
    return int(text[3:].replace(".", "")) * 100


def csv_rows(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), url
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(client, url: str) -> list[list]:
    response = client.get(url)
    assert response.status_code == 200, url
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


def by_label(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in rows}


# The scene ----------------------------------------------------------------------------------------


def build_scene() -> dict:
    """Two regions. In Kabupaten Timur (WITA): a health challenge with Rp 300 juta from the
    APBD, a sponsor's Rp 50 juta of which Rp 10 juta went back, a published award of Rp 120 juta
    with its first Rp 60 juta paid; and a 2025 challenge with Rp 50 juta. In Kota Barat (WIB): a
    market challenge with Rp 200 juta whose award (SECRET, already paid) is not published."""
    official, finance = factories.UserFactory(roles=["official"]), factories.UserFactory(roles=["finance"])
    east = factories.region("Kabupaten Timur", timezone_name="Asia/Makassar")
    west = factories.region("Kota Barat", timezone_name="Asia/Jakarta")
    health = factories.SectorFactory(slug="kesehatan", name="Kesehatan", name_en="Health")
    markets = factories.SectorFactory(slug="pasar", name="Pasar", name_en="Markets")
    dinkes = factories.agency(east, officials=[official])
    diskop = factories.agency(west, officials=[official])

    posyandu = factories.challenge(
        agency_obj=dinkes,
        sector=health,
        title="Posyandu digital",
        slug="posyandu",
        incentives=(("grant", 300 * M),),
    )
    factories.allocation(posyandu, finance=finance, amount=300 * M, idempotency_key="east-1")
    pledge = factories.sponsor_pledge(posyandu, finance=finance, amount=50 * M, name="PT Mitra Sehat")
    payments_api.contribution_refund(
        contribution=pledge,
        amount=10 * M,
        reason="Kelebihan",
        by=finance,
        idempotency_key="r1",
        bank_reference="R-1",
    )
    owner = factories.UserFactory()
    proposal = factories.submitted_proposal(challenge_page=posyandu, owner=owner, amount=120 * M)
    Proposal.objects.filter(pk=proposal.pk).update(title="Aplikasi posyandu luring")
    award = factories.awarded_proposal(proposal, official=official, amount=120 * M, milestones=2)
    factories.publish_results(posyandu, official)
    factories.milestone_paid(award, owner=owner, official=official, finance=finance)

    older = factories.challenge(
        agency_obj=dinkes,
        sector=health,
        title="Antrean puskesmas",
        slug="antrean",
        opens_at=datetime.datetime(2025, 3, 1, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Makassar")),
        incentives=(("prize", 50 * M),),
    )
    factories.allocation(older, finance=finance, amount=50 * M, idempotency_key="east-2")

    market = factories.challenge(
        agency_obj=diskop,
        sector=markets,
        title="Retribusi pasar",
        slug="retribusi",
        incentives=(("prize", 200 * M),),
    )
    factories.allocation(market, finance=finance, amount=200 * M, idempotency_key="west-1")
    secret_owner = factories.UserFactory()
    secret_proposal = factories.submitted_proposal(challenge_page=market, owner=secret_owner, amount=SECRET)
    Proposal.objects.filter(pk=secret_proposal.pk).update(title="Usulan rahasia pasar")
    secret_award = factories.awarded_proposal(secret_proposal, official=official, amount=SECRET, milestones=1)
    factories.milestone_paid(
        secret_award, owner=secret_owner, official=official, finance=finance, bank_reference="X"
    )
    return {
        "official": official,
        "finance": finance,
        "east": east,
        "west": west,
        "posyandu": posyandu,
        "older": older,
        "market": market,
        "award": award,
        "secret_award": secret_award,
    }


@pytest.fixture(scope="class")
def _scene_built(django_db_setup, django_db_blocker):
    """Built once for the class, rolled back after its last test; each test runs in a savepoint."""
    with rolled_back_after_module(django_db_blocker):
        yield build_scene()


@pytest.fixture
def scene(_scene_built, db):
    """The scene (``build_scene``), with this test's own copy of its objects."""
    return own_copy(_scene_built)


def ledger_figures(challenge) -> dict[str, int]:
    """The figures of one challenge computed here from the ledger's rows, one by one (not with
    the page's SQL), leaving out the transactions of awards whose results are unpublished."""
    hidden_commitments = set(
        Commitment.objects.filter(disclosed_at__isnull=True).values_list("reference", flat=True)
    )
    hidden_payouts = {
        str(pk)
        for pk in Disbursement.objects.filter(commitment__reference__in=hidden_commitments).values_list(
            "pk", flat=True
        )
    }
    figures = dict.fromkeys(["allocated", "sponsored", "returned", "awarded", "paid"], 0)
    for entry in Entry.objects.filter(
        transaction__fund__reference=challenge_reference(challenge.pk)
    ).select_related("transaction", "account", "transaction__reverses"):
        txn = entry.transaction
        key = txn.idempotency_key.split(":")
        if txn.reference in hidden_commitments or (
            key[0] in ("disbursement", "payout") and key[1] in hidden_payouts
        ):
            continue
        kind = entry.account.kind
        if kind == Account.Kind.BUDGET_SOURCE:
            figures["allocated"] -= entry.amount
        elif kind == Account.Kind.SPONSOR_SOURCE and txn.kind == "contribution":
            figures["sponsored"] -= entry.amount
        elif kind == Account.Kind.SPONSOR_SOURCE:
            figures["returned"] += entry.amount
        elif kind == Account.Kind.COMMITTED and (
            txn.kind == "award" or (txn.kind == "reversal" and txn.reverses and txn.reverses.kind == "award")
        ):
            figures["awarded"] += entry.amount
        elif kind == Account.Kind.GRANTS_PAID:
            figures["paid"] += entry.amount
    figures["remaining"] = (
        figures["allocated"] + figures["sponsored"] - figures["returned"] - figures["awarded"]
    )
    return figures


MONEY_KEYS = ["allocated", "sponsored", "returned", "awarded", "paid", "remaining"]


# Tests --------------------------------------------------------------------------------------------


class TestTheScene:
    """In a class, so that the scene is gone before the module's other tests, which make their own
    money and count every challenge's."""

    def test_the_tables_are_the_sums_of_the_ledger(self, client, scene):
        expected = {c.title: ledger_figures(c) for c in (scene["posyandu"], scene["older"], scene["market"])}
        # The scene in words, as a check on the ledger reading above.
        assert expected["Posyandu digital"] == {
            "allocated": 300 * M,
            "sponsored": 50 * M,
            "returned": 10 * M,
            "awarded": 120 * M,
            "paid": 60 * M,
            "remaining": 220 * M,
        }
        assert expected["Retribusi pasar"] == dict.fromkeys(MONEY_KEYS, 0) | {
            "allocated": 200 * M,
            "remaining": 200 * M,
        }

        parsed = page(client, "/transparency/")

        challenges = by_label(parsed.tables["challenges"][1:])
        for title, figures in expected.items():
            # challenge, region, projects, then the money columns
            assert [rupiah(cell) for cell in challenges[title][2:]] == [figures[key] for key in MONEY_KEYS], (
                title
            )
        assert challenges["Posyandu digital"][1] == "Aplikasi posyandu luring"

        regions = by_label(parsed.tables["by-region"][1:])
        east = [expected["Posyandu digital"][key] + expected["Antrean puskesmas"][key] for key in MONEY_KEYS]
        assert regions["Kabupaten Timur"][0] == "2"
        assert [rupiah(cell) for cell in regions["Kabupaten Timur"][1:]] == east
        assert [rupiah(cell) for cell in regions["Kota Barat"][1:]] == [
            expected["Retribusi pasar"][k] for k in MONEY_KEYS
        ]
        total = [sum(figures[key] for figures in expected.values()) for key in MONEY_KEYS]
        assert [rupiah(cell) for cell in regions["Total"][1:]] == total
        for slug in ("by-agency", "by-sector", "by-year", "by-kind"):
            assert [rupiah(cell) for cell in by_label(parsed.tables[slug][1:])["Total"][1:]] == total, slug
        years = by_label(parsed.tables["by-year"][1:])
        assert [rupiah(cell) for cell in years["2025"][1:]] == [
            expected["Antrean puskesmas"][k] for k in MONEY_KEYS
        ]
        kinds = by_label(parsed.tables["by-kind"][1:])
        assert rupiah(kinds["Hibah"][1]) == 300 * M and rupiah(kinds["Hadiah"][1]) == 250 * M

        # The flow: sources and where the money is add up to the same total.
        # APBD, sponsors; then paid, awarded still to pay, returned to sponsors, still available.
        flow = [rupiah(amount) for _label, amount in parsed.tables["flow"][1:]]
        assert flow == [550 * M, 50 * M, 60 * M, 60 * M, 10 * M, 470 * M]
        assert sum(flow[:2]) == sum(flow[2:]) == 600 * M
        # The month of the payment, in the region's time.
        monthly = parsed.tables["monthly"]
        assert [rupiah(row[1]) for row in monthly[1:-1]] == [60 * M]

    def test_every_download_says_what_the_page_says(self, client, scene):
        parsed = page(client, "/transparency/")
        for slug in TABLES[:-1]:
            html = parsed.tables[slug]
            as_csv = csv_rows(client, f"/transparency/download/{slug}.csv")
            assert len(as_csv) == len(html), slug
            for html_row, csv_row in zip(html[1:], as_csv[1:], strict=True):
                for html_cell, csv_cell in zip(html_row, csv_row, strict=True):
                    if html_cell.startswith("Rp "):
                        assert rupiah(html_cell) == int(csv_cell) * 100, slug
                    else:
                        assert html_cell == csv_cell, slug
            as_xlsx = xlsx_rows(client, f"/transparency/download/{slug}.xlsx")
            assert [[str(value) for value in row] for row in as_xlsx] == as_csv, slug

    def test_the_journal_downloads_match_its_page(self, client, scene):
        journal = page(client, "/transparency/journal/")
        lines = journal.html.count("<tr>") - 1
        as_csv = csv_rows(client, "/transparency/download/journal.csv")
        assert len(as_csv) - 1 == lines
        page_amounts = sorted(
            rupiah(cell) for cell in re.findall(r'data-label="Jumlah">(Rp [\d.]+)<', journal.html)
        )
        assert page_amounts == sorted(int(row[-1]) * 100 for row in as_csv[1:])
        as_xlsx = xlsx_rows(client, "/transparency/download/journal.xlsx")
        assert [[str(value) for value in row] for row in as_xlsx] == as_csv

    def test_filters_by_region_and_year_and_a_bad_value_is_an_error_on_its_field(self, client, scene):
        east = scene["east"]
        regions = by_label(page(client, f"/transparency/?region={east.slug}").tables["by-region"][1:])
        assert set(regions) == {"Kabupaten Timur", "Total"}

        in_2025 = page(client, "/transparency/?year=2025")
        assert set(by_label(in_2025.tables["challenges"][1:])) == {"Antrean puskesmas", "Total"}
        assert by_label(csv_rows(client, "/transparency/download/challenges.csv?year=2025")[1:]).keys() == {
            "Antrean puskesmas",
            "Total",
        }

        bad = page(client, "/transparency/?region=tidak-ada&year=2025")
        assert re.search(r'class="field field--error">\s*<label for="id_region"', bad.html)
        assert 'id="id_year"' in bad.html and not re.search(
            r'field--error">\s*<label for="id_year"', bad.html
        )
        # The bad region is ignored, the year still applies.
        assert set(by_label(bad.tables["challenges"][1:])) == {"Antrean puskesmas", "Total"}
        assert "field--error" in page(client, "/transparency/?year=duaribu").html

    def test_nothing_of_an_unpublished_determination_shows_until_its_results_are_published(
        self, client, scene
    ):
        def everything() -> str:
            texts = []
            for url in (
                "/transparency/",
                "/en/transparency/",
                "/transparency/journal/",
                "/en/transparency/journal/",
                # The same sums elsewhere: the challenge's own page and the ledger API.
                "/challenges/retribusi/",
                "/api/v1/ledger/",
            ):
                texts.append(client.get(url).content.decode())
            for slug in TABLES:
                texts.append(client.get(f"/transparency/download/{slug}.csv").content.decode("utf-8-sig"))
                texts.append(repr(xlsx_rows(client, f"/transparency/download/{slug}.xlsx")))
            return "\n".join(texts)

        before = everything()
        assert [marker for marker in SECRET_MARKERS if marker in before] == []
        assert "Usulan rahasia pasar" not in before
        # The money kept for it is still counted as not yet awarded.
        regions = by_label(page(client, "/transparency/").tables["by-region"][1:])
        assert rupiah(regions["Kota Barat"][-1]) == 200 * M

        factories.publish_results(scene["market"], scene["official"])

        after = everything()
        assert "73.456.789" in after and "73456789" in after and "Usulan rahasia pasar" in after
        challenges = by_label(page(client, "/transparency/").tables["challenges"][1:])
        assert rupiah(challenges["Retribusi pasar"][5]) == SECRET  # awarded
        assert rupiah(challenges["Retribusi pasar"][6]) == SECRET  # paid

    def test_the_journal_speaks_plainly_and_filters(self, client, scene):
        journal = page(client, "/transparency/journal/")
        html = journal.html
        for internal in (
            "award:",
            "challenge:",
            "milestone:",
            "organisation:",
            "payout:",
            "Dicadangkan untuk pemenang",
        ):
            assert internal not in html, internal
        assert "Komitmen" not in html and "-Rp" not in html and "num--negative" not in html
        assert "Masuk" in html and "Keluar" in html
        assert f'href="/projects/{scene["award"].pk}/"' in html
        for row in csv_rows(client, "/transparency/download/journal.csv")[1:]:
            assert int(row[-1]) > 0 and not any("award:" in cell or "challenge:" in cell for cell in row)

        out = csv_rows(client, "/transparency/download/journal.csv?direction=out")[1:]
        # The payment to the winner and the refund to the sponsor.
        assert sorted(int(row[-1]) for row in out) == [10_000_000, 60_000_000]
        assert {row[1] for row in out} == {"Keluar"}

        west = csv_rows(client, f"/transparency/download/journal.csv?region={scene['west'].slug}")[1:]
        assert [int(row[-1]) for row in west] == [200_000_000]
        older = csv_rows(client, "/transparency/download/journal.csv?challenge=antrean")[1:]
        assert [row[3] for row in older] == ["Antrean puskesmas"]
        this_month = datetime.date.today().strftime("%Y-%m")
        assert len(csv_rows(client, f"/transparency/download/journal.csv?month={this_month}")) > 1
        assert len(csv_rows(client, "/transparency/download/journal.csv?month=1999-01")) == 1
        bad = page(client, "/transparency/journal/?month=maret&direction=out")
        assert "field--error" in bad.html and "Tulis bulan sebagai tahun-bulan" in bad.html
        assert "Masuk</span>" not in bad.html  # the direction still applies

    def test_the_charts_are_images_with_titles_and_no_script_is_needed(self, client, scene):
        parsed = page(client, "/transparency/")
        assert len(parsed.svgs) == 3
        for svg in parsed.svgs:
            assert svg["attrs"]["role"] == "img" and svg["attrs"].get("aria-labelledby")
            assert svg["title"] and svg["title"].strip()
        main = parsed.html[parsed.html.index("<main") : parsed.html.index("</main>")]
        assert "<script" not in main
        # Each chart has its numbers in a table next to it.
        assert {"flow", "by-region", "monthly"} <= set(parsed.tables)

    # Summed by the database ----------------------------------------------------------------------

    def test_the_sql_sums_are_the_ledger_sums_of_each_fund_and_keep_undisclosed_awards_out(self, scene):
        from marketplace.publicdata import money

        challenges = [scene["posyandu"], scene["older"], scene["market"]]

        def sql_figures() -> dict[int, dict[str, int]]:
            return {
                row.pk: {key: getattr(row.money, key) for key in MONEY_KEYS} for row in money.money_rows()
            }

        summed = sql_figures()
        for challenge in challenges:
            assert summed[challenge.pk] == ledger_figures(challenge), challenge.title
        # The market's award is undisclosed: none of its money shows, though it was paid.
        assert summed[scene["market"].pk]["awarded"] == summed[scene["market"].pk]["paid"] == 0
        # The groups add up to the same figures: per region, and in all.
        groups = money.money_groups()
        west = [group for group in groups if group.region_pk == scene["west"].pk]
        assert sum(group.challenges for group in west) == 1
        assert west[0].money.allocated == 200 * M and west[0].money.awarded == 0
        assert sum(group.money.paid for group in groups) == 60 * M
        # payments' own reading of the kept totals says the same for every fund.
        public = payments_api.public_fund_totals()
        for challenge in challenges:
            figures = public[challenge_reference(challenge.pk)]
            assert figures == {key: summed[challenge.pk][key] for key in MONEY_KEYS[:-1]}

        factories.publish_results(scene["market"], scene["official"])

        summed = sql_figures()
        assert summed[scene["market"].pk]["awarded"] == summed[scene["market"].pk]["paid"] == SECRET
        for challenge in challenges:
            assert summed[challenge.pk] == ledger_figures(challenge), challenge.title


def test_unknown_downloads_are_not_found(client):
    assert client.get("/transparency/download/secrets.csv").status_code == 404
    assert client.get("/transparency/download/by-region.pdf").status_code == 404


def _challenges_with_money(count: int, official, finance) -> None:
    region = factories.region()
    agency = factories.agency(region, officials=[official])
    for _ in range(count):
        challenge = factories.challenge(agency_obj=agency, incentives=(("grant", 10 * M),))
        factories.allocation(challenge, finance=finance, amount=10 * M, idempotency_key=f"k{challenge.pk}")
        factories.sponsor_pledge(challenge, finance=finance, amount=1 * M, bank_reference=f"B{challenge.pk}")
        owner = factories.UserFactory()
        proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner, amount=5 * M)
        award = factories.awarded_proposal(proposal, official=official, amount=5 * M, milestones=2)
        factories.publish_results(challenge, official)
        factories.milestone_paid(
            award, owner=owner, official=official, finance=finance, bank_reference=f"S{award.pk}"
        )


@pytest.mark.parametrize("url", ["/transparency/", "/transparency/journal/", "/transparency/?year=2026"])
def test_query_counts_do_not_grow_with_data(client, url, django_assert_max_num_queries):
    official, finance = factories.UserFactory(roles=["official"]), factories.UserFactory(roles=["finance"])
    _challenges_with_money(1, official, finance)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _challenges_with_money(3, official, finance)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# A page at a time --------------------------------------------------------------------------------


def _challenges_with_allocations(count: int, finance, region=None) -> list:
    region = region or factories.region()
    agency = factories.agency(region)
    made = []
    for number in range(count):
        challenge = factories.challenge(agency_obj=agency, title=f"Tantangan halaman {number:02d}")
        factories.allocation(
            challenge, finance=finance, amount=(number + 1) * M, idempotency_key=f"page-{challenge.pk}"
        )
        made.append(challenge)
    return made


def test_the_challenge_table_is_paged_and_its_download_has_every_row(client, monkeypatch):
    from marketplace.publicdata import views

    monkeypatch.setattr(views, "CHALLENGE_PAGE_SIZE", 2)
    finance = factories.UserFactory(roles=["finance"])
    made = _challenges_with_allocations(5, finance)
    # A challenge without money is in no table.
    factories.challenge(agency_obj=made[0].agency, title="Tantangan tanpa dana")

    first = page(client, "/transparency/")
    assert [row[0] for row in first.tables["challenges"][1:]] == [
        "Tantangan halaman 00",
        "Tantangan halaman 01",
        "Total",
    ]
    # The total is the total of every challenge, whatever the page.
    assert rupiah(first.tables["challenges"][-1][3]) == 15 * M
    assert 'href="?page=2#challenges"' in first.html and "Tantangan 1 sampai 2 dari 5" in first.html

    seen = []
    for number in (1, 2, 3):
        rows = page(client, f"/transparency/?page={number}#challenges").tables["challenges"][1:-1]
        seen += [(row[0], rupiah(row[3])) for row in rows]
    assert seen == [(f"Tantangan halaman {n:02d}", (n + 1) * M) for n in range(5)]
    # A page past the end shows the last one; a page that is no number, the first.
    assert page(client, "/transparency/?page=99").tables["challenges"][1][0] == "Tantangan halaman 04"
    assert page(client, "/transparency/?page=dua").tables["challenges"][1][0] == "Tantangan halaman 00"

    # The filters stay in the page links; the download has every row, without the page.
    filtered = page(client, f"/transparency/?region={made[0].agency.region.slug}")
    assert f'href="?region={made[0].agency.region.slug}&amp;page=2#challenges"' in filtered.html
    assert (
        "download/challenges.csv?region=" in filtered.html
        and "page="
        not in re.findall(r'href="/transparency/download/challenges\.csv([^"]*)"', filtered.html)[0]
    )
    as_csv = csv_rows(client, "/transparency/download/challenges.csv?page=2")
    assert [row[0] for row in as_csv[1:]] == [f"Tantangan halaman {n:02d}" for n in range(5)] + ["Total"]
    as_xlsx = xlsx_rows(client, "/transparency/download/challenges.xlsx")
    assert [[str(value) for value in row] for row in as_xlsx] == as_csv


@pytest.mark.parametrize("url", ["/transparency/", "/transparency/?page=2", "/transparency/?year=2026"])
def test_the_page_runs_at_most_eight_queries_with_one_challenge_or_many(client, url, monkeypatch):
    from marketplace.publicdata import views

    monkeypatch.setattr(views, "CHALLENGE_PAGE_SIZE", 2)
    official, finance = factories.UserFactory(roles=["official"]), factories.UserFactory(roles=["finance"])
    _challenges_with_money(1, official, finance)
    client.get(url)  # the first request of all stores the site's settings
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _challenges_with_money(2, official, finance)
    _challenges_with_allocations(4, finance, region=factories.region(timezone_name="Asia/Jakarta"))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert "Tantangan 3 sampai 4 dari 7" in response.content.decode() or "page=2" not in url
    assert len(many.captured_queries) == len(one.captured_queries) <= 8, [
        query["sql"][:120] for query in many.captured_queries
    ]
