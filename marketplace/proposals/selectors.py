"""Reads shaped for their pages: every list here runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q, QuerySet

from marketplace.organisations.models import Organisation, PartnershipRequest
from marketplace.proposals.models import Proposal


def agreed_partner_ids(proposal: Proposal) -> QuerySet:
    """Organisations that agreed with the proposal's lead, through an accepted partnership
    request on the proposal's challenge, to work together (either side may have asked)."""
    accepted = PartnershipRequest.objects.filter(
        listing__challenge_id=proposal.challenge_id, status=PartnershipRequest.Status.ACCEPTED
    )
    lead = proposal.organisation_id
    asked_us = accepted.filter(listing__organisation_id=lead).values("from_organisation_id")
    we_asked = accepted.filter(from_organisation_id=lead).values("listing__organisation_id")
    return Organisation.objects.filter(Q(pk__in=asked_us) | Q(pk__in=we_asked)).values("pk")


# The applicant's view of a determined proposal ---------------------------------------------

# Statuses after which the applicant reads the reviewers' comments.
DETERMINED = (Proposal.Status.AWARDED, Proposal.Status.REJECTED, Proposal.Status.AWARD_DECLINED)


@dataclass(frozen=True)
class ReviewerFeedback:
    """One reviewer's comments as the applicant reads them: numbered, never named."""

    number: int
    recommendation: str
    comment: str
    scores: list


def reviewer_feedback(proposal: Proposal) -> list[ReviewerFeedback]:
    """The submitted reviews' comments and scores for the applicant, once the proposal is
    determined. Private notes and reviewer identities are never included."""
    if proposal.status not in DETERMINED:
        return []
    # Reviews sit in an app above proposals, so the model is looked up, not imported.
    review_model = apps.get_model("review", "Review")
    reviews = (
        review_model.objects.filter(assignment__proposal=proposal, status="submitted")
        .only("pk", "recommendation", "overall_comment", "assignment_id")
        .prefetch_related("scores")
        .order_by("submitted_at", "pk")
    )
    return [
        ReviewerFeedback(
            number=number,
            recommendation=review.get_recommendation_display(),
            comment=review.overall_comment,
            scores=sorted(review.scores.all(), key=lambda score: score.pk),
        )
        for number, review in enumerate(reviews, start=1)
    ]
