"""Real Chromium (Debian's package) browsing the live server: filter by sector, open a challenge."""

import pytest
from playwright.sync_api import sync_playwright

from tests import factories
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser_page():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        # A small phone screen, as many of our users have.
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
        page = context.new_page()
        yield page
        browser.close()


@pytest.fixture
def two_sectors():
    health = factories.SectorFactory(slug="kesehatan", name="Kesehatan", name_en="Health")
    markets = factories.SectorFactory(slug="pasar-umkm", name="Pasar dan UMKM", name_en="Markets")
    factories.challenge(title="Antrean puskesmas daring", sector=health, slug="antrean-puskesmas")
    factories.challenge(title="Retribusi pasar nontunai", sector=markets, slug="retribusi-pasar")


def test_filter_by_sector_and_open_a_challenge(live_server, two_sectors, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/challenges/")
    assert page.get_by_role("link", name="Retribusi pasar nontunai").is_visible()

    # On a phone the filters are folded under one line, below the count; the results are shown.
    assert not page.get_by_label("Sektor").is_visible()
    page.get_by_text("Saring tantangan").click()
    page.get_by_label("Sektor").select_option("kesehatan")
    page.get_by_role("button", name="Terapkan").click()
    page.wait_for_url("**/challenges/?*sector=kesehatan*")
    assert page.get_by_role("link", name="Antrean puskesmas daring").is_visible()
    assert page.get_by_role("link", name="Retribusi pasar nontunai").count() == 0

    page.get_by_role("link", name="Antrean puskesmas daring").click()
    page.wait_for_url("**/challenges/antrean-puskesmas/")
    assert page.get_by_role("heading", level=1).inner_text() == "Antrean puskesmas daring"


def test_pages_work_without_javascript(live_server, two_sectors):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(f"{live_server.url}/challenges/?sector=pasar-umkm")
        assert page.get_by_role("link", name="Retribusi pasar nontunai").is_visible()
        assert page.get_by_role("link", name="Antrean puskesmas daring").count() == 0
        # On a wide screen the filters are an open sidebar, without a script to open them.
        assert page.viewport_size["width"] >= 1024 and page.locator("#id_sector").is_visible()
        browser.close()
