"""Proposals, awards and milestones. Status fields change only in marketplace.workflows."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.challenges.models import CURRENCY_CHOICES, ChallengePage
from marketplace.organisations.models import Organisation


class Proposal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        SCREENING = "screening", _("Screening")
        IN_REVIEW = "in_review", _("In review")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        AWARDED = "awarded", _("Awarded")
        REJECTED = "rejected", _("Not selected")
        AWARD_DECLINED = "award_declined", _("Award declined")

    # The applicant may change the proposal only in these states.
    EDITABLE_STATUSES = (Status.DRAFT, Status.CHANGES_REQUESTED)

    challenge = models.ForeignKey(ChallengePage, on_delete=models.PROTECT, related_name="proposals")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("summary"),
        max_length=2000,
        blank=True,
        help_text=_("A few sentences anyone can understand. Published if the proposal is funded."),
    )
    problem = models.TextField(
        _("understanding of the problem"),
        max_length=5000,
        blank=True,
        help_text=_("What causes the problem today, and for whom."),
    )
    solution = models.TextField(
        _("proposed solution"),
        max_length=8000,
        blank=True,
        help_text=_("What you will build or do, and why it will work here."),
    )
    inclusion = models.TextField(
        _("how it serves the target beneficiaries"),
        max_length=5000,
        blank=True,
        help_text=_(
            "Who benefits, and how the solution reaches women, elderly people, people with "
            "disabilities and remote villages (for example offline use, local languages, low-cost phones)."
        ),
    )
    plan = models.TextField(
        _("implementation plan"),
        max_length=8000,
        blank=True,
        help_text=_("How the work is organised; list the milestones below."),
    )
    requested_amount = models.BigIntegerField(
        _("requested amount (minor units)"), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="IDR")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What the official asked to change, shown to the applicant until they resubmit.
    changes_requested_note = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("marketplace:proposal_detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def was_submitted(self) -> bool:
        """Submitted at least once: from then on the owning agency may read it."""
        return self.submitted_at is not None

    @property
    def next_action(self) -> str:
        """What the applicant should do next, in a few words (no queries)."""
        return str(_NEXT_ACTIONS.get(self.status, ""))


_NEXT_ACTIONS = {
    Proposal.Status.DRAFT: _("Complete the checklist and submit before the deadline"),
    Proposal.Status.CHANGES_REQUESTED: _("Make the requested changes and submit again"),
    Proposal.Status.SUBMITTED: _("Wait for the agency to screen it; you may withdraw before the deadline"),
    Proposal.Status.SCREENING: _("Wait for the agency's screening"),
    Proposal.Status.IN_REVIEW: _("Wait for the reviewers' scores"),
    Proposal.Status.SHORTLISTED: _("Shortlisted: wait for the award decision"),
    Proposal.Status.AWARDED: _("Report progress on your milestones"),
    Proposal.Status.REJECTED: _("Nothing: not selected this time"),
    Proposal.Status.WITHDRAWN: _("Nothing: withdrawn"),
    Proposal.Status.AWARD_DECLINED: _("Nothing: you declined the award"),
}
