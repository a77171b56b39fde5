"""Regional governments, their agencies, and sectors."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import Page
from wagtail.snippets.models import register_snippet

from core.localized import localized_text

CURRENCY_CHOICES = [("IDR", "IDR — Rupiah")]


class RegionPage(Page):
    """One regional government (provinsi, kabupaten or kota): a subtree of the page tree."""

    class Level(models.TextChoices):
        PROVINCE = "provinsi", _("Provinsi")
        REGENCY = "kabupaten", _("Kabupaten")
        CITY = "kota", _("Kota")

    class Zone(models.TextChoices):
        WIB = "Asia/Jakarta", "WIB (UTC+7)"
        WITA = "Asia/Makassar", "WITA (UTC+8)"
        WIT = "Asia/Jayapura", "WIT (UTC+9)"

    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    province = models.CharField(_("province"), max_length=100, blank=True)
    timezone = models.CharField(_("timezone"), max_length=40, choices=Zone.choices, default=Zone.WIB)
    intro = models.TextField(_("intro"), blank=True)
    intro_en = models.TextField(_("intro (English)"), blank=True)

    # The region's name is a proper name, the same in both languages; its intro has a twin.
    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("level"), FieldPanel("province"), FieldPanel("timezone")]),
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("intro_en")], heading=_("English"), classname="collapsed"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["challenges.ChallengeIndexPage"]

    class Meta:
        verbose_name = _("regional government")
        verbose_name_plural = _("regional governments")

    @property
    def zoneinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def zone_label(self) -> str:
        return self.get_timezone_display().split(" ")[0]


class ChallengeIndexPage(Page):
    """A region's list of challenges; the public list is the site-wide /challenges/."""

    parent_page_types = ["challenges.RegionPage"]
    subpage_types = ["challenges.ChallengePage"]

    class Meta:
        verbose_name = _("challenge index")
        verbose_name_plural = _("challenge indexes")

    def get_context(self, request, *args, **kwargs):
        # Its preview (the page itself only redirects): what it is and where visitors go.
        context = super().get_context(request, *args, **kwargs)
        parent = self.get_parent() if self.path else None
        context["region"] = parent.specific if parent else None
        return context

    def serve(self, request, *args, **kwargs):
        from django.shortcuts import redirect

        region = self.get_parent().specific
        return redirect(f"{reverse('marketplace:challenge_list')}?region={region.slug}")


@register_snippet
class Agency(models.Model):
    """An OPD / Dinas inside a region; it owns challenges."""

    region = models.ForeignKey(
        RegionPage, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("region")
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    officials = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="agencies", verbose_name=_("officials")
    )
    # Kepala OPD: approve the region's challenges before they go live (the region's approval
    # workflow), and only that region's.
    heads = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="headed_agencies",
        verbose_name=_("agency heads"),
        help_text=_("They approve this region's challenges before they are published."),
    )

    panels = [
        FieldPanel("region"),
        FieldPanel("name"),
        FieldPanel("acronym"),
        FieldPanel("officials"),
        FieldPanel("heads"),
        MultiFieldPanel([FieldPanel("name_en")], heading=_("English"), classname="collapsed"),
    ]

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="agency_unique_per_region")]

    def __str__(self) -> str:
        return f"{self.acronym or self.display_name} — {self.region.title}"

    @property
    def display_name(self) -> str:
        """The name in the reader's language, plain text (labels, tables, sentences)."""
        return localized_text(self, "name")


@register_snippet
class Sector(models.Model):
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), unique=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        MultiFieldPanel([FieldPanel("name_en")], heading=_("English"), classname="collapsed"),
    ]

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language, plain text (filter options, tables, facets)."""
        return localized_text(self, "name")
