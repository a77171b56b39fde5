"""Small helpers every view module uses."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured, PermissionDenied

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
