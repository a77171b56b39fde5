"""Content Security Policy (django-csp): a strict policy for the site, a looser one for Wagtail's
admin, whose editor (Draftail, StreamField, the page chooser) still relies on inline styles and
scripts that carry no nonce. The admin is staff-only, behind the sign-in; the public pages and the
workspace, where applicants' text is shown, get no ``'unsafe-inline'``."""

from __future__ import annotations

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from django.conf import settings

# What a view or decorator sets on a response to change its policy (django-csp's decorators).
PER_RESPONSE_CHANGES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


class SitePolicyMiddleware(CSPMiddleware):
    def __init__(self, get_response) -> None:
        super().__init__(get_response)
        # The headers of a response with no nonce and no change of its own, for the site (False)
        # and for the admin (True): the same on every such response, so made once per process
        # instead of on every response as django-csp does.
        self._plain_headers: dict[bool, list[tuple[str, str]]] = {}

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith(settings.CSP_ADMIN_PREFIX):
            parts.config = dict(settings.CSP_ADMIN_DIRECTIVES)
        return parts

    def process_response(self, request, response):
        if not self._plain(request, response):
            return super().process_response(request, response)
        admin = request.path_info.startswith(settings.CSP_ADMIN_PREFIX)
        headers = self._plain_headers.get(admin)
        if headers is None:  # django-csp's own answer for such a response, kept
            response = super().process_response(request, response)
            self._plain_headers[admin] = [
                (name, response[name]) for name in (HEADER, HEADER_REPORT_ONLY) if name in response
            ]
            return response
        for name, value in headers:
            response[name] = value
        # As django-csp does once the header is written: a nonce asked for now could not be in it.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def _plain(self, request, response) -> bool:
        return (
            getattr(request, "_csp_nonce", None) is None
            and not any(hasattr(response, name) for name in PER_RESPONSE_CHANGES)
            and HEADER not in response
            and HEADER_REPORT_ONLY not in response
            # django-csp leaves DEBUG's error pages without a policy.
            and not (settings.DEBUG and response.status_code in (404, 500))
            and not _excluded(request)
        )


def _excluded(request) -> bool:
    for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        prefixes = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
        if prefixes and request.path_info.startswith(tuple(prefixes)):
            return True
    return False
