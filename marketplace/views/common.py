"""Small helpers every view module uses."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from marketplace.errors import DomainError


def deny_unless(result: tuple[bool, str]) -> None:
    """403 with the reason when a permission check (``(allowed, reason)``) fails."""
    allowed, reason = result
    if not allowed:
        raise PermissionDenied(reason)


def form_error(form, exc: DomainError) -> None:
    """Show a service's refusal on the form: next to its field when the form has it."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
