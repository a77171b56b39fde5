"""Who has which part of the workspace. Small pure checks returning ``(allowed, reason)``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.actors import Visitor
from core.roles import (
    AGENCY_HEAD_GROUP,
    FINANCE_GROUP,
    OFFICIAL_GROUP,
    REVIEWER_GROUP,
    SPONSOR_GROUP,
    has_role,
)
from marketplace.organisations import selectors as organisation_selectors
from marketplace.organisations.models import Membership
from payments import api as payments_api

# Applicants have no group: whoever belongs to an organisation, is invited to one, or holds no
# other role (a new account is a would-be applicant) is one. Whoever has contributed to a
# challenge has the sponsor's part, with or without the group.
APPLICANT = "applicant"
STAFF_ROLES = (OFFICIAL_GROUP, REVIEWER_GROUP, FINANCE_GROUP, AGENCY_HEAD_GROUP, SPONSOR_GROUP)
ROLE_ORDER = (APPLICANT, *STAFF_ROLES)

# The areas in the order of the workspace's navigation, with the roles that have each.
AREA_ROLES: dict[str, frozenset[str]] = {
    "proposals": frozenset({APPLICANT}),
    "organisations": frozenset({APPLICANT}),
    "reviews": frozenset({REVIEWER_GROUP, OFFICIAL_GROUP}),
    "approvals": frozenset({OFFICIAL_GROUP}),
    "finance": frozenset({FINANCE_GROUP, SPONSOR_GROUP}),
}


def workspace_roles(user: Visitor) -> tuple[str, ...]:
    """The user's roles, in ``ROLE_ORDER``. One query for the groups, one for contributions
    (unless a sponsor), one or two for the applicant test (memberships, then invitations, only
    for staff who belong to none); cached on the user object for the request."""
    if not (user and user.is_authenticated):
        return ()
    cached = getattr(user, "_workspace_roles", None)
    if cached is not None:
        return cached
    groups = {role for role in STAFF_ROLES if has_role(user, role)}
    applicant = (
        not groups
        or Membership.objects.filter(user_id=user.pk).exists()
        or organisation_selectors.pending_invitations_for(user).exists()
    )
    # Anyone signed in may contribute to a challenge: a contributor has the sponsor's part.
    sponsor = SPONSOR_GROUP in groups or payments_api.contributions_of(user=user).exists()
    mine = groups | ({APPLICANT} if applicant else set()) | ({SPONSOR_GROUP} if sponsor else set())
    roles = tuple(role for role in ROLE_ORDER if role in mine)
    user._workspace_roles = roles  # type: ignore[attr-defined]  # a per-request cache, as core.roles does
    return roles


def areas_for(user: Visitor) -> list[str]:
    roles = set(workspace_roles(user))
    return [area for area, allowed in AREA_ROLES.items() if roles & allowed]


def can_use_area(user: Visitor, area: str) -> tuple[bool, str]:
    if area not in areas_for(user):
        return False, _("This part of the workspace is not for your role.")
    return True, ""
