"""Staff sign in with a second factor (TOTP with recovery codes, django-allauth's MFA).

Officials, agency heads, finance officers, reviewers and superusers hold the public money and
the private documents: while ``STAFF_MFA_REQUIRED`` is on (the default; only `make run`'s demo
turns it off, and ``check --deploy`` says so), a staff member without an authenticator app can
reach nothing but the account pages, where they are sent to set one up. Once it is set up,
allauth asks for a code at every sign-in (the admin signs in through the same pages,
config/admin_signin.py)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.core.checks import Tags, Warning, register
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.roles import AGENCY_HEAD_GROUP, FINANCE_GROUP, OFFICIAL_GROUP, REVIEWER_GROUP, has_role

STAFF_GROUPS = (OFFICIAL_GROUP, AGENCY_HEAD_GROUP, FINANCE_GROUP, REVIEWER_GROUP)


def is_staff_member(user) -> bool:
    if not (user and user.is_authenticated):
        return False
    return user.is_superuser or any(has_role(user, group) for group in STAFF_GROUPS)


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _open_prefixes() -> tuple[str, ...]:
    """What a staff member without MFA may still reach: the account pages (sign out, set up
    MFA, password, email) in every language, the language switch, health and static files."""
    prefixes = ["/i18n/", "/healthz", settings.STATIC_URL]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            prefixes.append(reverse("account_login").rsplit("login/", 1)[0])
    return tuple(prefixes)


class StaffMFAMiddleware:
    """After AuthenticationMiddleware, MessageMiddleware and allauth's AccountMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def __call__(self, request):
        if settings.STAFF_MFA_REQUIRED and is_staff_member(request.user):
            if self._open is None:
                self._open = _open_prefixes()
            if not request.path.startswith(self._open) and not has_totp(request.user):
                messages.warning(
                    request,
                    _(
                        "Your role handles public money and private documents: set up "
                        "two-factor authentication with an authenticator app before you continue."
                    ),
                )
                return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


@register(Tags.security, deploy=True)
def check_staff_mfa_required(app_configs, **kwargs):
    if settings.STAFF_MFA_REQUIRED:
        return []
    return [
        Warning(
            "STAFF_MFA_REQUIRED is off: officials, agency heads, finance officers and reviewers "
            "can sign in without a second factor.",
            hint="Unset STAFF_MFA_REQUIRED (it defaults to on); only the local demo turns it off.",
            id="organisations.W001",
        )
    ]
