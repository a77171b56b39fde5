"""Vocabularies that several apps share: a challenge's eligibility rules speak of the kinds of
organisation that may apply, before any organisation exists."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    STARTUP = "startup", _("Startup")
    UMKM = "umkm", _("UMKM (micro, small or medium business)")
    COOPERATIVE = "koperasi", _("Koperasi (cooperative)")
    COMMUNITY = "komunitas", _("Komunitas (community group)")
    UNIVERSITY = "perguruan_tinggi", _("Perguruan tinggi (university)")
    NGO = "ngo", _("NGO")
    COMPANY = "company", _("Perusahaan (company)")
