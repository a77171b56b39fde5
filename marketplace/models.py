"""Regions, agencies, challenges (Wagtail pages), organisations, proposals, awards and
milestones. Status fields are changed only by ``marketplace.workflows``."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.snippets.models import register_snippet

from marketplace.admin_forms import ChallengePageForm

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

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("level"), FieldPanel("province"), FieldPanel("timezone")]),
        FieldPanel("intro"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["marketplace.ChallengeIndexPage"]

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

    parent_page_types = ["marketplace.RegionPage"]
    subpage_types = ["marketplace.ChallengePage"]

    class Meta:
        verbose_name = _("challenge index")

    def serve(self, request, *args, **kwargs):
        from django.shortcuts import redirect

        region = self.get_parent().specific
        return redirect(f"{reverse('marketplace:challenge_list')}?region={region.slug}")


@register_snippet
class Agency(models.Model):
    """An OPD / Dinas inside a region; it owns challenges."""

    region = models.ForeignKey(RegionPage, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    officials = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="agencies", verbose_name=_("officials")
    )

    panels = [FieldPanel("region"), FieldPanel("name"), FieldPanel("acronym"), FieldPanel("officials")]

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="agency_unique_per_region")]

    def __str__(self) -> str:
        return f"{self.acronym or self.name} — {self.region.title}"


@register_snippet
class Sector(models.Model):
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    slug = models.SlugField(unique=True)

    panels = [FieldPanel("name"), FieldPanel("name_en"), FieldPanel("slug")]

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name


class ChallengeQuerySet(PageQuerySet):
    def with_status(self, now=None):
        """Annotate ``current_status`` in SQL so lists can filter and sort by it."""
        now = now or timezone.now()
        return self.annotate(
            current_status=models.Case(
                models.When(outcome=ChallengePage.Outcome.AWARDED, then=models.Value("awarded")),
                models.When(outcome=ChallengePage.Outcome.CLOSED, then=models.Value("closed")),
                models.When(opens_at__gt=now, then=models.Value("upcoming")),
                models.When(closes_at__gt=now, then=models.Value("open")),
                default=models.Value("in_review"),
                output_field=models.CharField(),
            )
        )


ChallengePageManager = PageManager.from_queryset(ChallengeQuerySet)


class ChallengePage(Page):
    """A public-service problem posted by an agency, with incentives and criteria."""

    class Outcome(models.TextChoices):
        PENDING = "", _("Not decided")
        AWARDED = "awarded", _("Awarded")
        CLOSED = "closed", _("Closed without award")

    STATUSES = [
        ("upcoming", _("Upcoming")),
        ("open", _("Open")),
        ("in_review", _("In review")),
        ("awarded", _("Awarded")),
        ("closed", _("Closed")),
    ]

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    summary = models.TextField(_("summary"), max_length=600)
    summary_en = models.TextField(_("summary (English)"), max_length=600, blank=True)
    body = StreamField(
        [
            ("heading", blocks.CharBlock(label=_("Heading"))),
            ("paragraph", blocks.RichTextBlock(label=_("Paragraph"))),
            ("quote", blocks.BlockQuoteBlock(label=_("Quote"))),
        ],
        blank=True,
        use_json_field=True,
        verbose_name=_("problem description"),
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="challenges")
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="challenges")
    opens_at = models.DateTimeField(
        _("opens at"), help_text=_("In the region's own time (WIB, WITA or WIT).")
    )
    closes_at = models.DateTimeField(
        _("closes at"), help_text=_("In the region's own time (WIB, WITA or WIT).")
    )
    eligibility = RichTextField(_("eligibility"), blank=True, features=["bold", "italic", "ol", "ul", "link"])
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True, default="")

    objects = ChallengePageManager()
    base_form_class = ChallengePageForm

    content_panels = Page.content_panels + [
        FieldPanel("title_en"),
        FieldPanel("summary"),
        FieldPanel("summary_en"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("agency"),
                FieldPanel("sector"),
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
            ],
            heading=_("Owner and timeline"),
        ),
        FieldPanel("eligibility"),
        InlinePanel("incentives", label=_("Incentives"), min_num=1),
        InlinePanel("criteria", label=_("Criteria (weights sum to 100)"), min_num=1),
    ]
    parent_page_types = ["marketplace.ChallengeIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The closing time must be after the opening time.")
        clash = ChallengePage.objects.filter(slug=self.slug).exclude(pk=self.pk).exists()
        if self.slug and clash:
            errors["slug"] = _("Another challenge already uses this slug; challenge addresses are site-wide.")
        if errors:
            raise ValidationError(errors)

    # Challenges live at /challenges/<slug>/ whatever their region (DESIGN §5).
    def get_url_parts(self, request=None):
        parts = super().get_url_parts(request)
        if parts is None:
            return None
        site_id, root_url, _path = parts
        return site_id, root_url, reverse("marketplace:challenge_detail", kwargs={"slug": self.slug})

    def serve(self, request, *args, **kwargs):
        from marketplace.views import challenge_detail

        return challenge_detail(request, slug=self.slug)

    @property
    def region(self) -> RegionPage:
        return self.agency.region

    @property
    def display_title(self) -> str:
        return self.title_en if get_language() == "en" and self.title_en else self.title

    @property
    def display_summary(self) -> str:
        return self.summary_en if get_language() == "en" and self.summary_en else self.summary

    @property
    def status(self) -> str:
        if hasattr(self, "current_status"):
            return self.current_status
        now = timezone.now()
        if self.outcome:
            return self.outcome
        if self.opens_at > now:
            return "upcoming"
        return "open" if self.closes_at > now else "in_review"

    def get_status_display(self) -> str:
        return dict(self.STATUSES)[self.status]

    def is_open_for_submissions(self, now=None) -> bool:
        now = now or timezone.now()
        return not self.outcome and self.opens_at <= now < self.closes_at


class Incentive(Orderable):
    class Kind(models.TextChoices):
        GRANT = "grant", _("Grant (hibah)")
        PRIZE = "prize", _("Prize (hadiah)")
        PILOT = "pilot_contract", _("Pilot contract")
        IN_KIND = "in_kind", _("In-kind support")
        LEVY_RELIEF = "levy_relief", _("Regional levy relief")

    challenge = ParentalKey(ChallengePage, on_delete=models.CASCADE, related_name="incentives")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.BigIntegerField(
        _("amount (minor units)"),
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("In the currency's minor unit: Rp 1.000.000 is 100000000."),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="IDR")
    description = models.CharField(_("description"), max_length=300, blank=True)

    panels = [FieldPanel("kind"), FieldPanel("amount"), FieldPanel("currency"), FieldPanel("description")]


class Criterion(Orderable):
    challenge = ParentalKey(ChallengePage, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight (%)"), validators=[MinValueValidator(1)])

    panels = [FieldPanel("name"), FieldPanel("description"), FieldPanel("weight")]


class Organisation(models.Model):
    class Kind(models.TextChoices):
        STARTUP = "startup", _("Startup")
        UMKM = "umkm", _("UMKM (micro, small or medium business)")
        COOPERATIVE = "koperasi", _("Koperasi (cooperative)")
        COMMUNITY = "komunitas", _("Komunitas (community group)")
        UNIVERSITY = "perguruan_tinggi", _("Perguruan tinggi (university)")
        NGO = "ngo", _("NGO")

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
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("marketplace:organisation_detail", kwargs={"slug": self.slug})


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.organisation_id} ({self.role})"


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


class AuditEntry(models.Model):
    """Who did what, when and from where. Append-only; payments writes here through a callback."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"
