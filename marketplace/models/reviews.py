"""Judging proposals: eligibility screening, the challenge's reviewer pool, assignments with
conflict-of-interest declarations, reviews scored per weighted criterion, and the agreement a
grantee accepts before the project starts."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models.challenges import ChallengePage, Criterion
from marketplace.models.organisations import Organisation
from marketplace.models.proposals import Award, Milestone, Proposal
from marketplace.storage import private_storage


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


class Agreement(models.Model):
    """The award terms the grantee's owner accepts online (click-through). The project starts
    only after acceptance; declining releases the money committed for the award."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the grantee")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="agreement")
    terms = models.TextField(_("terms"))
    terms_sha256 = models.CharField(max_length=64, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, editable=False)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(_("full name"), max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return f"{self.award_id}: {self.status}"


class MilestoneEvidence(models.Model):
    """A file or link the grantee gives as evidence with a milestone report. Files are private
    (read through a permission-checked view)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(storage=private_storage, upload_to=evidence_upload_to, blank=True, max_length=200)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    link = models.URLField(_("link"), blank=True, max_length=500)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.original_name or self.link


class MilestoneReplan(models.Model):
    """An official's change to a milestone's date or amount, with the reason (kept forever)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="replans")
    old_due_date = models.DateField()
    new_due_date = models.DateField()
    old_amount = models.BigIntegerField(validators=[MinValueValidator(1)])
    new_amount = models.BigIntegerField(validators=[MinValueValidator(1)])
    reason = models.TextField(max_length=1000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.milestone_id}: {self.reason[:40]}"
