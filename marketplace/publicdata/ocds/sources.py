"""What the open-contracting releases are made of, read in a fixed number of queries for any
number of challenges: the challenges themselves, each published revision of them, their budget
allocations and the awards the public may see (with agreements, milestones, re-plans and
payments).

Only what is public is read: live, unrestricted challenges, and awards of challenges whose
results are published (``Commitment.disclosed_at`` is set at that moment, README Security)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from wagtail.models import PageLogEntry, Revision

from core.references import challenge_reference
from marketplace.awards.models import Award, Milestone, MilestoneReplan
from marketplace.challenges.models import Agency, ChallengePage, Sponsor
from payments import api as payments_api


@dataclass
class Publication:
    """One publication of a revision of a challenge: what the public saw from ``published_at``.
    ``key`` names it for good (the publication's log entry)."""

    key: str
    revision_id: int
    published_at: datetime.datetime
    content: dict


@dataclass
class Process:
    """One contracting process (one ``ocid``): a challenge and everything public about it."""

    challenge: ChallengePage
    publications: list[Publication] = field(default_factory=list)
    allocations: list = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    # The agencies the published revisions name, by id (a challenge may have changed agency).
    agencies: dict[int, Agency] = field(default_factory=dict)
    # The sponsors the published revisions name, by id.
    sponsors: dict[int, Sponsor] = field(default_factory=dict)


def public_challenges() -> QuerySet[ChallengePage]:
    """Live challenges without a view restriction, oldest first (the order of the pages)."""
    return ChallengePage.objects.live().public().select_related("agency__region").order_by("pk")


def processes(challenges: list[ChallengePage]) -> list[Process]:
    """The processes of these challenges, in their order. At most seven queries whatever the count."""
    by_id = {challenge.pk: Process(challenge=challenge) for challenge in challenges}
    if not by_id:
        return []
    entries = (
        PageLogEntry.objects.filter(page_id__in=by_id, action="wagtail.publish", revision__isnull=False)
        .select_related("revision")
        .order_by("timestamp", "pk")
    )
    for entry in entries:
        process = by_id[entry.page_id]
        # Publishing the live revision again (after an unpublish) shows nothing new; publishing an
        # older revision again (a revert) is a new state, so each publication keeps its own key.
        if process.publications and process.publications[-1].revision_id == entry.revision_id:
            continue
        process.publications.append(
            Publication(
                key=str(entry.pk),
                revision_id=entry.revision_id,
                published_at=entry.timestamp,
                content=entry.revision.content,
            )
        )
    # A page made live without a logged publication (an import, a data migration) is shown as
    # its live revision, published when the page first went live.
    unlogged = {p.challenge.live_revision_id: p for p in by_id.values() if not p.publications}
    unlogged.pop(None, None)
    if unlogged:
        for revision in Revision.objects.filter(pk__in=unlogged):
            process = unlogged[revision.pk]
            moment = process.challenge.first_published_at or revision.created_at
            process.publications.append(
                Publication(
                    key=f"revision-{revision.pk}",
                    revision_id=revision.pk,
                    published_at=moment,
                    content=revision.content,
                )
            )
    named: set[int] = {
        p.content["agency"]
        for process in by_id.values()
        for p in process.publications
        if p.content.get("agency")
    }
    named -= {process.challenge.agency_id for process in by_id.values()}
    agencies = {agency.pk: agency for agency in Agency.objects.filter(pk__in=named)} if named else {}
    # Sponsors named as partners of a challenge or as providers of its in-kind offers.
    sponsor_ids: set[int] = {
        link.get(key)
        for process in by_id.values()
        for p in process.publications
        for children, key in (("sponsors", "sponsor"), ("incentives", "provider"))
        for link in p.content.get(children) or []
    } - {None}
    sponsors = (
        {sponsor.pk: sponsor for sponsor in Sponsor.objects.filter(pk__in=sponsor_ids)} if sponsor_ids else {}
    )
    for process in by_id.values():
        process.agencies = {process.challenge.agency_id: process.challenge.agency, **agencies}
        process.sponsors = sponsors
    references = {challenge_reference(pk): pk for pk in by_id}
    for reference, allocations in payments_api.budget_allocations(references=list(references)).items():
        by_id[references[reference]].allocations = allocations
    awards = (
        Award.objects.filter(proposal__challenge_id__in=by_id)
        # Public once the challenge's results are published (Commitment.disclosed_at).
        .filter(proposal__challenge__results_published_at__isnull=False)
        .select_related("proposal__organisation", "agreement")
        .prefetch_related(
            Prefetch(
                "milestones",
                queryset=Milestone.objects.select_related("disbursement")
                .prefetch_related(Prefetch("replans", queryset=MilestoneReplan.objects.order_by("at", "pk")))
                .order_by("position", "due_date", "pk"),
            )
        )
        .order_by("awarded_at", "pk")
    )
    for award in awards:
        process = by_id[award.proposal.challenge_id]
        if not _declined_before_publication(award, process.challenge.results_published_at):
            process.awards.append(award)
    return [by_id[challenge.pk] for challenge in challenges]


def _declined_before_publication(award: Award, published: datetime.datetime | None) -> bool:
    """An award declined before the results were published never was public (the rule of
    ``awards.selectors.projects.PUBLIC_PROJECT``); one declined later is shown as cancelled."""
    agreement = getattr(award, "agreement", None)
    if agreement is None or agreement.status != "declined":
        return False
    return agreement.decided_at is None or published is None or agreement.decided_at <= published
