"""Small pure checks returning (allowed, reason), used once at each edge."""

from __future__ import annotations

from django.utils.translation import gettext as _

from marketplace.roles import is_finance, is_official


def is_member(user, organisation) -> bool:
    if not (user and user.is_authenticated):
        return False
    return organisation.memberships.filter(user=user).exists()


def is_challenge_official(user, challenge) -> bool:
    if not (user and user.is_authenticated):
        return False
    if user.is_superuser:
        return True
    return is_official(user) and challenge.agency.officials.filter(pk=user.pk).exists()


def can_edit_proposal(user, proposal) -> tuple[bool, str]:
    if not is_member(user, proposal.organisation):
        return False, _("Only members of the applying organisation may change this proposal.")
    return True, ""


def can_view_proposal(user, proposal) -> tuple[bool, str]:
    if is_member(user, proposal.organisation) or is_challenge_official(user, proposal.challenge):
        return True, ""
    return False, _("You may not see this proposal.")


def can_award(user, challenge) -> tuple[bool, str]:
    if not is_challenge_official(user, challenge):
        return False, _("Only an official of the agency that owns this challenge may award it.")
    return True, ""


def can_report_milestone(user, milestone) -> tuple[bool, str]:
    if not is_member(user, milestone.award.proposal.organisation):
        return False, _("Only the grantee may report progress on this milestone.")
    return True, ""


def can_approve_milestone(user, milestone) -> tuple[bool, str]:
    if not is_challenge_official(user, milestone.award.proposal.challenge):
        return False, _("Only an official of the agency that owns this challenge may approve milestones.")
    return True, ""


def can_manage_funds(user) -> tuple[bool, str]:
    if not is_finance(user):
        return False, _("Only a finance officer may do this.")
    return True, ""
