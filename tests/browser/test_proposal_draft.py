"""Real Chromium on the applicant's draft page: the autosave keeps what is typed across a reload,
attaching a file keeps the typed text, and leaving with unsaved changes asks first. (The database
is read through the pages: Playwright's loop makes direct queries here async-unsafe.)"""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from marketplace.proposals.models import Proposal
from marketplace.proposals.services import drafts as drafts_services
from tests import factories
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def draft(challenge, owner) -> Proposal:
    organisation = factories.organisation(owner, name="Koperasi Digital Sumba")
    return drafts_services.proposal_create(
        by=owner,
        organisation=organisation,
        challenge=challenge,
        title="Antrean daring",
        summary="Ringkasan",
        requested_amount=20_000_000_00,
    )


@pytest.fixture
def signed_in_page(live_server, owner, draft, private_media):
    """A phone-sized page signed in as the draft's owner (the session made by Django's client)."""
    client = Client()
    client.force_login(owner)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
        cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
        context.add_cookies([cookie])
        page = context.new_page()
        yield page, f"{live_server.url}/workspace/proposals/{draft.pk}/"
        browser.close()


def test_typed_text_is_saved_automatically_and_is_there_after_a_reload(signed_in_page):
    page, url = signed_in_page
    page.clock.install()  # the autosave runs every 30 seconds; the test moves the clock on
    page.goto(url)
    text = "Warga mendaftar lewat SMS; petugas puskesmas melihat antrean di layar."
    page.locator("#id_solution").press_sequentially(text[:12])
    page.locator("#id_solution").fill(text)
    page.clock.run_for(31_000)
    expect(page.locator("#autosave-status")).to_contain_text("Draf tersimpan otomatis")

    # Saved: leaving asks nothing, and the reloaded page (from the server) has the text again.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.reload()
    expect(page.locator("#id_solution")).to_have_value(text)
    assert dialogs == []


def test_attaching_a_file_keeps_the_text_typed_before(signed_in_page):
    page, url = signed_in_page
    page.goto(url)
    text = "Rencana uji coba tiga bulan di dua puskesmas."
    page.locator("#id_plan").fill(text)
    page.locator("#id_file").set_input_files(
        files=[{"name": "rab.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Lampirkan berkas").click()
    page.wait_for_url("**#attachments")
    expect(page.get_by_role("link", name="rab.pdf")).to_be_visible()
    # The page after the redirect is read from the server: the typed text was saved.
    expect(page.locator("#id_plan")).to_have_value(text)


def test_leaving_with_unsaved_changes_asks_first(signed_in_page):
    page, url = signed_in_page
    page.goto(url)
    page.locator("#id_problem").press_sequentially("Antrean panjang")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]


def test_the_counter_shows_the_limit_as_text_is_typed(signed_in_page):
    page, url = signed_in_page
    page.goto(url)
    summary = page.locator("#id_summary")
    summary.fill("x" * 120)
    expect(page.locator("#id_summary_counter")).to_have_text("120 / 2.000 karakter")
    summary.fill("x" * 2005)
    expect(page.locator("#id_summary_counter")).to_contain_text("kelebihan 5 karakter")
    assert summary.input_value() == "x" * 2005  # nothing cut
