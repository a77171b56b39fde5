"""Proposal attachments: type judged by content, size limit, the virus-scan hook, random
stored names outside MEDIA_ROOT, sanitised display names, and downloads only for the people
who may read them (by URL guessing too)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import DomainError
from marketplace.proposals.attachments import PrivateStorage, accept_everything
from marketplace.proposals.models import ProposalAttachment
from marketplace.proposals.services import attachments as attachments_services
from marketplace.proposals.services import consortium as consortium_services
from marketplace.proposals.services import drafts as drafts_services
from marketplace.proposals.services import submission as submission_services
from tests import factories
from tests.proposals.cast import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages", "private_media")]

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def office_file(main_part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<doc/>")
    return buffer.getvalue()


def refuse_files_named_eicar(upload) -> tuple[bool, str]:
    """A scanner for the hook: refuses files that carry the EICAR test signature."""
    if b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in upload.read():
        return False, "EICAR test signature found."
    return True, ""


@dataclass
class Scene(Cast):
    proposal: object
    # Who else may or may not download, for ``people`` (which invites the partners per test).
    partner_owner: object
    partner_org: object
    invited_owner: object
    invited_org: object
    other_official: object
    other_applicant: object
    reviewer: object


def build_scene() -> Scene:
    """What tests/conftest.py's ``official``, ``region``, ``challenge`` and ``owner`` build, the
    applicant's complete draft, and the people of the download tests (no file is written)."""
    official = factories.UserFactory(roles=["official"])
    region = factories.region()
    challenge = factories.challenge(region_page=region, officials=[official])
    owner = factories.UserFactory()
    draft = drafts_services.proposal_create(
        by=owner,
        organisation=factories.organisation(owner),
        challenge=challenge,
        title="Usulan",
        requested_amount=10_000_000_00,
    )
    proposal = factories.complete_proposal(draft, by=owner)
    partner_owner, invited_owner = factories.UserFactory(), factories.UserFactory()
    return Scene(
        official=official,
        region=region,
        challenge=challenge,
        owner=owner,
        proposal=proposal,
        partner_owner=partner_owner,
        partner_org=factories.organisation(partner_owner),
        invited_owner=invited_owner,
        invited_org=factories.organisation(invited_owner),
        other_official=factories.official_elsewhere(),
        other_applicant=factories.applicant(),
        reviewer=factories.UserFactory(roles=["reviewer"]),
    )


@pytest.fixture
def proposal(scene):
    return scene.proposal


def upload(content: bytes, name: str = "proposal.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_a_pdf_is_stored_privately_under_a_random_name(proposal, owner, private_media):
    attachment = attachments_services.proposal_attachment_add(
        proposal=proposal, by=owner, upload=upload(PDF, 'C:\\fakepath\\Rencana "anggaran" <2026>.PDF')
    )
    assert attachment.display_name == "Rencana _anggaran_ _2026.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    stored = Path(attachment.file.path)
    assert stored.is_relative_to(private_media) and stored.read_bytes() == PDF
    assert "anggaran" not in stored.name and stored.suffix == ".pdf"
    with pytest.raises(ValueError):
        _ = attachment.file.url  # no public address, ever
    assert not (Path(private_media).parent / "media").exists()


@pytest.mark.parametrize(
    "content, name, expected",
    [
        (PNG, "foto.png", "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "foto.jpeg", "image/jpeg"),
        (
            office_file("word/document.xml"),
            "proposal.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            office_file("xl/workbook.xml"),
            "rab.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        # The content decides, not the name.
        (PDF, "gambar.png", "application/pdf"),
    ],
)
def test_accepted_kinds_are_recognised_by_content(proposal, owner, content, name, expected):
    attachment = attachments_services.proposal_attachment_add(
        proposal=proposal, by=owner, upload=upload(content, name)
    )
    assert attachment.content_type == expected


@pytest.mark.parametrize(
    "content, name",
    [
        (b"MZ\x90\x00\x03\x00\x00\x00", "rencana.pdf"),  # a Windows program dressed as a PDF
        (b"<html><script>alert(1)</script></html>", "rencana.docx"),
        (b"#!/bin/sh\nrm -rf /\n", "anggaran.xlsx"),
        # ZIP archives that are not office documents get their own reasons: tests/security.
    ],
)
def test_other_kinds_are_refused_whatever_their_name(proposal, owner, content, name):
    with pytest.raises(DomainError, match="Only PDF files, images"):
        attachments_services.proposal_attachment_add(
            proposal=proposal, by=owner, upload=upload(content, name)
        )
    assert not ProposalAttachment.objects.exists()


def test_files_above_the_size_limit_are_refused(settings, proposal, owner):
    settings.PROPOSAL_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(DomainError, match="too large"):
        attachments_services.proposal_attachment_add(
            proposal=proposal, by=owner, upload=upload(PDF + b"0" * 2000)
        )
    assert not ProposalAttachment.objects.exists()


def test_the_virus_scan_hook_sees_every_file_and_may_refuse_it(settings, proposal, owner, private_media):
    assert accept_everything(upload(PDF)) == (True, "")
    settings.PROPOSAL_ATTACHMENT_SCANNER = f"{__name__}.refuse_files_named_eicar"
    infected = PDF + b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    with pytest.raises(DomainError, match="EICAR test signature found"):
        attachments_services.proposal_attachment_add(proposal=proposal, by=owner, upload=upload(infected))
    assert not ProposalAttachment.objects.exists() and not any(Path(private_media).rglob("*.pdf"))
    attachments_services.proposal_attachment_add(proposal=proposal, by=owner, upload=upload(PDF))


def test_upload_through_the_page_shows_a_field_error(client, proposal, owner):
    client.force_login(owner)
    response = client.post(
        f"/workspace/proposals/{proposal.pk}/attachments/", {"file": upload(b"MZ\x90\x00", "a.pdf")}
    )
    assert response.status_code == 400 and 'id="id_file_error"' in response.text
    response = client.post(
        f"/workspace/proposals/{proposal.pk}/attachments/", {"file": upload(PDF, "rab.pdf")}
    )
    assert response.status_code == 302
    assert ProposalAttachment.objects.get().display_name == "rab.pdf"


def test_attaching_a_file_saves_what_was_typed_in_the_draft_first(client, proposal, owner):
    """The "Attach file" button submits the whole draft form, typed text and file together."""
    client.force_login(owner)
    page = client.get(f"/en/workspace/proposals/{proposal.pk}/").text
    assert 'form="proposal-form"' in page and 'formenctype="multipart/form-data"' in page
    typed = factories.proposal_form_data(proposal, solution="Teks yang baru saja diketik.")
    response = client.post(
        f"/en/workspace/proposals/{proposal.pk}/attachments/",
        {**typed, "draft": "1", "file": upload(PDF, "rab.pdf")},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.solution == "Teks yang baru saja diketik."
    assert ProposalAttachment.objects.get().display_name == "rab.pdf"
    shown = client.get(response["Location"]).text
    assert "Teks yang baru saja diketik." in shown and "“rab.pdf” attached." in shown


def test_attaching_with_a_draft_that_cannot_be_saved_keeps_the_typed_text_on_the_page(
    client, proposal, owner
):
    client.force_login(owner)
    typed = factories.proposal_form_data(proposal, title="", solution="Teks yang belum tersimpan.")
    before = proposal.solution
    response = client.post(
        f"/en/workspace/proposals/{proposal.pk}/attachments/",
        {**typed, "draft": "1", "file": upload(PDF, "rab.pdf")},
    )
    # The file is attached; the draft is not saved, and what was typed is back in its fields.
    assert response.status_code == 400
    assert "Your changes to the proposal are not saved yet: correct the fields marked below." in response.text
    assert "Teks yang belum tersimpan.</textarea>" in response.text
    assert 'id="id_title_error"' in response.text
    proposal.refresh_from_db()
    assert proposal.solution == before and ProposalAttachment.objects.get().display_name == "rab.pdf"


def test_a_submitted_version_keeps_its_files_after_removal(proposal, owner, official):
    attachment = attachments_services.proposal_attachment_add(proposal=proposal, by=owner, upload=upload(PDF))
    submission_services.proposal_submit(proposal=proposal, by=owner)
    submission_services.proposal_request_changes(proposal=proposal, by=official, note="Ganti lampiran.")
    attachments_services.proposal_attachment_remove(attachment=attachment, by=owner)
    attachment.refresh_from_db()
    assert attachment.removed_at is not None and Path(attachment.file.path).exists()
    assert proposal.versions.get().data["attachments"][0]["sha256"] == attachment.sha256


# Who may download --------------------------------------------------------------------------


@pytest.fixture
def people(scene, proposal, owner, official):
    accepted = consortium_services.proposal_partner_invite(
        proposal=proposal, by=owner, organisation=scene.partner_org, role="Mitra"
    )
    consortium_services.proposal_partner_respond(partner=accepted, by=scene.partner_owner, accept=True)
    consortium_services.proposal_partner_invite(
        proposal=proposal, by=owner, organisation=scene.invited_org, role="Mitra"
    )
    return {
        "applicant": owner,
        "accepted_partner": scene.partner_owner,
        "invited_partner": scene.invited_owner,
        "official": official,
        "other_official": scene.other_official,
        "other_applicant": scene.other_applicant,
        "reviewer": scene.reviewer,
    }


def test_downloads_only_for_those_who_may_read_them(client, proposal, owner, people):
    attachment = attachments_services.proposal_attachment_add(
        proposal=proposal, by=owner, upload=upload(PDF, "rab.pdf")
    )
    url = f"/workspace/proposals/{proposal.pk}/attachments/{attachment.pk}/"
    assert client.get(url).status_code == 302  # anonymous: sign in first

    def status(role):
        client.force_login(people[role])
        return client.get(url).status_code

    # A draft: only the applicants (lead and accepted partners).
    assert {role: status(role) for role in people} == {
        "applicant": 200,
        "accepted_partner": 200,
        "invited_partner": 403,
        "official": 403,
        "other_official": 403,
        "other_applicant": 403,
        "reviewer": 403,
    }
    client.force_login(owner)
    response = client.get(url)
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="rab.pdf"'
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"

    # Once submitted, the owning agency's officials too.
    for partner in proposal.partners.filter(status="invited"):
        consortium_services.proposal_partner_remove(partner=partner, by=owner)
    submission_services.proposal_submit(proposal=proposal, by=owner)
    assert status("official") == 200
    assert status("other_official") == 403 and status("reviewer") == 403


def test_guessing_another_proposals_attachment_finds_nothing(client, proposal, owner, challenge):
    secret = attachments_services.proposal_attachment_add(proposal=proposal, by=owner, upload=upload(PDF))
    snoop = factories.UserFactory()
    org = factories.organisation(snoop)
    own = drafts_services.proposal_create(
        by=snoop, organisation=org, challenge=challenge, title="Milik sendiri", requested_amount=1_000_00
    )
    client.force_login(snoop)
    assert client.get(f"/workspace/proposals/{own.pk}/attachments/{secret.pk}/").status_code == 404
    assert client.get(f"/workspace/proposals/{proposal.pk}/attachments/{secret.pk}/").status_code == 403
    assert client.get(f"/media/{secret.file.name}").status_code == 404
    assert client.get(f"/workspace/proposals/{own.pk}/attachments/{secret.pk}/remove/").status_code == 405
    assert client.post(f"/workspace/proposals/{own.pk}/attachments/{secret.pk}/remove/").status_code == 404
    assert ProposalAttachment.objects.filter(pk=secret.pk, removed_at__isnull=True).exists()


@pytest.mark.parametrize(
    "role", ["other_applicant", "reviewer", "official", "other_official", "accepted_partner"]
)
def test_only_the_lead_uploads_and_removes(client, proposal, owner, people, role):
    attachment = attachments_services.proposal_attachment_add(proposal=proposal, by=owner, upload=upload(PDF))
    client.force_login(people[role])
    base = f"/workspace/proposals/{proposal.pk}/attachments/"
    assert client.post(base, {"file": upload(PDF)}).status_code == 403
    assert client.post(f"{base}{attachment.pk}/remove/").status_code == 403
    assert ProposalAttachment.objects.filter(removed_at__isnull=True).count() == 1


def test_private_storage_follows_the_setting(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "elsewhere"
    assert PrivateStorage().path("x.pdf") == str(tmp_path / "elsewhere" / "x.pdf")
