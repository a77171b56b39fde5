"""Nothing public before it is public: a crawl of everything an anonymous visitor can reach
(pages in both languages, the API, search, the ledger) finds no determination before its
results are published, no draft, no private file and no personal detail.

The probe found an award's committed amount ("Komitmen award:3 Rp 70.000.000") on the challenge
page, /transparency/ and /api/v1/ledger/ while the results were still unpublished. The crawl is
shown to reach those places by finding the same amount once the results are published."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.awards.services import determinations as determinations_services
from marketplace.awards.services import progress as progress_services
from marketplace.proposals.models import Proposal
from tests import factories
from tests.support.crawl import TITLE, crawl, pages_showing

pytestmark = [pytest.mark.django_db, pytest.mark.long]

# The awarded amount, written as pages (Rp 73.456.789), the ledger API (minor units) and the
# search documents would show it.
AWARD = 73_456_789_00
AWARD_MARKERS = ("73.456.789", "7345678900", "73456789")
DRAFT_TITLE = "Tantangan draf belum terbit Zamrud"
APPLICANT_EMAIL = "pelamar.rahasia@contoh.id"
PRIVATE_FILE = "proposal-berkas-rahasia-kuarsa"
PROPOSAL_TITLE = "Usulan yang belum didanai Safir"
SEARCHES = ("/search/?q=Safir", "/search/?q=Zamrud", "/api/v1/search/?q=Safir")
# The grantee's progress report kept private, and an evidence file sent to the agency.
PRIVATE_REPORT = "Laporan kemajuan draf Akik belum untuk umum"
EVIDENCE_FILE = "bukti-tahap-rahasia-giok"


@pytest.fixture
def scene(private_media):
    """A challenge with an award whose results are unpublished, beside a draft challenge, an
    applicant's contact details, a private attachment and a proposal that was not funded."""
    official = factories.UserFactory(roles=["official"])
    finance = factories.UserFactory(roles=["finance"])
    challenge = factories.challenge(officials=[official], title="Tantangan layanan air desa")
    factories.allocation(challenge, finance=finance, amount=100_000_000_00)
    owner = factories.UserFactory(email=APPLICANT_EMAIL)
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner, amount=80_000_000_00)
    award = factories.awarded_proposal(
        proposal, official=official, amount=AWARD, milestones=1, accepted_by=owner
    )
    # The grantee reports the milestone with an evidence file and keeps a progress report private.
    milestone = award.milestones.get()
    determinations_services.milestone_report(
        milestone=milestone,
        by=owner,
        report="Selesai.",
        files=[
            SimpleUploadedFile(f"{EVIDENCE_FILE}.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        ],
    )
    progress_services.progress_report_publish(
        milestone=milestone, by=owner, text=PRIVATE_REPORT, links=["https://contoh.id/akik"], public=False
    )
    rejected_owner = factories.UserFactory()
    other = factories.submitted_proposal(challenge_page=challenge, owner=rejected_owner)
    Proposal.objects.filter(pk=other.pk).update(title=PROPOSAL_TITLE)
    attachment = proposal.attachments.create(
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name=f"{PRIVATE_FILE}.pdf"),
        display_name=f"{PRIVATE_FILE}.pdf",
        content_type="application/pdf",
        size=15,
        sha256="0" * 64,
        uploaded_by=owner,
    )
    factories.challenge(officials=[official], title=DRAFT_TITLE, publish=False)
    return challenge, official, award, attachment


def test_an_anonymous_crawl_finds_nothing_before_its_time(scene):
    challenge, official, _award, _attachment = scene

    before = crawl(also_start=SEARCHES)

    assert f"/challenges/{challenge.slug}/" in before and "/api/v1/ledger/" in before
    assert pages_showing(before, AWARD_MARKERS) == []
    assert pages_showing(before, [DRAFT_TITLE]) == []
    assert pages_showing(before, [APPLICANT_EMAIL]) == []
    assert pages_showing(before, [PRIVATE_FILE]) == []
    assert pages_showing(before, [PROPOSAL_TITLE]) == []
    assert pages_showing(before, [PRIVATE_REPORT, "contoh.id/akik", EVIDENCE_FILE]) == []
    # Every page's title is plain text (a template slip once put a whole section in one).
    titles = {url: TITLE.search(body) for url, body in before.items() if "<html" in body}
    assert [url for url, title in titles.items() if title is None or "<" in title.group(1)] == []

    # Once the results are published the same crawl finds the award: it does look there.
    factories.publish_results(challenge, official)
    after = crawl(also_start=SEARCHES)
    assert "/api/v1/ledger/" in pages_showing(after, AWARD_MARKERS)
    assert "/transparency/" in pages_showing(after, AWARD_MARKERS)
    assert "/transparency/journal/" in pages_showing(after, AWARD_MARKERS)
    assert "/transparency/download/challenges.csv" in pages_showing(after, AWARD_MARKERS)
    assert pages_showing(after, [DRAFT_TITLE, APPLICANT_EMAIL, PRIVATE_FILE, PROPOSAL_TITLE]) == []
    # The project page is public now, with its delivery; the private report and evidence are not.
    assert f"/projects/{_award.pk}/" in after
    assert pages_showing(after, [PRIVATE_REPORT, "contoh.id/akik", EVIDENCE_FILE]) == []


def test_parts_kept_after_insiders_made_them_show_an_anonymous_crawl_nothing_before_its_time(
    scene, settings, django_capture_on_commit_callbacks
):
    """The kept parts of public pages (``{% public_part %}``) are made first by the challenge's
    official and by the grantee, who may see more; the anonymous crawl that follows still finds
    nothing before its time, and the award once the results are published."""
    from django.core.cache import cache

    settings.DATA_CACHE_SECONDS, settings.PAGE_CACHE_SECONDS = 300, 0
    cache.clear()
    challenge, official, award, _attachment = scene
    for insider in (official, award.proposal.created_by):
        crawl(also_start=(*SEARCHES, f"/projects/{award.pk}/"), client=factories.signed_in_client(insider))

    before = crawl(also_start=SEARCHES)
    assert f"/challenges/{challenge.slug}/" in before and "/projects/" in before
    private = [*AWARD_MARKERS, DRAFT_TITLE, APPLICANT_EMAIL, PRIVATE_FILE, PROPOSAL_TITLE]
    assert pages_showing(before, private) == []
    assert pages_showing(before, [PRIVATE_REPORT, "contoh.id/akik", EVIDENCE_FILE]) == []

    with django_capture_on_commit_callbacks(execute=True):
        factories.publish_results(challenge, official)
    after = crawl(also_start=SEARCHES)
    assert "/transparency/" in pages_showing(after, AWARD_MARKERS)
    assert "/api/v1/ledger/" in pages_showing(after, AWARD_MARKERS)
    assert f"/projects/{award.pk}/" in pages_showing(after, AWARD_MARKERS)
    assert pages_showing(after, [DRAFT_TITLE, APPLICANT_EMAIL, PRIVATE_FILE, PROPOSAL_TITLE]) == []
    assert pages_showing(after, [PRIVATE_REPORT, "contoh.id/akik", EVIDENCE_FILE]) == []
