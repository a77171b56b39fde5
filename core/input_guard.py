"""Refuses, before any view sees them, request bodies larger than any upload the product
accepts (413, read no further) and requests carrying a NUL character (400).

Django streams file uploads to disk whatever their size, so without the first check a 200 MB
body is read whole before a view refuses it. No field, filter or identifier of the platform
accepts a NUL; PostgreSQL cannot store one in a text column and answers an error, which the
views turned into a 500. Refusing here keeps every form, filter and API parameter safe at once."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"


def _carries_nul(request: HttpRequest) -> bool:
    if NUL in request.path:
        return True
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if NUL in key or any(NUL in value for value in values):
                return True
    return False


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _refusal(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class InputGuardMiddleware:
    """Placed after LocaleMiddleware, so the message is in the user's language; changes nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.REQUEST_BODY_MAX_BYTES
        if _declared_length(request) > limit:
            message = _(
                "The request is too large: at most %(size)s MB can be sent at once. Nothing was changed."
            )
            return _refusal(request, message % {"size": limit // (1024 * 1024)}, 413)
        if _carries_nul(request):
            message = _("The request contains a NUL character, which no field accepts. Nothing was changed.")
            return _refusal(request, message, 400)
        return self.get_response(request)
