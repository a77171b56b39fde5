"""The admin has no sign-in of its own: /admin/login/ (Wagtail's, and Django's admin if it is ever
mounted) and the admin's password reset send the visitor to the site's sign-in (django-allauth),
which applies the rate limits, the e-mail confirmation rule, the lock-out and MFA to everyone. A
POST to the old address signs nobody in. Wagtail sends a signed-in user who may not use the admin
here too: they get a 403, not a loop between the two sign-in pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def admin_login(request: HttpRequest) -> HttpResponseRedirect:
    if request.user.is_authenticated:
        raise PermissionDenied
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("wagtailadmin_home")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("wagtailadmin_home")
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


def admin_password_reset(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("account_reset_password"))
