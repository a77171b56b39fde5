"""The parts of a proposal: budget lines, planned milestones, team, answers, attachments,
consortium partners, and the frozen copy made at each submission."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.challenges.models import ApplicationQuestion
from marketplace.organisations.models import Organisation
from marketplace.proposals.attachments import PrivateStorage, attachment_path


class BudgetLine(models.Model):
    class Category(models.TextChoices):
        PERSONNEL = "personnel", _("Personnel and honoraria")
        EQUIPMENT = "equipment", _("Equipment and devices")
        SOFTWARE = "software", _("Software, hosting and connectivity")
        TRAINING = "training", _("Training and community outreach")
        TRAVEL = "travel", _("Travel and logistics")
        OPERATIONS = "operations", _("Operations and maintenance")
        OTHER = "other", _("Other")

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="budget_lines")
    position = models.PositiveSmallIntegerField(default=0)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("description"), max_length=300)
    amount = models.BigIntegerField(_("amount (minor units)"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["proposal", "position", "pk"]
        verbose_name = _("budget line")

    def __str__(self) -> str:
        return self.description


class PlannedMilestone(models.Model):
    """A deliverable the applicant plans; the award turns plans into Milestones."""

    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="planned_milestones"
    )
    position = models.PositiveSmallIntegerField(default=0)
    deliverable = models.CharField(_("deliverable"), max_length=300)
    due_date = models.DateField(_("due date"))
    amount = models.BigIntegerField(_("amount (minor units)"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["proposal", "position", "due_date", "pk"]
        verbose_name = _("planned milestone")

    def __str__(self) -> str:
        return self.deliverable


class TeamMember(models.Model):
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="team_members")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role in the project"), max_length=200)
    expertise = models.CharField(_("expertise"), max_length=300, blank=True)

    class Meta:
        ordering = ["proposal", "position", "pk"]
        verbose_name = _("team member")

    def __str__(self) -> str:
        return self.name


class ProposalAnswer(models.Model):
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(ApplicationQuestion, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(_("answer"), max_length=5000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "question"], name="proposal_answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}/{self.question_id}"


class ProposalAttachment(models.Model):
    """A file kept outside MEDIA_ROOT under a random name; served only by a permission-checked
    view. ``display_name`` is a sanitised copy of what the uploader called it."""

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=PrivateStorage(), upload_to=attachment_path, max_length=200)
    display_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Removed files stay on disk: a submitted version may still refer to them.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposal", "uploaded_at", "pk"]
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return self.display_name


class ProposalPartner(models.Model):
    """A partner organisation in a consortium led by the proposal's organisation."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="proposal_partnerships"
    )
    role = models.CharField(_("role in the consortium"), max_length=300)
    budget_share = models.BigIntegerField(
        _("budget share (minor units)"), default=0, validators=[MinValueValidator(0)]
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposal", "invited_at", "pk"]
        verbose_name = _("consortium partner")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "organisation"], name="proposal_partner_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_status_display()})"


class ProposalVersion(models.Model):
    """The frozen copy made at each submission. Never changed or deleted afterwards."""

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["proposal", "number"]
        verbose_name = _("submitted version")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A submitted version is frozen and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A submitted version is frozen and cannot be deleted.")
