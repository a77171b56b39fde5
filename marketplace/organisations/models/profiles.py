"""A profile for each user: what the workspace shows and what officials may need to call."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

PHONE_VALIDATOR = RegexValidator(
    r"^\+?\d{8,15}$",
    _("Write the phone number with digits only, for example 081234567890 or +6281234567890."),
    code="invalid_phone",
)


class TaggedExpertise(TaggedItemBase):
    """A reviewer's fields of expertise (tags, from the same vocabulary as capabilities)."""

    content_object = models.ForeignKey(
        "organisations.UserProfile", on_delete=models.CASCADE, related_name="+"
    )


class UserProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True, validators=[PHONE_VALIDATOR])
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # What a reviewer knows: matched against proposals' sectors and capabilities when officials
    # assign reviewers.
    expertise_sectors = models.ManyToManyField(
        "challenges.Sector", blank=True, related_name="+", verbose_name=_("sectors of expertise")
    )
    expertise = TaggableManager(
        verbose_name=_("expertise"),
        through=TaggedExpertise,
        blank=True,
        help_text=_("Separate them with commas, for example: digital payments, public health."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.full_name or str(self.user)
