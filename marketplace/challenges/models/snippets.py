"""Snippets that describe challenges: SDG tags, target beneficiaries and sponsors."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet


class _Bilingual(models.Model):
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name


@register_snippet
class SDGTag(_Bilingual):
    """One of the 17 UN Sustainable Development Goals (seeded by a data migration)."""

    number = models.PositiveSmallIntegerField(
        _("number"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(17)]
    )

    panels = [FieldPanel("number"), FieldPanel("name"), FieldPanel("name_en")]

    class Meta:
        verbose_name = _("SDG tag")
        verbose_name_plural = _("SDG tags")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"SDG {self.number}: {self.display_name}"


@register_snippet
class Beneficiary(_Bilingual):
    """Who a challenge is meant to help: villages, market traders, patients, …"""

    slug = models.SlugField(_("slug"), unique=True)

    panels = [FieldPanel("name"), FieldPanel("name_en"), FieldPanel("slug")]

    class Meta:
        verbose_name = _("target beneficiary")
        verbose_name_plural = _("target beneficiaries")
        ordering = ["name"]


@register_snippet
class Sponsor(models.Model):
    """A company or foundation that co-funds challenges or provides in-kind support (CSR)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logo"),
    )
    website = models.URLField(_("website"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("logo"), FieldPanel("website")]

    class Meta:
        verbose_name = _("sponsor")
        verbose_name_plural = _("sponsors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
