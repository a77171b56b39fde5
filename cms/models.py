"""The site shell: home page and standard pages. Nothing domain-specific lives here;
the home page asks marketplace selectors for what it shows."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageViewRestriction


class HomePage(Page):
    intro = models.CharField(_("intro"), max_length=300, blank=True)
    intro_en = models.CharField(_("intro (English)"), max_length=300, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("intro_en")], heading=_("English"), classname="collapsed"),
    ]
    subpage_types = ["challenges.RegionPage", "cms.StandardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    # Set on the home page kept with its site (cms.sites) when it had no view restriction: none
    # can have been added since, as adding one starts a new generation of what is kept.
    kept_without_view_restrictions = False

    def get_view_restrictions(self):
        """Wagtail's answer (the restrictions on this page and its ancestors, an alias's on its
        source page) in one query instead of two, and in none when the page was kept without
        any: the home page is served on every visit."""
        if self.kept_without_view_restrictions:
            # Already read as empty: iterating a bare ``none()`` still compiles its SQL.
            nothing = PageViewRestriction.objects.none()
            nothing._result_cache = []
            return nothing
        ancestors = Page.objects.ancestor_of(self, inclusive=True)
        return PageViewRestriction.objects.filter(
            Q(page__in=ancestors.filter(alias_of__isnull=True))
            | Q(page__in=ancestors.filter(alias_of__isnull=False).values("alias_of"))
        )

    def get_context(self, request, *args, **kwargs):
        from django.utils.functional import SimpleLazyObject

        from cms.sites import site_key
        from core.pagination import LazyRows
        from core.templatetags.public_parts import PUBLIC_PARTS
        from marketplace.awards.selectors import projects as awards_selectors
        from marketplace.challenges import selectors as challenges_selectors
        from marketplace.publicdata import selectors as publicdata_selectors

        context = super().get_context(request, *args, **kwargs)
        # Read only when the page's part is made (``{% public_part %}``), not while it is kept.
        figures = SimpleLazyObject(publicdata_selectors.headline_figures)

        def cards_change_at(rows):
            """A shown challenge changes status, or another opens or closes (the figures say
            when): the open ones shown are then others."""
            moments = (challenges_selectors.status_changes_at(rows), figures["changes_at"])
            return min((moment for moment in moments if moment is not None), default=None)

        context["open_challenges"] = LazyRows(
            lambda: list(challenges_selectors.challenge_list(status="open")[:6]), changes_at=cards_change_at
        )
        context["funded_projects"] = LazyRows(lambda: list(awards_selectors.project_list()[:4]))
        context["figures"] = figures
        # A preview shows a draft: its parts are made each time and never kept.
        context[PUBLIC_PARTS] = not getattr(request, "is_preview", False)
        # Kept under its site (there is one home page), so that cms.sites can ask for the part
        # in the same round trip to the cache as the site itself.
        context["home_part_site"] = site_key(request)
        return context


def standard_blocks() -> list:
    return [("heading", blocks.CharBlock()), ("paragraph", blocks.RichTextBlock())]


class StandardPage(Page):
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    body = StreamField(standard_blocks(), blank=True, use_json_field=True)
    body_en = StreamField(
        standard_blocks(), blank=True, use_json_field=True, verbose_name=_("body (English)")
    )
    content_panels = Page.content_panels + [
        FieldPanel("body"),
        # English twins (core.localized): empty shows the Indonesian text under /en/.
        MultiFieldPanel(
            [FieldPanel("title_en"), FieldPanel("body_en")], heading=_("English"), classname="collapsed"
        ),
    ]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")


@register_setting
class SiteSettings(BaseSiteSetting):
    contact_email = models.EmailField(_("contact email"), blank=True)
    footer_text = RichTextField(_("footer text"), blank=True, features=["bold", "italic", "link"])

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")
