"""Small helpers every view module uses."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import DomainError


def deny_unless(result: tuple[bool, str]) -> None:
    """403 with the reason when a permission check (``(allowed, reason)``) fails."""
    allowed, reason = result
    if not allowed:
        raise PermissionDenied(reason)


def form_error(form, exc: Exception) -> None:
    """Show a service's refusal on the form: next to its field when the form has it."""
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, getattr(exc, "message", str(exc)))


# Confirming an irreversible step ------------------------------------------------------------------

CONFIRM_FIELD = "confirm"
CONFIRM_YES = "yes"
CONFIRM_BACK = "back"


@dataclass(frozen=True)
class Confirmation:
    """What a "check your answers" page says before an irreversible step: the question
    (``title``), the facts it acts on as (label, value) rows (what, to whom, how much), what will
    happen in plain words, the button that does it ("Yes, submit the proposal") and where "Back"
    leads. Without ``back_url`` "Back" posts the carried form back to its page, unsaved."""

    title: str
    button: str
    what_happens: str
    facts: Sequence[tuple[str, str]] = field(default_factory=tuple)
    irreversible: bool = True
    back_url: str = ""


def confirmed(request: HttpRequest) -> bool:
    """Whether this POST comes from the confirmation page's "Yes" button."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_YES


def going_back(request: HttpRequest) -> bool:
    """Whether this POST is the confirmation page's "Back" for a carried form: show the form again
    with what was typed, do nothing."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_BACK


def confirmation_page(
    request: HttpRequest, confirmation: Confirmation, *, carry: bool = False
) -> HttpResponse:
    """The confirmation page; its "Yes" POSTs to the same address with the confirm field (and,
    with ``carry``, every field of the form that led here, so the step acts on what was checked)."""
    carried = []
    if carry:
        carried = [
            (name, value)
            for name, values in request.POST.lists()
            if name not in (CONFIRM_FIELD, "csrfmiddlewaretoken")
            for value in values
        ]
    return render(
        request,
        "confirm.html",
        {
            "confirmation": confirmation,
            "carried": carried,
            "action_url": request.get_full_path(),
            "confirm_field": CONFIRM_FIELD,
            "confirm_yes": CONFIRM_YES,
            "confirm_back": CONFIRM_BACK,
        },
    )


def _success_text(success: str | Callable[[Any], str], result: Any) -> str:
    """The success message: fixed, or worded from what the action returned (the invitation just
    sent, the proposal in its new state)."""
    return success(result) if callable(success) else success


def form_action(
    request: HttpRequest,
    form,
    action: Callable[[dict], Any],
    *,
    success: str | Callable[[Any], str],
    redirect_to: Any,
    refusals: tuple[type[Exception], ...] = (DomainError,),
    confirm: Confirmation | Callable[[dict], Confirmation] | None = None,
) -> HttpResponse | None:
    """The POST half of a form page. On a valid POST, runs ``action(form.cleaned_data)``: when
    it returns, flashes ``success`` and answers with a redirect to ``redirect_to`` (anything
    ``redirect()`` takes; either may instead be a function of what the action returned, such as
    the proposal just created). When the action
    raises one of ``refusals`` (the domain's error by default), its message goes on the form
    (``form_error``) and None is returned, as for a GET or an invalid form: the view then renders
    the form, with its errors.

    With ``confirm`` (a Confirmation, or a function of the cleaned data giving one), a valid POST
    first answers with the confirmation page, carrying the form's fields; only its "Yes" runs the
    action. Its "Back" returns None with the form bound to what was typed."""
    if request.method != "POST" or going_back(request) or not form.is_valid():
        return None
    if confirm is not None and not confirmed(request):
        confirmation = confirm(form.cleaned_data) if callable(confirm) else confirm
        return confirmation_page(request, confirmation, carry=True)
    try:
        result = action(form.cleaned_data)
    except refusals as exc:
        form_error(form, exc)
        return None
    messages.success(request, _success_text(success, result))
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


def post_action(
    request: HttpRequest,
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    redirect_to: Any,
    refused_redirect_to: Any = None,
    refusals: tuple[type[Exception], ...] = (DomainError,),
    confirm: Confirmation | Callable[[], Confirmation] | None = None,
) -> HttpResponse:
    """A one-button POST (approve, verify, remove…), after the view has loaded its object and
    checked who may press it. Runs ``action()``: when it returns, flashes ``success`` (a text, or
    a function of what the action returned) and redirects to ``redirect_to``; when it raises one
    of ``refusals``, flashes the refusal's message as an error and redirects to
    ``refused_redirect_to`` (by default ``redirect_to`` too).

    With ``confirm`` (a Confirmation, or a function giving one), the button's POST first answers
    with the confirmation page; only the POST from its "Yes" runs the action."""
    if confirm is not None and not confirmed(request):
        return confirmation_page(request, confirm() if callable(confirm) else confirm)
    try:
        result = action()
    except refusals as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return redirect(redirect_to if refused_redirect_to is None else refused_redirect_to)
    messages.success(request, _success_text(success, result))
    return redirect(redirect_to)


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
