"""The review form as a reviewer meets it: the proposal beside the form, drafts that keep
what is filled in, submission that needs every score and a recommendation and computes the
weighted total, reopening by an official (audited), blind review that names nobody, the
reviewer's attachment downloads, and every role that may not use these pages."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext
from fpdf import FPDF
from pypdf import PdfReader

from core.errors import DomainError
from core.models import AuditEntry, Notification
from marketplace.challenges.models import ChallengePage, Criterion
from marketplace.proposals import workflows
from marketplace.proposals.models import Proposal, ProposalAttachment, ProposalPartner
from marketplace.proposals.services import attachments as attachments_services
from marketplace.proposals.services import consortium as consortium_services
from marketplace.proposals.services import drafts as drafts_services
from marketplace.proposals.services import submission as submission_services
from marketplace.review.models import CriterionScore, Review, ReviewAssignment
from marketplace.review.services import scoring as scoring_services
from marketplace.review.services.scoring import ScoreInput
from tests import factories
from tests.support.module_data import media_folders, own_copy_with_files, rolled_back_after_module

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media", "cheap_passwords")]


def one_page_pdf() -> bytes:
    """A real PDF: in a blind review the reviewer gets a copy rewritten without its metadata."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Profil organisasi")
    return bytes(pdf.output())


PDF = one_page_pdf()
LEAD_NAME = "Koperasi Nusantara Sejahtera"
PARTNER_NAME = "Yayasan Cahaya Timur"
TEAM_MEMBER = "Ayu Lestari"  # the team member factories.complete_proposal adds
APPLICANT_FULL_NAME = ("Rina", "Wulandari")
ATTACHMENT_NAME = f"Profil {LEAD_NAME}.pdf"


def indonesian(message: str) -> str:
    with translation.override("id"):
        return gettext(message)


def login_redirect(path: str) -> str:
    return f"/accounts/login/?{urlencode({'next': path}, safe='/')}"


# Building a challenge in review (tests/factories.py: send_to_review, assign, proposal_in_review)


@dataclass
class World:
    official: object
    other_official: object  # of another region's agency
    finance: object
    applicant: object
    other_applicant: object
    reviewer: object  # assigned, active
    unassigned_reviewer: object
    conflict_reviewer: object  # assigned, declared a conflict
    challenge: ChallengePage
    proposal: Proposal
    assignment: ReviewAssignment
    conflict_assignment: ReviewAssignment
    attachment: ProposalAttachment
    partner_owner: object


def build_world(*, blind: bool = False) -> World:
    official = factories.UserFactory(roles=["official"])
    other_official = factories.official_elsewhere()
    challenge = factories.challenge(officials=[official])
    Criterion.objects.filter(challenge=challenge, name="Dampak").update(
        description="Seberapa besar manfaatnya bagi warga."
    )
    if blind:
        ChallengePage.objects.filter(pk=challenge.pk).update(blind_review=True)
        challenge.refresh_from_db()

    applicant = factories.UserFactory(first_name=APPLICANT_FULL_NAME[0], last_name=APPLICANT_FULL_NAME[1])
    organisation = factories.organisation(applicant, name=LEAD_NAME)
    partner_owner = factories.UserFactory()
    partner = factories.organisation(partner_owner, name=PARTNER_NAME)
    proposal = drafts_services.proposal_create(
        by=applicant,
        organisation=organisation,
        challenge=challenge,
        title="Antrean puskesmas lewat SMS",
        summary="Warga mendaftar antrean dari ponsel apa pun.",
        requested_amount=20_000_000_00,
    )
    factories.complete_proposal(proposal, by=applicant)
    invited = consortium_services.proposal_partner_invite(
        proposal=proposal,
        by=applicant,
        organisation=partner,
        role="Pendampingan kader",
        budget_share=5_000_000_00,
    )
    consortium_services.proposal_partner_respond(partner=invited, by=partner_owner, accept=True)
    attachment = attachments_services.proposal_attachment_add(
        proposal=proposal, by=applicant, upload=SimpleUploadedFile(ATTACHMENT_NAME, PDF, "application/pdf")
    )
    submission_services.proposal_submit(proposal=proposal, by=applicant)
    factories.send_to_review(proposal, official)

    reviewer = factories.UserFactory(roles=["reviewer"])
    conflict_reviewer = factories.UserFactory(roles=["reviewer"])
    return World(
        official=official,
        other_official=other_official,
        finance=factories.UserFactory(roles=["finance"]),
        applicant=applicant,
        other_applicant=factories.organisation(factories.UserFactory(), name="Startup Lain")
        .memberships.get()
        .user,
        reviewer=reviewer,
        unassigned_reviewer=factories.UserFactory(roles=["reviewer"]),
        conflict_reviewer=conflict_reviewer,
        challenge=challenge,
        proposal=proposal,
        assignment=factories.assign(proposal, reviewer),
        conflict_assignment=factories.assign(proposal, conflict_reviewer, ReviewAssignment.Status.CONFLICT),
        attachment=attachment,
        partner_owner=partner_owner,
    )


@contextlib.contextmanager
def built_once(django_db_blocker, folder, **kwargs):
    """A world built once for the module (rolled back after it), its files written under
    ``folder``: ``with_files`` gives each test a copy of them in its own folder."""
    media = media_folders(folder)
    with rolled_back_after_module(django_db_blocker, **media):
        yield build_world(**kwargs), media


def with_files(built, settings) -> World:
    world, media = built
    return own_copy_with_files(world, media, settings)


@pytest.fixture(scope="module")
def _world_built(django_db_setup, django_db_blocker, tmp_path_factory):
    with built_once(django_db_blocker, tmp_path_factory.mktemp("world")) as built:
        yield built


@pytest.fixture
def world(_world_built, db, private_media, settings) -> World:
    return with_files(_world_built, settings)


def criteria(challenge) -> list[Criterion]:
    return list(challenge.criteria.order_by("sort_order", "pk"))


def form_data(challenge, action="save", scores=(), comments=(), **fields) -> dict:
    # A submission is posted from its confirmation page.
    data = {"action": action, **(factories.CONFIRM if action == "submit" else {})}
    for criterion, score in zip(criteria(challenge), scores, strict=False):
        if score is not None:
            data[f"score_{criterion.pk}"] = str(score)
    for criterion, comment in zip(criteria(challenge), comments, strict=False):
        data[f"comment_{criterion.pk}"] = comment
    data.update(fields)
    return data


def review_url(assignment) -> str:
    return f"/workspace/reviews/{assignment.pk}/"


def state() -> dict:
    """Everything a refused request must leave as it was."""
    return {
        "reviews": sorted(
            Review.objects.values_list(
                "pk",
                "status",
                "recommendation",
                "weighted_total",
                "overall_comment",
                "private_notes",
                "reopened_at",
            )
        ),
        "scores": sorted(
            CriterionScore.objects.values_list("pk", "review_id", "criterion_id", "score", "comment")
        ),
        "assignments": sorted(ReviewAssignment.objects.values_list("pk", "status")),
        "proposals": sorted(Proposal.objects.values_list("pk", "status")),
        "audit": AuditEntry.objects.count(),
        "notifications": Notification.objects.count(),
    }


def submit_review(world: World, scores=(5, 4), recommendation="fund") -> Review:
    dampak, kelayakan = criteria(world.challenge)
    return scoring_services.review_submit(
        assignment=world.assignment,
        by=world.reviewer,
        scores=[
            ScoreInput(dampak.pk, scores[0], "Dampak jelas."),
            ScoreInput(kelayakan.pk, scores[1], "Rencana wajar."),
        ],
        recommendation=recommendation,
        overall_comment="Usulan yang kuat.",
        private_notes="Tim kecil; perlu dipantau.",
    )


# The page --------------------------------------------------------------------------------------


def test_reviewer_sees_the_proposal_beside_the_form_with_the_criteria_and_scale(client, world):
    client.force_login(world.reviewer)
    response = client.get(review_url(world.assignment))
    assert response.status_code == 200
    html = response.text
    for text in (
        world.proposal.title,
        "Warga mendaftar antrean dari ponsel apa pun.",
        "Warga menunggu lama karena pendaftaran masih manual.",  # problem
        "Aplikasi ringan yang juga bisa dipakai lewat SMS.",  # solution
        "Uji coba tiga bulan, lalu perluasan.",  # plan
        "Pengembangan",  # budget line
        "Rp 20.000.000",
        "Ketua tim",  # team role
        "Pendampingan kader",  # partner's role
        "Dampak",
        "Seberapa besar manfaatnya bagi warga.",
        "Kelayakan",
        # Not blind: the names are there.
        LEAD_NAME,
        PARTNER_NAME,
        TEAM_MEMBER,
        ATTACHMENT_NAME,
        indonesian("Save draft"),
        indonesian("Submit review"),
    ):
        assert text in html, text
    dampak, kelayakan = criteria(world.challenge)
    for criterion in (dampak, kelayakan):
        for score in range(1, 6):
            assert f'name="score_{criterion.pk}" value="{score}"' in html
        assert f'name="score_{criterion.pk}" value="6"' not in html
        assert f'name="comment_{criterion.pk}"' in html
    assert "60%" in html and "40%" in html
    assert f"/workspace/reviews/{world.assignment.pk}/attachments/{world.attachment.pk}/" in html


def test_the_page_speaks_english_under_en(client, world):
    client.force_login(world.reviewer)
    response = client.get(f"/en{review_url(world.assignment)}")
    assert response.status_code == 200
    assert "Submit review" in response.text


def test_the_scale_follows_the_challenge(client, world):
    ChallengePage.objects.filter(pk=world.challenge.pk).update(score_min=0, score_max=10)
    client.force_login(world.reviewer)
    html = client.get(review_url(world.assignment)).text
    dampak = criteria(world.challenge)[0]
    assert f'name="score_{dampak.pk}" value="0"' in html
    assert f'name="score_{dampak.pk}" value="10"' in html


def test_awaiting_declaration_leads_to_the_declaration_first(client, world):
    ReviewAssignment.objects.filter(pk=world.assignment.pk).update(
        status=ReviewAssignment.Status.AWAITING_DECLARATION
    )
    client.force_login(world.reviewer)
    before = state()
    for response in (
        client.get(review_url(world.assignment)),
        client.post(review_url(world.assignment), form_data(world.challenge, scores=(3,))),
    ):
        assert response.status_code == 302
        assert response["Location"] == f"/workspace/reviews/{world.assignment.pk}/declare/"
    assert world.proposal.title not in client.get(review_url(world.assignment), follow=False).text
    assert state() == before


@pytest.mark.parametrize("status", [ReviewAssignment.Status.CONFLICT, ReviewAssignment.Status.REMOVED])
def test_an_ended_assignment_is_refused(client, world, status):
    ReviewAssignment.objects.filter(pk=world.assignment.pk).update(status=status)
    client.force_login(world.reviewer)
    before = state()
    assert client.get(review_url(world.assignment)).status_code == 403
    assert (
        client.post(review_url(world.assignment), form_data(world.challenge, scores=(3, 3))).status_code
        == 403
    )
    assert client.get(f"{review_url(world.assignment)}attachments/{world.attachment.pk}/").status_code == 403
    assert state() == before


def test_review_page_query_count_does_not_grow_with_the_proposal(client, world):
    client.force_login(world.reviewer)
    client.get(review_url(world.assignment))
    with CaptureQueriesContext(connection) as few:
        client.get(review_url(world.assignment))
    for i in range(4):
        Criterion.objects.create(challenge=world.challenge, name=f"Kriteria {i}", weight=1, sort_order=10 + i)
        ProposalAttachment.objects.create(
            proposal=world.proposal,
            file=world.attachment.file.name,
            display_name=f"lampiran-{i}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            uploaded_by=world.applicant,
        )
    scoring_services.review_save_draft(
        assignment=world.assignment,
        by=world.reviewer,
        scores=[ScoreInput(c.pk, 2, "Catatan") for c in criteria(world.challenge)],
    )
    with CaptureQueriesContext(connection) as more:
        response = client.get(review_url(world.assignment))
    assert response.status_code == 200
    # One more for the saved review's scores, which did not exist before.
    assert len(more) <= len(few) + 1, [q["sql"] for q in more]


# Drafts ----------------------------------------------------------------------------------------


def test_save_draft_keeps_whatever_is_filled_in(client, world):
    client.force_login(world.reviewer)
    dampak, kelayakan = criteria(world.challenge)
    response = client.post(
        review_url(world.assignment),
        form_data(
            world.challenge, scores=(4,), comments=("Manfaat besar.", ""), private_notes="Cek lapangan."
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == review_url(world.assignment)
    review = Review.objects.get(assignment=world.assignment)
    assert review.status == Review.Status.DRAFT
    assert (review.recommendation, review.private_notes, review.weighted_total) == ("", "Cek lapangan.", None)
    rows = {s.criterion_id: s for s in review.scores.all()}
    assert (rows[dampak.pk].score, rows[dampak.pk].comment) == (4, "Manfaat besar.")
    assert (rows[dampak.pk].criterion_name, rows[dampak.pk].weight) == ("Dampak", 60)
    assert rows[kelayakan.pk].score is None
    entry = AuditEntry.objects.filter(action="review.draft_saved", object_id=str(review.pk)).get()
    assert entry.actor == world.reviewer
    assert entry.after["scores"] == {str(dampak.pk): 4, str(kelayakan.pk): None}
    assert entry.before["scores"] == {}

    page = client.get(review_url(world.assignment)).text
    assert f'name="score_{dampak.pk}" value="4" required' not in page  # a draft requires nothing
    assert f'value="4" id="id_score_{dampak.pk}_3" checked' in page
    assert "Manfaat besar." in page and "Cek lapangan." in page
    assert indonesian("Draft saved. Submit it when it is complete.") in page


def test_a_score_outside_the_scale_is_refused_and_nothing_is_saved(client, world):
    client.force_login(world.reviewer)
    before = state()
    response = client.post(review_url(world.assignment), form_data(world.challenge, scores=(6, 3)))
    assert response.status_code == 400
    assert indonesian("Please correct the errors below.") in response.text
    assert state() == before


def test_draft_service_validates_only_what_is_given(world, english_messages):
    dampak, _kelayakan = criteria(world.challenge)
    review = scoring_services.review_save_draft(
        assignment=world.assignment, by=world.reviewer, scores=[ScoreInput(dampak.pk, 2)]
    )
    # Texts not given stay as they were; a later draft changes only what it names.
    scoring_services.review_save_draft(
        assignment=world.assignment, by=world.reviewer, overall_comment="Bagus."
    )
    review.refresh_from_db()
    assert review.overall_comment == "Bagus."
    assert review.scores.get(criterion=dampak).score == 2

    other_challenge = factories.challenge()
    foreign = other_challenge.criteria.first()
    before = state()
    with pytest.raises(DomainError) as excinfo:
        scoring_services.review_save_draft(
            assignment=world.assignment, by=world.reviewer, scores=[ScoreInput(foreign.pk, 3)]
        )
    assert excinfo.value.message == "This criterion does not belong to the challenge."
    with pytest.raises(DomainError) as excinfo:
        scoring_services.review_save_draft(
            assignment=world.assignment, by=world.reviewer, scores=[ScoreInput(dampak.pk, 0)]
        )
    assert (excinfo.value.message, excinfo.value.field) == (
        "Choose a score from 1 to 5.",
        f"score_{dampak.pk}",
    )
    with pytest.raises(DomainError) as excinfo:
        scoring_services.review_save_draft(
            assignment=world.assignment, by=world.reviewer, recommendation="maybe"
        )
    assert excinfo.value.field == "recommendation"
    with pytest.raises(DomainError) as excinfo:
        scoring_services.review_save_draft(
            assignment=world.assignment, by=world.official, overall_comment="x"
        )
    assert excinfo.value.message == "Only the reviewer assigned to this proposal may review it."
    assert state() == before


def test_a_proposal_out_of_review_takes_no_review(client, world, english_messages):
    workflows.proposal_perform(proposal=world.proposal, name="shortlist", by=world.official)
    before = state()
    with pytest.raises(DomainError) as excinfo:
        scoring_services.review_save_draft(
            assignment=world.assignment, by=world.reviewer, overall_comment="x"
        )
    assert excinfo.value.message == "Reviews can be written only while the proposal is in review."
    client.force_login(world.reviewer)
    page = client.get(review_url(world.assignment))
    assert page.status_code == 200
    assert (
        indonesian("The proposal is no longer in review: this review can no longer be changed.") in page.text
    )
    assert 'name="action"' not in page.text
    assert (
        client.post(review_url(world.assignment), form_data(world.challenge, scores=(3, 3))).status_code
        == 400
    )
    assert state() == before


# Submitting ------------------------------------------------------------------------------------


def test_submit_needs_every_score_and_a_recommendation(client, world):
    client.force_login(world.reviewer)
    before = state()
    dampak, kelayakan = criteria(world.challenge)
    response = client.post(
        review_url(world.assignment), form_data(world.challenge, action="submit", scores=(4,))
    )
    assert response.status_code == 400
    html = response.text
    assert indonesian("Give a score for this criterion before submitting.") in html
    assert indonesian("Choose a recommendation before submitting.") in html
    assert indonesian("The review was not submitted: see what is missing below.") in html
    # What was typed is still on the page, and nothing was stored.
    assert f'value="4" id="id_score_{dampak.pk}_3" checked' in html
    assert state() == before


def test_submit_service_names_what_is_missing(world, english_messages):
    dampak, kelayakan = criteria(world.challenge)
    before = state()
    with pytest.raises(DomainError) as excinfo:
        scoring_services.review_submit(
            assignment=world.assignment,
            by=world.reviewer,
            scores=[ScoreInput(dampak.pk, 4)],
            recommendation="fund",
        )
    assert (excinfo.value.message, excinfo.value.field) == (
        "Give a score for “Kelayakan” before submitting.",
        f"score_{kelayakan.pk}",
    )
    with pytest.raises(DomainError) as excinfo:
        scoring_services.review_submit(
            assignment=world.assignment,
            by=world.reviewer,
            scores=[ScoreInput(dampak.pk, 4), ScoreInput(kelayakan.pk, 2)],
        )
    assert excinfo.value.message == "Choose a recommendation before submitting."
    assert state() == before  # a refused submit stores nothing, not even the scores given


def test_submit_computes_the_weighted_total_and_makes_the_review_read_only(client, world):
    client.force_login(world.reviewer)
    response = client.post(
        review_url(world.assignment),
        form_data(
            world.challenge,
            action="submit",
            scores=(5, 4),
            comments=("Dampak jelas.", "Rencana wajar."),
            recommendation="fund_with_changes",
            overall_comment="Perjelas rencana pemeliharaan.",
            private_notes="Tim kecil.",
        ),
    )
    assert response.status_code == 302
    review = Review.objects.get(assignment=world.assignment)
    # 60 × (5 − 1)/4 + 40 × (4 − 1)/4 = 60 + 30
    assert (review.status, review.weighted_total) == (Review.Status.SUBMITTED, Decimal("90.00"))
    assert review.recommendation == "fund_with_changes"
    assert review.submitted_at is not None
    entry = AuditEntry.objects.get(action="review.submitted", object_id=str(review.pk))
    assert entry.before["status"] == "draft"
    assert (entry.after["status"], entry.after["weighted_total"], entry.after["recommendation"]) == (
        "submitted",
        "90.00",
        "fund_with_changes",
    )

    page = client.get(review_url(world.assignment)).text
    assert 'name="action"' not in page and "<textarea" not in page
    assert "90,00" in page  # Indonesian decimals
    assert "Perjelas rencana pemeliharaan." in page and "Dampak jelas." in page
    assert indonesian("Fund with changes") in page

    before = state()
    again = client.post(
        review_url(world.assignment), form_data(world.challenge, action="save", scores=(1, 1))
    )
    assert again.status_code == 400
    assert (
        indonesian("This review was submitted and can no longer be changed; an official may reopen it.")
        in again.text
    )
    assert state() == before


def test_submitting_asks_first_and_only_the_confirmation_submits(client, world):
    client.force_login(world.reviewer)
    dampak, kelayakan = criteria(world.challenge)
    typed = form_data(
        world.challenge, action="submit", scores=(5, 3), recommendation="fund", overall_comment="Layak."
    )
    typed.pop("confirm")
    before = state()
    asked = client.post(review_url(world.assignment), typed)
    assert asked.status_code == 200
    page = asked.text
    assert indonesian("Submit your review of “%(title)s”?") % {"title": world.proposal.title} in page
    # What will be sent: the scores and the recommendation, to whom, and that it is final.
    assert f"<dt>{dampak.name}</dt><dd>5</dd>" in page and f"<dt>{kelayakan.name}</dt><dd>3</dd>" in page
    assert indonesian("Fund") in page and world.challenge.agency.name in page
    assert indonesian("This cannot be undone.") in page
    assert indonesian("Yes, submit the review") in page and indonesian("Back") in page
    assert 'name="confirm" value="yes"' in page and 'name="overall_comment" value="Layak."' in page
    assert state() == before

    # "Back" shows the form again as typed, still unsaved.
    back = client.post(review_url(world.assignment), {**typed, "confirm": "back"})
    assert back.status_code == 200 and "Layak." in back.text
    assert f'value="5" id="id_score_{dampak.pk}_4" checked' in back.text
    assert indonesian("The review was not submitted: see what is missing below.") not in back.text
    assert state() == before

    done = client.post(review_url(world.assignment), factories.confirmed(typed))
    assert done.status_code == 302
    review = Review.objects.get(assignment=world.assignment)
    assert (review.status, review.overall_comment) == (Review.Status.SUBMITTED, "Layak.")


def test_the_review_confirmation_is_refused_to_whoever_may_not_submit(client, world):
    typed = form_data(world.challenge, action="submit", scores=(5, 5), recommendation="fund")
    typed.pop("confirm")
    url = review_url(world.assignment)
    before = state()
    assert client.post(url, typed)["Location"] == login_redirect(url)
    for role in [*REFUSED_EVERYWHERE, "official"]:
        client.force_login(getattr(world, role))
        response = client.post(url, typed)
        assert response.status_code == 403, role
        assert indonesian("Yes, submit the review") not in response.text
    assert state() == before


def test_the_score_snapshot_survives_a_later_edit_of_the_criteria(world):
    review = submit_review(world)
    Criterion.objects.filter(challenge=world.challenge, name="Dampak").update(name="Manfaat", weight=50)
    row = review.scores.get(criterion_name="Dampak")
    assert (row.weight, row.score) == (60, 5)
    review.refresh_from_db()
    assert review.weighted_total == Decimal("90.00")


def test_a_criterion_removed_from_the_challenge_leaves_the_draft(world):
    dampak, kelayakan = criteria(world.challenge)
    scoring_services.review_save_draft(
        assignment=world.assignment,
        by=world.reviewer,
        scores=[ScoreInput(dampak.pk, 5), ScoreInput(kelayakan.pk, 3)],
    )
    kelayakan.delete()
    Criterion.objects.filter(pk=dampak.pk).update(weight=100)
    review = scoring_services.review_submit(
        assignment=world.assignment, by=world.reviewer, recommendation="fund"
    )
    assert list(review.scores.values_list("criterion_name", "weight", "score")) == [("Dampak", 100, 5)]
    assert review.weighted_total == Decimal("100.00")


# Reopening -------------------------------------------------------------------------------------


def test_official_reopens_a_submitted_review_with_a_reason(client, world):
    review = submit_review(world)
    client.force_login(world.official)
    url = f"/workspace/reviews/{world.assignment.pk}/reopen/"
    page = client.get(url)
    assert page.status_code == 200
    for text in ("Dampak jelas.", "Tim kecil; perlu dipantau.", "90,00", indonesian("Reopen review")):
        assert text in page.text

    before = state()
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400
    assert indonesian("Say why the review is reopened: the reviewer will read it.") in refused.text
    assert state() == before

    response = client.post(url, {"reason": "Skor kelayakan tidak sesuai komentar."})
    assert response.status_code == 302
    assert response["Location"] == f"/workspace/challenges/{world.challenge.slug}/comparison/"
    review.refresh_from_db()
    assert (review.status, review.weighted_total, review.submitted_at) == (Review.Status.DRAFT, None, None)
    assert (review.reopened_by, review.reopened_at is not None) == (world.official, True)
    entry = AuditEntry.objects.get(action="review.reopened", object_id=str(review.pk))
    assert entry.actor == world.official
    assert (entry.before["status"], entry.before["weighted_total"]) == ("submitted", "90.00")
    assert entry.before["submitted_at"]
    assert (entry.after["status"], entry.after["reason"]) == (
        "draft",
        "Skor kelayakan tidak sesuai komentar.",
    )
    notification = Notification.objects.get(user=world.reviewer)
    assert "Skor kelayakan tidak sesuai komentar." in notification.message
    assert notification.url == review_url(world.assignment)

    # The reviewer sees why, changes the score and submits again.
    client.force_login(world.reviewer)
    page = client.get(review_url(world.assignment)).text
    assert "Skor kelayakan tidak sesuai komentar." in page
    assert 'name="action"' in page
    dampak, kelayakan = criteria(world.challenge)
    again = client.post(
        review_url(world.assignment),
        form_data(world.challenge, action="submit", scores=(5, 2), recommendation="fund"),
    )
    assert again.status_code == 302
    review.refresh_from_db()
    # 60 + 40 × 1/4
    assert (review.status, review.weighted_total) == (Review.Status.SUBMITTED, Decimal("70.00"))


def test_reopen_is_refused_without_reason_draft_or_official(world, english_messages):
    dampak, _ = criteria(world.challenge)
    draft = scoring_services.review_save_draft(
        assignment=world.assignment, by=world.reviewer, scores=[ScoreInput(dampak.pk, 3)]
    )
    before = state()
    with pytest.raises(DomainError) as excinfo:
        scoring_services.review_reopen(review=draft, by=world.official, reason="Periksa lagi.")
    assert excinfo.value.message == "Only a submitted review can be reopened."
    review = submit_review(world)
    before = state()
    for user in (world.reviewer, world.other_official, world.finance, world.applicant):
        with pytest.raises(DomainError) as excinfo:
            scoring_services.review_reopen(review=review, by=user, reason="Periksa lagi.")
        assert excinfo.value.message == (
            "Only an official of the agency that owns this challenge may reopen a review."
        )
    with pytest.raises(DomainError) as excinfo:
        scoring_services.review_reopen(review=review, by=world.official, reason="")
    assert excinfo.value.field == "reason"
    with pytest.raises(DomainError):
        scoring_services.review_reopen(review=review, by=world.official, reason="x" * 1001)
    workflows.proposal_perform(proposal=world.proposal, name="shortlist", by=world.official)
    before = state()
    with pytest.raises(DomainError) as excinfo:
        scoring_services.review_reopen(review=review, by=world.official, reason="Periksa lagi.")
    assert excinfo.value.message == "Reviews can be written only while the proposal is in review."
    assert state() == before


# Blind review ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _blind_world_built(django_db_setup, django_db_blocker, tmp_path_factory):
    with built_once(django_db_blocker, tmp_path_factory.mktemp("blind-world"), blind=True) as built:
        yield built


@pytest.fixture
def blind_world(_blind_world_built, db, private_media, settings) -> World:
    return with_files(_blind_world_built, settings)


def identities(world: World) -> list[str]:
    names = [
        LEAD_NAME,
        PARTNER_NAME,
        TEAM_MEMBER,
        " ".join(APPLICANT_FULL_NAME),
        world.applicant.username,
        world.applicant.email,
        world.partner_owner.username,
        world.proposal.organisation.slug,
    ]
    return names


def test_blind_review_names_nobody_on_the_review_page(client, blind_world):
    world = blind_world
    submit_review(world)
    client.force_login(world.reviewer)
    for url in (review_url(world.assignment), f"/en{review_url(world.assignment)}"):
        html = client.get(url).text
        for name in identities(world):
            assert name not in html, name
        assert f"/organisations/{world.proposal.organisation.slug}/" not in html
    # The draft form too, after a reopen.
    scoring_services.review_reopen(review=world.assignment.review, by=world.official, reason="Periksa lagi.")
    html = client.get(review_url(world.assignment)).text
    assert 'name="action"' in html
    for name in identities(world):
        assert name not in html, name
    # The content is there; people are numbered.
    blind_notice = (
        "Blind review: the organisations and people behind this proposal are not named to you. "
        "Judge the proposal on its content."
    )
    assert indonesian(blind_notice) in html
    assert "Ketua tim" in html and "Pendampingan kader" in html
    assert world.proposal.title in html


def test_blind_review_names_nobody_in_the_reviewers_workspace(client, blind_world):
    world = blind_world
    client.force_login(world.reviewer)
    html = client.get("/workspace/reviews/").text
    for name in identities(world):
        assert name not in html, name


def test_blind_review_names_the_attachment_by_number(client, blind_world):
    world = blind_world
    client.force_login(world.reviewer)
    html = client.get(review_url(world.assignment)).text
    assert ATTACHMENT_NAME not in html
    response = client.get(f"{review_url(world.assignment)}attachments/{world.attachment.pk}/")
    assert response.status_code == 200
    copy = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert [page.extract_text() for page in copy.pages] == ["Profil organisasi"]
    disposition = response["Content-Disposition"]
    assert LEAD_NAME.split()[0] not in disposition
    assert f'filename="{indonesian("attachment-%(number)s") % {"number": 1}}.pdf"' in disposition


def test_the_reviewer_cannot_open_the_applicants_pages(client, blind_world):
    world = blind_world
    client.force_login(world.reviewer)
    assert client.get(f"/workspace/proposals/{world.proposal.pk}/").status_code == 403
    assert (
        client.get(f"/workspace/proposals/{world.proposal.pk}/attachments/{world.attachment.pk}/").status_code
        == 403
    )


def test_blind_review_names_nobody_in_exports_or_the_api_a_reviewer_can_reach(client, blind_world):
    world = blind_world
    client.force_login(world.reviewer)
    comparison = f"/workspace/challenges/{world.challenge.slug}/comparison/"
    for export in ("", "?format=csv", "?format=xlsx"):
        assert client.get(comparison + export).status_code == 403
    # The public API never links a proposal in review to its organisation or people.
    for url in (
        "/api/v1/projects/",
        f"/api/v1/challenges/{world.challenge.pk}/",
        f"/api/v1/search/?q={world.proposal.title}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        for name in identities(world):
            assert name not in response.text, (url, name)
    assert world.proposal.title not in client.get("/api/v1/projects/").text


# Attachments -----------------------------------------------------------------------------------


def test_reviewer_downloads_the_proposals_attachment(client, world):
    client.force_login(world.reviewer)
    response = client.get(f"{review_url(world.assignment)}attachments/{world.attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert ATTACHMENT_NAME.replace(" ", "") in response["Content-Disposition"].replace(" ", "")


def test_attachments_of_other_proposals_or_removed_ones_are_not_found(client, world):
    other = factories.proposal_in_review(world.challenge, official=world.official, title="Lain")
    foreign = ProposalAttachment.objects.create(
        proposal=other,
        file=world.attachment.file.name,
        display_name="rahasia.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=world.applicant,
    )
    client.force_login(world.reviewer)
    assert client.get(f"{review_url(world.assignment)}attachments/{foreign.pk}/").status_code == 404
    ProposalAttachment.objects.filter(pk=world.attachment.pk).update(removed_at="2026-11-01T00:00:00Z")
    assert client.get(f"{review_url(world.assignment)}attachments/{world.attachment.pk}/").status_code == 404
    assert client.get("/workspace/reviews/999999/").status_code == 404


# Who may not -----------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
REFUSED_EVERYWHERE = [
    "applicant",
    "other_applicant",
    "unassigned_reviewer",
    "conflict_reviewer",
    "other_official",
    "finance",
]


def user_for(world: World, role: str):
    return None if role == ANONYMOUS else getattr(world, role)


def pages(world: World) -> dict:
    reviewing = {
        "url": review_url(world.assignment),
        "data": form_data(world.challenge, action="submit", scores=(5, 5), recommendation="fund"),
    }
    return {
        "review_edit": reviewing,
        "review_attachment": {
            "url": f"{review_url(world.assignment)}attachments/{world.attachment.pk}/",
            "data": None,
        },
        "review_reopen": {
            "url": f"/workspace/reviews/{world.assignment.pk}/reopen/",
            "data": {"reason": "Ulangi."},
        },
    }


# Besides everyone above: the owning official may not write or read files as the reviewer, and
# the reviewer may not reopen their own review.
ALSO_REFUSED = {
    "review_edit": ["official"],
    "review_attachment": ["official"],
    "review_reopen": ["reviewer"],
}


@pytest.mark.parametrize("name", ["review_edit", "review_attachment", "review_reopen"])
def test_every_role_that_may_not_use_a_review_page_is_refused_and_changes_nothing(client, world, name):
    if name == "review_reopen":
        submit_review(world)
    page = pages(world)[name]
    for role in [ANONYMOUS, *REFUSED_EVERYWHERE, *ALSO_REFUSED[name]]:
        client.logout()
        user = user_for(world, role)
        if user is not None:
            client.force_login(user)
        before = state()
        responses = [client.get(page["url"])]
        if page["data"] is not None:
            responses.append(client.post(page["url"], page["data"]))
        for response in responses:
            if role == ANONYMOUS:
                assert response.status_code == 302, role
                assert response["Location"] == login_redirect(page["url"])
            else:
                assert response.status_code == 403, (name, role, response.status_code)
                assert world.proposal.title not in response.text, role
        assert state() == before, role


def test_the_applicants_and_partners_never_see_the_review(client, world):
    review = submit_review(world)
    for user in (world.applicant, world.partner_owner):
        client.force_login(user)
        html = client.get(f"/workspace/proposals/{world.proposal.pk}/").text
        assert "Tim kecil; perlu dipantau." not in html
        assert client.get(f"/workspace/reviews/{world.assignment.pk}/reopen/").status_code == 403
    assert review.private_notes == "Tim kecil; perlu dipantau."
    assert ProposalPartner.objects.filter(proposal=world.proposal, status="accepted").exists()
