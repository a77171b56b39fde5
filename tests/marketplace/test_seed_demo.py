"""The demo data: loads on PostgreSQL, shows the features, and a second run changes nothing."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from marketplace.models import (
    AuditEntry,
    Award,
    ChallengePage,
    Membership,
    Notification,
    Organisation,
    OrganisationInvitation,
    Proposal,
    ProposalPartner,
    Question,
    VerificationDocument,
)
from payments.models import Entry, Transaction

pytestmark = pytest.mark.django_db

NEW_STEPS = ("Verification documents", "Membership invitations", "Consortium invitations")


def _counts():
    models = [
        get_user_model(),
        ChallengePage,
        Organisation,
        Proposal,
        Award,
        Question,
        Transaction,
        Entry,
        ProposalPartner,
        Membership,
        OrganisationInvitation,
        VerificationDocument,
        AuditEntry,
        Notification,
    ]
    return {model.__name__: model.objects.count() for model in models}


def _step_lines(output: str) -> dict[str, str]:
    return {line.split("…")[0]: line for line in output.splitlines() if "…" in line}


def test_seed_demo_is_idempotent_and_shows_the_features(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", force=True, stdout=io.StringIO())
    first = _counts()
    again = io.StringIO()
    call_command("seed_demo", force=True, stdout=again)
    assert _counts() == first
    lines = _step_lines(again.getvalue())
    for step in NEW_STEPS:
        assert "(0 new" in lines[step], lines[step]
    assert first["ChallengePage"] == 12 and first["Award"] >= 2

    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "withdrawn", "rejected", "awarded"} <= statuses
    page = client.get("/challenges/antrean-puskesmas-daring/")
    assert "gateway SMS" in page.text  # an answered public question
    assert "applicant2" not in page.text  # never who asked
    assert "Pasar Pintar" in client.get("/challenges/retribusi-pasar-nontunai/").text  # partner listing
    signed_in = client.post("/accounts/login/", {"login": "finance", "password": settings.DEMO_PASSWORD})
    assert signed_in.status_code == 302

    users = {user.username: user for user in get_user_model().objects.all()}
    _shows_consortia(client, users)
    _shows_membership_invitations(client, users)
    _shows_verification(client, users, settings.PRIVATE_MEDIA_ROOT)


def _shows_consortia(client, users):
    """A draft consortium with one partner accepted (role and share stated) and one still
    invited, whose owner can answer from the workspace; a submitted one whose partner accepted."""
    draft = Proposal.objects.get(title="Satu pintu pengaduan warga Sumba Barat", status="draft")
    partners = {p.organisation.name: p for p in draft.partners.select_related("organisation")}
    accepted = partners["Yayasan Literasi Sumba Lestari"]
    assert accepted.status == "accepted" and accepted.role and accepted.budget_share > 0
    waiting = partners["Komunitas Melek Digital Kapuas"]
    assert waiting.status == "invited" and waiting.budget_share > 0
    client.force_login(users["applicant2"])
    workspace = client.get("/workspace/").text
    assert reverse("marketplace:proposal_partner_respond", kwargs={"partner_pk": waiting.pk}) in workspace
    submitted = ProposalPartner.objects.get(
        proposal__title__startswith="Retribusi pasar lewat QRIS", status="accepted"
    )
    assert submitted.proposal.submitted_at is not None and submitted.budget_share > 0


def _shows_membership_invitations(client, users):
    """Invitations by email: accepted (an owner and a member), pending (in the invitee's
    workspace) and expired."""
    politeknik = Organisation.objects.get(name="Politeknik Digital Sumba")
    roles = dict(politeknik.memberships.values_list("user__username", "role"))
    assert roles == {"applicant": "owner", "applicant2": "member"}
    invitations = {i.email: i for i in OrganisationInvitation.objects.select_related("organisation")}
    assert invitations["applicant2@demo.example.org"].status == "accepted"
    expired = invitations["ratna.lende@demo.example.org"]
    assert expired.status == "expired" and expired.organisation == politeknik
    pending = invitations["applicant@demo.example.org"]
    assert pending.status == "pending" and pending.organisation.name == "Pasar Pintar Borneo"
    client.force_login(users["applicant"])
    assert pending.get_absolute_url() in client.get("/workspace/").text


def _shows_verification(client, users, private_root):
    """Private PDF documents awaiting an official of the region, and organisations an official
    verified after checking theirs (none verified without an official)."""
    waiting = Organisation.objects.get(name="Aloe Vera Siantan Jaya")
    documents = list(waiting.documents.all())
    assert not waiting.verified and len(documents) == 2
    for document in documents:
        assert document.content_type == "application/pdf"
        assert document.file.path.startswith(str(private_root))
        with document.file.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"
    client.force_login(users["official2"])
    queue = reverse("marketplace:organisation_verification", kwargs={"slug": waiting.slug})
    assert queue in client.get("/workspace/").text
    verified = Organisation.objects.get(name="PT Kode Nusantara Timur")
    assert verified.verified and verified.verified_by == users["official"] and verified.documents.count() == 2
    assert not Organisation.objects.filter(verified=True, verified_by=None).exists()


def test_seed_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not ChallengePage.objects.exists()
