"""Small pure checks returning (allowed, reason), used once at each edge."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.actors import Visitor
from core.roles import is_finance, is_official
from marketplace.challenges.permissions import is_challenge_official
from marketplace.organisations.permissions import is_member


def can_edit_proposal(user: Visitor, proposal) -> tuple[bool, str]:
    if not is_member(user, proposal.organisation):
        return False, _("Only members of the applying organisation may change this proposal.")
    return True, ""


def is_partner_member(user: Visitor, proposal, *, accepted_only: bool = False) -> bool:
    """A member of a partner organisation invited to the proposal (that has not declined)."""
    if not (user and user.is_authenticated):
        return False
    statuses = ["accepted"] if accepted_only else ["invited", "accepted"]
    return proposal.partners.filter(status__in=statuses, organisation__memberships__user=user).exists()


def can_view_proposal(user: Visitor, proposal) -> tuple[bool, str]:
    """The lead's members always; invited and accepted partners' members; the owning agency's
    officials once the proposal has been submitted (a draft stays private to its authors)."""
    if is_member(user, proposal.organisation) or is_partner_member(user, proposal):
        return True, ""
    if proposal.submitted_at is not None and is_challenge_official(user, proposal.challenge):
        return True, ""
    return False, _("You may not see this proposal.")


def can_view_proposal_attachments(user: Visitor, proposal) -> tuple[bool, str]:
    if is_member(user, proposal.organisation) or is_partner_member(user, proposal, accepted_only=True):
        return True, ""
    if proposal.submitted_at is not None and is_challenge_official(user, proposal.challenge):
        return True, ""
    return False, _("You may not open this file.")


def without_conflict(user: Visitor, proposal) -> tuple[bool, str]:
    """Refused to whoever is or was a member of an organisation behind the proposal, or declared
    a conflict on it (``proposals.conflicts``). Every check of acting on a proposal ends here;
    reading it stays allowed."""
    from marketplace.proposals.conflicts import conflict_of_interest

    reason = conflict_of_interest(user, proposal)
    if reason:
        return False, reason
    return True, ""


def can_decide_proposal(user: Visitor, proposal) -> tuple[bool, str]:
    """Screening, review, shortlisting, rejection and change requests."""
    if not is_challenge_official(user, proposal.challenge):
        return False, _("Only an official of the agency that owns this challenge may decide on proposals.")
    return without_conflict(user, proposal)


def can_declare_conflict_on_proposal(user: Visitor, proposal) -> tuple[bool, str]:
    """An official of the owning agency, or a finance officer, declares a conflict of interest on
    a submitted proposal (once), so that someone else acts on it."""
    from marketplace.proposals.conflicts import has_declared_conflict

    if proposal.submitted_at is None or not (
        is_challenge_official(user, proposal.challenge) or is_finance(user)
    ):
        return False, _(
            "Only the agency's officials and finance officers may declare a conflict of interest on a "
            "proposal."
        )
    if has_declared_conflict(user, proposal):
        return False, _("You have already declared a conflict of interest on this proposal.")
    return True, ""


def can_respond_to_partnership(user: Visitor, partner) -> tuple[bool, str]:
    if not is_member(user, partner.organisation):
        return False, _("Only members of the invited organisation may answer this invitation.")
    return True, ""


def can_list_agency_proposals(user: Visitor) -> tuple[bool, str]:
    if not is_official(user):
        return False, _("Only officials may see the proposals sent to their agency.")
    return True, ""
