"""Reads shaped for their pages: every list here runs a fixed number of queries."""

from __future__ import annotations

from marketplace.awards.models import Milestone
from marketplace.organisations.models import Organisation
from marketplace.proposals import conflicts
from marketplace.proposals.models import Proposal


def workspace_for(user) -> dict:
    organisations = list(Organisation.objects.filter(memberships__user=user))
    milestones = (
        Milestone.objects.filter(award__proposal__organisation__in=organisations)
        .select_related("award__proposal")
        .order_by("due_date")
    )
    official_milestones = Milestone.objects.filter(
        status=Milestone.Status.REPORTED, award__proposal__challenge__agency__officials=user
    ).select_related("award__proposal__organisation")
    to_award = Proposal.objects.filter(
        status=Proposal.Status.SUBMITTED, challenge__agency__officials=user
    ).select_related("challenge", "organisation")
    # What a conflict of interest forbids is not offered (another official acts on it).
    conflicted = conflicts.conflicted_proposal_ids(
        user,
        {
            *official_milestones.values_list("award__proposal_id", flat=True),
            *to_award.values_list("pk", flat=True),
        },
    )
    official_milestones = official_milestones.exclude(award__proposal_id__in=conflicted)
    to_award = to_award.exclude(pk__in=conflicted)
    return {
        "organisations": organisations,
        "milestones": milestones,
        "milestones_to_approve": official_milestones,
        "proposals_to_award": to_award,
    }
