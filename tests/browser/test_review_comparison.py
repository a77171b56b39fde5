"""Real Chromium reads the review comparison table on a phone and on a laptop: the page never
scrolls sideways; on a 1366 px laptop every column is in view, on a phone each proposal is a
card with every figure under its column's name."""

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from tests.review.test_comparison import build_example, url
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("width", [375, 1366])
def test_the_comparison_table_is_never_cut_off(live_server, client, width):
    example = build_example()
    client.force_login(example.official)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="id-ID")
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page = context.new_page()
        page.goto(live_server.url + url(example))

        assert page.evaluate("document.documentElement.scrollWidth") <= width
        frame = page.locator(".table-wrap:has(.comparison-table)")
        box = frame.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        overflow = frame.evaluate("e => e.scrollWidth - e.clientWidth")
        if width >= 1366:
            assert overflow <= 0  # every column, the running total included, is in view
            last = page.locator(".comparison-table thead th").last
            assert last.is_visible() and last.bounding_box()["x"] + last.bounding_box()["width"] <= width
        else:
            # On a phone each proposal is a card: every figure under its column's name, nothing cut.
            assert overflow <= 0
            assert page.locator(".comparison-table td[data-label]").count() > 0
        browser.close()
