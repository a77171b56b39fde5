"""Challenges (Wagtail pages) with their typed incentives, criteria, sponsors and attachments."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet

from core.localized import localized_text
from core.money import MoneyField
from marketplace.challenges.admin_forms import ChallengePageForm
from marketplace.challenges.models.regions import CURRENCY_CHOICES, Agency, RegionPage, Sector
from marketplace.challenges.models.snippets import Beneficiary, SDGTag, Sponsor


def closing_soon_window() -> datetime.timedelta:
    return datetime.timedelta(days=settings.CHALLENGE_CLOSING_SOON_DAYS)


def derive_status(*, outcome: str, opens_at, closes_at, now=None) -> str:
    """The one rule for a challenge's status; ``ChallengeQuerySet.with_status`` says the same in SQL."""
    now = now or timezone.now()
    if outcome:
        return outcome
    if opens_at > now:
        return "upcoming"
    if closes_at > now + closing_soon_window():
        return "open"
    return "closing_soon" if closes_at > now else "in_review"


class ChallengeQuerySet(PageQuerySet):
    def accepting(self, now=None):
        return self.filter(accepting_condition(now or timezone.now()))

    def with_status(self, now=None):
        """Annotate ``current_status`` in SQL so lists can filter and sort by it."""
        now = now or timezone.now()
        return self.annotate(
            current_status=models.Case(
                models.When(outcome=ChallengePage.Outcome.AWARDED, then=models.Value("awarded")),
                models.When(outcome=ChallengePage.Outcome.CLOSED, then=models.Value("closed")),
                models.When(results_published_at__isnull=False, then=models.Value("awarded")),
                models.When(opens_at__gt=now, then=models.Value("upcoming")),
                models.When(closes_at__gt=now + closing_soon_window(), then=models.Value("open")),
                models.When(closes_at__gt=now, then=models.Value("closing_soon")),
                default=models.Value("in_review"),
                output_field=models.CharField(),
            )
        )


def undecided_condition() -> models.Q:
    return models.Q(outcome="", results_published_at__isnull=True)


def accepting_condition(now) -> models.Q:
    """Taking proposals now (``current_status`` open or closing soon), as plain conditions on
    columns so that the partial index on ``closes_at`` answers it however many challenges
    there are."""
    return undecided_condition() & models.Q(opens_at__lte=now, closes_at__gt=now)


def upcoming_condition(now) -> models.Q:
    return undecided_condition() & models.Q(opens_at__gt=now)


ChallengePageManager = PageManager.from_queryset(ChallengeQuerySet)

TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link"]
ELIGIBILITY_FEATURES = ["bold", "italic", "ol", "ul", "link"]


def body_blocks() -> list:
    """The blocks of a problem statement (the same in both languages)."""
    return [
        ("heading", blocks.CharBlock(label=_("Heading"))),
        ("paragraph", blocks.RichTextBlock(label=_("Paragraph"), features=TEXT_FEATURES)),
        ("quote", blocks.BlockQuoteBlock(label=_("Quote"))),
        (
            "image",
            blocks.StructBlock(
                [
                    ("image", ImageChooserBlock(label=_("Image"))),
                    ("caption", blocks.CharBlock(label=_("Caption"), required=False)),
                ],
                label=_("Image"),
                icon="image",
            ),
        ),
        (
            "document",
            blocks.StructBlock(
                [
                    ("document", DocumentChooserBlock(label=_("Document"))),
                    ("title", blocks.CharBlock(label=_("Link text"), required=False)),
                ],
                label=_("Document"),
                icon="doc-full",
            ),
        ),
        ("table", TableBlock(label=_("Data table"))),
    ]


class ChallengePage(Page):
    """A public-service problem posted by an agency, with incentives and criteria."""

    class Outcome(models.TextChoices):
        PENDING = "", _("Not decided")
        AWARDED = "awarded", _("Awarded")
        CLOSED = "closed", _("Closed without award")

    STATUSES = [
        ("upcoming", _("Upcoming")),
        ("open", _("Open")),
        ("closing_soon", _("Closing soon")),
        ("in_review", _("In review")),
        ("awarded", _("Awarded")),
        ("closed", _("Closed")),
    ]
    # The statuses in which proposals are accepted; the "open" filter matches both.
    ACCEPTING_STATUSES = ("open", "closing_soon")

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    summary = models.TextField(_("summary"), max_length=600)
    summary_en = models.TextField(_("summary (English)"), max_length=600, blank=True)
    body = StreamField(
        body_blocks(),
        blank=True,
        use_json_field=True,
        verbose_name=_("problem statement and context"),
    )
    body_en = StreamField(
        body_blocks(),
        blank=True,
        use_json_field=True,
        verbose_name=_("problem statement and context (English)"),
    )
    expected_outcomes = RichTextField(_("expected outcomes"), blank=True, features=TEXT_FEATURES)
    expected_outcomes_en = RichTextField(_("expected outcomes (English)"), blank=True, features=TEXT_FEATURES)
    beneficiaries = ParentalManyToManyField(
        Beneficiary, blank=True, related_name="challenges", verbose_name=_("target beneficiaries")
    )
    sdg_tags = ParentalManyToManyField(
        SDGTag, blank=True, related_name="challenges", verbose_name=_("Sustainable Development Goals")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="challenges", verbose_name=_("agency")
    )
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="challenges", verbose_name=_("sector")
    )
    other_sectors = ParentalManyToManyField(
        Sector, blank=True, related_name="secondary_challenges", verbose_name=_("other sectors")
    )
    districts = models.TextField(
        _("districts and villages"),
        blank=True,
        help_text=_("Kecamatan or desa where the solution will be used, one per line."),
    )
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
    review_ends_on = models.DateField(_("review ends on"), null=True, blank=True)
    award_on = models.DateField(_("winners announced on"), null=True, blank=True)
    delivery_ends_on = models.DateField(_("delivery ends on"), null=True, blank=True)
    eligibility = RichTextField(_("eligibility"), blank=True, features=ELIGIBILITY_FEATURES)
    eligibility_en = RichTextField(_("eligibility (English)"), blank=True, features=ELIGIBILITY_FEATURES)
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
    max_requested_amount = MoneyField(
        _("maximum requested amount (Rp)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("In rupiah, for example 150.000.000 or 150 juta. Empty means no maximum."),
    )
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True, default="")

    # How proposals are judged (the officials' review settings).
    score_min = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    score_max = models.PositiveSmallIntegerField(_("highest score"), default=5)
    reviewers_per_proposal = models.PositiveSmallIntegerField(
        _("reviewers per proposal"), default=3, validators=[MinValueValidator(1)]
    )
    reviewer_max_load = models.PositiveSmallIntegerField(
        _("most proposals per reviewer"), default=10, validators=[MinValueValidator(1)]
    )
    blind_review = models.BooleanField(
        _("blind review"),
        default=False,
        help_text=_("Reviewers do not see the names of organisations or their members."),
    )
    disagreement_threshold = models.PositiveSmallIntegerField(
        _("disagreement threshold (points of 100)"),
        default=20,
        help_text=_("When reviewers' totals for a proposal differ by more than this, it is flagged."),
    )
    # Set when an official publishes the winners: only then are they public.
    results_published_at = models.DateTimeField(
        _("results published at"), null=True, blank=True, editable=False
    )

    objects = ChallengePageManager()
    base_form_class = ChallengePageForm

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("expected_outcomes"),
        MultiFieldPanel(
            [
                FieldPanel("agency"),
                FieldPanel("sector"),
                FieldPanel("other_sectors"),
                FieldPanel("sdg_tags"),
                FieldPanel("beneficiaries"),
                FieldPanel("districts"),
            ],
            heading=_("Owner, sectors and who it serves"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("qa_closes_at"),
                FieldRowPanel(
                    [FieldPanel("review_ends_on"), FieldPanel("award_on"), FieldPanel("delivery_ends_on")]
                ),
            ],
            heading=_("Timeline"),
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
        MultiFieldPanel(
            [
                FieldPanel("contact_name"),
                FieldRowPanel([FieldPanel("contact_email"), FieldPanel("contact_phone")]),
            ],
            heading=_("Contact"),
        ),
    ]
    # The English twins of the public texts (core.localized): empty shows the Indonesian text
    # under /en/, marked "(Bahasa Indonesia)". Criteria and incentives have theirs in their rows.
    english_panels = [
        FieldPanel("title_en"),
        FieldPanel("summary_en"),
        FieldPanel("body_en"),
        FieldPanel("expected_outcomes_en"),
        FieldPanel("eligibility_en"),
    ]
    offer_panels = [
        InlinePanel("incentives", label=_("Incentives"), min_num=1),
        InlinePanel("criteria", label=_("Criteria (weights sum to 100)"), min_num=1),
        InlinePanel("application_questions", label=_("Questions every proposal must answer")),
        InlinePanel("sponsors", label=_("Sponsors")),
        InlinePanel("attachments", label=_("Attachments")),
    ]
    review_panels = [
        FieldRowPanel([FieldPanel("score_min"), FieldPanel("score_max")], heading=_("Score scale")),
        FieldRowPanel([FieldPanel("reviewers_per_proposal"), FieldPanel("reviewer_max_load")]),
        FieldPanel("disagreement_threshold"),
        FieldPanel("blind_review"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(english_panels, heading=_("English")),
            ObjectList(offer_panels, heading=_("Incentives, criteria and sponsors")),
            ObjectList(review_panels, heading=_("Review")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            # Go-live and expiry times (scheduled publishing) are in this tab.
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )
    parent_page_types = ["challenges.ChallengeIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        indexes = [
            # The open challenges, closing soonest first: the home page and the lists' first group.
            models.Index(
                fields=["closes_at", "page_ptr"],
                condition=models.Q(outcome="", results_published_at__isnull=True),
                name="challenge_undecided_closes",
            ),
            # The challenges not open yet, opening soonest first.
            models.Index(
                fields=["opens_at", "page_ptr"],
                condition=models.Q(outcome="", results_published_at__isnull=True),
                name="challenge_undecided_opens",
            ),
            # The closed ones, latest closed first.
            models.Index(fields=["closes_at", "page_ptr"], name="challenge_closes"),
        ]

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The closing time must be after the opening time.")
        if self.qa_closes_at and self.closes_at and self.qa_closes_at > self.closes_at:
            errors["qa_closes_at"] = _("Questions must close before submissions close.")
        errors.update(self._phase_errors())
        clash = ChallengePage.objects.filter(slug=self.slug).exclude(pk=self.pk).exists()
        if self.slug and clash:
            errors["slug"] = _("Another challenge already uses this slug; challenge addresses are site-wide.")
        if errors:
            raise ValidationError(errors)

    def _phase_errors(self) -> dict:
        """Review, award and delivery follow the closing day, in that order."""
        if not self.closes_at:
            return {}
        zone = self.agency.region.zoneinfo if self.agency_id else None
        previous = ("closes_at", timezone.localtime(self.closes_at, zone).date())
        errors = {}
        for name in ("review_ends_on", "award_on", "delivery_ends_on"):
            value = getattr(self, name)
            if value is None:
                continue
            if value < previous[1]:
                errors[name] = _("This date must not be before “%(previous)s”.") % {
                    "previous": self._meta.get_field(previous[0]).verbose_name
                }
            previous = (name, value)
        return errors

    # Challenges live at /challenges/<slug>/ whatever their region (DESIGN §5).
    def with_content_json(self, content):
        """Publishing a revision must not undo the published results: they are set by
        ``services.determinations.results_publish``, not by the editor."""
        page = super().with_content_json(content)
        page.results_published_at = self.results_published_at
        return page

    def get_url_parts(self, request=None):
        parts = super().get_url_parts(request)
        if parts is None:
            return None
        site_id, root_url, _path = parts
        return site_id, root_url, reverse("marketplace:challenge_detail", kwargs={"slug": self.slug})

    def serve(self, request, *args, **kwargs):
        # The page is drawn by the view at its public address, which gathers the parts other
        # apps add (Q&A, partners, winners, sponsors); it is found by URL, not imported.
        match = resolve(reverse("marketplace:challenge_detail", kwargs={"slug": self.slug}))
        return match.func(request, *match.args, **match.kwargs)

    def serve_preview(self, request, mode_name):
        # Preview, "view draft" and the workflow's preview: the same public page, drawn from this
        # object (the draft revision or the editor's form) rather than from the live page.
        match = resolve(reverse("marketplace:challenge_detail", kwargs={"slug": self.slug or "draft"}))
        return match.func(request, *match.args, draft=self, **match.kwargs)

    @property
    def region(self) -> RegionPage:
        return self.agency.region

    @property
    def display_title(self) -> str:
        """The title in the reader's language, as plain text (``core.localized``)."""
        return localized_text(self, "title")

    @property
    def display_summary(self) -> str:
        return localized_text(self, "summary")

    @property
    def district_list(self) -> list[str]:
        return [line.strip() for line in self.districts.splitlines() if line.strip()]

    def body_text(self, field: str = "body") -> str:
        """The problem statement (or its English twin, ``body_en``) as plain text (for search):
        text, captions and table cells."""
        parts = []
        for block in getattr(self, field):
            if block.block_type == "table":
                rows = (block.value or {}).get("data") or []
                parts.extend(str(cell) for row in rows for cell in row if cell)
                parts.append((block.value or {}).get("table_caption") or "")
            elif block.block_type == "image":
                parts.append(block.value.get("caption") or "")
            elif block.block_type == "document":
                parts.append(block.value.get("title") or "")
            else:
                parts.append(strip_tags(str(block.value)))
        return " ".join(part for part in parts if part)

    @property
    def status(self) -> str:
        if hasattr(self, "current_status"):
            return self.current_status
        return derive_status(outcome=self.effective_outcome, opens_at=self.opens_at, closes_at=self.closes_at)

    def get_status_display(self) -> str:
        return dict(self.STATUSES)[self.status]

    @property
    def accepts_proposals(self) -> bool:
        return self.status in self.ACCEPTING_STATUSES

    @property
    def effective_outcome(self) -> str:
        """The outcome an editor set, or "awarded" once the results are published."""
        if self.outcome:
            return self.outcome
        return self.Outcome.AWARDED if self.results_published_at else ""

    def questions_open(self, now=None) -> bool:
        now = now or timezone.now()
        return not self.effective_outcome and now < (self.qa_closes_at or self.closes_at)

    def is_open_for_submissions(self, now=None) -> bool:
        now = now or timezone.now()
        return not self.effective_outcome and self.opens_at <= now < self.closes_at


class Incentive(Orderable):
    """A typed offer: what a winner (or every participant) gets, with the fields its kind needs."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("Grant (hibah)")
        PRIZE = "prize", _("Prize (hadiah)")
        PILOT = "pilot_contract", _("Pilot contract")
        IN_KIND = "in_kind", _("In-kind support")
        LEVY_RELIEF = "levy_relief", _("Regional levy relief")

    challenge = ParentalKey(ChallengePage, on_delete=models.CASCADE, related_name="incentives")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = MoneyField(
        _("amount or value (Rp)"),
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Grant or prize: the total amount; pilot contract: its value; in-kind or levy relief: an "
            "estimated value, if known (0 if not). In rupiah, for example 150.000.000 or 150 juta."
        ),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="IDR")
    description = models.CharField(_("description"), max_length=300, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    winners = models.PositiveSmallIntegerField(
        _("number of winners"), default=1, validators=[MinValueValidator(1)], help_text=_("Grant or prize.")
    )
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    provider = models.ForeignKey(
        Sponsor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="in_kind_offers",
        verbose_name=_("provided by (sponsor)"),
    )
    provider_name = models.CharField(
        _("provided by (other)"),
        max_length=200,
        blank=True,
        help_text=_("When the provider is not a sponsor."),
    )
    quantity = models.PositiveIntegerField(
        _("quantity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("The capacity offered."),
    )
    unit = models.CharField(
        _("unit"),
        max_length=60,
        blank=True,
        help_text=_("For example: mentoring hours, USD cloud credits, co-working seats, training places."),
    )
    unit_en = models.CharField(_("unit (English)"), max_length=60, blank=True)
    expires_on = models.DateField(_("offer expires on"), null=True, blank=True)
    levy_name = models.CharField(
        _("levy"), max_length=150, blank=True, help_text=_("For example: retribusi pasar.")
    )
    relief = models.CharField(
        _("relief"), max_length=200, blank=True, help_text=_("For example: 50% for 12 months.")
    )
    relief_en = models.CharField(_("relief (English)"), max_length=200, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("amount"), FieldPanel("currency")]),
        FieldPanel("description"),
        FieldRowPanel(
            [FieldPanel("winners"), FieldPanel("duration_months")], heading=_("Grant, prize, pilot")
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("provider"), FieldPanel("provider_name")]),
                FieldRowPanel([FieldPanel("quantity"), FieldPanel("unit"), FieldPanel("expires_on")]),
            ],
            heading=_("In-kind support"),
        ),
        FieldRowPanel([FieldPanel("levy_name"), FieldPanel("relief")], heading=_("Levy relief")),
        MultiFieldPanel(
            [FieldPanel("description_en"), FieldRowPanel([FieldPanel("unit_en"), FieldPanel("relief_en")])],
            heading=_("English"),
            classname="collapsed",
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("incentive")
        verbose_name_plural = _("incentives")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description or self.unit or self.levy_name}"

    def clean(self) -> None:
        super().clean()
        errors = self.kind_errors()
        if errors:
            raise ValidationError(errors)

    def kind_errors(self) -> dict[str, str]:
        """What this kind of offer is missing, by field."""
        Kind = self.Kind
        errors: dict[str, str] = {}
        if self.kind == Kind.GRANT and not self.amount:
            errors["amount"] = _("A grant needs an amount.")
        elif self.kind == Kind.PRIZE and not self.amount:
            errors["amount"] = _("A prize needs an amount.")
        elif self.kind == Kind.PILOT:
            if not self.amount:
                errors["amount"] = _("A pilot contract needs its value.")
            if not self.duration_months:
                errors["duration_months"] = _("A pilot contract needs its duration in months.")
        elif self.kind == Kind.IN_KIND:
            if not self.quantity:
                errors["quantity"] = _("An in-kind offer needs a quantity.")
            if not self.unit.strip():
                errors["unit"] = _("An in-kind offer needs a unit, such as mentoring hours.")
        elif self.kind == Kind.LEVY_RELIEF:
            if not self.levy_name.strip():
                errors["levy_name"] = _("A levy relief must name the levy.")
            if not self.relief.strip():
                errors["relief"] = _("A levy relief must say what is relieved, such as 50% for 12 months.")
        return errors

    @property
    def is_in_kind(self) -> bool:
        return self.kind == self.Kind.IN_KIND

    @property
    def provider_display(self) -> str:
        return self.provider.name if self.provider_id else self.provider_name

    @property
    def drawn_quantity(self) -> int:
        """Capacity already given to winners (annotated by the selectors, else one query)."""
        if hasattr(self, "drawn_down"):
            return self.drawn_down
        if self.pk is None:
            return 0
        return self.drawdowns.aggregate(total=models.Sum("quantity"))["total"] or 0

    @property
    def remaining(self) -> int | None:
        if not self.is_in_kind or self.quantity is None:
            return None
        return max(self.quantity - self.drawn_quantity, 0)


class ChallengeSponsor(Orderable):
    challenge = ParentalKey(ChallengePage, on_delete=models.CASCADE, related_name="sponsors")
    sponsor = models.ForeignKey(
        Sponsor, on_delete=models.PROTECT, related_name="challenge_links", verbose_name=_("sponsor")
    )
    role = models.CharField(
        _("role"), max_length=150, blank=True, help_text=_("For example: co-funder, provides cloud credits.")
    )
    role_en = models.CharField(_("role (English)"), max_length=150, blank=True)

    panels = [FieldPanel("sponsor"), FieldPanel("role"), FieldPanel("role_en")]

    class Meta(Orderable.Meta):
        verbose_name = _("sponsor")
        verbose_name_plural = _("sponsors")


class ChallengeDocument(Orderable):
    challenge = ParentalKey(ChallengePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+", verbose_name=_("document")
    )
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Empty: the document's title.")
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title"), FieldPanel("title_en")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    @property
    def display_title(self) -> str:
        return localized_text(self, "title") or self.document.title


class Criterion(Orderable):
    challenge = ParentalKey(ChallengePage, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight (%)"), validators=[MinValueValidator(1)])

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("weight"),
        MultiFieldPanel(
            [FieldPanel("name_en"), FieldPanel("description_en")], heading=_("English"), classname="collapsed"
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")


class ApplicationQuestion(Orderable):
    """A question of the challenge's own that every proposal answers."""

    challenge = ParentalKey(ChallengePage, on_delete=models.CASCADE, related_name="application_questions")
    text = models.CharField(_("question"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    help_text = models.CharField(_("guidance"), max_length=300, blank=True)
    help_text_en = models.CharField(_("guidance (English)"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)

    panels = [
        FieldPanel("text"),
        FieldPanel("help_text"),
        FieldPanel("required"),
        MultiFieldPanel(
            [FieldPanel("text_en"), FieldPanel("help_text_en")], heading=_("English"), classname="collapsed"
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("application question")
        verbose_name_plural = _("application questions")

    def __str__(self) -> str:
        return self.text
