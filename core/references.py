"""References to domain objects in the form ``"<kind>:<pk>"`` (``"challenge:12"``,
``"organisation:3"``, ``"award:5"``). payments and search keep such strings instead of foreign
keys into the domain apps; this module is the one place that writes and reads them."""

from __future__ import annotations

CHALLENGE = "challenge"
ORGANISATION = "organisation"
AWARD = "award"


def reference(kind: str, pk: int | str) -> str:
    """``reference("challenge", 12)`` → ``"challenge:12"``."""
    return f"{kind}:{pk}"


def challenge_reference(pk: int) -> str:
    return reference(CHALLENGE, pk)


def organisation_reference(pk: int) -> str:
    return reference(ORGANISATION, pk)


def award_reference(pk: int) -> str:
    """What an award's commitment in payments is known by."""
    return reference(AWARD, pk)


def reference_prefix(kind: str) -> str:
    """What every reference of a kind starts with, for ``__startswith`` filters."""
    return f"{kind}:"


def parse_reference(value: str, kind: str) -> int | None:
    """The primary key in a reference of the given kind; None for another kind or a malformed
    one (a benchmark's ``"challenge:bench-3"`` included)."""
    found, separator, pk = value.partition(":")
    if found != kind or not separator or not pk.isdigit():
        return None
    return int(pk)
