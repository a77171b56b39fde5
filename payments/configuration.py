"""What the site tells payments about itself, registered once at start-up through
``payments.api.configure`` (marketplace does it in its AppConfig.ready). payments knows no page
and no upload policy of its own: it asks these hooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.files import File

from core.actors import Visitor

if TYPE_CHECKING:
    from payments.models import Disbursement

# (clean, reason): ``reason`` is shown to the uploader when ``clean`` is False.
FileScanner = Callable[[File], tuple[bool, str]]
# The absolute address of a contribution's printable receipt, or "" when there is none.
ReceiptUrl = Callable[[int], str]
# Why this person may not release or handle this payment (a conflict of interest: the site knows
# who belongs to the payee), or "" when nothing stands in the way.
PaymentConflict = Callable[[Visitor, "Disbursement"], str]
# Names for the domain's references ("milestone:2" -> "Payment for stage 2 — <project>"), for the
# documents people read (statements); a reference left out keeps its own text.
ReferenceLabels = Callable[[list[str]], dict[str, str]]


def _accept_every_file(upload: File) -> tuple[bool, str]:
    return True, ""


def _no_receipt_page(contribution_id: int) -> str:
    return ""


def _no_conflict_known(user: Visitor, disbursement: Disbursement) -> str:
    return ""


def _no_labels(references: list[str]) -> dict[str, str]:
    return {}


@dataclass
class _Hooks:
    scan_file: FileScanner = _accept_every_file
    receipt_url: ReceiptUrl = _no_receipt_page
    payment_conflict: PaymentConflict = _no_conflict_known
    reference_labels: ReferenceLabels = _no_labels


hooks = _Hooks()


def configure(
    *,
    scan_file: FileScanner | None = None,
    receipt_url: ReceiptUrl | None = None,
    payment_conflict: PaymentConflict | None = None,
    reference_labels: ReferenceLabels | None = None,
) -> None:
    """Register the site's hooks; an argument left out keeps what was registered before."""
    if scan_file is not None:
        hooks.scan_file = scan_file
    if receipt_url is not None:
        hooks.receipt_url = receipt_url
    if payment_conflict is not None:
        hooks.payment_conflict = payment_conflict
    if reference_labels is not None:
        hooks.reference_labels = reference_labels


def scan_file(upload: File) -> tuple[bool, str]:
    """The site's virus scan; without one registered every file is accepted (development)."""
    return hooks.scan_file(upload)


def receipt_url(contribution_id: int) -> str:
    return hooks.receipt_url(contribution_id)


def payment_conflict(user: Visitor, disbursement: Disbursement) -> str:
    """The site's conflict-of-interest rule for finance officers; without one, none is known."""
    return hooks.payment_conflict(user, disbursement)


def reference_labels(references: list[str]) -> dict[str, str]:
    """What people call each of ``references`` (only those the site can name)."""
    if not references:
        return {}
    return hooks.reference_labels(sorted(set(references)))
