"""Proposals, awards and milestones. Status fields change only in marketplace.workflows."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models.challenges import ChallengePage
from marketplace.models.organisations import Organisation
from marketplace.models.regions import CURRENCY_CHOICES


class Proposal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        AWARDED = "awarded", _("Awarded")
        REJECTED = "rejected", _("Not selected")

    challenge = models.ForeignKey(ChallengePage, on_delete=models.PROTECT, related_name="proposals")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=2000)
    plan = models.TextField(_("work plan"), blank=True)
    requested_amount = models.BigIntegerField(
        _("requested amount (minor units)"), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="IDR")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Award(models.Model):
    """The decision to fund a proposal: a funded project, public at /projects/<id>/."""

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="award")
    amount = models.BigIntegerField(_("amount (minor units)"), validators=[MinValueValidator(1)])
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="IDR")
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    awarded_at = models.DateTimeField(default=timezone.now)
    # The commitment recorded in the payments ledger for this award.
    commitment_id = models.BigIntegerField(null=True, editable=False)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-awarded_at"]

    def __str__(self) -> str:
        return self.proposal.title

    def get_absolute_url(self) -> str:
        return reverse("marketplace:project_detail", kwargs={"pk": self.pk})


class Milestone(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        REPORTED = "reported", _("Reported done")
        APPROVED = "approved", _("Approved, awaiting payment")
        PAID = "paid", _("Paid")

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200)
    amount = models.BigIntegerField(_("amount (minor units)"), validators=[MinValueValidator(1)])
    due_date = models.DateField(_("due date"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED, editable=False)
    report = models.TextField(_("progress report"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    disbursement_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["award", "position", "due_date"]

    def __str__(self) -> str:
        return self.title
