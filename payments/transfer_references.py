"""The short reference a sponsor writes on a bank transfer, and finding it again in a bank
statement line.

A reference reads ``PTD-<fund number>-<sequence>`` (``PTD-15-0003``): the fund's number is the
number in its reference (a challenge fund "challenge:15" is 15; the fund's own id otherwise),
the sequence counts the fund's contributions from 1 and is padded to four digits. It is given
once, when the contribution is made, and kept on the row (unique); statement lines are read
tolerantly: "ptd 15 0003", "PTD-15-3", "PTD15/0003" and "ptd.15.03" all name PTD-15-0003."""

from __future__ import annotations

import re

from payments.models import Contribution, Fund

PREFIX = "PTD"
# "PTD", then the fund's number and the sequence, separated by any run of spaces, dashes,
# slashes, dots or underscores (the fund's number may follow PTD directly).
IN_TEXT = re.compile(r"(?<![A-Za-z0-9])PTD[\s\-_./]*(\d{1,9})[\s\-_./]+(\d{1,6})(?!\d)", re.IGNORECASE)


def fund_number(fund: Fund) -> int:
    """The number a fund is known by in transfer references."""
    _kind, _sep, number = fund.reference.partition(":")
    return int(number) if number.isdigit() else fund.pk


def format_reference(number: int, sequence: int) -> str:
    return f"{PREFIX}-{number}-{sequence:04d}"


def next_sequence(fund: Fund) -> int:
    """The next sequence of ``fund``; call it with the fund row locked (``select_for_update``)."""
    last = (
        Contribution.objects.filter(fund=fund, transfer_sequence__isnull=False)
        .order_by("-transfer_sequence")
        .values_list("transfer_sequence", flat=True)
        .first()
    )
    return (last or 0) + 1


def references_in(text: str) -> list[str]:
    """Every transfer reference in a statement line's text, written the standard way, in order."""
    found = []
    for match in IN_TEXT.finditer(text or ""):
        reference = format_reference(int(match.group(1)), int(match.group(2)))
        if reference not in found:
            found.append(reference)
    return found


def assign(contribution: Contribution) -> None:
    """Give ``contribution`` (not yet saved with one) the next reference of its fund; inside the
    caller's transaction, which it locks the fund's row in so that two contributions never get
    the same sequence. The caller saves the contribution."""
    fund = contribution.fund
    list(Fund.objects.select_for_update().filter(pk=fund.pk).values_list("pk", flat=True))
    contribution.transfer_sequence = next_sequence(fund)
    contribution.transfer_reference = format_reference(fund_number(fund), contribution.transfer_sequence)
