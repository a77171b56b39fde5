"""What marketplace puts in the search index, and when it tells search.

Three document types: live challenges, funded projects whose results are public, and
organisations' public profiles. Each says which objects the public may find and how a document
is made from one (``search.api.SearchDocument``), and is registered with search from
``MarketplaceConfig.ready``, as Wagtail models declare ``search_fields``.

The receivers below react to what the domain announces (Wagtail publishing, the signals of
``marketplace.signals``, organisation edits) by asking search to refresh the documents after
the commit; search never reads marketplace models itself."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _
from wagtail.signals import page_published, page_unpublished

from marketplace.awards import signals as awards_signals
from marketplace.awards.models import Award
from marketplace.awards.selectors import projects as selectors
from marketplace.challenges import signals as challenges_signals
from marketplace.challenges.models.challenges import ChallengePage
from marketplace.challenges.models.regions import Agency
from marketplace.organisations.models.organisations import Organisation, TaggedCapability
from search import api as search

# Documents ------------------------------------------------------------------------------------


def challenges():
    return (
        ChallengePage.objects.live()
        .public()
        .select_related("agency__region", "sector")
        .prefetch_related("incentives", "other_sectors")
    )


def projects():
    return (
        Award.objects.filter(selectors.PUBLIC_PROJECT)
        .select_related(
            "proposal__organisation", "proposal__challenge__agency__region", "proposal__challenge__sector"
        )
        .distinct()
    )


def organisations():
    return Organisation.objects.select_related("region").prefetch_related("sectors", "capabilities")


def challenge_document(page) -> search.SearchDocument:
    """A live challenge: its public text. Expects ``agency__region``, ``sector`` selected and
    ``incentives``/``other_sectors`` prefetched in bulk work."""
    incentives = list(page.incentives.all())
    sectors = [page.sector.slug] + sorted(s.slug for s in page.other_sectors.all() if s.pk != page.sector_id)
    decided = page.outcome or ("awarded" if page.results_published_at else "")
    return search.SearchDocument(
        kind="challenge",
        object_id=page.pk,
        title=page.title,
        title_en=page.title_en,
        summary=page.summary,
        summary_en=page.summary_en,
        # The sector's names are words people search with ("pengaduan masyarakat").
        body=" ".join(
            [
                page.body_text(),
                search.strip_tags(page.expected_outcomes),
                page.sector.name,
                page.sector.name_en,
            ]
        ),
        body_en=" ".join([page.body_text("body_en"), search.strip_tags(page.expected_outcomes_en)]),
        url=search.default_language_path("marketplace:challenge_detail", slug=page.slug),
        region=page.agency.region.slug,
        agency=page.agency_id,
        sectors=sectors,
        incentives=sorted({i.kind for i in incentives}),
        amount=sum(i.amount for i in incentives),
        opens_at=page.opens_at,
        closes_at=page.closes_at,
        decided=decided,
        date=page.first_published_at or page.latest_revision_created_at,
        suggest=[page.agency.name],
    )


def project_document(award) -> search.SearchDocument:
    """A funded project the public may see (``selectors.PUBLIC_PROJECT``)."""
    proposal = award.proposal
    challenge = proposal.challenge
    return search.SearchDocument(
        kind="project",
        object_id=award.pk,
        title=proposal.title,
        summary=proposal.summary,
        body=" ".join([challenge.title, proposal.organisation.name]),
        # The project's own English title and summary; its challenge's English title is found too.
        title_en=award.title_en,
        summary_en=award.summary_en,
        body_en=challenge.title_en,
        url=search.default_language_path("marketplace:project_detail", pk=award.pk),
        region=challenge.agency.region.slug,
        agency=challenge.agency_id,
        sectors=[challenge.sector.slug],
        amount=award.amount,
        date=award.awarded_at,
        suggest=[proposal.organisation.name],
    )


def organisation_document(organisation) -> search.SearchDocument:
    """An organisation's public profile: never its identifiers, address or members."""
    sectors = sorted(s.slug for s in organisation.sectors.all())
    return search.SearchDocument(
        kind="organisation",
        object_id=organisation.pk,
        title=organisation.name,
        summary=organisation.description,
        url=search.default_language_path("marketplace:organisation_detail", slug=organisation.slug),
        region=organisation.region.slug if organisation.region_id else "",
        sectors=sectors,
        organisation_kind=organisation.kind,
        verified=organisation.verified,
        date=organisation.created_at,
        tags=sorted(t.name for t in organisation.capabilities.all()),
    )


def challenges_published(ids: Sequence[int]) -> dict[int, datetime.datetime | None]:
    """When each public challenge of ``ids`` was first published (saved-search alerts)."""
    return dict(
        ChallengePage.objects.live().public().filter(pk__in=ids).values_list("pk", "first_published_at")
    )


def challenges_published_since(since: datetime.datetime) -> list[int]:
    return list(
        ChallengePage.objects.live()
        .public()
        .filter(first_published_at__gte=since)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


DOCUMENT_TYPES = (
    search.DocumentType(
        name="challenge",
        label=_("Challenge"),
        queryset=challenges,
        build=challenge_document,
        # Only challenges have these: a search using one finds challenges only.
        filters=frozenset(
            {
                search.params.STATUS,
                search.params.INCENTIVE,
                search.params.AGENCY,
                search.params.CLOSES_AFTER,
                search.params.CLOSES_BEFORE,
            }
        ),
        published=challenges_published,
        published_since=challenges_published_since,
    ),
    search.DocumentType(name="project", label=_("Project"), queryset=projects, build=project_document),
    search.DocumentType(
        name="organisation", label=_("Organisation"), queryset=organisations, build=organisation_document
    ),
)


def register() -> None:
    """Tell search what marketplace indexes and where search's pages live (its routes are
    included in this app's URL namespace)."""
    from marketplace.publicdata import search_pages

    for document_type in DOCUMENT_TYPES:
        search.register(document_type)
    search.register_query_form(search_pages.SearchForm)
    search.register_routes(
        search.Routes(namespace="marketplace", search_page="search", alerts_settings="workspace")
    )


# Receivers -------------------------------------------------------------------------------------


def on_page_changed(sender, instance, **kwargs) -> None:
    search.index_on_commit("challenge", [instance.pk])


def on_challenge_published(sender, instance, **kwargs) -> None:
    # After on_page_changed (connected first): the document is written before it is matched.
    search.alert_on_commit([instance.pk])


def on_challenge_changed(sender, *, challenge_id: int, **kwargs) -> None:
    search.index_on_commit("challenge", [challenge_id])
    # A project's document carries its challenge's title, region and sector.
    search.index_on_commit(
        "project", Award.objects.filter(proposal__challenge_id=challenge_id).values_list("pk", flat=True)
    )


def on_project_changed(sender, *, award_id: int, **kwargs) -> None:
    search.index_on_commit("project", [award_id])


def on_organisation_changed(sender, instance, **kwargs) -> None:
    search.index_on_commit("organisation", [instance.pk])
    # A project's document carries its organisation's name.
    search.index_on_commit(
        "project", Award.objects.filter(proposal__organisation=instance).values_list("pk", flat=True)
    )


def on_organisation_relations_changed(sender, instance, action, **kwargs) -> None:
    if action.startswith("post_") and isinstance(instance, Organisation):
        search.index_on_commit("organisation", [instance.pk])


def on_capability_changed(sender, instance, **kwargs) -> None:
    search.index_on_commit("organisation", [instance.content_object_id])


def on_agency_changed(sender, instance, **kwargs) -> None:
    # Challenge documents carry the agency's name and region.
    search.index_on_commit("challenge", instance.challenges.values_list("pk", flat=True))


def connect() -> None:
    page_published.connect(on_page_changed, sender=ChallengePage, dispatch_uid="search-challenge-published")
    page_unpublished.connect(
        on_page_changed, sender=ChallengePage, dispatch_uid="search-challenge-unpublished"
    )
    post_delete.connect(on_page_changed, sender=ChallengePage, dispatch_uid="search-challenge-deleted")
    page_published.connect(
        on_challenge_published, sender=ChallengePage, dispatch_uid="search-alerts-challenge-published"
    )
    challenges_signals.challenge_changed.connect(
        on_challenge_changed, dispatch_uid="search-challenge-changed"
    )
    awards_signals.project_changed.connect(on_project_changed, dispatch_uid="search-project-changed")
    post_save.connect(on_organisation_changed, sender=Organisation, dispatch_uid="search-organisation-saved")
    post_delete.connect(
        on_organisation_changed, sender=Organisation, dispatch_uid="search-organisation-deleted"
    )
    m2m_changed.connect(
        on_organisation_relations_changed,
        sender=Organisation.sectors.through,
        dispatch_uid="search-organisation-sectors",
    )
    post_save.connect(on_capability_changed, sender=TaggedCapability, dispatch_uid="search-capability-added")
    post_delete.connect(
        on_capability_changed, sender=TaggedCapability, dispatch_uid="search-capability-removed"
    )
    post_save.connect(on_agency_changed, sender=Agency, dispatch_uid="search-agency-saved")
