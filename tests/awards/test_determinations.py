"""After the determination: the agreement the grantee accepts or declines, publishing the
winners, milestone reports with evidence, revisions and re-plans, what the applicant learns
from the reviews, and the officials' full history of a proposal."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.errors import DomainError
from core.models import AuditEntry, Notification
from marketplace.awards.models import Agreement, Milestone, MilestoneReplan
from marketplace.awards.services import awards as awards_services
from marketplace.awards.services import determinations
from marketplace.awards.services import determinations as determinations_services
from marketplace.challenges.models.challenges import ChallengePage, Incentive
from marketplace.challenges.services import funds as challenges_services
from marketplace.proposals.models.proposals import Proposal
from marketplace.review.models import CriterionScore, Review, ReviewAssignment
from payments import api as payments_api
from payments.models import Commitment
from tests import factories
from tests.factories import signed_in_client

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def indonesian(text: str, **values) -> str:
    with translation.override("id"):
        return gettext(text) % values if values else gettext(text)


@pytest.fixture
def world():
    official = factories.UserFactory(roles=["official"], first_name="Maria", last_name="Ngongo")
    finance = factories.UserFactory(roles=["finance"])
    owner = factories.UserFactory(first_name="Ayu", last_name="Lestari")
    member = factories.UserFactory()
    challenge = factories.challenge(officials=[official])
    challenge.incentives.add(
        Incentive(kind="in_kind", quantity=40, unit="jam pendampingan", provider_name="Dinkes")
    )
    challenge.save_revision().publish()
    challenge = ChallengePage.objects.get(pk=challenge.pk)
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner, amount=30_000_000_00)
    proposal.organisation.memberships.create(user=member, role="member")
    factories.allocation(
        challenge, finance=finance, amount=50_000_000_00, reference="DPA-9", idempotency_key="dpa-9"
    )
    due = timezone.localdate() + 30 * DAY
    factories.close_challenge(proposal.challenge)
    award = awards_services.award_create(
        proposal=proposal,
        amount=25_000_000_00,
        milestones=[
            awards_services.MilestonePlan("Uji coba", 10_000_000_00, due),
            awards_services.MilestonePlan("Perluasan", 15_000_000_00, due + 30 * DAY),
        ],
        in_kind={challenge.incentives.get(kind="in_kind").pk: 10},
        conditions="Data warga disimpan di server dalam negeri.",
        by=official,
    )
    return type(
        "World",
        (),
        {
            "official": official,
            "finance": finance,
            "owner": owner,
            "member": member,
            "challenge": challenge,
            "proposal": proposal,
            "award": award,
            "fund": challenges_services.challenge_fund(challenge),
        },
    )


# The agreement ------------------------------------------------------------------------------------


def test_an_award_with_conditions_asks_the_owners_to_accept_exact_terms(world):
    agreement = world.award.agreement
    assert agreement.status == Agreement.Status.PENDING
    assert agreement.terms_sha256 == hashlib.sha256(agreement.terms.encode()).hexdigest()
    # The terms are in Indonesian and name the amount, the milestones and the conditions.
    for text in ("Rp 25.000.000", "Uji coba", "Perluasan", "Data warga disimpan di server dalam negeri."):
        assert text in agreement.terms
    assert indonesian("Conditions of this award:") in agreement.terms
    assert Notification.objects.filter(
        user=world.owner, url=f"/workspace/agreements/{agreement.pk}/"
    ).exists()
    assert not Notification.objects.filter(user=world.member, url__contains="agreements").exists()

    page = signed_in_client(world.owner).get("/workspace/proposals/").text
    assert indonesian("Agreements to accept") in page and f"/workspace/agreements/{agreement.pk}/" in page


def test_the_owner_accepts_and_name_time_ip_and_hash_are_kept(world):
    client = signed_in_client(world.owner)
    url = f"/workspace/agreements/{world.award.agreement.pk}/"
    page = client.get(url).text
    assert (
        "Data warga disimpan di server dalam negeri." in page and world.award.agreement.terms_sha256 in page
    )

    # Bad input: no name, the box not ticked — clear messages, nothing recorded.
    refused = client.post(url, {"action": "accept", "signer_name": "  ", "read_terms": ""})
    assert refused.status_code == 400
    assert indonesian("This field is required.") in refused.text
    assert Agreement.objects.get().status == Agreement.Status.PENDING

    response = client.post(
        url, {"action": "accept", "signer_name": "Ayu  Lestari", "read_terms": "on"}, follow=True
    )
    assert indonesian("Agreement accepted. The project has started.") in response.text
    agreement = Agreement.objects.get()
    assert (agreement.status, agreement.signer, agreement.signer_name, agreement.ip_address) == (
        "accepted",
        world.owner,
        "Ayu Lestari",
        "127.0.0.1",
    )
    assert abs(agreement.decided_at - timezone.now()) < datetime.timedelta(minutes=1)
    entry = AuditEntry.objects.get(action="agreement.accepted")
    assert (entry.actor, entry.after["terms_sha256"], entry.ip_address) == (
        world.owner,
        agreement.terms_sha256,
        "127.0.0.1",
    )
    assert Notification.objects.filter(
        user=world.official, message__contains="menyetujui perjanjian"
    ).exists()

    # Answered once: a second answer changes nothing.
    with pytest.raises(DomainError):
        determinations.agreement_decline(agreement=agreement, by=world.owner, reason="Berubah pikiran.")
    assert Agreement.objects.get().status == "accepted"


def test_a_member_who_is_not_an_owner_reads_but_cannot_sign(world):
    client = signed_in_client(world.member)
    url = f"/workspace/agreements/{world.award.agreement.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="signer_name"' not in page.text
    assert (
        client.post(url, {"action": "accept", "signer_name": "Anggota", "read_terms": "on"}).status_code
        == 403
    )
    assert Agreement.objects.get().status == Agreement.Status.PENDING


def test_declining_gives_the_money_and_the_in_kind_support_back(world):
    available_before = payments_api.fund_available(fund=world.fund)
    offer = world.challenge.incentives.get(kind="in_kind")
    assert Incentive.objects.get(pk=offer.pk).remaining == 30
    client = signed_in_client(world.owner)
    url = f"/workspace/agreements/{world.award.agreement.pk}/"

    no_reason = client.post(url, {"action": "decline", "reason": ""})
    assert no_reason.status_code == 400 and Agreement.objects.get().status == "pending"

    response = client.post(url, {"action": "decline", "reason": "Tim inti pindah kerja."}, follow=True)
    assert indonesian("You declined the award. The agency has been told.") in response.text
    assert Agreement.objects.get().status == Agreement.Status.DECLINED
    assert Proposal.objects.get(pk=world.proposal.pk).status == Proposal.Status.AWARD_DECLINED
    commitment = Commitment.objects.get(pk=world.award.commitment_id)
    assert commitment.released_at is not None and commitment.released_by == world.owner
    assert payments_api.fund_available(fund=world.fund) == available_before + 25_000_000_00
    assert Incentive.objects.get(pk=offer.pk).remaining == 40
    assert Notification.objects.filter(
        user=world.official, message__contains="Tim inti pindah kerja."
    ).exists()
    # A declined award is never a public project, even once results are published elsewhere.
    assert not determinations.project_started(world.award)


# Results ------------------------------------------------------------------------------------------


def test_winners_are_public_only_once_the_official_publishes_the_results(world):
    public = Client()
    project_url = f"/projects/{world.award.pk}/"
    assert public.get(project_url).status_code == 404
    assert len(public.get("/projects/").context["projects"]) == 0
    assert world.proposal.title not in public.get(world.challenge.url).text
    assert public.get("/api/v1/projects/").json()["results"] == []

    official = signed_in_client(world.official)
    page = official.get(world.challenge.url).text
    assert indonesian("Only the agency's officials see this list until the results are published.") in page
    assert indonesian("Publish the results") in page
    assert signed_in_client(world.owner).get(project_url).status_code == 200  # the grantee sees its project

    assert (
        official.post(f"/challenges/{world.challenge.slug}/results/publish/", factories.CONFIRM).status_code
        == 302
    )
    challenge = ChallengePage.objects.get(pk=world.challenge.pk)
    assert challenge.results_published_at is not None and challenge.status == "awarded"
    assert public.get(project_url).status_code == 200
    assert world.proposal.title in public.get(world.challenge.url).text
    assert [p["id"] for p in public.get("/api/v1/projects/").json()["results"]] == [world.award.pk]

    # Publishing again changes nothing; an editor's later revision keeps the results public.
    published_at = challenge.results_published_at
    determinations.results_publish(challenge=challenge, by=world.official)
    challenge.summary = "Ringkasan yang diperbarui."
    challenge.save_revision().publish()
    assert ChallengePage.objects.get(pk=challenge.pk).results_published_at == published_at
    assert AuditEntry.objects.filter(action="challenge.results_published").count() == 1


def test_results_need_an_award(world):
    other = factories.challenge(agency_obj=world.challenge.agency)
    factories.close_challenge(other)
    with pytest.raises(DomainError, match="Award at least one proposal"), translation.override("en"):
        determinations.results_publish(challenge=other, by=world.official)
    assert ChallengePage.objects.get(pk=other.pk).results_published_at is None


# Milestones ---------------------------------------------------------------------------------------


def _first_milestone(world) -> Milestone:
    return world.award.milestones.order_by("position").first()


def test_reporting_waits_for_the_agreement_and_keeps_evidence(world):
    milestone = _first_milestone(world)
    client = signed_in_client(world.owner)
    url = f"/workspace/milestones/{milestone.pk}/report/"
    early = client.post(url, {"report": "Sudah jalan."})
    assert early.status_code == 200
    assert indonesian("Accept the agreement first: the project starts when it is accepted.") in early.text
    factories.accept_agreement(world.award, world.owner)

    bad_link = client.post(url, {"report": "Sudah jalan.", "links": "bukan tautan"})
    assert (
        indonesian("Write each link as a web address, for example https://contoh.id/laporan.")
        in bad_link.text
    )
    assert Milestone.objects.get(pk=milestone.pk).status == "planned"

    response = client.post(
        url,
        {
            "report": "Uji coba di 3 puskesmas.",
            "links": "https://contoh.id/video\ncontoh.id/laporan",
            "files": [SimpleUploadedFile("../../foto lapangan.pdf", PDF, content_type="application/pdf")],
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.status == "reported"
    evidence = list(milestone.evidence.order_by("pk"))
    assert [e.original_name for e in evidence if e.file] == ["foto lapangan.pdf"]
    assert sorted(e.link for e in evidence if e.link) == [
        "https://contoh.id/laporan",
        "https://contoh.id/video",
    ]
    stored = next(e for e in evidence if e.file)
    assert "foto" not in stored.file.name  # stored under a random name

    download = f"/workspace/milestones/{milestone.pk}/evidence/{stored.pk}/"
    for user in (world.owner, world.official):
        got = signed_in_client(user).get(download)
        assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert signed_in_client(factories.UserFactory()).get(download).status_code == 403
    assert Notification.objects.filter(user=world.official, message__contains="Uji coba").exists()


def test_the_official_asks_for_a_revision_and_the_grantee_reports_again(world):
    factories.accept_agreement(world.award, world.owner)
    milestone = determinations_services.milestone_report(
        milestone=_first_milestone(world), by=world.owner, report="Selesai."
    )
    official = signed_in_client(world.official)
    project = official.get(f"/projects/{world.award.pk}/").text
    assert indonesian("Ask for a revision") in project and indonesian("Approve for payment") in project

    official.post(f"/workspace/milestones/{milestone.pk}/revise/", {"reason": ""})
    assert Milestone.objects.get(pk=milestone.pk).status == "reported"  # no reason, no change

    official.post(f"/workspace/milestones/{milestone.pk}/revise/", {"reason": "Lampirkan daftar hadir."})
    milestone.refresh_from_db()
    assert (milestone.status, milestone.revision_note) == ("planned", "Lampirkan daftar hadir.")
    assert Notification.objects.filter(user=world.owner, message__contains="Lampirkan daftar hadir.").exists()
    grantee_view = signed_in_client(world.owner).get(f"/projects/{world.award.pk}/").text
    assert "Lampirkan daftar hadir." in grantee_view
    entry = AuditEntry.objects.get(action="milestone.revision_requested")
    assert (entry.before, entry.after["note"]) == ({"status": "reported"}, "Lampirkan daftar hadir.")

    determinations_services.milestone_report(
        milestone=milestone, by=world.owner, report="Dengan daftar hadir."
    )
    assert Milestone.objects.get(pk=milestone.pk).status == "reported"


def test_re_planning_moves_dates_and_shifts_amounts_within_the_award(world):
    first, second = world.award.milestones.order_by("position")
    client = signed_in_client(world.official)
    url = f"/workspace/awards/{world.award.pk}/replan/"
    assert client.get(url).status_code == 200

    def post(first_amount: str, second_amount: str, reason: str = "Musim hujan menunda uji coba."):
        return client.post(
            url,
            {
                "milestones-TOTAL_FORMS": "2",
                "milestones-INITIAL_FORMS": "2",
                "milestones-0-milestone_id": first.pk,
                "milestones-0-due_date": (first.due_date + 14 * DAY).isoformat(),
                "milestones-0-amount": first_amount,
                "milestones-1-milestone_id": second.pk,
                "milestones-1-due_date": second.due_date.isoformat(),
                "milestones-1-amount": second_amount,
                "reason": reason,
            },
        )

    unbalanced = post("12.000.000", "15.000.000")
    assert unbalanced.status_code == 400
    assert indonesian("The milestone amounts must add up to the amount awarded.") in unbalanced.text
    assert post("12.000.000", "13.000.000", reason="").status_code == 400
    assert not MilestoneReplan.objects.exists()

    assert post("12.000.000", "13.000.000").status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.amount, second.amount) == (12_000_000_00, 13_000_000_00)
    assert first.due_date == timezone.localdate() + 44 * DAY
    replans = {r.milestone_id: r for r in MilestoneReplan.objects.all()}
    assert (replans[first.pk].old_amount, replans[first.pk].new_amount) == (10_000_000_00, 12_000_000_00)
    assert (
        replans[first.pk].reason == "Musim hujan menunda uji coba." and replans[first.pk].by == world.official
    )
    assert AuditEntry.objects.get(action="award.replanned").after["reason"] == "Musim hujan menunda uji coba."

    # A reported milestone keeps its amount.
    factories.accept_agreement(world.award, world.owner)
    determinations_services.milestone_report(milestone=first, by=world.owner, report="Selesai.")
    with pytest.raises(DomainError):
        determinations.milestones_replan(
            award=world.award,
            by=world.official,
            changes=[
                determinations.MilestoneChange(first.pk, first.due_date, 11_000_000_00),
                determinations.MilestoneChange(second.pk, second.due_date, 14_000_000_00),
            ],
            reason="Geser.",
        )
    assert Milestone.objects.get(pk=first.pk).amount == 12_000_000_00


# What the applicant learns, and the record ---------------------------------------------------------


def _submitted_review(proposal, reviewer, *, scores, recommendation, comment, notes) -> Review:
    assignment = ReviewAssignment.objects.create(proposal=proposal, reviewer=reviewer)
    ReviewAssignment.objects.filter(pk=assignment.pk).update(status=ReviewAssignment.Status.ACTIVE)
    review = Review.objects.create(
        assignment=assignment,
        recommendation=recommendation,
        overall_comment=comment,
        private_notes=notes,
        weighted_total=Decimal("75.00"),
        submitted_at=timezone.now(),
    )
    Review.objects.filter(pk=review.pk).update(status=Review.Status.SUBMITTED)
    for criterion, (score, remark) in zip(
        proposal.challenge.criteria.order_by("sort_order"), scores, strict=False
    ):
        CriterionScore.objects.create(
            review=review,
            criterion=criterion,
            criterion_name=criterion.name,
            weight=criterion.weight,
            score=score,
            comment=remark,
        )
    return review


def test_the_applicant_reads_the_reviewers_comments_without_names_or_private_notes(world):
    reviewers = [
        factories.UserFactory(roles=["reviewer"], first_name="Rudi", last_name="Wibowo"),
        factories.UserFactory(roles=["reviewer"], first_name="Sinta", last_name="Pakar"),
    ]
    _submitted_review(
        world.proposal,
        reviewers[0],
        scores=[(4, "Dampak jelas.")],
        recommendation="fund",
        comment="Layak didanai.",
        notes="Kenal pendirinya dari seminar.",
    )
    _submitted_review(
        world.proposal,
        reviewers[1],
        scores=[(3, "")],
        recommendation="fund_with_changes",
        comment="Perlu rencana perawatan.",
        notes="CATATAN RAHASIA",
    )
    page = signed_in_client(world.owner).get(f"/workspace/proposals/{world.proposal.pk}/").text
    assert indonesian("What the reviewers wrote") in page
    for text in (
        "Layak didanai.",
        "Perlu rencana perawatan.",
        "Dampak jelas.",
        indonesian("Reviewer %(number)s", number=2),
    ):
        assert text in page
    for secret in (
        "Rudi",
        "Sinta",
        "Wibowo",
        "Pakar",
        reviewers[0].username,
        "Kenal pendirinya",
        "CATATAN RAHASIA",
    ):
        assert secret not in page
    assert "Data warga disimpan di server dalam negeri." in page  # the conditions
    assert f"/workspace/agreements/{world.award.agreement.pk}/" in page


def test_the_official_reads_the_whole_history_in_one_timeline(world):
    factories.accept_agreement(world.award, world.owner)
    milestone = determinations_services.milestone_report(
        milestone=_first_milestone(world), by=world.owner, report="Selesai."
    )
    awards_services.milestone_approve(milestone=milestone, by=world.official)
    client = signed_in_client(world.official)
    url = f"/workspace/proposals/{world.proposal.pk}/timeline/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    actions = [entry.action for entry in response.context["entries"]]
    for expected in (
        "proposal.created",
        "proposal.submitted",
        "award.created",
        "agreement.accepted",
        "milestone.reported",
        "milestone.approved",
        "disbursement.created",
    ):
        assert expected in actions, expected
    assert (
        actions.index("proposal.submitted")
        < actions.index("award.created")
        < actions.index("agreement.accepted")
    )
    assert "Maria" in response.text  # who did it

    second = world.award.milestones.order_by("position").last()
    determinations_services.milestone_report(milestone=second, by=world.owner, report="Selesai juga.")
    awards_services.milestone_approve(milestone=second, by=world.official)
    with CaptureQueriesContext(connection) as more:
        longer = client.get(url)
    assert len(longer.context["entries"]) > len(actions)
    assert len(more) == len(few)
