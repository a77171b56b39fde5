"""Real Chromium at 320 px, the narrowest phone we design for: no page scrolls sideways, whether
public or a workspace, with a very long organisation name and Rp 140.000.000.000 on the page;
tables are read as labelled cards and an amount never breaks inside its number."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import sync_playwright

from tests import factories
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTH = 320
BILLIONS = 140_000_000_000_00  # Rp 140.000.000.000 in minor units
LONG_NAME = (
    "Koperasi Produsen Layanan Digital Kesehatan Masyarakat Pedesaan "
    "KabupatenSumbaBaratDayaBersatuSejahteraMandiriBerkelanjutan"
)


@pytest.fixture
def demo_like():
    """One region's round: a challenge worth Rp 140 billion, a proposal from an organisation with
    a very long name that is awarded and half paid, the second milestone waiting for the money,
    and a second proposal with a reviewer."""
    official = factories.UserFactory(username="pejabat", roles=["official"])
    finance = factories.UserFactory(username="keuangan", roles=["finance"])
    reviewer = factories.UserFactory(username="penilai", roles=["reviewer"])
    owner = factories.UserFactory(username="pemohon")
    organisation = factories.organisation(owner, name=LONG_NAME)
    agency = factories.agency(factories.region("Kabupaten Sumba Barat Daya"), officials=[official])
    challenge = factories.challenge(
        agency_obj=agency,
        title="Pencatatan gizi posyandu tanpa sinyal di seluruh kabupaten",
        slug="gizi-posyandu",
        incentives=(("grant", BILLIONS),),
    )
    factories.allocation(challenge, finance=finance, amount=BILLIONS)
    factories.sponsor_pledge(challenge, finance=finance, amount=BILLIONS // 100, name=LONG_NAME)
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner, amount=BILLIONS)
    award = factories.awarded_proposal(proposal, official=official, milestones=2)
    factories.milestone_paid(award, owner=owner, official=official, finance=finance)

    from marketplace.awards.models import Milestone
    from marketplace.awards.services import awards as awards_services
    from marketplace.awards.services import determinations

    second = award.milestones.exclude(status=Milestone.Status.PAID).get()
    determinations.milestone_report(milestone=second, by=owner, report="Selesai dikerjakan.")
    awards_services.milestone_approve(milestone=second, by=official)
    factories.publish_results(challenge, official)

    other = factories.challenge(agency_obj=agency, title="Antrean puskesmas daring", slug="antrean")
    in_review = factories.proposal_in_review(other, official=official, title=LONG_NAME)
    factories.assign(in_review, reviewer)
    return {
        "applicant": owner,
        "reviewer": reviewer,
        "finance": finance,
        "official": official,
        "proposal": proposal,
        "award": award,
        "organisation": organisation,
    }


def _session_cookie(user, url):
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": url,
    }


def _overflow(page) -> dict:
    return page.evaluate(
        """() => ({
            scrollWidth: document.scrollingElement.scrollWidth,
            innerWidth: window.innerWidth,
            wide: [...document.querySelectorAll('main *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 3).map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 40)),
        })"""
    )


def _broken_buttons(page) -> list[str]:
    """Buttons whose label takes more lines than it has words: a word broken inside."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main button, main .button')].filter(button => {
            const words = button.textContent.trim().split(/\\s+/).filter(Boolean).length;
            const range = document.createRange();
            range.selectNodeContents(button);
            const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            return words && lines.size > words;
        }).map(button => button.textContent.trim())"""
    )


def _assert_fits(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    measured = _overflow(page)
    assert measured["scrollWidth"] <= measured["innerWidth"], (url, measured)


def test_public_pages_fit_a_320_px_screen(live_server, demo_like):
    award = demo_like["award"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": WIDTH, "height": 740}, locale="id-ID")
        for path in (
            "/",
            "/challenges/",
            "/challenges/gizi-posyandu/",
            "/projects/",
            f"/projects/{award.pk}/",
            "/transparency/",
            "/open-data/",
            "/search/?q=posyandu",
            f"/organisations/{demo_like['organisation'].slug}/",
            "/en/challenges/gizi-posyandu/",
        ):
            _assert_fits(page, f"{live_server.url}{path}")
        # The long name and the big amount were on the pages that were measured.
        page.goto(f"{live_server.url}/challenges/gizi-posyandu/")
        assert page.get_by_text("Rp 140.000.000.000").first.is_visible()
        # The search button beside its wide box keeps its word whole, on a phone and a laptop.
        for width in (WIDTH, 1366):
            page.set_viewport_size({"width": width, "height": 740})
            for path in ("/search/?q=posyandu", "/en/search/?q=posyandu"):
                page.goto(f"{live_server.url}{path}")
                assert _broken_buttons(page) == [], (width, path)
        browser.close()


AREA_WITH_TABLES = {
    "applicant": "proposals",
    "reviewer": "reviews",
    "finance": "finance",
    "official": "approvals",
}


def test_each_workspace_fits_a_320_px_screen(live_server, demo_like):
    roles = ("applicant", "reviewer", "finance", "official")
    cookies = {role: _session_cookie(demo_like[role], live_server.url) for role in roles}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        for role in roles:
            context = browser.new_context(viewport={"width": WIDTH, "height": 740}, locale="id-ID")
            context.add_cookies([cookies[role]])
            page = context.new_page()
            _assert_fits(page, f"{live_server.url}/workspace/")
            # The home shows counts; the tables are on the area pages.
            _assert_fits(page, f"{live_server.url}/workspace/{AREA_WITH_TABLES[role]}/")
            if role != "official":  # the official's approvals here are lists, not tables
                _assert_cells_are_labelled(page)
            if role in ("applicant", "official"):
                _assert_fits(page, f"{live_server.url}/workspace/proposals/{demo_like['proposal'].pk}/")
                assert _lines_of_each_amount(page), "the amount is on the page"
            assert set(_lines_of_each_amount(page)) <= {1}, role
            context.close()
        browser.close()


def _assert_cells_are_labelled(page):
    """Each row of a table is a card: every cell after its column's header, in Indonesian."""
    cells = page.locator("main table.stacked td[data-label]")
    assert cells.count() > 0
    first = cells.first
    label = page.evaluate("cell => getComputedStyle(cell, '::before').content", first.element_handle())
    assert label.strip('"') == first.get_attribute("data-label") != ""


def _lines_of_each_amount(page) -> list[int]:
    """On how many lines each "140.000.000.000" on the page is drawn."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main *')].flatMap(e => [...e.childNodes]
            .filter(n => n.nodeType === 3 && n.data.includes('140.000.000.000'))
            .map(node => {
                const start = node.data.indexOf('140.000.000.000');
                const range = document.createRange();
                range.setStart(node, start);
                range.setEnd(node, start + 15);
                return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
            }))"""
    )
