"""Small pure checks returning (allowed, reason), used once at each edge."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.actors import Visitor
from core.roles import is_official


def is_member(user: Visitor, organisation) -> bool:
    if not (user and user.is_authenticated):
        return False
    return organisation.memberships.filter(user=user).exists()


def can_list_for_partners(user: Visitor, organisation) -> tuple[bool, str]:
    if not is_member(user, organisation):
        return False, _("Only members of the organisation may look for partners on its behalf.")
    return True, ""


def can_request_partnership(user: Visitor, listing, from_organisation) -> tuple[bool, str]:
    if not is_member(user, from_organisation):
        return False, _("You can only send a request on behalf of an organisation you belong to.")
    if from_organisation.pk == listing.organisation_id or is_member(user, listing.organisation):
        return False, _("You cannot ask your own organisation to be your partner.")
    return True, ""


def can_decide_partnership(user: Visitor, partnership_request) -> tuple[bool, str]:
    if not is_member(user, partnership_request.listing.organisation):
        return False, _("Only members of the organisation that was asked may answer this request.")
    return True, ""


# Organisations, people and verification -----------------------------------------------------


def can_act(user: Visitor) -> tuple[bool, str]:
    """Creating organisations, applying and joining need a confirmed email address."""
    from marketplace.organisations.accounts import has_verified_email

    if not (user and user.is_authenticated):
        return False, _("Sign in first.")
    if not has_verified_email(user):
        return False, _("Confirm your email address first: open the link we sent you.")
    return True, ""


def is_owner(user: Visitor, organisation) -> bool:
    if not (user and user.is_authenticated):
        return False
    return organisation.memberships.filter(user=user, role="owner").exists()


def can_edit_organisation(user: Visitor, organisation) -> tuple[bool, str]:
    if not is_owner(user, organisation):
        return False, _("Only an owner of the organisation may change it.")
    return True, ""


def can_manage_members(user: Visitor, organisation) -> tuple[bool, str]:
    if not is_owner(user, organisation):
        return False, _("Only an owner of the organisation may invite or remove members.")
    return True, ""


def is_region_official(user: Visitor, organisation) -> bool:
    """An official of an agency in the organisation's region; any official when it names none."""
    from marketplace.challenges.models import Agency

    if not (user and user.is_authenticated):
        return False
    if user.is_superuser:
        return True
    if not is_official(user):
        return False
    if organisation.region_id is None:
        return True
    return Agency.objects.filter(region_id=organisation.region_id, officials=user).exists()


def can_view_documents(user: Visitor, organisation) -> tuple[bool, str]:
    if is_member(user, organisation) or is_region_official(user, organisation):
        return True, ""
    return False, _("Only members of the organisation and officials of its region may see its documents.")


def can_upload_documents(user: Visitor, organisation) -> tuple[bool, str]:
    if not is_member(user, organisation):
        return False, _("Only members of the organisation may add its documents.")
    return True, ""


def can_verify_organisation(user: Visitor, organisation) -> tuple[bool, str]:
    if not is_region_official(user, organisation):
        return False, _("Only an official of the organisation's region may verify it.")
    if is_member(user, organisation):
        return False, _("You may not verify an organisation you belong to.")
    return True, ""
