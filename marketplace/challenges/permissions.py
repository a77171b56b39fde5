"""Small pure checks returning (allowed, reason), used once at each edge."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.actors import Visitor
from core.roles import is_finance, is_official


def is_challenge_official(user: Visitor, challenge) -> bool:
    if not (user and user.is_authenticated):
        return False
    if user.is_superuser:
        return True
    return is_official(user) and challenge.agency.officials.filter(pk=user.pk).exists()


def can_manage_funds(user: Visitor) -> tuple[bool, str]:
    if not is_finance(user):
        return False, _("Only a finance officer may do this.")
    return True, ""


# Public Q&A and partner finding ------------------------------------------------------------


def can_ask_question(user: Visitor) -> tuple[bool, str]:
    if not (user and user.is_authenticated):
        return False, _("Sign in to ask a question.")
    return True, ""


def can_manage_question(user: Visitor, question) -> tuple[bool, str]:
    if not is_challenge_official(user, question.challenge):
        return False, _("Only an official of the agency that owns this challenge may answer its questions.")
    return True, ""
