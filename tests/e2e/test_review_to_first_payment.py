"""The judging path through HTTP, as each person walks it: an official screens a submitted
proposal, builds the reviewer pool and assigns reviewers by suggestion; one reviewer declares a
conflict and is replaced; three reviewers score it; the official compares, shortlists and awards
it with conditions; the grantee reads the reviewers' comments and accepts the agreement; the
first milestone is reported and approved, which requests its payment."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.models import AuditEntry
from marketplace.awards.models import Agreement, Milestone
from marketplace.challenges.models import ChallengePage, Criterion
from marketplace.challenges.services import funds as services
from marketplace.organisations.models import PastMembership
from marketplace.proposals.models import Proposal
from marketplace.review.models import Review, ReviewAssignment
from payments.models import Disbursement
from tests import factories
from tests.factories import signed_in_client

pytestmark = pytest.mark.django_db


def indonesian(text: str, **values) -> str:
    with translation.override("id"):
        return gettext(text) % values if values else gettext(text)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_screening_three_reviews_a_conflict_an_award_and_the_first_payment_request():
    region = factories.region("Kabupaten Sumba Barat", timezone_name="Asia/Makassar")
    official = factories.UserFactory(username="pejabat", roles=["official"], first_name="Maria")
    finance = factories.UserFactory(username="bendahara", roles=["finance"])
    challenge = factories.challenge(agency_obj=factories.agency(region, officials=[official]))
    ChallengePage.objects.filter(pk=challenge.pk).update(reviewers_per_proposal=3)
    challenge = ChallengePage.objects.get(pk=challenge.pk)
    owner = factories.UserFactory(username="ayu", first_name="Ayu", last_name="Lestari")
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner, amount=40_000_000_00)
    services.allocation_record(
        challenge=challenge, amount=100_000_000_00, by=finance, reference="DPA-12", idempotency_key="dpa-12"
    )
    reviewers = {
        name: factories.UserFactory(username=name, roles=["reviewer"], first_name=name.title())
        for name in ("rina", "budi", "citra", "dewi", "eko")
    }
    # Eko once belonged to the applicant organisation: he must never review its proposal.
    PastMembership.objects.create(
        user=reviewers["eko"], organisation=proposal.organisation, role="member", joined_at=timezone.now()
    )
    pejabat = signed_in_client(official)

    # 1. Screening: the checklist comes pre-filled; the official confirms every item and passes it.
    screening_url = f"/workspace/proposals/{proposal.pk}/screening/"
    form = pejabat.get(screening_url).context["form"]
    data = {"action": "pass", "reason": ""}
    for item in form.items:
        data[f"item-{item['key']}-passed"] = "yes"
        data[f"item-{item['key']}-note"] = "" if item["automatic"] in (True, None) else "Diperiksa manual."
    response = pejabat.post(screening_url, data, follow=True)
    assert indonesian("The proposal passed screening and is now in review.") in messages_of(response)
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.IN_REVIEW

    # 2. The reviewer pool, then three reviewers assigned by suggestion.
    pool_url = f"/workspace/challenges/{challenge.slug}/reviewers/"
    for user in reviewers.values():
        pejabat.post(pool_url, {"form": "add", "add-user": user.pk})
    assert challenge.reviewer_pool.count() == 5
    pejabat.post(f"/workspace/challenges/{challenge.slug}/assignments/suggested/")
    assigned = set(
        ReviewAssignment.objects.filter(proposal=proposal).values_list("reviewer__username", flat=True)
    )
    assert len(assigned) == 3 and "eko" not in assigned
    # Assigning the former member by hand is refused, with the reason.
    refused = pejabat.post(
        f"/workspace/challenges/{challenge.slug}/assignments/assign/",
        {"proposal": proposal.pk, "reviewer": reviewers["eko"].pk},
        follow=True,
    )
    assert any("eko" in m.lower() or "Eko" in m for m in messages_of(refused))
    assert not ReviewAssignment.objects.filter(reviewer=reviewers["eko"]).exists()

    # 3. One reviewer declares a conflict; the official assigns the remaining eligible reviewer.
    conflicted = ReviewAssignment.objects.filter(proposal=proposal).order_by("pk").first()
    conflicted_client = signed_in_client(conflicted.reviewer)
    assert conflicted_client.get(f"/workspace/reviews/{conflicted.pk}/").status_code in (302, 403)
    conflicted_client.post(
        f"/workspace/reviews/{conflicted.pk}/declare/",
        {"declaration": "conflict", "note": "Sepupu saya bekerja di organisasi ini."},
    )
    conflicted.refresh_from_db()
    assert conflicted.status == ReviewAssignment.Status.CONFLICT
    assert conflicted_client.get(f"/workspace/reviews/{conflicted.pk}/").status_code == 403
    spare = next(u for name, u in reviewers.items() if name != "eko" and name not in assigned)
    pejabat.post(
        f"/workspace/challenges/{challenge.slug}/assignments/assign/",
        {"proposal": proposal.pk, "reviewer": spare.pk},
    )
    active = ReviewAssignment.objects.filter(proposal=proposal).exclude(
        status=ReviewAssignment.Status.CONFLICT
    )
    assert active.count() == 3

    # 4. Three reviews: each reviewer declares no conflict, then scores every criterion.
    criteria = list(Criterion.objects.filter(challenge=challenge).order_by("sort_order", "pk"))
    scores = {0: (5, 4), 1: (4, 4), 2: (3, 5)}
    for number, assignment in enumerate(active.order_by("pk")):
        client = signed_in_client(assignment.reviewer)
        client.post(f"/workspace/reviews/{assignment.pk}/declare/", {"declaration": "none", "note": ""})
        review_data = {
            "action": "submit",
            **factories.CONFIRM,
            "recommendation": "fund" if number < 2 else "fund_with_changes",
            "overall_comment": f"Komentar penilai {number + 1} untuk pemohon.",
            "private_notes": f"Catatan rahasia {number + 1}.",
        }
        for criterion, score in zip(criteria, scores[number], strict=True):
            review_data[f"score_{criterion.pk}"] = str(score)
            review_data[f"comment_{criterion.pk}"] = f"{criterion.name}: cukup."
        assert client.post(f"/workspace/reviews/{assignment.pk}/", review_data).status_code == 302
    assert Review.objects.filter(assignment__proposal=proposal, status="submitted").count() == 3

    # 5. The call has closed: the comparison, the shortlist and the award with conditions.
    factories.close_challenge(challenge)
    comparison = pejabat.get(f"/workspace/challenges/{challenge.slug}/comparison/")
    assert comparison.status_code == 200 and proposal.title in comparison.text
    pejabat.post(f"/workspace/proposals/{proposal.pk}/decide/", {"transition": "shortlist", "note": ""})
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.SHORTLISTED
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = pejabat.post(
        f"/workspace/proposals/{proposal.pk}/award/",
        {
            "amount": "35.000.000",
            "conditions": "Aplikasi memakai bahasa daerah.",
            "milestones-TOTAL_FORMS": "2",
            "milestones-INITIAL_FORMS": "0",
            "milestones-MIN_NUM_FORMS": "1",
            "milestones-MAX_NUM_FORMS": "1000",
            "milestones-0-title": "Uji coba",
            "milestones-0-amount": "15.000.000",
            "milestones-0-due_date": due,
            "milestones-1-title": "Perluasan",
            "milestones-1-amount": "20.000.000",
            "milestones-1-due_date": due,
        },
    )
    assert response.status_code == 302
    award = Proposal.objects.get(pk=proposal.pk).award

    # 6. The grantee reads the determination and the reviewers' comments, never who wrote them.
    ayu = signed_in_client(owner)
    page = ayu.get(f"/workspace/proposals/{proposal.pk}/").text
    assert "Aplikasi memakai bahasa daerah." in page and "Komentar penilai 3 untuk pemohon." in page
    for secret in ("Catatan rahasia", *(u.username for u in reviewers.values())):
        assert secret not in page
    agreement_url = f"/workspace/agreements/{award.agreement.pk}/"
    accepted = ayu.post(agreement_url, {"action": "accept", "signer_name": "Ayu Lestari", "read_terms": "on"})
    assert accepted.status_code == 302
    assert Agreement.objects.get(pk=award.agreement.pk).status == Agreement.Status.ACCEPTED

    # 7. The first milestone: reported with evidence, approved, its payment requested.
    first = award.milestones.order_by("position").first()
    ayu.post(
        f"/workspace/milestones/{first.pk}/report/",
        {"report": "Uji coba di dua desa selesai.", "links": "https://contoh.id/video"},
    )
    assert Milestone.objects.get(pk=first.pk).status == Milestone.Status.REPORTED
    assert pejabat.post(f"/workspace/milestones/{first.pk}/approve/", factories.CONFIRM).status_code == 302
    first.refresh_from_db()
    assert first.status == Milestone.Status.APPROVED
    payment = Disbursement.objects.get(pk=first.disbursement_id)
    assert (payment.amount, payment.status) == (15_000_000_00, "pending")

    # 8. The whole path stands in the proposal's timeline.
    timeline = pejabat.get(f"/workspace/proposals/{proposal.pk}/timeline/")
    actions = [entry.action for entry in timeline.context["entries"]]
    for expected in ("proposal.submitted", "award.created", "agreement.accepted", "milestone.approved"):
        assert expected in actions
    assert AuditEntry.objects.filter(object_type="review.reviewassignment").exists()
    assert AuditEntry.objects.filter(object_type="review.review").count() >= 3
