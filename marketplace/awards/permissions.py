"""Small pure checks returning (allowed, reason), used once at each edge."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.actors import Visitor
from marketplace.challenges.permissions import is_challenge_official
from marketplace.organisations.permissions import is_member, is_owner
from marketplace.proposals.permissions import without_conflict


def can_award(user: Visitor, challenge) -> tuple[bool, str]:
    if not is_challenge_official(user, challenge):
        return False, _("Only an official of the agency that owns this challenge may award it.")
    return True, ""


def can_award_proposal(user: Visitor, proposal) -> tuple[bool, str]:
    """Awarding this proposal, drawing in-kind offers down for it, re-planning its milestones:
    an official of the owning agency without a conflict of interest on it."""
    allowed, reason = can_award(user, proposal.challenge)
    if not allowed:
        return allowed, reason
    return without_conflict(user, proposal)


def can_edit_project_english(user: Visitor, award) -> tuple[bool, str]:
    """The project's English title, summary and milestone titles: an official of the agency that
    owns the challenge (they are the agency's public words, not the grantee's)."""
    if not is_challenge_official(user, award.proposal.challenge):
        return False, _("Only an official of the agency that owns this challenge may edit the English text.")
    return True, ""


def can_report_milestone(user: Visitor, milestone) -> tuple[bool, str]:
    if not is_member(user, milestone.award.proposal.organisation):
        return False, _("Only the grantee may report progress on this milestone.")
    return True, ""


def can_write_progress_report(user: Visitor, milestone) -> tuple[bool, str]:
    """The public progress report: written by the grantee's members, and nobody else (not the
    agency's officials, reviewers, finance or sponsors)."""
    if not is_member(user, milestone.award.proposal.organisation):
        return False, _("Only the grantee may write the public progress report of this milestone.")
    return True, ""


def can_approve_milestone(user: Visitor, milestone) -> tuple[bool, str]:
    if not is_challenge_official(user, milestone.award.proposal.challenge):
        return False, _("Only an official of the agency that owns this challenge may approve milestones.")
    return without_conflict(user, milestone.award.proposal)


# Determination, agreement, results and milestones ---------------------------------------------


def can_sign_agreement(user: Visitor, agreement) -> tuple[bool, str]:
    if not is_owner(user, agreement.award.proposal.organisation):
        return False, _("Only an owner of the grantee organisation may accept or decline the agreement.")
    return True, ""


def can_view_agreement(user: Visitor, agreement) -> tuple[bool, str]:
    proposal = agreement.award.proposal
    if is_member(user, proposal.organisation) or is_challenge_official(user, proposal.challenge):
        return True, ""
    return False, _("Only the grantee and the agency's officials may read this agreement.")


def can_view_milestone_evidence(user: Visitor, milestone) -> tuple[bool, str]:
    proposal = milestone.award.proposal
    if is_member(user, proposal.organisation) or is_challenge_official(user, proposal.challenge):
        return True, ""
    return False, _("Only the grantee and the agency's officials may open this evidence.")


def can_view_timeline(user: Visitor, proposal) -> tuple[bool, str]:
    if is_challenge_official(user, proposal.challenge):
        return True, ""
    return False, _("Only the agency's officials may read the full history of a proposal.")
