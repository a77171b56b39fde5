"""Small pure checks returning (allowed, reason), used once at each edge."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.actors import Visitor
from core.references import ORGANISATION, parse_reference
from core.roles import is_finance
from marketplace.awards.models import Milestone
from marketplace.organisations.permissions import is_member, is_owner, is_region_official
from marketplace.proposals import conflicts

# Contributions ------------------------------------------------------------------------------
# Any signed-in user may co-fund a challenge: a company's CSR officer registers like anyone else,
# and the "sponsor" group is not required. A contribution is seen by its sponsor and by finance
# officers; pledges are confirmed and refunds made by finance officers only.


def can_contribute(user: Visitor, challenge) -> tuple[bool, str]:
    if not (user and user.is_authenticated):
        return False, _("Sign in to contribute.")
    return True, ""


def can_view_contribution(user: Visitor, contribution) -> tuple[bool, str]:
    if user and user.is_authenticated and (contribution.sponsor_id == user.pk or is_finance(user)):
        return True, ""
    return False, _("Only the sponsor and finance officers may see this contribution.")


def can_pay_contribution(user: Visitor, contribution) -> tuple[bool, str]:
    if user and user.is_authenticated and contribution.sponsor_id == user.pk:
        return True, ""
    return False, _("Only the sponsor may pay this contribution.")


def can_manage_contributions(user: Visitor) -> tuple[bool, str]:
    if not is_finance(user):
        return False, _("Only a finance officer may confirm pledges and refund contributions.")
    return True, ""


# Payouts ------------------------------------------------------------------------------------
# Where an organisation is paid is decided by its owners only; bank details are verified by an
# official of its region who is not a member (changed bank details are the classic fraud).
# Finance officers handle payments; the four eyes on each payment are checked in payments.


def can_manage_payouts(user: Visitor, organisation) -> tuple[bool, str]:
    if not is_owner(user, organisation):
        return False, _("Only an owner of the organisation may decide where it is paid.")
    return True, ""


def can_verify_bank_details(user: Visitor, organisation) -> tuple[bool, str]:
    if not is_region_official(user, organisation):
        return False, _("Only an official of the organisation's region may verify its bank details.")
    if is_member(user, organisation):
        return False, _("You may not verify the bank details of an organisation you belong to.")
    return True, ""


def can_handle_payments(user: Visitor) -> tuple[bool, str]:
    if not is_finance(user):
        return False, _("Only a finance officer may handle payments.")
    return True, ""


def can_view_payment_proof(user: Visitor, organisation) -> tuple[bool, str]:
    """The transfer proof: finance officers, and the owners of the organisation that was paid."""
    if is_finance(user) or (organisation is not None and is_owner(user, organisation)):
        return True, ""
    return False, _("Only finance officers and the owners of the organisation paid may see this proof.")


def payment_conflict(user: Visitor, disbursement) -> str:
    """Why ``user`` may not release or handle this payment, or "": they are or were a member of
    an organisation behind the milestone's proposal (or of the payee), or declared a conflict on
    that proposal. payments asks it with every four-eyes check (registered by FinanceConfig)."""
    milestone = (
        Milestone.objects.filter(disbursement_id=disbursement.pk)
        .select_related("award__proposal__organisation")
        .first()
    )
    if milestone is not None:
        reason = conflicts.conflict_of_interest(user, milestone.award.proposal)
        if reason:
            return reason
    payee = parse_reference(disbursement.payee_reference, ORGANISATION)
    return conflicts.organisation_conflict(user, payee) if payee is not None else ""


# The regional treasury account -----------------------------------------------------------------
# A region's RKUD is entered by its own finance officers: members of the finance group who are
# listed on one of the region's agencies (its BPKAD, the regional finance office).


def finance_regions(user: Visitor):
    """The regions whose treasury account ``user`` may edit (a queryset of region ids)."""
    from marketplace.challenges.models import Agency, RegionPage

    if user is None or not user.is_authenticated or not is_finance(user):
        return RegionPage.objects.none().values("pk")
    if user.is_superuser:
        return RegionPage.objects.values("pk")
    return Agency.objects.filter(officials=user.pk).values("region_id")


def can_edit_treasury_account(user: Visitor, region) -> tuple[bool, str]:
    if user is None or not user.is_authenticated or not is_finance(user):
        return False, _("Only a finance officer may enter the regional treasury account.")
    if not (user.is_superuser or region.agencies.filter(officials=user.pk).exists()):
        return False, _("Only the finance officers of %(region)s may enter its treasury account.") % {
            "region": region.title
        }
    return True, ""
