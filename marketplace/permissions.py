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


def is_partner_member(user, proposal, *, accepted_only: bool = False) -> bool:
    """A member of a partner organisation invited to the proposal (that has not declined)."""
    if not (user and user.is_authenticated):
        return False
    statuses = ["accepted"] if accepted_only else ["invited", "accepted"]
    return proposal.partners.filter(status__in=statuses, organisation__memberships__user=user).exists()


def can_view_proposal(user, proposal) -> tuple[bool, str]:
    """The lead's members always; invited and accepted partners' members; the owning agency's
    officials once the proposal has been submitted (a draft stays private to its authors)."""
    if is_member(user, proposal.organisation) or is_partner_member(user, proposal):
        return True, ""
    if proposal.submitted_at is not None and is_challenge_official(user, proposal.challenge):
        return True, ""
    return False, _("You may not see this proposal.")


def can_view_proposal_attachments(user, proposal) -> tuple[bool, str]:
    if is_member(user, proposal.organisation) or is_partner_member(user, proposal, accepted_only=True):
        return True, ""
    if proposal.submitted_at is not None and is_challenge_official(user, proposal.challenge):
        return True, ""
    return False, _("You may not open this file.")


def can_decide_proposal(user, proposal) -> tuple[bool, str]:
    """Screening, review, shortlisting, rejection and change requests."""
    if not is_challenge_official(user, proposal.challenge):
        return False, _("Only an official of the agency that owns this challenge may decide on proposals.")
    return True, ""


def can_respond_to_partnership(user, partner) -> tuple[bool, str]:
    if not is_member(user, partner.organisation):
        return False, _("Only members of the invited organisation may answer this invitation.")
    return True, ""


def can_list_agency_proposals(user) -> tuple[bool, str]:
    if not is_official(user):
        return False, _("Only officials may see the proposals sent to their agency.")
    return True, ""


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


# Public Q&A and partner finding ------------------------------------------------------------


def can_ask_question(user) -> tuple[bool, str]:
    if not (user and user.is_authenticated):
        return False, _("Sign in to ask a question.")
    return True, ""


def can_manage_question(user, question) -> tuple[bool, str]:
    if not is_challenge_official(user, question.challenge):
        return False, _("Only an official of the agency that owns this challenge may answer its questions.")
    return True, ""


def can_list_for_partners(user, organisation) -> tuple[bool, str]:
    if not is_member(user, organisation):
        return False, _("Only members of the organisation may look for partners on its behalf.")
    return True, ""


def can_request_partnership(user, listing, from_organisation) -> tuple[bool, str]:
    if not is_member(user, from_organisation):
        return False, _("You can only send a request on behalf of an organisation you belong to.")
    if from_organisation.pk == listing.organisation_id or is_member(user, listing.organisation):
        return False, _("You cannot ask your own organisation to be your partner.")
    return True, ""


def can_decide_partnership(user, partnership_request) -> tuple[bool, str]:
    if not is_member(user, partnership_request.listing.organisation):
        return False, _("Only members of the organisation that was asked may answer this request.")
    return True, ""


# Organisations, people and verification -----------------------------------------------------


def can_act(user) -> tuple[bool, str]:
    """Creating organisations, applying and joining need a confirmed email address."""
    from marketplace.accounts import has_verified_email

    if not (user and user.is_authenticated):
        return False, _("Sign in first.")
    if not has_verified_email(user):
        return False, _("Confirm your email address first: open the link we sent you.")
    return True, ""


def is_owner(user, organisation) -> bool:
    if not (user and user.is_authenticated):
        return False
    return organisation.memberships.filter(user=user, role="owner").exists()


def can_edit_organisation(user, organisation) -> tuple[bool, str]:
    if not is_owner(user, organisation):
        return False, _("Only an owner of the organisation may change it.")
    return True, ""


def can_manage_members(user, organisation) -> tuple[bool, str]:
    if not is_owner(user, organisation):
        return False, _("Only an owner of the organisation may invite or remove members.")
    return True, ""


def is_region_official(user, organisation) -> bool:
    """An official of an agency in the organisation's region; any official when it names none."""
    from marketplace.models import Agency

    if not (user and user.is_authenticated):
        return False
    if user.is_superuser:
        return True
    if not is_official(user):
        return False
    if organisation.region_id is None:
        return True
    return Agency.objects.filter(region_id=organisation.region_id, officials=user).exists()


def can_view_documents(user, organisation) -> tuple[bool, str]:
    if is_member(user, organisation) or is_region_official(user, organisation):
        return True, ""
    return False, _("Only members of the organisation and officials of its region may see its documents.")


def can_upload_documents(user, organisation) -> tuple[bool, str]:
    if not is_member(user, organisation):
        return False, _("Only members of the organisation may add its documents.")
    return True, ""


def can_verify_organisation(user, organisation) -> tuple[bool, str]:
    if not is_region_official(user, organisation):
        return False, _("Only an official of the organisation's region may verify it.")
    if is_member(user, organisation):
        return False, _("You may not verify an organisation you belong to.")
    return True, ""


# Review: screening, reviewer pool, assignments, conflicts -----------------------------------


def can_screen_proposal(user, proposal) -> tuple[bool, str]:
    """The owning agency's officials screen a proposal once it has been submitted."""
    if proposal.submitted_at is None or not is_challenge_official(user, proposal.challenge):
        return False, _("Only an official of the agency that owns this challenge may screen its proposals.")
    return True, ""


def can_manage_reviews(user, challenge) -> tuple[bool, str]:
    """The reviewer pool, assignments and their removal."""
    if not is_challenge_official(user, challenge):
        return False, _("Only an official of the agency that owns this challenge may manage its reviewers.")
    return True, ""


def can_declare_conflict(user, assignment) -> tuple[bool, str]:
    if not (user and user.is_authenticated and assignment.reviewer_id == user.pk):
        return False, _("Only the reviewer asked to review this proposal may make this declaration.")
    return True, ""


# Review: scoring and the comparison table ------------------------------------------------------


def is_assigned_reviewer(user, assignment) -> bool:
    return bool(user and user.is_authenticated and assignment.reviewer_id == user.pk)


def can_score(user, assignment) -> tuple[bool, str]:
    """The assigned reviewer, once they declared no conflict (the assignment is active)."""
    from marketplace.models import ReviewAssignment

    if not is_assigned_reviewer(user, assignment):
        return False, _("Only the reviewer assigned to this proposal may review it.")
    if assignment.status == ReviewAssignment.Status.AWAITING_DECLARATION:
        return False, _("Declare whether you have a conflict of interest before reviewing.")
    if assignment.status != ReviewAssignment.Status.ACTIVE:
        return False, _("This review assignment has ended.")
    return True, ""


def can_reopen_review(user, assignment) -> tuple[bool, str]:
    """Reading a reviewer's scores and notes, and reopening a submitted review."""
    if not is_challenge_official(user, assignment.proposal.challenge):
        return False, _("Only an official of the agency that owns this challenge may reopen a review.")
    return True, ""


def can_view_comparison(user, challenge) -> tuple[bool, str]:
    if not is_challenge_official(user, challenge):
        return False, _("Only an official of the agency that owns this challenge may compare its proposals.")
    return True, ""


def hides_applicant_identity(challenge) -> bool:
    """On the pages a reviewer uses: in a blind review, no organisation or person is named."""
    return bool(challenge.blind_review)


# Determination, agreement, results and milestones ---------------------------------------------


def can_sign_agreement(user, agreement) -> tuple[bool, str]:
    if not is_owner(user, agreement.award.proposal.organisation):
        return False, _("Only an owner of the grantee organisation may accept or decline the agreement.")
    return True, ""


def can_view_agreement(user, agreement) -> tuple[bool, str]:
    proposal = agreement.award.proposal
    if is_member(user, proposal.organisation) or is_challenge_official(user, proposal.challenge):
        return True, ""
    return False, _("Only the grantee and the agency's officials may read this agreement.")


def can_view_milestone_evidence(user, milestone) -> tuple[bool, str]:
    proposal = milestone.award.proposal
    if is_member(user, proposal.organisation) or is_challenge_official(user, proposal.challenge):
        return True, ""
    return False, _("Only the grantee and the agency's officials may open this evidence.")


def can_view_timeline(user, proposal) -> tuple[bool, str]:
    if is_challenge_official(user, proposal.challenge):
        return True, ""
    return False, _("Only the agency's officials may read the full history of a proposal.")


# Contributions ------------------------------------------------------------------------------
# Any signed-in user may co-fund a challenge: a company's CSR officer registers like anyone else,
# and the "sponsor" group is not required. A contribution is seen by its sponsor and by finance
# officers; pledges are confirmed and refunds made by finance officers only.


def can_contribute(user, challenge) -> tuple[bool, str]:
    if not (user and user.is_authenticated):
        return False, _("Sign in to contribute.")
    return True, ""


def can_view_contribution(user, contribution) -> tuple[bool, str]:
    if user and user.is_authenticated and (contribution.sponsor_id == user.pk or is_finance(user)):
        return True, ""
    return False, _("Only the sponsor and finance officers may see this contribution.")


def can_pay_contribution(user, contribution) -> tuple[bool, str]:
    if user and user.is_authenticated and contribution.sponsor_id == user.pk:
        return True, ""
    return False, _("Only the sponsor may pay this contribution.")


def can_manage_contributions(user) -> tuple[bool, str]:
    if not is_finance(user):
        return False, _("Only a finance officer may confirm pledges and refund contributions.")
    return True, ""


# Payouts ------------------------------------------------------------------------------------
# Where an organisation is paid is decided by its owners only; bank details are verified by an
# official of its region who is not a member (changed bank details are the classic fraud).
# Finance officers handle payments; the four eyes on each payment are checked in payments.


def can_manage_payouts(user, organisation) -> tuple[bool, str]:
    if not is_owner(user, organisation):
        return False, _("Only an owner of the organisation may decide where it is paid.")
    return True, ""


def can_verify_bank_details(user, organisation) -> tuple[bool, str]:
    if not is_region_official(user, organisation):
        return False, _("Only an official of the organisation's region may verify its bank details.")
    if is_member(user, organisation):
        return False, _("You may not verify the bank details of an organisation you belong to.")
    return True, ""


def can_handle_payments(user) -> tuple[bool, str]:
    if not is_finance(user):
        return False, _("Only a finance officer may handle payments.")
    return True, ""


def can_view_payment_proof(user, organisation) -> tuple[bool, str]:
    """The transfer proof: finance officers, and the owners of the organisation that was paid."""
    if is_finance(user) or (organisation is not None and is_owner(user, organisation)):
        return True, ""
    return False, _("Only finance officers and the owners of the organisation paid may see this proof.")
