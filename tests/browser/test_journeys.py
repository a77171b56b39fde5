"""Every role's journey in real Chromium (Debian's package) against the live server: what each
person clicks, from the first page to the last. Each page reached is checked with axe-core and
for sideways scrolling at 375 px and 1366 px (tests/browser/journeys.py); the last page of each
journey is kept as a screenshot in test-artifacts/journeys/."""

from __future__ import annotations

import datetime
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from playwright.sync_api import expect, sync_playwright

from tests import factories
from tests.browser.journeys import Journey
from tests.conftest import STRIPE_TEST_KEY, STRIPE_WEBHOOK_SECRET
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS
from tests.support.stripe_emulator import register_webhook

STRIPE_JS_STANDIN = Path(__file__).with_name("stripe_js_standin.js")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.long,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser():
    """A Chromium per journey (about a second to start): a browser kept across tests could still
    be talking to the live server while the next test's database is being set up. Each person
    in a journey gets their own context (cookies, tabs)."""
    # Playwright's sync API runs an event loop in this thread; the factories' database calls
    # between browser steps are synchronous and safe (Django would otherwise refuse them).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def journey(browser, live_server):
    """``journey(name)`` opens a tab for one person. A journey that stops before its end leaves
    a screenshot of where it stopped (test-artifacts/journeys/<name>-stopped.png)."""
    opened: list[Journey] = []

    def open_tab(name: str, **options) -> Journey:
        tab = Journey(browser, live_server.url, name, **options)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        if tab.context.pages:  # the journey stopped before its end: keep where it stopped
            tab.keep_failure()
            tab.context.close()


@pytest.fixture
def sectors():
    health = factories.SectorFactory(slug="kesehatan", name="Kesehatan", name_en="Health")
    markets = factories.SectorFactory(slug="pasar-umkm", name="Pasar dan UMKM", name_en="Markets")
    return health, markets


def _email_to(address: str) -> str:
    """The body of the email sent to ``address`` (sent by the live server's thread)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        bodies = [m.body for m in mail.outbox if address in m.to]
        if bodies:
            return bodies[-1]
        time.sleep(0.1)
    raise AssertionError(f"no email to {address}: {[m.to for m in mail.outbox]}")


# The public ------------------------------------------------------------------------------------


def test_the_public_browses_filters_searches_with_a_typo_and_switches_language(journey, sectors):
    health, markets = sectors
    clinic = factories.challenge(title="Antrean puskesmas daring", sector=health, slug="antrean-puskesmas")
    clinic.title_en = "Online queueing at community health centres"
    clinic.save_revision().publish()
    factories.challenge(title="Retribusi pasar nontunai", sector=markets, slug="retribusi-pasar")

    visitor = journey("public")
    page = visitor.goto("/")
    visitor.follow("Tantangan", exact=True)
    expect(page.get_by_role("link", name="Retribusi pasar nontunai")).to_be_visible()

    # The filters fold under one line on a phone.
    page.get_by_text("Saring tantangan").click()
    page.get_by_label("Sektor").select_option("kesehatan")
    visitor.press("Terapkan")
    expect(page.get_by_role("link", name="Antrean puskesmas daring")).to_be_visible()
    expect(page.get_by_role("link", name="Retribusi pasar nontunai")).to_have_count(0)

    # A search with a typo still finds the challenge.
    visitor.goto("/challenges/")
    page.get_by_text("Saring tantangan").click()
    page.get_by_role("textbox", name="Cari", exact=True).fill("puskesmaz")
    visitor.press("Terapkan")
    expect(page.get_by_role("link", name="Antrean puskesmas daring")).to_be_visible()

    visitor.follow(_("Projects"), exact=True)
    visitor.follow(_("Transparency"), exact=True)
    visitor.goto("/transparency/journal/")
    visitor.goto("/challenges/?q=puskesmaz")
    visitor.follow("Antrean puskesmas daring")
    expect(page.get_by_role("heading", level=1)).to_have_text("Antrean puskesmas daring")
    visitor.follow("English", exact=True)
    assert page.url.endswith("/en/challenges/antrean-puskesmas/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Online queueing at community health centres")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    visitor.finish()


# The applicant ---------------------------------------------------------------------------------


def test_an_applicant_signs_up_registers_an_organisation_drafts_attaches_and_submits(
    journey, sectors, tmp_path, private_media
):
    region = factories.region("Kabupaten Sumba Barat")
    factories.challenge(
        title="Antrean puskesmas daring", sector=sectors[0], slug="antrean-puskesmas", region_page=region
    )
    # allauth sends one confirmation per address every few minutes (its rate limit, in Redis).
    address = f"ayu-{uuid.uuid4().hex[:8]}@kode.id"
    applicant = journey("applicant")
    page = applicant.goto("/accounts/signup/")
    page.locator("input[name=full_name]").fill("Ayu Lestari")
    page.locator("input[name=email]").fill(address)
    page.locator("input[name=password1]").fill("Kopi-Sumba-2026")
    page.locator("input[name=password2]").fill("Kopi-Sumba-2026")
    with page.expect_navigation():
        page.locator("input[name=password2]").press("Enter")
    applicant.seen()

    # The link in the email confirms the address and signs the applicant in.
    confirm_path = re.search(r"https?://[^/\s]+(/\S*confirm-email/\S+)", _email_to(address)).group(1)
    applicant.goto(confirm_path)
    applicant.press(re.compile(_("Confirm"), re.IGNORECASE))

    # Applying first asks for an organisation.
    applicant.goto("/challenges/antrean-puskesmas/")
    applicant.follow(_("Submit a proposal"))
    assert "/organisations/new/" in page.url
    page.get_by_label(_("Name"), exact=True).fill("PT Kode Nusantara")
    page.get_by_label(_("Kind")).select_option("startup")
    page.get_by_label(_("Region")).select_option(label="Kabupaten Sumba Barat")
    applicant.press(re.compile(_("Register"), re.IGNORECASE))

    applicant.goto("/challenges/antrean-puskesmas/")
    applicant.follow(_("Submit a proposal"))
    page.get_by_label(_("Applying organisation")).select_option(label="PT Kode Nusantara")
    page.get_by_label(_("Title")).fill("AntreSehat")
    page.get_by_label(_("Summary")).fill("Antrean puskesmas lewat SMS.")
    page.get_by_label(_("Requested amount (Rp)")).fill("100.000.000")
    # The draft page saves by itself every 30 seconds: the page's clock is moved on instead.
    page.clock.install()
    applicant.press(_("Save draft"))
    draft_url = page.url

    page.get_by_label(_("Understanding of the problem")).fill("Warga menunggu lama di puskesmas.")
    page.clock.run_for(31_000)
    expect(page.locator("#autosave-status")).not_to_be_empty()
    page.reload()
    expect(page.get_by_label(_("Understanding of the problem"))).to_have_value(
        "Warga menunggu lama di puskesmas."
    )

    due = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    page.get_by_label(_("Proposed solution")).fill("Aplikasi ringan yang juga bisa lewat SMS.")
    page.get_by_label(_("How it serves the target beneficiaries")).fill("Lansia bisa memakainya lewat SMS.")
    page.get_by_label(_("Implementation plan")).fill("Uji coba tiga bulan.")
    page.get_by_label(f"{_('Deliverable')} 1").fill("Uji coba")
    page.get_by_label(f"{_('Due date')} 1").fill(due)
    page.locator("input[name=milestones-0-amount]").fill("100.000.000")
    page.get_by_label(f"{_('Category')} 1").select_option("software")
    page.get_by_label(f"{_('Description')} 1").fill("Pengembangan")
    page.locator("input[name=budget-0-amount]").fill("100.000.000")
    page.get_by_label(f"{_('Name')} 1").fill("Ayu Lestari")
    page.get_by_label(f"{_('Role in the project')} 1").fill("Ketua tim")
    applicant.press(_("Save draft"))
    assert page.url.split("#")[0] == draft_url

    proof = tmp_path / "rencana-kerja.pdf"
    proof.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.get_by_label(_("File"), exact=True).set_input_files(proof)
    applicant.press(_("Attach file"))
    expect(page.get_by_role("link", name="rencana-kerja.pdf")).to_be_visible()

    applicant.press(_("Submit proposal"))
    expect(page.get_by_text(_("Proposal submitted. The agency will review it.")).first).to_be_visible()
    applicant.finish()


# The reviewer ----------------------------------------------------------------------------------


def test_a_reviewer_declares_no_conflict_scores_and_submits(journey, official, challenge):
    proposal = factories.proposal_in_review(challenge, official=official, title="AntreSehat")
    reviewer = factories.UserFactory(username="penilai", roles=["reviewer"])
    factories.assign(proposal, reviewer, status="awaiting_declaration")

    tab = journey("reviewer")
    tab.sign_in("penilai")
    page = tab.goto("/workspace/")
    # The home counts what waits; the reviews area lists it.
    tab.follow(re.compile(f"^{re.escape(_('Reviews'))}$"))
    tab.follow(re.compile(re.escape(_("Declare any conflict of interest"))))
    page.get_by_label(_("I have no conflict of interest with this proposal")).check()
    tab.press(_("Send my declaration"))
    if page.get_by_role("link", name=_("Open the review")).count():
        tab.follow(_("Open the review"))

    for group, score in zip(page.get_by_role("radiogroup").all(), ("4", "5"), strict=True):
        group.get_by_label(score, exact=True).check()
    page.get_by_label(_("Fund as proposed")).check()
    tab.press(_("Submit review"))
    expect(page.get_by_role("button", name=_("Submit review"))).to_have_count(0)
    assert proposal.review_assignments.get().review.status == "submitted"
    tab.finish()


# Finance: two officers, four eyes ----------------------------------------------------------------


def test_finance_officers_approve_release_four_eyes_and_record_the_transfer(journey, tmp_path, private_media):
    approver = factories.UserFactory(username="bendahara1", roles=["official", "finance"])
    releaser = factories.UserFactory(username="bendahara2", roles=["finance"])
    challenge = factories.challenge(officials=[approver], title="Antrean puskesmas daring")
    factories.allocation(challenge, finance=releaser, amount=500_000_000_00)
    owner = factories.UserFactory()
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner, amount=100_000_000_00)
    award = factories.awarded_proposal(proposal, official=approver, milestones=2, accepted_by=owner)
    factories.bank_details_verified(
        proposal.organisation,
        owner=owner,
        official=factories.UserFactory(roles=["official"]),
        account_holder="PT Uji",
    )
    from marketplace.awards.services import determinations

    first = award.milestones.order_by("position").first()
    determinations.milestone_report(milestone=first, by=owner, report="Uji coba di tiga puskesmas selesai.")

    # The first officer approves the milestone; the release is not theirs to make.
    first_officer = journey("finance-approver")
    first_officer.sign_in("bendahara1")
    page = first_officer.goto(f"/projects/{award.pk}/")
    first_officer.press(re.compile(re.escape(_("Approve for payment"))))
    first.refresh_from_db()
    assert first.status == "approved"
    release_path = f"/workspace/disbursements/{first.disbursement_id}/release/"
    first_officer.goto(release_path)
    expect(page.get_by_role("button", name=_("Release payment"))).to_have_count(0)
    first_officer.finish()

    # The second officer releases it and records the treasury's transfer.
    second_officer = journey("finance")
    second_officer.sign_in("bendahara2")
    page = second_officer.goto(release_path)
    second_officer.press(_("Release payment"))
    # The manual rail: nothing is paid until the treasury transfers and its proof is recorded.
    expect(
        page.get_by_text(
            _(
                "Payment released. It now waits for the treasury (BPKAD) to transfer it; record the "
                "transfer and its proof on this payment once the treasury has paid."
            )
        ).first
    ).to_be_visible()
    second_officer.goto(release_path)
    page.get_by_label(_("Bank transfer reference (SP2D / receipt no.)")).fill("SP2D-0001")
    proof = tmp_path / "sp2d-0001.pdf"
    proof.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.get_by_label(_("Transfer proof"), exact=True).set_input_files(proof)
    second_officer.press(_("Record the transfer"))
    first.refresh_from_db()
    assert first.status == "paid"
    second_officer.goto(f"/projects/{award.pk}/")
    second_officer.finish()


# The sponsor -----------------------------------------------------------------------------------


@pytest.fixture
def card_payments(settings, stripe_emulator, live_server):
    """Stripe configured (the emulator), its webhooks sent to the live server."""
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_marketplace"
    webhook_id = f"journeys-{uuid.uuid4().hex[:8]}"
    register_webhook(
        stripe_emulator,
        f"{live_server.url}/payments/webhooks/stripe/",
        STRIPE_WEBHOOK_SECRET,
        webhook_id=webhook_id,
        events=["payment_intent.succeeded"],
    )
    yield stripe_emulator
    # Stop sending this session's later events to a server that is about to stop.
    register_webhook(stripe_emulator, "http://127.0.0.1:9/", "off", webhook_id=webhook_id, events=["none"])


def _route_stripe_to_the_emulator(page, emulator_url: str) -> None:
    """Stripe.js is the stand-in (stripe_js_standin.js); its calls to api.stripe.com go to the
    emulator, authenticated as Stripe authenticates the browser's client secret."""
    page.route(
        "https://js.stripe.com/v3/**",
        lambda route: route.fulfill(path=STRIPE_JS_STANDIN, content_type="application/javascript"),
    )

    def api(route):
        request = route.request
        fields = dict(urllib.parse.parse_qsl(request.post_data or ""))
        fields.pop("client_secret", None)
        forwarded = urllib.request.Request(
            emulator_url + urllib.parse.urlsplit(request.url).path,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Authorization": f"Bearer {STRIPE_TEST_KEY}"},
        )
        try:
            with urllib.request.urlopen(forwarded, timeout=10) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as refused:
            status, body = refused.code, refused.read()
        route.fulfill(
            status=status,
            body=body,
            headers={"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
        )

    page.route("https://api.stripe.com/**", api)


def test_a_sponsor_pledges_and_pays_by_card(journey, card_payments, stripe_outage_forgotten):
    factories.UserFactory(username="sponsor", roles=["sponsor"])
    challenge = factories.challenge(title="Antrean puskesmas daring", slug="antrean-puskesmas")

    tab = journey("sponsor")
    _route_stripe_to_the_emulator(tab.page, card_payments)
    tab.sign_in("sponsor")

    # A pledge by bank transfer: the page says how to transfer.
    page = tab.goto("/challenges/antrean-puskesmas/")
    tab.follow(_("Contribute"))
    page.get_by_label(_("Amount (Rp)")).fill("2.500.000")
    page.get_by_label(re.compile("transfer", re.IGNORECASE)).first.check()
    page.get_by_label(_("Show my name and amount on the challenge page")).check()
    tab.press(_("Continue"))
    expect(page.get_by_role("heading", name=_("How to transfer"))).to_be_visible()

    # A card payment through Stripe (the emulator), counted when its webhook arrives.
    tab.goto("/challenges/antrean-puskesmas/")
    tab.follow(_("Contribute"))
    page.get_by_label(_("Amount (Rp)")).fill("1.000.000")
    page.get_by_label(re.compile("Stripe")).first.check()
    tab.press(_("Continue"))
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    tab.seen()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"Rp\s?1\.000\.000")).click()
    tab.seen()
    expect(page.get_by_role("status").filter(has_text="Stripe")).to_be_visible()

    from payments.models import Contribution

    card = Contribution.objects.get(rail="stripe", fund__reference=f"challenge:{challenge.pk}")
    deadline = time.monotonic() + 20
    while Contribution.objects.get(pk=card.pk).status != "succeeded" and time.monotonic() < deadline:
        time.sleep(0.2)
    page.reload()
    expect(page.get_by_role("link", name=_("Receipt (to print or save)"))).to_be_visible()
    tab.seen()
    tab.finish()


# The official and the agency head, in the Wagtail admin --------------------------------------------


def test_an_official_submits_a_challenge_for_approval_and_the_agency_head_approves_it(journey):
    from marketplace.challenges.models import ChallengeIndexPage, ChallengePage
    from marketplace.challenges.services.challenges import region_setup_permissions

    region = factories.region("Kabupaten Sumba Barat", timezone_name="Asia/Makassar")
    official = factories.UserFactory(username="pejabat", roles=["official"], is_staff=True)
    head = factories.UserFactory(username="kepala", roles=["agency_head"], is_staff=True)
    agency = factories.agency(region, officials=[official], heads=[head])
    region_setup_permissions(region=region)
    sector = factories.SectorFactory(slug="kesehatan", name="Kesehatan", name_en="Health")
    index = region.get_children().type(ChallengeIndexPage).first()

    tab = journey("official")
    tab.sign_in("pejabat")
    page = tab.goto(f"/admin/pages/add/challenges/challengepage/{index.pk}/")
    now = timezone.localtime(timezone.now())
    page.locator("#id_title").fill("Antrean puskesmas daring")
    page.locator("#id_summary").fill("Pasien menunggu berjam-jam di puskesmas.")
    # The agency and the sector are Wagtail choosers (a modal over a hidden input).
    page.locator("#id_agency").evaluate("(input, value) => { input.value = value; }", str(agency.pk))
    sector_input = page.locator("#id_sector")
    if sector_input.get_attribute("type") == "hidden":
        sector_input.evaluate("(input, value) => { input.value = value; }", str(sector.pk))
    else:
        sector_input.select_option(str(sector.pk))
    page.locator("#id_opens_at").fill((now - datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M"))
    page.locator("#id_closes_at").fill((now + datetime.timedelta(days=20)).strftime("%Y-%m-%d %H:%M"))
    # Wagtail's tabs answer once its scripts have started: press again until the panel shows.
    offer_tab = page.get_by_role("tab", name=_("Incentives, criteria and sponsors"))
    for _attempt in range(10):
        offer_tab.click()
        if page.locator("#id_incentives-0-kind").is_visible():
            break
        page.wait_for_timeout(300)
    page.locator("#id_incentives-0-kind").select_option("grant")
    page.locator("#id_incentives-0-amount").fill("150.000.000")
    page.locator("#id_criteria-0-name").fill("Dampak")
    page.locator("#id_criteria-0-weight").fill("100")
    # Wagtail saves the new page as a draft by itself and moves to its edit address: the
    # submit button then sends the form there (pressed earlier, it would create a second page).
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))
    tab.seen()
    # The action menu folds "Submit to …" under the main button.
    page.get_by_role("button", name=_("More actions")).last.click()
    with page.expect_navigation():
        page.locator("button[name=action-submit]").click()
    tab.seen()
    challenge = ChallengePage.objects.get(title="Antrean puskesmas daring")
    assert challenge.workflow_in_progress and not challenge.live
    task_state = challenge.current_workflow_task_state
    tab.goto(reverse("wagtailadmin_pages:view_draft", args=(challenge.pk,)))
    expect(page.get_by_role("heading", level=1)).to_have_text("Antrean puskesmas daring")
    tab.finish()

    # The agency head finds it on the dashboard, previews it and approves it: it goes live.
    head_tab = journey("agency-head")
    head_tab.sign_in("kepala")
    page = head_tab.goto("/admin/")
    expect(page.get_by_text("Antrean puskesmas daring").first).to_be_visible()
    head_tab.goto(reverse("wagtailadmin_pages:workflow_preview", args=(challenge.pk, task_state.task.pk)))
    expect(page.get_by_role("heading", level=1)).to_have_text("Antrean puskesmas daring")
    head_tab.goto(f"/admin/pages/{challenge.pk}/edit/")
    page.get_by_role("button", name=_("More actions")).last.click()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^" + re.escape(_("Approve")))).first.click()
    head_tab.seen()
    challenge.refresh_from_db()
    assert challenge.live
    head_tab.goto("/challenges/")
    head_tab.follow("Antrean puskesmas daring")
    expect(page.get_by_role("heading", level=1)).to_have_text("Antrean puskesmas daring")
    head_tab.finish()
