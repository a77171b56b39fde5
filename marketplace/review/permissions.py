"""Small pure checks returning (allowed, reason), used once at each edge."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.actors import Visitor
from marketplace.challenges.permissions import is_challenge_official
from marketplace.proposals.permissions import without_conflict

# Review: screening, reviewer pool, assignments, conflicts -----------------------------------


def can_screen_proposal(user: Visitor, proposal) -> tuple[bool, str]:
    """The owning agency's officials screen a proposal once it has been submitted."""
    if proposal.submitted_at is None or not is_challenge_official(user, proposal.challenge):
        return False, _("Only an official of the agency that owns this challenge may screen its proposals.")
    return without_conflict(user, proposal)


def can_manage_reviews(user: Visitor, challenge) -> tuple[bool, str]:
    """The reviewer pool, assignments and their removal."""
    if not is_challenge_official(user, challenge):
        return False, _("Only an official of the agency that owns this challenge may manage its reviewers.")
    return True, ""


def can_declare_conflict(user: Visitor, assignment) -> tuple[bool, str]:
    if not (user and user.is_authenticated and assignment.reviewer_id == user.pk):
        return False, _("Only the reviewer asked to review this proposal may make this declaration.")
    return True, ""


# Review: scoring and the comparison table ------------------------------------------------------


def is_assigned_reviewer(user: Visitor, assignment) -> bool:
    return bool(user and user.is_authenticated and assignment.reviewer_id == user.pk)


def can_score(user: Visitor, assignment) -> tuple[bool, str]:
    """The assigned reviewer, once they declared no conflict (the assignment is active)."""
    from marketplace.review.models import ReviewAssignment

    if not is_assigned_reviewer(user, assignment):
        return False, _("Only the reviewer assigned to this proposal may review it.")
    if assignment.status == ReviewAssignment.Status.AWAITING_DECLARATION:
        return False, _("Declare whether you have a conflict of interest before reviewing.")
    if assignment.status != ReviewAssignment.Status.ACTIVE:
        return False, _("This review assignment has ended.")
    return True, ""


def can_reopen_review(user: Visitor, assignment) -> tuple[bool, str]:
    """Reading a reviewer's scores and notes, and reopening a submitted review."""
    if not is_challenge_official(user, assignment.proposal.challenge):
        return False, _("Only an official of the agency that owns this challenge may reopen a review.")
    return True, ""


def can_view_comparison(user: Visitor, challenge) -> tuple[bool, str]:
    if not is_challenge_official(user, challenge):
        return False, _("Only an official of the agency that owns this challenge may compare its proposals.")
    return True, ""


def hides_applicant_identity(challenge) -> bool:
    """On the pages a reviewer uses: in a blind review, no organisation or person is named."""
    return bool(challenge.blind_review)
