"""Applicant organisations, their members, invitations and private verification documents."""

from __future__ import annotations

import datetime
import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from core.choices import OrganisationKind
from core.storage import private_storage
from marketplace.challenges.models import RegionPage, Sector
from marketplace.organisations import identifiers


def logo_upload_to(instance, filename: str) -> str:
    # The browser's file name is never used; the extension is set from the content.
    extension = getattr(instance, "_logo_extension", "img")
    return f"organisations/logos/{uuid.uuid4().hex}.{extension}"


class TaggedCapability(TaggedItemBase):
    """Capabilities and skills an organisation offers (tags), kept apart from other tags."""

    content_object = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )


class Organisation(models.Model):
    Kind = OrganisationKind
    # Set by organisation_update before a logo is saved: the extension read from its content.
    _logo_extension: str

    # The legal identifiers an official needs before verifying an organisation of each kind.
    # Registering never needs them, so a group can start quickly and add them later; a
    # community group needs none, as it often has no legal form.
    REQUIRED_IDENTIFIERS: dict[str, tuple[str, ...]] = {
        Kind.COMPANY: ("nib", "npwp"),
        Kind.STARTUP: ("nib", "npwp"),
        Kind.COOPERATIVE: ("nib", "npwp"),
        Kind.UMKM: ("nib",),
        Kind.UNIVERSITY: ("npwp",),
        Kind.NGO: ("npwp",),
        Kind.COMMUNITY: (),
    }

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        RegionPage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("region"),
    )
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="organisations", verbose_name=_("sectors")
    )
    description = models.TextField(_("public description"), blank=True, max_length=5000)
    website = models.URLField(_("website"), blank=True)
    nib = models.CharField(
        _("NIB (business identification number)"),
        max_length=13,
        blank=True,
        validators=[identifiers.validate_nib],
        help_text=_("13 digits, from OSS."),
    )
    npwp = models.CharField(
        _("NPWP (tax number)"),
        max_length=16,
        blank=True,
        validators=[identifiers.validate_npwp],
        help_text=_("15 digits (99.999.999.9-999.999) or the new 16-digit form."),
    )
    address = models.TextField(_("address"), blank=True, max_length=500)
    capabilities = TaggableManager(
        verbose_name=_("capabilities and skills"),
        through=TaggedCapability,
        blank=True,
        help_text=_("Separate them with commas, for example: mobile apps, GIS, training."),
    )
    team_size = models.PositiveIntegerField(
        _("team size"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    founded_year = models.PositiveSmallIntegerField(
        _("founding year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), identifiers.validate_not_future_year],
    )
    logo = models.ImageField(_("logo"), upload_to=logo_upload_to, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        # The API's list in this order: a page without sorting every organisation first.
        indexes = [models.Index(fields=["name", "id"], name="organisation_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("marketplace:organisation_detail", kwargs={"slug": self.slug})

    @property
    def npwp_display(self) -> str:
        return identifiers.format_npwp(self.npwp)

    def missing_identifiers(self) -> list[str]:
        """Names of the legal identifiers its kind needs for verification that are still empty."""
        return [name for name in self.REQUIRED_IDENTIFIERS.get(self.kind, ()) if not getattr(self, name)]


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.organisation_id} ({self.role})"


def invitation_token() -> str:
    return secrets.token_urlsafe(32)


INVITATION_LIFETIME = datetime.timedelta(days=7)


def invitation_expiry() -> datetime.datetime:
    return timezone.now() + INVITATION_LIFETIME


class OrganisationInvitation(models.Model):
    """An invitation by email to join an organisation. The link carries a random token and
    expires after seven days; it is accepted or declined once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices, default="member")
    token = models.CharField(max_length=64, unique=True, default=invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation_id}"

    def get_absolute_url(self) -> str:
        return reverse("marketplace:invitation_detail", kwargs={"token": self.token})

    def status_at(self, now: datetime.datetime | None = None) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.declined_at:
            return self.Status.DECLINED
        if (now or timezone.now()) >= self.expires_at:
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status(self) -> str:
        return self.status_at()

    def get_status_display(self) -> str:
        return self.Status(self.status).label


def document_upload_to(instance, filename: str) -> str:
    extension = getattr(instance, "_extension", "bin")
    return f"verification/{instance.organisation_id}/{uuid.uuid4().hex}.{extension}"


class VerificationDocument(models.Model):
    """A document an organisation gives officials to check (deed, NIB, NPWP card). Stored
    privately and read only through a view that lets members and officials in."""

    # Set by document_upload before the file is saved: the extension read from its content.
    _extension: str

    class Kind(models.TextChoices):
        DEED = "deed", _("Deed of establishment (akta pendirian)")
        NIB = "nib", _("NIB certificate")
        NPWP = "npwp", _("NPWP card")
        DECREE = "decree", _("Ministry decree (SK Kemenkumham)")
        OTHER = "other", _("Other document")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), storage=private_storage, upload_to=document_upload_to, max_length=200)
    original_name = models.CharField(max_length=120, editable=False)
    content_type = models.CharField(max_length=60, editable=False)
    size = models.PositiveIntegerField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("verification document")
        verbose_name_plural = _("verification documents")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse(
            "marketplace:organisation_document", kwargs={"slug": self.organisation.slug, "pk": self.pk}
        )
