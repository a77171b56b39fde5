"""Real Chromium reads /transparency/ on a small phone and on a laptop: no sideways scrolling,
the charts and their tables are there, and a download works."""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests import factories
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

M = 1_000_000_00


@pytest.fixture
def money():
    """Two regions with money: allocations, a sponsor, a published award with a payment."""
    official, finance = factories.UserFactory(roles=["official"]), factories.UserFactory(roles=["finance"])
    for n, title in enumerate(["Kabupaten Sumba Barat Daya", "Kota Pontianak"]):
        agency = factories.agency(factories.region(title), officials=[official])
        challenge = factories.challenge(agency_obj=agency, title=f"Layanan publik daring nomor {n}")
        factories.allocation(challenge, finance=finance, amount=1_250_000_000_00, idempotency_key=f"a{n}")
        factories.sponsor_pledge(challenge, finance=finance, amount=75 * M, bank_reference=f"B{n}")
        owner = factories.UserFactory()
        proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner, amount=400 * M)
        award = factories.awarded_proposal(proposal, official=official, amount=400 * M, milestones=2)
        factories.publish_results(challenge, official)
        factories.milestone_paid(
            award, owner=owner, official=official, finance=finance, bank_reference=f"S{n}"
        )


@pytest.mark.parametrize("width", [375, 1366])
def test_transparency_reads_well_on_a_phone_and_a_laptop(live_server, money, width):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="id-ID", accept_downloads=True
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/transparency/")

        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for chart in ("#flow-chart-title", "#region-chart-title", "#monthly-chart-title"):
            svg = page.locator(f"svg:has({chart})")
            svg.scroll_into_view_if_needed()
            assert svg.is_visible() and svg.get_attribute("role") == "img"
            box = svg.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
        for table in ("flow", "by-region", "monthly", "challenges"):
            located = page.locator(f'table[data-table="{table}"]')
            located.scroll_into_view_if_needed()
            assert located.is_visible(), table
        # Every amount stays on one line (a number never breaks in the middle).
        lines = page.eval_on_selector_all(
            "table[data-table] td.num",
            """cells => cells.map(cell => {
                const range = document.createRange();
                range.selectNodeContents(cell);
                return range.getClientRects().length;
            })""",
        )
        assert lines and set(lines) == {1}

        with page.expect_download() as download_info:
            page.locator('a[href*="/transparency/download/by-region.csv"]').first.click()
        body = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
        assert "Kota Pontianak" in body and "1250000000" in body
        browser.close()
