"""Roles are Django groups; these names are created by a data migration."""

from payments.api import FINANCE_GROUP

OFFICIAL_GROUP = "official"
REVIEWER_GROUP = "reviewer"
SPONSOR_GROUP = "sponsor"
# Kepala OPD: approves challenges in the Wagtail workflow before they go live.
AGENCY_HEAD_GROUP = "agency_head"
ALL_GROUPS = [OFFICIAL_GROUP, FINANCE_GROUP, REVIEWER_GROUP, SPONSOR_GROUP, AGENCY_HEAD_GROUP]


def has_role(user, group: str) -> bool:
    if not (user and user.is_authenticated):
        return False
    # One query per request at most: the names are cached on the user object.
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.values_list("name", flat=True))
    return group in user._role_names


def is_official(user) -> bool:
    return has_role(user, OFFICIAL_GROUP)


def is_finance(user) -> bool:
    return has_role(user, FINANCE_GROUP)


def is_agency_head(user) -> bool:
    return has_role(user, AGENCY_HEAD_GROUP)
