"""Small helpers every view module uses."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import DomainError


def deny_unless(result: tuple[bool, str]) -> None:
    """403 with the reason when a permission check (``(allowed, reason)``) fails."""
    allowed, reason = result
    if not allowed:
        raise PermissionDenied(reason)


def form_error(form, exc: DomainError) -> None:
    """Show a service's refusal on the form: next to its field when the form has it."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def merge_contexts(pieces: Iterable[dict]) -> dict:
    """One template context from the parts of a page that several apps fill (the workspace, the
    challenge page); two parts may not fill the same name."""
    context: dict = {}
    for piece in pieces:
        clash = context.keys() & piece.keys()
        if clash:
            raise ImproperlyConfigured(f"Two parts of a page fill {sorted(clash)}")
        context.update(piece)
    return context


class DomainErrorMessageMiddleware:
    """The edge for refusals raised inside views we do not write (Wagtail's admin: publishing,
    approving): a POST refused with a DomainError goes back where it came from with the refusal
    as a message, instead of a 500. Our own views turn refusals into form errors themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.method != "POST":
            return None
        messages.error(request, exception.message)
        back = request.headers.get("referer", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = "/"
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            # Wagtail's modal workflow follows a redirect given this way.
            return JsonResponse({"step": "success", "redirect": back})
        return HttpResponseRedirect(back)
