"""Reads shaped for their pages: every list here runs a fixed number of queries."""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.references import challenge_reference
from marketplace.challenges.models import ChallengePage, Incentive
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


def challenge_list(*, status: str | None = None) -> QuerySet[ChallengePage]:
    if status == "open":  # closing soon is still open; the lists' first group, in its order
        return challenge_queryset().accepting().order_by("closes_at", "pk")
    qs = in_list_order(challenge_queryset())
    if status:
        qs = qs.filter(current_status=status)
    return qs


def challenge_get(slug: str) -> ChallengePage:
    return challenge_queryset().prefetch_related("criteria").get(slug=slug)


def fund_figures_for(challenges) -> dict[int, dict[str, int]]:
    challenge_ids = {challenge_reference(c.pk): c.pk for c in challenges}
    figures = payments_api.fund_figures(references=list(challenge_ids), public=True)
    return {challenge_ids[ref]: values for ref, values in figures.items()}


def challenge_details_for(challenge: ChallengePage, *, draft: bool = False) -> dict:
    """What the challenge page shows beyond the basics, one query per kind of thing, however
    many sponsors, attachments or tags there are. With ``draft``, as the page object in hand
    has them (a revision or the editor's form), not as last published."""
    if draft:
        return {
            "beneficiaries": list(challenge.beneficiaries.all()),
            "sdg_tags": list(challenge.sdg_tags.all()),
            "other_sectors": list(challenge.other_sectors.all()),
            "sponsors": list(challenge.sponsors.all()),
            "attachments": list(challenge.attachments.all()),
        }
    from marketplace.challenges.models import Beneficiary, ChallengeDocument, ChallengeSponsor, SDGTag, Sector

    return {
        "beneficiaries": list(Beneficiary.objects.filter(challenges=challenge)),
        "sdg_tags": list(SDGTag.objects.filter(challenges=challenge)),
        "other_sectors": list(Sector.objects.filter(secondary_challenges=challenge)),
        "sponsors": list(
            ChallengeSponsor.objects.filter(challenge=challenge)
            .select_related("sponsor__logo")
            .prefetch_related("sponsor__logo__renditions")
            .order_by("sort_order", "pk")
        ),
        "attachments": list(
            ChallengeDocument.objects.filter(challenge=challenge)
            .select_related("document")
            .order_by("sort_order", "pk")
        ),
    }
