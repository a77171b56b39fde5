"""Content Security Policy (django-csp): a strict policy for the site, a looser one for Wagtail's
admin, whose editor (Draftail, StreamField, the page chooser) still relies on inline styles and
scripts that carry no nonce. The admin is staff-only, behind the sign-in; the public pages and the
workspace, where applicants' text is shown, get no ``'unsafe-inline'``."""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class SitePolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith(settings.CSP_ADMIN_PREFIX):
            parts.config = dict(settings.CSP_ADMIN_DIRECTIVES)
        return parts
