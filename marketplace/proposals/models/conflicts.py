"""Conflicts of interest declared by the staff who act on a proposal (officials, finance
officers). Reviewers declare theirs on their assignment (``review.ConflictDeclaration``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeclaredConflict(models.Model):
    """``user`` declared a conflict of interest on ``proposal``: from then on they may not screen,
    decide, award, approve milestones or handle payments for it. Declared once; never withdrawn
    (the row is the record, with its audit entry)."""

    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="declared_conflicts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="declared_conflicts"
    )
    note = models.TextField(_("explanation"), max_length=1000)
    declared_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("declared conflict of interest")
        verbose_name_plural = _("declared conflicts of interest")
        ordering = ["declared_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="declared_conflict_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} ⚠ {self.proposal_id}"
