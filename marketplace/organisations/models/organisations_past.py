"""Judging proposals: eligibility screening, the challenge's reviewer pool, assignments with
conflict-of-interest declarations, reviews scored per weighted criterion, and the agreement a
grantee accepts before the project starts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from marketplace.organisations.models.organisations import Organisation


class PastMembership(models.Model):
    """A membership that ended: a former member of an applicant may never review its proposals."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="past_memberships"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="past_memberships")
    role = models.CharField(max_length=10)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-left_at", "pk"]

    def __str__(self) -> str:
        return f"{self.user_id} left {self.organisation_id}"
