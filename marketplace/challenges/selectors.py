"""Reads shaped for their pages: every list here runs a fixed number of queries."""

from __future__ import annotations

import datetime

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import page_cache, queries
from core.pagination import LazyRows
from core.references import challenge_reference
from marketplace.challenges.models import ChallengePage, Incentive
from marketplace.challenges.models.challenges import (
    accepting_condition,
    closing_soon_window,
    upcoming_condition,
)
from payments import api as payments_api


def _incentive_total():
    return Coalesce(
        Subquery(
            Incentive.objects.filter(challenge=OuterRef("pk"))
            .values("challenge")
            .annotate(total=Sum("amount"))
            .values("total")[:1]
        ),
        Value(0),
    )


def challenge_queryset() -> QuerySet[ChallengePage]:
    return (
        ChallengePage.objects.live()
        .with_status()
        .annotate(incentive_total=_incentive_total())
        .select_related("agency__region", "sector")
        .prefetch_related(Prefetch("incentives", queryset=incentives_with_capacity()))
    )


def incentives_with_capacity() -> QuerySet[Incentive]:
    """Incentives in their order, with the in-kind capacity already drawn down (``drawn_down``)."""
    return (
        Incentive.objects.select_related("provider")
        .annotate(drawn_down=Coalesce(Sum("drawdowns__quantity"), Value(0)))
        .order_by("sort_order", "pk")
    )


def in_kind_offers_available(challenge: ChallengePage) -> list[Incentive]:
    """The challenge's in-kind offers a winner can still receive: capacity left, not expired
    (in the region's own calendar)."""
    today = timezone.localdate(timezone=challenge.region.zoneinfo)
    offers = (
        incentives_with_capacity()
        .filter(challenge=challenge, kind=Incentive.Kind.IN_KIND, quantity__gt=0)
        .exclude(expires_on__lt=today)
    )
    return [offer for offer in offers if offer.remaining]


def in_list_order(qs: QuerySet[ChallengePage]) -> QuerySet[ChallengePage]:
    """The lists' default order: the challenges still taking proposals, closing soonest first;
    then those not open yet, opening soonest first; then the closed ones, latest closed first.
    ``qs`` must carry ``current_status`` (``with_status``)."""
    qs = qs.annotate(
        list_group=Case(
            When(current_status__in=ChallengePage.ACCEPTING_STATUSES, then=Value(0)),
            When(current_status="upcoming", then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )
    return qs.order_by(
        "list_group",
        Case(When(list_group=0, then=F("closes_at"))).asc(),
        Case(When(list_group=1, then=F("opens_at"))).asc(),
        Case(When(list_group=2, then=F("closes_at"))).desc(),
        "pk",
    )


class InListOrder:
    """A list in ``in_list_order``, read a page at a time without sorting every challenge.

    Sorting all challenges by their computed group costs as much as there are challenges. Here
    one query counts each group, and a page reads only the groups it covers, each in the order
    of its own index (open: ``closes_at``; upcoming: ``opens_at``; the rest: latest closed
    first), skipping what earlier pages showed. Django's ``Paginator`` takes it as it takes a
    queryset: ``count()`` and slices.

    With ``remember_as`` (a key naming every filter of ``queryset``, which must not depend on
    the clock itself) the group sizes are kept until the next public write
    (``page_cache.remembered``) and for as long as they hold: until the first of these
    challenges opens or closes (``Min`` in the same count)."""

    ordered = True

    def __init__(self, queryset: QuerySet[ChallengePage], now=None, remember_as: str | None = None) -> None:
        now = now or timezone.now()
        self.now, self.remember_as = now, remember_as
        accepting, upcoming = accepting_condition(now), upcoming_condition(now)
        base = queryset.order_by()
        self.groups = [
            (accepting, base.filter(accepting).order_by("closes_at", "pk")),
            (upcoming, base.filter(upcoming).order_by("opens_at", "pk")),
            (None, base.exclude(accepting).exclude(upcoming).order_by("-closes_at", "pk")),
        ]
        self.base = base
        self._sizes: list[int] | None = None
        self._until: datetime.datetime | None = None

    def sizes(self) -> list[int]:
        if self._sizes is None:
            if self.remember_as is None:
                self._sizes = self._counted()[0]
            else:
                now = self.now

                def holds(kept) -> bool:
                    _sizes, since, until = kept
                    return since <= now and (until is None or now < until)

                kept = page_cache.remembered(f"in-list-order:{self.remember_as}", self._counted, holds=holds)
                self._sizes, self._until = kept[0], kept[2]  # type: ignore[index]
        return self._sizes

    def _counted(self) -> tuple[list[int], datetime.datetime, datetime.datetime | None]:
        """The group sizes, the instant they were counted at and the next instant they change
        by the clock alone (the first opening of an upcoming one or closing of an open one)."""
        counts = self.base.aggregate(
            accepting=Count("pk", filter=self.groups[0][0]),
            upcoming=Count("pk", filter=self.groups[1][0]),
            total=Count("pk"),
            next_closing=Min("closes_at", filter=self.groups[0][0]),
            next_opening=Min("opens_at", filter=self.groups[1][0]),
        )
        rest = counts["total"] - counts["accepting"] - counts["upcoming"]
        changes = [
            moment for moment in (counts["next_closing"], counts["next_opening"]) if moment is not None
        ]
        return [counts["accepting"], counts["upcoming"], rest], self.now, min(changes, default=None)

    def count(self) -> int:
        return sum(self.sizes())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        start, stop = key.start or 0, key.stop if key.stop is not None else self.count()
        length = max(0, min(stop, self.count()) - start)
        return LazyRows(lambda: self._rows(start, stop), length, changes_at=self._changes_at)

    def _rows(self, start: int, stop: int) -> list[ChallengePage]:
        shares = []
        group_start = 0
        for size, (_condition, group) in zip(self.sizes(), self.groups, strict=True):
            group_stop = group_start + size
            first, last = max(start, group_start), min(stop, group_stop)
            if first < last:
                shares.append(group[first - group_start : last - group_start])
            group_start = group_stop
        if len(shares) <= 1:
            return [row for share in shares for row in share]
        return list(self._spanning(shares))

    def _spanning(self, shares: list[QuerySet[ChallengePage]]) -> QuerySet[ChallengePage]:
        """A page that spans groups, read in one query (with one set of prefetches, not one per
        group): each group's share of the page chosen in a subquery on that group's own index,
        the few rows put in the lists' order by the same conditions that made the groups."""
        (accepting, _), (upcoming, _), _rest = self.groups
        chosen = Q(pk__in=shares[0].values("pk"))
        for share in shares[1:]:
            chosen |= Q(pk__in=share.values("pk"))
        return (
            self.base.filter(chosen)
            .annotate(
                page_group=Case(
                    When(accepting, then=Value(0)),
                    When(upcoming, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                )
            )
            .order_by(
                "page_group",
                Case(When(page_group=0, then=F("closes_at"))).asc(),
                Case(When(page_group=1, then=F("opens_at"))).asc(),
                Case(When(page_group=2, then=F("closes_at"))).desc(),
                "pk",
            )
        )

    def _changes_at(self, rows: list[ChallengePage]) -> datetime.datetime | None:
        """When a page of this list next looks different by the clock alone: a challenge moves
        to another group (the sizes' own limit) or one of the page's changes status."""
        if self.remember_as is None:
            return self.now  # the sizes were not kept, so neither is a page of it
        self.sizes()
        moments = (self._until, status_changes_at(rows, self.now))
        return min((moment for moment in moments if moment is not None), default=None)


def status_changes_at(challenges, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """The first moment one of ``challenges`` changes status by the clock alone (after ``now``)."""
    now = now or timezone.now()
    moments = (next_status_change(challenge, now) for challenge in challenges)
    return min((moment for moment in moments if moment is not None), default=None)


def next_status_change(challenge: ChallengePage, now: datetime.datetime) -> datetime.datetime | None:
    """The next moment ``challenge``'s status changes by the clock alone (``derive_status``):
    it opens, starts closing soon or closes. None once decided or closed."""
    if challenge.outcome or challenge.results_published_at:
        return None
    moments = (challenge.opens_at, challenge.closes_at - closing_soon_window(), challenge.closes_at)
    return min((moment for moment in moments if moment > now), default=None)


def challenge_list(*, status: str | None = None) -> QuerySet[ChallengePage]:
    if status == "open":  # closing soon is still open; the lists' first group, in its order
        return challenge_queryset().accepting().order_by("closes_at", "pk")
    qs = in_list_order(challenge_queryset())
    if status:
        qs = qs.filter(current_status=status)
    return qs


def challenge_get(slug: str) -> ChallengePage:
    """The live challenge; its criteria come with its details (``challenge_details_for``)."""
    return challenge_queryset().get(slug=slug)


def fund_figures_for(challenges) -> dict[int, dict[str, int]]:
    challenge_ids = {challenge_reference(c.pk): c.pk for c in challenges}
    figures = payments_api.fund_figures(references=list(challenge_ids), public=True)
    return {challenge_ids[ref]: values for ref, values in figures.items()}


def _columns(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def challenge_details_for(challenge: ChallengePage, *, draft: bool = False) -> dict:
    """What the challenge page shows beyond the basics (tags, sponsors, attachments, criteria and
    the fund's public figures), however many there are: one statement for all of them
    (``core.queries.rows_together``), one more for the sponsors' logos' renditions when there
    are logos. With ``draft``, as the page object in hand has them (a revision or the editor's
    form), not as last published."""
    if draft:
        return {
            "beneficiaries": list(challenge.beneficiaries.all()),
            "sdg_tags": list(challenge.sdg_tags.all()),
            "other_sectors": list(challenge.other_sectors.all()),
            "sponsors": list(challenge.sponsors.all()),
            "attachments": list(challenge.attachments.all()),
            "criteria": list(challenge.criteria.all()),
            "fund_figures": fund_figures_for([challenge]).get(challenge.pk, {}) if challenge.pk else {},
        }
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    from marketplace.challenges.models import (
        Beneficiary,
        ChallengeDocument,
        ChallengeSponsor,
        Criterion,
        SDGTag,
        Sector,
        Sponsor,
    )

    document_fields = ("id", "title", "file", "file_size", "file_hash")
    rows = queries.rows_together(
        beneficiaries=Beneficiary.objects.filter(challenges=challenge).values(*_columns(Beneficiary)),
        sdg_tags=SDGTag.objects.filter(challenges=challenge).values(*_columns(SDGTag)),
        other_sectors=Sector.objects.filter(secondary_challenges=challenge).values(*_columns(Sector)),
        sponsors=ChallengeSponsor.objects.filter(challenge=challenge)
        .order_by("sort_order", "pk")
        .values(
            "id",
            "sort_order",
            "challenge_id",
            "sponsor_id",
            "role",
            "role_en",
            sponsor_name=F("sponsor__name"),
            sponsor_website=F("sponsor__website"),
            sponsor_logo_id=F("sponsor__logo_id"),
        ),
        logos=get_image_model()
        .objects.filter(
            pk__in=ChallengeSponsor.objects.filter(challenge=challenge).values("sponsor__logo_id")
        )
        .values(*_columns(get_image_model())),
        criteria=Criterion.objects.filter(challenge=challenge)
        .order_by("sort_order", "pk")
        .values(*_columns(Criterion)),
        fund_figures=payments_api.fund_figures_rows(
            references=[challenge_reference(challenge.pk)], public=True
        ),
        attachments=ChallengeDocument.objects.filter(challenge=challenge)
        .order_by("sort_order", "pk")
        .values(
            "id",
            "sort_order",
            "challenge_id",
            "document_id",
            "title",
            "title_en",
            **{f"doc_{name}": F(f"document__{name}") for name in document_fields},
        ),
    )
    logos = {image.pk: image for image in queries.instances(get_image_model(), rows["logos"])}
    if logos:  # the renditions, as ``{% image %}`` reads them: one query more, only with logos
        prefetch_related_objects(list(logos.values()), "renditions")
    sponsors = []
    for row in rows["sponsors"]:
        sponsor = Sponsor(
            id=row["sponsor_id"],
            name=row.pop("sponsor_name"),
            website=row.pop("sponsor_website"),
            logo_id=row.pop("sponsor_logo_id"),
        )
        sponsor.logo = logos.get(sponsor.logo_id)
        link = queries.instances(ChallengeSponsor, [row])[0]
        link.sponsor = sponsor
        sponsors.append(link)
    attachments = []
    for row in rows["attachments"]:
        document = {name: row.pop(f"doc_{name}") for name in document_fields}
        attachment = queries.instances(ChallengeDocument, [row])[0]
        attachment.document = queries.instances(get_document_model(), [document])[0]
        attachments.append(attachment)
    return {
        "beneficiaries": queries.instances(Beneficiary, rows["beneficiaries"]),
        "sdg_tags": queries.instances(SDGTag, rows["sdg_tags"]),
        "other_sectors": queries.instances(Sector, rows["other_sectors"]),
        "sponsors": sponsors,
        "attachments": attachments,
        "criteria": queries.instances(Criterion, rows["criteria"]),
        "fund_figures": next(
            (payments_api.fund_figures_of(row) for row in rows["fund_figures"]),
            {"received": 0, "committed": 0, "disbursed": 0},
        ),
    }
