"""Challenges (Wagtail pages) with their typed incentives, criteria, sponsors and attachments."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.storage import private_storage
from marketplace.challenges.models import CURRENCY_CHOICES, Incentive
from marketplace.proposals.models import Proposal
from marketplace.review.models import evidence_upload_to


class InKindDrawdown(models.Model):
    """Part of an in-kind offer given to a winner; the offer never gives more than its quantity."""

    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, related_name="drawdowns")
    award = models.ForeignKey("awards.Award", on_delete=models.PROTECT, related_name="in_kind_drawdowns")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("in-kind draw-down")
        verbose_name_plural = _("in-kind draw-downs")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.quantity} {self.incentive.unit}"


class Award(models.Model):
    """The decision to fund a proposal: a funded project, public at /projects/<id>/."""

    class DeliveryStatus(models.TextChoices):
        # Not a column: the project selectors annotate it (``delivery_status``).
        STARTING = "starting", _("Waiting for the agreement")
        DELIVERY = "delivery", _("In delivery")
        COMPLETED = "completed", _("Completed")

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="award")
    amount = models.BigIntegerField(_("amount (minor units)"), validators=[MinValueValidator(1)])
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="IDR")
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    awarded_at = models.DateTimeField(default=timezone.now)
    # The commitment recorded in the payments ledger for this award.
    commitment = models.ForeignKey(
        "payments.Commitment", null=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    # "Awarded with conditions": what the grantee must do or accept (empty: no conditions).
    conditions = models.TextField(_("conditions"), blank=True, max_length=3000)
    # The project's public title and summary are the proposal's (in the applicant's language);
    # the agency may give English ones for /en/ (core.localized reads ``title``/``title_en``).
    title_en = models.CharField(_("project title (English)"), max_length=200, blank=True)
    summary_en = models.TextField(_("project summary (English)"), max_length=2000, blank=True)
    # On /projects/, the API and the organisation's page: the challenge's results are published
    # and the grantee did not decline (``selectors.projects.PUBLIC_PROJECT``). Kept by the
    # services that change either (award_create, results_publish, agreement_decline) in their
    # transaction, so the public lists read one column and an index in their order instead of
    # joining the challenge and the agreement of every award before their LIMIT.
    public = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-awarded_at"]
        indexes = [
            # /projects/ newest and oldest first (read backwards), and the years filter.
            models.Index(
                fields=["-awarded_at", "-id"], condition=models.Q(public=True), name="award_public_newest"
            ),
            # Largest and smallest amount first.
            models.Index(
                fields=["amount", "id"], condition=models.Q(public=True), name="award_public_amount"
            ),
        ]

    def __str__(self) -> str:
        return self.proposal.title

    def get_absolute_url(self) -> str:
        return reverse("marketplace:project_detail", kwargs={"pk": self.pk})

    @property
    def title(self) -> str:
        """The project's public title: its proposal's (select ``proposal`` with the award)."""
        return self.proposal.title

    @property
    def summary(self) -> str:
        return self.proposal.summary

    @property
    def delivery_status_label(self) -> str:
        status = getattr(self, "delivery_status", "")
        return str(self.DeliveryStatus(status).label) if status else ""


class Milestone(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        REPORTED = "reported", _("Reported done")
        APPROVED = "approved", _("Approved, awaiting payment")
        PAID = "paid", _("Paid")

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
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
    # The payment made for this milestone once approved; payment events find the milestone by it.
    disbursement = models.OneToOneField(
        "payments.Disbursement",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Why the official sent the last report back for revision (shown to the grantee).
    revision_note = models.TextField(_("revision requested"), blank=True, max_length=2000)

    class Meta:
        ordering = ["award", "position", "due_date"]

    def __str__(self) -> str:
        return self.title

    @property
    def progress_report_or_none(self) -> ProgressReport | None:
        """The public progress report, if written (select it with the milestone)."""
        return getattr(self, "progress_report", None)


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


class ProgressReport(models.Model):
    """The grantee's account of a milestone for the public: text and evidence links (web
    addresses only), on the project page once the grantee marks it public. It is not the report
    the agency reviews for payment (``Milestone.report`` with its private evidence files), which
    stays between the grantee and the agency."""

    MAX_TEXT = 4000
    MAX_LINKS = 10

    milestone = models.OneToOneField(Milestone, on_delete=models.CASCADE, related_name="progress_report")
    text = models.TextField(_("progress report"), max_length=MAX_TEXT)
    links = models.JSONField(_("evidence links"), default=list, blank=True)
    public = models.BooleanField(_("public"), default=False)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    # When the text now shown was made public (None while private).
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("public progress report")
        verbose_name_plural = _("public progress reports")

    def __str__(self) -> str:
        return f"{self.milestone_id}: {self.text[:40]}"
