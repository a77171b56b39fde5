"""Reads for determinations: winners, agreements waiting for an answer, what the applicant
learns from the reviews, and one proposal's whole history."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from marketplace.models import (
    Agreement,
    AuditEntry,
    Award,
    ChallengePage,
    CriterionScore,
    Milestone,
    Proposal,
    ProposalAttachment,
    ProposalPartner,
    Review,
    ReviewAssignment,
    ScreeningCheck,
)
from marketplace.models.organisations import Membership

# Statuses after which the applicant reads the reviewers' comments.
DETERMINED = (Proposal.Status.AWARDED, Proposal.Status.REJECTED, Proposal.Status.AWARD_DECLINED)


def challenge_winners(challenge: ChallengePage, *, include_unpublished: bool = False) -> list[Award]:
    """The challenge's awards (not declined), largest first. The public sees them only once the
    results are published; the agency's officials see them before, to check and publish."""
    if challenge.results_published_at is None and not include_unpublished:
        return []
    return list(
        Award.objects.filter(proposal__challenge=challenge)
        .exclude(agreement__status=Agreement.Status.DECLINED)
        .select_related("proposal__organisation", "agreement")
        .order_by("-amount", "pk")
    )


def agreements_to_answer(user) -> list[Agreement]:
    """Agreements waiting for an answer from an organisation the user owns."""
    return list(
        Agreement.objects.filter(
            status=Agreement.Status.PENDING,
            award__proposal__organisation__memberships__user=user,
            award__proposal__organisation__memberships__role=Membership.Role.OWNER,
        )
        .select_related("award__proposal__challenge", "award__proposal__organisation")
        .order_by("created_at")
    )


@dataclass(frozen=True)
class ReviewerFeedback:
    """One reviewer's comments as the applicant reads them: numbered, never named."""

    number: int
    recommendation: str
    comment: str
    scores: list[CriterionScore]


def reviewer_feedback(proposal: Proposal) -> list[ReviewerFeedback]:
    """The submitted reviews' comments and scores for the applicant, once the proposal is
    determined. Private notes and reviewer identities are never included."""
    if proposal.status not in DETERMINED:
        return []
    reviews = (
        Review.objects.filter(assignment__proposal=proposal, status=Review.Status.SUBMITTED)
        .only("pk", "recommendation", "overall_comment", "assignment_id")
        .prefetch_related(Prefetch("scores", queryset=CriterionScore.objects.order_by("pk")))
        .order_by("submitted_at", "pk")
    )
    return [
        ReviewerFeedback(
            number=number,
            recommendation=review.get_recommendation_display(),
            comment=review.overall_comment,
            scores=list(review.scores.all()),
        )
        for number, review in enumerate(reviews, start=1)
    ]


def _ids(queryset: QuerySet) -> list[str]:
    return [str(pk) for pk in queryset.values_list("pk", flat=True)]


def proposal_timeline(proposal: Proposal) -> list[AuditEntry]:
    """Every audit entry about the proposal and what hangs off it (partners, attachments,
    screening, assignments, reviews, the award, its agreement, milestones and their payments),
    oldest first. A fixed number of queries whatever the history's length."""
    award = Award.objects.filter(proposal=proposal).first()
    milestones = Milestone.objects.filter(award=award) if award else Milestone.objects.none()
    related = {
        "marketplace.proposal": [str(proposal.pk)],
        "marketplace.proposalpartner": _ids(ProposalPartner.objects.filter(proposal=proposal)),
        "marketplace.proposalattachment": _ids(ProposalAttachment.objects.filter(proposal=proposal)),
        "marketplace.screeningcheck": _ids(ScreeningCheck.objects.filter(proposal=proposal)),
        "marketplace.reviewassignment": _ids(ReviewAssignment.objects.filter(proposal=proposal)),
        "marketplace.review": _ids(Review.objects.filter(assignment__proposal=proposal)),
        "marketplace.award": [str(award.pk)] if award else [],
        "marketplace.agreement": _ids(Agreement.objects.filter(award=award)) if award else [],
        "marketplace.milestone": _ids(milestones),
        "payments.disbursement": [
            str(pk)
            for pk in milestones.exclude(disbursement_id=None).values_list("disbursement_id", flat=True)
        ],
    }
    where = Q(pk__in=[])
    for object_type, ids in related.items():
        if ids:
            where |= Q(object_type=object_type, object_id__in=ids)
    return list(AuditEntry.objects.filter(where).select_related("actor").order_by("created_at", "pk"))
