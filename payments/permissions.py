"""Small pure checks returning (allowed, reason)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from core.actors import Visitor
from payments import configuration

if TYPE_CHECKING:
    from payments.models import Disbursement

from core.roles import FINANCE_GROUP  # noqa: F401 - the role is defined once, in core


def is_finance_officer(user: Visitor) -> bool:
    return bool(user and user.is_authenticated and user.groups.filter(name=FINANCE_GROUP).exists())


def can_record_allocation(user: Visitor) -> tuple[bool, str]:
    if not is_finance_officer(user):
        return False, _("Only a finance officer may record budget allocations.")
    return True, ""


def can_release_disbursement(user: Visitor, disbursement: Disbursement) -> tuple[bool, str]:
    if user is None or not is_finance_officer(user):
        return False, _("Only a finance officer may release a disbursement.")
    if disbursement.requested_by_id == user.pk:
        return False, _("The person who approved the milestone may not also release its payment.")
    return _without_conflict(user, disbursement)


def can_handle_disbursement(user: Visitor, disbursement: Disbursement) -> tuple[bool, str]:
    """Record the treasury's transfer, retry or cancel: a finance officer, never the person who
    approved the milestone (the same four eyes as the release)."""
    if user is None or not is_finance_officer(user):
        return False, _("Only a finance officer may handle a disbursement.")
    if disbursement.requested_by_id == user.pk:
        return False, _("The person who approved the milestone may not also handle its payment.")
    return _without_conflict(user, disbursement)


def _without_conflict(user: Visitor, disbursement: Disbursement) -> tuple[bool, str]:
    """A finance officer who belongs (or belonged) to the payee, or declared a conflict on what
    is paid, never touches the payment: the site's rule, registered through ``configure``."""
    reason = configuration.payment_conflict(user, disbursement)
    if reason:
        return False, reason
    return True, ""
