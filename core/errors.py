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
