"""The demo data: loads on PostgreSQL, shows the features, and a second run changes nothing."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Revision, WorkflowState

from core.choices import OrganisationKind
from core.models import AuditEntry, Notification
from demo import data as demo_data
from marketplace.awards.models import Agreement, Award, MilestoneEvidence, MilestoneReplan, ProgressReport
from marketplace.challenges.models import ChallengePage, Question
from marketplace.organisations.models import (
    Membership,
    Organisation,
    OrganisationInvitation,
    VerificationDocument,
)
from marketplace.organisations.services import organisations as organisations_services
from marketplace.proposals.models import Proposal, ProposalAttachment, ProposalPartner
from marketplace.proposals.services import attachments as proposals_services
from marketplace.review.models import (
    ChallengeReviewer,
    ConflictDeclaration,
    CriterionScore,
    Review,
    ReviewAssignment,
    ScreeningCheck,
)
from marketplace.review.selectors import scoring as selectors_scoring
from payments.models import Contribution, Entry, Refund, Transaction
from tests.support.crawl import crawl, pages_showing

pytestmark = [pytest.mark.django_db, pytest.mark.long]

NEW_STEPS = (
    "Verification documents",
    "Membership invitations",
    "Consortium invitations",
    "Challenges awaiting approval",
    "Scheduled challenges",
    "Organisation logos",
    "Proposal attachments",
    "Screening",
    "Reviewer pools",
    "Review assignments",
    "Conflict declarations",
    "Reviews",
    "Decisions after review",
    "Awards with conditions",
    "Milestone revisions and re-plans",
    "Sponsor contributions",
)
IN_REVIEW = "literasi-digital-desa"
DECIDED = "pemasaran-daring-lidah-buaya"


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
        ProposalAttachment,
        WorkflowState,
        Revision,
        AuditEntry,
        Notification,
        ScreeningCheck,
        ChallengeReviewer,
        ReviewAssignment,
        ConflictDeclaration,
        Review,
        CriterionScore,
        Agreement,
        MilestoneEvidence,
        MilestoneReplan,
        ProgressReport,
        Contribution,
        Refund,
    ]
    return {model.__name__: model.objects.count() for model in models}


def _step_lines(output: str) -> dict[str, str]:
    return {line.split("…")[0]: line for line in output.splitlines() if "…" in line}


def test_seed_demo_is_idempotent_and_shows_the_features(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", force=True, stdout=io.StringIO())
    first = _counts()
    again = io.StringIO()
    call_command("seed_demo", force=True, stdout=again)
    assert _counts() == first
    lines = _step_lines(again.getvalue())
    for step in NEW_STEPS:
        assert "(0 new" in lines[step], lines[step]
    assert first["ChallengePage"] == 14 and first["Award"] >= 2

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
    _shows_challenge_awaiting_approval(client, users)
    _shows_scheduled_challenge(client)
    _shows_proposal_attachments(client, users, settings.PRIVATE_MEDIA_ROOT)
    _shows_organisation_logos(client, settings.MEDIA_ROOT)
    _shows_screening(client, users)
    _shows_reviewer_pool(client, users)
    _shows_assignments_and_conflict(client, users)
    _shows_reviewer_workspace(client, users)
    _shows_comparison(client, users)
    _shows_determinations(client, users)
    _keeps_the_undecided_round_out_of_the_public_surface()
    _shows_milestone_changes(client, users)
    _shows_money_and_projects_in_public(client)
    _leaves_what_was_done_by_hand(users)


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
    workspace = client.get("/workspace/proposals/").text
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
    assert pending.get_absolute_url() in client.get("/workspace/organisations/").text


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
    assert queue in client.get("/workspace/approvals/").text
    verified = Organisation.objects.get(name="PT Kode Nusantara Timur")
    assert verified.verified and verified.verified_by == users["official"] and verified.documents.count() == 2
    assert not Organisation.objects.filter(verified=True, verified_by=None).exists()


def _shows_challenge_awaiting_approval(client, users):
    """A draft an official submitted to Sumba Barat's approval workflow: not public, and on the
    admin dashboard of Sumba Barat's agency head (not of Pontianak's)."""
    page = ChallengePage.objects.get(slug="pengingat-imunisasi-sms")
    assert not page.live and page.workflow_in_progress
    state = page.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS and state.requested_by == users["official"]
    assert WorkflowState.objects.filter(object_id=str(page.pk)).count() == 1
    assert page.latest_revision.user == users["official"]
    assert client.get("/challenges/pengingat-imunisasi-sms/").status_code == 404
    assert "pengingat-imunisasi-sms" not in client.get("/challenges/").text
    edit_url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    client.force_login(users["agency_head"])
    dashboard = client.get(reverse("wagtailadmin_home")).text
    assert page.title in dashboard and edit_url in dashboard
    client.force_login(users["agency_head2"])
    assert page.title not in client.get(reverse("wagtailadmin_home")).text


def _shows_scheduled_challenge(client):
    """Approved to go live in three days at 08:00 region time: not public yet, and
    publish_scheduled leaves it until then."""
    page = ChallengePage.objects.get(slug="katalog-daring-umkm-binaan")
    revision = page.scheduled_revision
    assert not page.live and revision is not None
    assert revision.approved_go_live_at > timezone.now()
    local = timezone.localtime(revision.approved_go_live_at, page.region.zoneinfo)
    assert (local.hour, local.minute) == (8, 0)
    call_command("publish_scheduled", stdout=io.StringIO())
    assert not ChallengePage.objects.get(pk=page.pk).live
    client.logout()
    assert "katalog-daring-umkm-binaan" not in client.get("/challenges/").text


def _shows_proposal_attachments(client, users, private_root):
    """A PDF and a PNG on the lead's drafts, stored privately and listed for the owner."""
    proposal = Proposal.objects.get(title="Kios antrean luring-daring untuk puskesmas", status="draft")
    attachments = list(proposal.attachments.filter(removed_at__isnull=True))
    assert {a.content_type for a in attachments} == {"application/pdf", "image/png"}
    signatures = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG"}
    for attachment in attachments:
        assert attachment.file.path.startswith(str(private_root))
        with attachment.file.open("rb") as handle:
            assert handle.read(5).startswith(signatures[attachment.content_type])
    assert ProposalAttachment.objects.values("proposal").distinct().count() == 2
    client.force_login(users["applicant"])
    page = client.get(proposal.get_absolute_url()).text
    for attachment in attachments:
        assert attachment.display_name in page
        download = reverse(
            "marketplace:proposal_attachment_download",
            kwargs={"pk": proposal.pk, "attachment_pk": attachment.pk},
        )
        assert download in page


def _shows_organisation_logos(client, media_root):
    """Logos on the public organisation pages; a verified organisation stays verified."""
    with_logo = Organisation.objects.exclude(logo="")
    assert with_logo.count() == 4
    client.logout()
    for organisation in with_logo:
        assert organisation.verified
        assert organisation.logo.path.startswith(str(media_root))
        assert (organisation.logo.width, organisation.logo.height) == (256, 256)
        page = client.get(f"/organisations/{organisation.slug}/")
        assert page.status_code == 200 and organisation.logo.url in page.text


def _proposal(key):
    spec = next(spec for spec in demo_data.PROPOSALS if spec["key"] == key)
    return Proposal.objects.select_related("challenge", "organisation").get(
        challenge__slug=spec["challenge"], title=spec["title"]
    )


def _shows_screening(client, users):
    """The round in review was screened: three proposals passed, one was found not eligible with
    a reason its applicant reads on the proposal page."""
    checks = ScreeningCheck.objects.filter(proposal__challenge__slug=IN_REVIEW)
    assert sorted(checks.values_list("outcome", flat=True)) == ["failed", "passed", "passed", "passed"]
    assert all(check.decided_by == users["official"] for check in checks)
    rejected = _proposal("kelas-daring-kapuas")
    assert rejected.status == "rejected" and rejected.screening.outcome == "failed"
    in_scope = next(item for item in rejected.screening.items if item["key"] == "in_scope")
    assert in_scope["passed"] is False
    client.force_login(users["applicant2"])
    page = client.get(rejected.get_absolute_url()).text
    assert "tanpa kader di desa" in page  # the screening reason
    for key in ("kader-cakap-digital", "modul-bahasa-lokal", "waspada-penipuan"):
        assert _proposal(key).screening.outcome == "passed"


def _shows_reviewer_pool(client, users):
    """Staff reviewers with expertise tags and sectors, and an external expert invited by email
    (a reviewer account without a password yet), in the pool officials manage."""
    pool = ChallengeReviewer.objects.filter(challenge__slug=IN_REVIEW).select_related("user")
    usernames = {row.user.username for row in pool}
    assert {"reviewer", "reviewer2", "reviewer3"} <= usernames and len(usernames) == 4
    external = pool.get(external=True).user
    assert external.email == f"fransiska.tanggu@{demo_data.USER_EMAIL_DOMAIN}"
    assert external.groups.filter(name="reviewer").exists() and not external.has_usable_password()
    for username in ("reviewer", "reviewer2", "reviewer3"):
        profile = users[username].profile
        assert profile.expertise.exists() and profile.expertise_sectors.exists()
    client.force_login(users["official"])
    page = client.get(reverse("marketplace:review_pool", kwargs={"slug": IN_REVIEW})).text
    assert "Fransiska Tanggu" in page and "Agustinus Wora" in page and "literasi digital" in page


def _shows_assignments_and_conflict(client, users):
    """Three reviewers per proposal by suggestion; a reviewer declared a conflict and `reviewer`
    was assigned in their place by hand; on the decided round an assignment was removed."""
    bulk = AuditEntry.objects.get(
        action="challenge.reviewers_assigned_by_suggestion",
        object_id=str(ChallengePage.objects.get(slug=IN_REVIEW).pk),
    )
    suggested = {tuple(pair) for pair in bulk.after["assignments"]}
    assert len(suggested) == 9
    open_statuses = ("awaiting_declaration", "active")
    for key in ("kader-cakap-digital", "modul-bahasa-lokal", "waspada-penipuan"):
        assert _proposal(key).review_assignments.filter(status__in=open_statuses).count() == 3
    modul = _proposal("modul-bahasa-lokal")
    conflict = modul.review_assignments.get(status="conflict")
    assert conflict.reviewer == users["reviewer2"]
    declaration = ConflictDeclaration.objects.get(assignment=conflict)
    assert declaration.has_conflict and "Politeknik" in declaration.note
    replacement = modul.review_assignments.get(reviewer=users["reviewer"])
    assert replacement.status == "awaiting_declaration" and replacement.assigned_by == users["official"]
    assert (modul.pk, users["reviewer"].pk) not in suggested  # assigned by hand
    removed = _proposal("toko-lidah-buaya").review_assignments.get(status="removed")
    assert removed.reviewer == users["reviewer"] and removed.removed_reason
    client.force_login(users["official"])
    page = client.get(reverse("marketplace:review_assignments", kwargs={"slug": IN_REVIEW})).text
    assert modul.title in page and "Agustinus Wora" in page


def _shows_reviewer_workspace(client, users):
    """`reviewer` has an assignment awaiting a conflict declaration and a review to finish (a
    draft); the draft's page opens."""
    to_declare = _proposal("modul-bahasa-lokal").review_assignments.get(reviewer=users["reviewer"])
    reviewing = _proposal("waspada-penipuan").review_assignments.get(reviewer=users["reviewer"])
    assert reviewing.status == "active" and reviewing.review.status == "draft"
    client.force_login(users["reviewer"])
    workspace = client.get("/workspace/reviews/").text
    assert reverse("marketplace:review_declare", kwargs={"pk": to_declare.pk}) in workspace
    review_page = reverse("marketplace:review_edit", kwargs={"pk": reviewing.pk})
    assert review_page in workspace
    draft = client.get(review_page)
    assert draft.status_code == 200 and "Skenario penipuan sangat dekat" in draft.text


def _shows_comparison(client, users):
    """Ranked rows for the officials: a clear first (shortlisted), a tie for second where one
    pair of reviewers disagrees, and a harsh reviewer flagged; a reopened review was submitted
    again; the draft does not count."""
    challenge = ChallengePage.objects.get(slug=IN_REVIEW)
    table = selectors_scoring.comparison_table(challenge)
    rows = {row.proposal.title: row for row in table.rows}
    first, modul, waspada = (
        rows[_proposal(key).title]
        for key in ("kader-cakap-digital", "modul-bahasa-lokal", "waspada-penipuan")
    )
    assert (first.rank, modul.rank, waspada.rank) == (1, 2, 2) and modul.tied and waspada.tied
    assert first.proposal.status == "shortlisted" and first.score.aggregate.count == 3
    assert waspada.score.aggregate.disagreement and not modul.score.aggregate.disagreement
    assert waspada.score.aggregate.count == 1 + 1  # the reviewer's draft is not counted
    outliers = [reviewer.name for reviewer in table.reviewers if reviewer.deviation.outlier]
    assert outliers == ["Dewi Anggraini"]
    reopened = Review.objects.get(reopened_at__isnull=False)
    assert reopened.status == "submitted" and reopened.reopened_by == users["official"]
    client.force_login(users["official"])
    page = client.get(reverse("marketplace:review_comparison", kwargs={"slug": IN_REVIEW}))
    assert page.status_code == 200
    text = page.text
    positions = [text.index(row.proposal.title) for row in table.rows]  # rank order, ties by title
    assert positions == sorted(positions) and table.rows[0] is first
    assert "badge--failed" in text and "Dewi Anggraini" in text
    client.force_login(users["reviewer"])
    assert client.get(reverse("marketplace:review_comparison", kwargs={"slug": IN_REVIEW})).status_code in (
        403,
        404,
    )


def _shows_determinations(client, users):
    """On the decided round: an award with conditions and in-kind support whose agreement waits
    for applicant2, and a proposal not funded whose applicant reads the reviewers' comments
    (numbered, never named, no private notes). The results are not published: the officials see
    the winners and the button, the public does not."""
    challenge = ChallengePage.objects.get(slug=DECIDED)
    assert challenge.results_published_at is None
    awarded = _proposal("agregasi-koperasi")
    award = Award.objects.get(proposal=awarded)
    assert awarded.status == "awarded" and award.conditions and award.amount < awarded.requested_amount
    assert award.agreement.status == "pending"
    assert sum(award.in_kind_drawdowns.values_list("quantity", flat=True)) == 16
    client.force_login(users["applicant2"])
    workspace = client.get("/workspace/proposals/").text
    assert reverse("marketplace:agreement_detail", kwargs={"pk": award.agreement.pk}) in workspace

    rejected = _proposal("toko-lidah-buaya")
    assert rejected.status == "rejected"
    reviews = Review.objects.filter(assignment__proposal=rejected, status="submitted")
    assert reviews.count() == 3
    page = client.get(rejected.get_absolute_url()).text
    for review in reviews:
        assert review.overall_comment in page
    assert "belum terverifikasi" not in page  # a reviewer's private note
    for username in ("reviewer2", "reviewer3"):
        assert users[username].get_full_name() not in page
    assert "Fransiska Tanggu" not in page

    publish = reverse("marketplace:results_publish", kwargs={"slug": DECIDED})
    client.force_login(users["official2"])
    official_page = client.get(challenge.url).text
    assert publish in official_page and awarded.title in official_page
    client.logout()
    public_page = client.get(challenge.url).text
    assert publish not in public_page and awarded.title not in public_page
    assert awarded.title not in client.get("/projects/").text


def _keeps_the_undecided_round_out_of_the_public_surface():
    """The decided round's results are not published: a crawl of every public page, API list and
    download finds neither its winner, its milestones nor its award's reference, and the amount
    awarded shows on none of the pages that would carry it once published (the challenge's page,
    the transparency pages and downloads, the ledger and the open data; other projects' lists may
    hold the same round number for awards of their own)."""
    award = Award.objects.select_related("proposal").get(proposal=_proposal("agregasi-koperasi"))
    challenge = ChallengePage.objects.get(slug=DECIDED)
    pages = crawl(also_start=("/search/?q=lidah+buaya+koperasi", f"/en{challenge.url}"))
    assert challenge.url in pages and "/api/v1/ledger/" in pages

    milestones = list(award.milestones.values_list("title", flat=True))
    assert pages_showing(pages, [award.proposal.title, *milestones, f"award:{award.pk}"]) == []
    whole_rupiah = f"{award.amount // 100:,}".replace(",", ".")
    amount = re.compile(rf"(?<![\d.]){re.escape(whole_rupiah)}(?![\d.])|(?<!\d){award.amount}(?!\d)")
    # Pages about the round itself, and the ledger and open data, whole; the transparency pages
    # and downloads (whose other challenges' figures may be the same round number) by the rows
    # that name the round's challenge.
    leaks = [
        url
        for url, body in pages.items()
        if (challenge.slug in url or url.startswith(("/api/v1/ledger", "/api/v1/ocds")))
        and amount.search(body)
    ]
    for url, body in pages.items():
        if url.startswith(("/transparency", "/en/transparency")):
            rows = body.split("<tr") if "<tr" in body else body.splitlines()
            mentioning = [row for row in rows if challenge.url in row or challenge.title in row]
            leaks += [url for row in mentioning if amount.search(row)]
    assert leaks == []


def _shows_milestone_changes(client, users):
    """A milestone reported with evidence links and sent back with the reason the grantee reads;
    a planned milestone moved with the reason kept."""
    posyandu = Award.objects.get(proposal=_proposal("posyandu-digital"))
    revised = posyandu.milestones.get(position=2)
    assert revised.status == "planned" and revised.revision_note
    links = list(revised.evidence.values_list("link", flat=True))
    assert len(links) == 2
    client.force_login(users["applicant"])
    page = client.get(f"/projects/{posyandu.pk}/").text
    assert revised.revision_note in page and all(link in page for link in links)

    koperasiku = Award.objects.get(proposal=_proposal("koperasiku"))
    moved = koperasiku.milestones.get(position=2)
    replan = moved.replans.get()
    assert replan.new_due_date > replan.old_due_date and replan.new_amount == replan.old_amount
    assert moved.due_date == replan.new_due_date and replan.by == users["official2"]
    client.force_login(users["applicant2"])
    assert replan.reason in client.get(f"/projects/{koperasiku.pk}/").text


def _leaves_what_was_done_by_hand(users):
    """After the agency head approved the waiting challenge and an owner removed a logo and an
    attachment, another run submits nothing again and brings nothing back."""
    page = ChallengePage.objects.get(slug="pengingat-imunisasi-sms")
    page.current_workflow_task_state.approve(user=users["agency_head"])
    assert ChallengePage.objects.get(pk=page.pk).live
    attachment = ProposalAttachment.objects.filter(content_type="image/png").first()
    proposals_services.proposal_attachment_remove(attachment=attachment, by=users["applicant"])
    organisation = Organisation.objects.get(name="Pasar Pintar Borneo")
    organisations_services.organisation_update(
        organisation=organisation, by=users["applicant2"], remove_logo=True
    )
    before = _counts()

    call_command("seed_demo", force=True, stdout=io.StringIO())
    assert _counts() == before
    page = ChallengePage.objects.get(pk=page.pk)
    assert page.live and not page.workflow_in_progress
    assert not Organisation.objects.get(pk=organisation.pk).logo
    kept = attachment.proposal.attachments.filter(removed_at__isnull=True)
    assert not kept.filter(display_name=attachment.display_name).exists()


def test_seed_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not ChallengePage.objects.exists()


def _shows_money_and_projects_in_public(client):
    """Sponsors gave by card and by pledge, one pledge was partly refunded; a funded project
    shows its public progress report with evidence links, never the draft; every kind of
    organisation exists, a company (PT) too."""
    client.logout()
    received = Contribution.objects.filter(status__in=["succeeded", "partially_refunded", "refunded"])
    assert set(received.values_list("rail", flat=True)) == {"stripe", "pledge"}
    card = Contribution.objects.get(rail="stripe")
    assert card.gateway_reference.startswith("pi_demo_")  # no Stripe charge behind it
    assert Refund.objects.filter(status="succeeded").exists()
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(OrganisationKind.values)

    public = ProgressReport.objects.get(public=True)
    draft = ProgressReport.objects.get(public=False)
    page = client.get(public.milestone.award.get_absolute_url()).text
    assert public.text[:60] in page and all(f'href="{link}"' in page for link in public.links)
    assert draft.text not in page
    assert "Transfer bank oleh kas daerah" in page  # the rail, in plain words
