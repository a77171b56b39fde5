"""Challenges (Wagtail pages) with their incentives and criteria."""

from __future__ import annotations

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

from marketplace.admin_forms import ChallengePageForm
from marketplace.models.regions import CURRENCY_CHOICES, Agency, RegionPage, Sector


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
    qa_closes_at = models.DateTimeField(
        _("questions close at"),
        null=True,
        blank=True,
        help_text=_("Public questions may be asked until then; empty means until the closing time."),
    )
    eligibility = RichTextField(_("eligibility"), blank=True, features=["bold", "italic", "ol", "ul", "link"])
    eligible_kinds = models.JSONField(
        _("organisation kinds that may apply"),
        default=list,
        blank=True,
        help_text=_("Empty means every kind."),
    )
    must_be_registered_in_region = models.BooleanField(
        _("applicants must be registered in this region"), default=False
    )
    consortium_allowed = models.BooleanField(_("consortia of several organisations may apply"), default=True)
    max_requested_amount = models.BigIntegerField(
        _("maximum requested amount (minor units)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
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
                FieldPanel("qa_closes_at"),
            ],
            heading=_("Owner and timeline"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("eligibility"),
                FieldPanel("eligible_kinds"),
                FieldRowPanel([FieldPanel("must_be_registered_in_region"), FieldPanel("consortium_allowed")]),
                FieldPanel("max_requested_amount"),
            ],
            heading=_("Eligibility"),
        ),
        InlinePanel("incentives", label=_("Incentives"), min_num=1),
        InlinePanel("criteria", label=_("Criteria (weights sum to 100)"), min_num=1),
        InlinePanel("application_questions", label=_("Questions every proposal must answer")),
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

    def questions_open(self, now=None) -> bool:
        now = now or timezone.now()
        return not self.outcome and now < (self.qa_closes_at or self.closes_at)

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


class ApplicationQuestion(Orderable):
    """A question of the challenge's own that every proposal answers."""

    challenge = ParentalKey(ChallengePage, on_delete=models.CASCADE, related_name="application_questions")
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("guidance"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)

    panels = [FieldPanel("text"), FieldPanel("help_text"), FieldPanel("required")]

    def __str__(self) -> str:
        return self.text
