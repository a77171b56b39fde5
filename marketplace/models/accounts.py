"""A profile for each user: what the workspace shows and what officials may need to call."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

PHONE_VALIDATOR = RegexValidator(
    r"^\+?\d{8,15}$",
    _("Write the phone number with digits only, for example 081234567890 or +6281234567890."),
    code="invalid_phone",
)


class UserProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True, validators=[PHONE_VALIDATOR])
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.full_name or str(self.user)
