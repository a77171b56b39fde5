"""Projects in public: the grantee's public progress report, and what a funded project's page
shows of its delivery (planned and actual dates, acceptance, payment and rail, a timeline and
when it last changed). Drafts of the report and the evidence files sent to the agency never
show."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.errors import DomainError
from core.models import AuditEntry
from marketplace.awards.models import Milestone, ProgressReport
from marketplace.awards.services import awards as awards_services
from marketplace.awards.services import determinations as determinations_services
from marketplace.awards.services import progress as progress_services
from marketplace.finance import services as payout_services
from payments.models import Disbursement
from tests import factories
from tests.factories import signed_in_client
from tests.support.module_data import media_folders, own_copy_with_files, rolled_back_after_module

pytestmark = pytest.mark.django_db

PUBLIC_TEXT = "Aplikasi antrean dipakai di tiga puskesmas Kolaka; 1.240 warga mendaftar lewat SMS."
PUBLIC_LINK = "https://contoh.id/foto-uji-coba"
DRAFT_TEXT = "Catatan internal Berlian: server cadangan belum dibayar"
EVIDENCE_FILE = "daftar-hadir-rahasia-opal"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def indonesian(text: str, **values) -> str:
    with translation.override("id"):
        return gettext(text) % values if values else gettext(text)


def build_world() -> SimpleNamespace:
    """A public project: the first milestone reported (with a private evidence file), accepted
    and paid by bank transfer, with a public progress report; the second has a draft report
    the grantee did not make public."""
    official = factories.UserFactory(roles=["official"], first_name="Maria", last_name="Ngongo")
    finance = factories.UserFactory(roles=["finance"], first_name="Budi", last_name="Kasir")
    owner = factories.UserFactory()
    member = factories.UserFactory()
    challenge = factories.challenge(officials=[official], title="Antrean puskesmas")
    factories.allocation(challenge, finance=finance, amount=50_000_000_00)
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner, amount=30_000_000_00)
    proposal.organisation.memberships.create(user=member, role="member")
    award = factories.awarded_proposal(
        proposal, official=official, amount=30_000_000_00, milestones=2, accepted_by=owner
    )
    factories.publish_results(challenge, official)
    first, second = award.milestones.order_by("position")
    first = determinations_services.milestone_report(
        milestone=first,
        by=owner,
        report="Selesai.",
        files=[SimpleUploadedFile(f"{EVIDENCE_FILE}.pdf", PDF, content_type="application/pdf")],
    )
    first = awards_services.milestone_approve(milestone=first, by=official)
    factories.bank_details_verified(
        proposal.organisation, owner=owner, official=official, account_holder=proposal.organisation.name
    )
    first.refresh_from_db()
    disbursement = Disbursement.objects.get(pk=first.disbursement_id)
    awards_services.disbursement_release(disbursement=disbursement, by=finance)
    payout_services.disbursement_record_paid(
        disbursement=disbursement,
        by=finance,
        bank_reference="SP2D-0042",
        proof=SimpleUploadedFile("sp2d.pdf", PDF, content_type="application/pdf"),
    )
    progress_services.progress_report_publish(
        milestone=first, by=member, text=PUBLIC_TEXT, links=[PUBLIC_LINK], public=True
    )
    progress_services.progress_report_publish(
        milestone=second, by=owner, text=DRAFT_TEXT, links=["https://contoh.id/draf-rahasia"], public=False
    )
    first.refresh_from_db()
    return SimpleNamespace(
        official=official,
        finance=finance,
        owner=owner,
        member=member,
        challenge=challenge,
        proposal=proposal,
        award=award,
        first=first,
        second=second,
    )


@pytest.fixture(scope="module")
def _world_built(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once, rolled back after the module; each test runs in a savepoint of it. Its files
    (the evidence, the transfer proof) are written in a folder of the module's."""
    media = media_folders(tmp_path_factory.mktemp("world"))
    with rolled_back_after_module(django_db_blocker, **media):
        with translation.override(django_settings.LANGUAGE_CODE):  # as each test builds it (_site_language)
            world = build_world()
        yield world, media


@pytest.fixture
def world(_world_built, db, private_media, settings) -> SimpleNamespace:
    """The test's own copy of the world, with the world's files in the test's own folder
    (``private_media``), as if the test had built it."""
    world, media = _world_built
    return own_copy_with_files(world, media, settings)


def _date(moment: datetime.datetime, challenge) -> str:
    """A date as the page shows it in Indonesian (the region's zone)."""
    from django.utils.formats import date_format

    with translation.override("id"):
        return date_format(timezone.localtime(moment, challenge.agency.region.zoneinfo).date(), "DATE_FORMAT")


# The public page ---------------------------------------------------------------------------------


def test_the_project_page_shows_delivery_to_anyone(world, client):
    page = client.get(f"/projects/{world.award.pk}/").text
    first = Milestone.objects.get(pk=world.first.pk)
    report = ProgressReport.objects.get(milestone=first)
    # Planned and actual dates.
    assert indonesian("Planned date") in page and indonesian("Reported done") in page
    with translation.override("id"):
        from django.utils.formats import date_format

        assert date_format(first.due_date, "DATE_FORMAT") in page
    assert _date(first.reported_at, world.challenge) in page
    # The public report, its link (the page links it, for citizens to follow), and its date.
    assert PUBLIC_TEXT in page
    assert f'href="{PUBLIC_LINK}"' in page
    # The agency's acceptance: its date and the agency, not the official.
    assert indonesian("Accepted by the agency") in page and world.challenge.agency.name in page
    assert "Maria" not in page and "Ngongo" not in page
    # The payment: amount, date and rail in plain words; not who released it nor the SP2D.
    assert indonesian("Bank transfer by the regional treasury") in page
    assert "Rp 15.000.000" in page
    assert "Budi" not in page and "SP2D-0042" not in page
    # The timeline, newest first, and "last updated" = the latest event (the report published).
    assert indonesian("Project timeline") in page
    timeline = page[page.index('id="timeline-title"') :]
    published = timeline.index(indonesian("Progress report published for “%(title)s”", title=first.title))
    paid = timeline.index("Rp 15.000.000")
    awarded = timeline.index("Rp 30.000.000")
    assert published < paid < awarded
    updated = page[page.index(indonesian("Last updated")) :]
    shown = re.search(r'datetime="([^"]+)"', updated).group(1)
    assert datetime.datetime.fromisoformat(shown) == report.published_at


def test_drafts_and_private_evidence_never_show_in_public(world, client):
    for url in (f"/projects/{world.award.pk}/", f"/en/projects/{world.award.pk}/", "/projects/"):
        page = client.get(url).text
        assert DRAFT_TEXT not in page and "draf-rahasia" not in page
        assert EVIDENCE_FILE not in page and "/evidence/" not in page
    # Another signed-in user (not of the grantee, not the agency) sees the public page only.
    page = signed_in_client(factories.UserFactory()).get(f"/projects/{world.award.pk}/").text
    assert DRAFT_TEXT not in page and EVIDENCE_FILE not in page and PUBLIC_TEXT in page


def test_a_report_made_private_again_leaves_the_public_page(world, client):
    progress_services.progress_report_publish(
        milestone=world.first, by=world.owner, text=PUBLIC_TEXT, links=[PUBLIC_LINK], public=False
    )
    page = client.get(f"/projects/{world.award.pk}/").text
    assert PUBLIC_TEXT not in page and PUBLIC_LINK not in page


def test_the_project_page_runs_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    client.get(f"/projects/{world.award.pk}/")  # warm the per-process caches
    with django_assert_max_num_queries(40) as captured:
        client.get(f"/projects/{world.award.pk}/")
    few = len(captured.captured_queries)
    # More milestones, reports and payments change nothing.
    for milestone in world.award.milestones.all():
        ProgressReport.objects.update_or_create(
            milestone=milestone, defaults={"text": "x", "public": True, "written_by": world.owner}
        )
    with django_assert_max_num_queries(few):
        client.get(f"/projects/{world.award.pk}/")


# Writing the report ------------------------------------------------------------------------------


def test_the_grantee_writes_the_report_from_the_project_page(world):
    client = signed_in_client(world.member)
    project = client.get(f"/projects/{world.award.pk}/").text
    url = f"/workspace/milestones/{world.second.pk}/progress/"
    assert url in project
    assert DRAFT_TEXT in client.get(url).text  # the draft comes back to be edited
    response = client.post(
        url,
        {
            "text": "Pelatihan kader selesai.",
            "links": "https://contoh.id/a\nhttp://contoh.id/b",
            "public": "on",
        },
    )
    assert response.status_code == 302 and response.url == f"/projects/{world.award.pk}/"
    report = ProgressReport.objects.get(milestone=world.second)
    assert report.public and report.links == ["https://contoh.id/a", "http://contoh.id/b"]
    assert report.written_by == world.member and report.published_at is not None
    entry = AuditEntry.objects.filter(action="milestone.progress_report_saved", object_id=report.pk).latest(
        "pk"
    )
    assert entry.actor_id == world.member.pk and entry.after["public"] is True
    page = Client().get(f"/projects/{world.award.pk}/").text
    assert "Pelatihan kader selesai." in page and 'href="http://contoh.id/b"' in page


ROLES = ["anonymous", "other_member", "official", "reviewer", "finance", "sponsor"]


def _someone(role: str, world):
    if role == "anonymous":
        return None
    if role == "other_member":
        return factories.applicant()
    if role == "official":
        return world.official
    if role == "reviewer":
        return factories.UserFactory(roles=["reviewer"])
    if role == "finance":
        return world.finance
    return factories.UserFactory(roles=["sponsor"])


@pytest.mark.parametrize("role", ROLES)
def test_nobody_but_the_grantee_may_write_the_report(world, role):
    user = _someone(role, world)
    before = ProgressReport.objects.get(milestone=world.second)
    url = f"/workspace/milestones/{world.second.pk}/progress/"
    client = signed_in_client(user) if user else Client()
    for response in (client.get(url), client.post(url, {"text": "Diambil alih", "public": "on"})):
        if user is None:
            assert response.status_code == 302 and "/accounts/login/" in response.url
        else:
            assert response.status_code == 403
    if user is not None:
        with pytest.raises(DomainError) as refused:
            progress_services.progress_report_publish(
                milestone=world.second, by=user, text="Diambil alih", links=[], public=True
            )
        assert refused.value.message == indonesian(
            "Only the grantee may write the public progress report of this milestone."
        )
    after = ProgressReport.objects.get(milestone=world.second)
    assert (after.text, after.public, after.updated_at) == (before.text, before.public, before.updated_at)


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"text": "Baik", "links": "javascript:alert(1)"},
            "links",
            "“%(link)s” is not a web address. Write each link starting with http:// or https://.",
        ),
        (
            {"text": "Baik", "links": "ftp://contoh.id/berkas"},
            "links",
            "“%(link)s” is not a web address. Write each link starting with http:// or https://.",
        ),
        ({"text": "x" * 4001}, "text", "The report may be at most %(max)d characters; it has %(n)d."),
    ],
)
def test_bad_input_is_refused_in_indonesian_and_changes_nothing(world, data, field, message):
    before = ProgressReport.objects.get(milestone=world.first)
    client = signed_in_client(world.owner)
    response = client.post(f"/workspace/milestones/{world.first.pk}/progress/", {**data, "public": "on"})
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    values = {"link": data.get("links", ""), "max": 4000, "n": len(data["text"])}
    assert errors == [indonesian(message, **values)]
    assert "http" in errors[0] or "4000" in errors[0]
    after = ProgressReport.objects.get(milestone=world.first)
    assert (after.text, after.links, after.updated_at) == (before.text, before.links, before.updated_at)
    assert PUBLIC_TEXT in Client().get(f"/projects/{world.award.pk}/").text


def test_the_report_waits_for_the_agreement(world):
    proposal = factories.submitted_proposal(
        challenge_page=factories.challenge(officials=[world.official]), owner=factories.UserFactory()
    )
    factories.allocation(proposal.challenge, finance=world.finance, idempotency_key="dpa-2")
    award = factories.awarded_proposal(proposal, official=world.official, milestones=1)
    owner = proposal.organisation.memberships.get().user
    with pytest.raises(DomainError) as refused:
        progress_services.progress_report_publish(
            milestone=award.milestones.get(), by=owner, text="Mulai", links=[], public=True
        )
    assert refused.value.message == indonesian(
        "Accept the agreement first: the project starts when it is accepted."
    )
    assert not ProgressReport.objects.filter(milestone__award=award).exists()
