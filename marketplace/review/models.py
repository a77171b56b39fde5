"""Judging proposals: eligibility screening, the challenge's reviewer pool, assignments with
conflict-of-interest declarations, reviews scored per weighted criterion, and the agreement a
grantee accepts before the project starts."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.challenges.models import ChallengePage, Criterion
from marketplace.proposals.models import Proposal


def evidence_upload_to(instance, filename: str) -> str:
    """A random name: the uploaded file name is never trusted (it is kept as original_name)."""
    return f"milestones/evidence/{uuid.uuid4().hex}"


class ScreeningCheck(models.Model):
    """An official's eligibility screening of one submitted proposal. ``items`` is the checklist
    derived from the challenge's eligibility rules, each item
    ``{"key", "label", "automatic": bool | None, "passed": bool | None, "note"}``: the automatic
    result pre-fills ``passed`` and the official confirms or overrides it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not decided")
        PASSED = "passed", _("Eligible")
        FAILED = "failed", _("Not eligible")

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="screening")
    items = models.JSONField(default=list)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    # Shown to the applicant when the proposal is found not eligible.
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.outcome}"


class ChallengeReviewer(models.Model):
    """A user invited to review a challenge's proposals: agency staff or an external expert (an
    account that sees only the proposals assigned to it)."""

    challenge = models.ForeignKey(ChallengePage, on_delete=models.CASCADE, related_name="reviewer_pool")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_pools"
    )
    external = models.BooleanField(_("external expert"), default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("challenge reviewer")
        verbose_name_plural = _("challenge reviewers")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user"], name="challenge_reviewer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.challenge_id}"


class ReviewAssignment(models.Model):
    """One reviewer for one proposal. The reviewer sees the proposal only after declaring no
    conflict of interest; a declared conflict ends the assignment (the row stays, as the record)."""

    class Status(models.TextChoices):
        AWAITING_DECLARATION = "awaiting_declaration", _("Awaiting conflict declaration")
        ACTIVE = "active", _("Reviewing")
        CONFLICT = "conflict", _("Conflict of interest declared")
        REMOVED = "removed", _("Removed")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="review_assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.AWAITING_DECLARATION, editable=False
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    removed_reason = models.TextField(blank=True, max_length=1000)

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "reviewer"], name="review_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} → {self.proposal_id} ({self.status})"


class ConflictDeclaration(models.Model):
    """What a reviewer declared before seeing a proposal: none, or a conflict and why."""

    assignment = models.ForeignKey(ReviewAssignment, on_delete=models.PROTECT, related_name="declarations")
    has_conflict = models.BooleanField(_("I have a conflict of interest"))
    note = models.TextField(_("explanation"), blank=True, max_length=1000)
    declared_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")
        ordering = ["declared_at", "pk"]

    def __str__(self) -> str:
        return f"{self.assignment_id}: {'conflict' if self.has_conflict else 'none'}"


class Review(models.Model):
    """One reviewer's scores for one proposal. A draft is saved as often as wanted; a submitted
    review is final unless an official reopens it (audited)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    class Recommendation(models.TextChoices):
        FUND = "fund", _("Fund as proposed")
        FUND_WITH_CHANGES = "fund_with_changes", _("Fund with changes")
        DO_NOT_FUND = "do_not_fund", _("Do not fund")

    assignment = models.OneToOneField(ReviewAssignment, on_delete=models.PROTECT, related_name="review")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False)
    recommendation = models.CharField(
        _("recommendation"), max_length=20, choices=Recommendation.choices, blank=True
    )
    # Sent to the applicant with the determination, without the reviewer's identity.
    overall_comment = models.TextField(_("comment for the applicant"), blank=True, max_length=5000)
    # Read by the challenge's officials only.
    private_notes = models.TextField(_("private notes for the officials"), blank=True, max_length=5000)
    # The weighted total on a 0-100 scale, computed when the review is submitted.
    weighted_total = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, editable=False
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.status}"


class CriterionScore(models.Model):
    """A score and comment on one criterion. The criterion's name and weight are copied when
    the review is written, so a later edit of the challenge cannot change a given score."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, null=True, on_delete=models.SET_NULL, related_name="+")
    criterion_name = models.CharField(max_length=200)
    weight = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=3000)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="criterion_score_unique")]

    def __str__(self) -> str:
        return f"{self.criterion_name}: {self.score}"
