from django.utils.translation import gettext as _


class DomainError(Exception):
    """A business rule refused the operation. ``message`` is safe to show to the user."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def require(result: tuple[bool, str]) -> None:
    """Raise DomainError with the reason when a permission check (``(allowed, reason)``) fails."""
    allowed, reason = result
    if not allowed:
        raise DomainError(reason)


def require_text(value: str | None, *, field: str, empty: str, max_length: int) -> str:
    """``value`` without surrounding white space; DomainError on ``field`` with the message
    ``empty`` when nothing is left, or when it is longer than ``max_length``."""
    text = (value or "").strip()
    if not text:
        raise DomainError(empty, field=field)
    if len(text) > max_length:
        raise DomainError(
            _("Keep it under %(max)d characters (it has %(n)d).") % {"max": max_length, "n": len(text)},
            field=field,
        )
    return text
