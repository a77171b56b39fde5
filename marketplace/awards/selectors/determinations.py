"""Reads for determinations: winners, agreements waiting for an answer, what the applicant
learns from the reviews, and one proposal's whole history."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core.models import AuditEntry
from marketplace.awards.models import Agreement, Award, Milestone
from marketplace.challenges.models import ChallengePage
from marketplace.organisations.models import Membership
from marketplace.proposals.models import Proposal, ProposalAttachment, ProposalPartner
from marketplace.review.models import Review, ReviewAssignment, ScreeningCheck

# Statuses after which the applicant reads the reviewers' comments.


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


def _ids(queryset: QuerySet) -> list[str]:
    return [str(pk) for pk in queryset.values_list("pk", flat=True)]


def proposal_timeline(proposal: Proposal) -> list[AuditEntry]:
    """Every audit entry about the proposal and what hangs off it (partners, attachments,
    screening, assignments, reviews, the award, its agreement, milestones and their payments),
    oldest first. A fixed number of queries whatever the history's length."""
    award = Award.objects.filter(proposal=proposal).first()
    milestones = Milestone.objects.filter(award=award) if award else Milestone.objects.none()
    related = {
        "proposals.proposal": [str(proposal.pk)],
        "proposals.proposalpartner": _ids(ProposalPartner.objects.filter(proposal=proposal)),
        "proposals.proposalattachment": _ids(ProposalAttachment.objects.filter(proposal=proposal)),
        "review.screeningcheck": _ids(ScreeningCheck.objects.filter(proposal=proposal)),
        "review.reviewassignment": _ids(ReviewAssignment.objects.filter(proposal=proposal)),
        "review.review": _ids(Review.objects.filter(assignment__proposal=proposal)),
        "awards.award": [str(award.pk)] if award else [],
        "awards.agreement": _ids(Agreement.objects.filter(award=award)) if award else [],
        "awards.milestone": _ids(milestones),
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
