"""Reads shaped for their pages: every list here runs a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from marketplace import permissions
from marketplace.models import (
    Award,
    ChallengePage,
    Incentive,
    Milestone,
    Organisation,
    PartnershipRequest,
    Proposal,
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


def agreed_partner_ids(proposal: Proposal) -> QuerySet:
    """Organisations that agreed with the proposal's lead, through an accepted partnership
    request on the proposal's challenge, to work together (either side may have asked)."""
    accepted = PartnershipRequest.objects.filter(
        listing__challenge_id=proposal.challenge_id, status=PartnershipRequest.Status.ACCEPTED
    )
    lead = proposal.organisation_id
    asked_us = accepted.filter(listing__organisation_id=lead).values("from_organisation_id")
    we_asked = accepted.filter(from_organisation_id=lead).values("listing__organisation_id")
    return Organisation.objects.filter(Q(pk__in=asked_us) | Q(pk__in=we_asked)).values("pk")


def challenge_list(*, status: str | None = None) -> QuerySet[ChallengePage]:
    qs = challenge_queryset().order_by("closes_at")
    if status == "open":  # closing soon is still open
        qs = qs.filter(current_status__in=ChallengePage.ACCEPTING_STATUSES)
    elif status:
        qs = qs.filter(current_status=status)
    return qs


def challenge_get(slug: str) -> ChallengePage:
    return challenge_queryset().prefetch_related("criteria").get(slug=slug)


def fund_figures_for(challenges) -> dict[int, dict[str, int]]:
    figures = payments_api.fund_figures(references=[f"challenge:{c.pk}" for c in challenges])
    return {int(ref.split(":")[1]): values for ref, values in figures.items()}


def project_queryset() -> QuerySet[Award]:
    paid = Q(milestones__status=Milestone.Status.PAID)
    return (
        Award.objects.select_related(
            "proposal__organisation", "proposal__challenge__agency__region", "proposal__challenge__sector"
        )
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("position", "due_date")))
        .annotate(amount_disbursed=Coalesce(Sum("milestones__amount", filter=paid), Value(0)))
    )


# Public once the official published the challenge's results, unless the grantee declined.
PUBLIC_PROJECT = Q(proposal__challenge__results_published_at__isnull=False) & ~Q(agreement__status="declined")


def project_list() -> QuerySet[Award]:
    """Funded projects the public may see, newest first."""
    return project_queryset().filter(PUBLIC_PROJECT).order_by("-awarded_at", "-pk")


def project_for(user, pk: int) -> Award | None:
    """A project page: public ones for anyone; before the results are published, only the
    grantee's members and the challenge's officials see it."""
    project = project_queryset().select_related("agreement").filter(pk=pk).first()
    if project is None:
        return None
    if project_queryset().filter(PUBLIC_PROJECT, pk=pk).exists():
        return project
    proposal = project.proposal
    if permissions.is_member(user, proposal.organisation) or permissions.is_challenge_official(
        user, proposal.challenge
    ):
        return project
    return None


def project_delivery(project: Award) -> list[Milestone]:
    """The award's milestones with their reports, evidence and re-plans (for the grantee and
    the agency's officials)."""
    return list(
        Milestone.objects.filter(award=project)
        .select_related("reported_by", "approved_by")
        .prefetch_related("evidence", "replans")
        .order_by("position", "due_date")
    )


def organisation_get(slug: str) -> Organisation:
    return Organisation.objects.select_related("region").prefetch_related("sectors").get(slug=slug)


def organisation_projects(organisation: Organisation) -> QuerySet[Award]:
    return project_list().filter(proposal__organisation=organisation)


def headline_figures() -> dict[str, int]:
    now = timezone.now()
    challenges = ChallengePage.objects.live().aggregate(
        open=Count("pk", filter=Q(opens_at__lte=now, closes_at__gt=now, outcome="")), total=Count("pk")
    )
    return {
        "open_challenges": challenges["open"],
        "challenges": challenges["total"],
        "funded_projects": Award.objects.filter(PUBLIC_PROJECT).count(),
        "organisations": Organisation.objects.count(),
        "disbursed": payments_api.total_disbursed(),
    }


def workspace_for(user) -> dict:
    organisations = list(Organisation.objects.filter(memberships__user=user))
    milestones = (
        Milestone.objects.filter(award__proposal__organisation__in=organisations)
        .select_related("award__proposal")
        .order_by("due_date")
    )
    official_milestones = Milestone.objects.filter(
        status=Milestone.Status.REPORTED, award__proposal__challenge__agency__officials=user
    ).select_related("award__proposal__organisation")
    to_award = Proposal.objects.filter(
        status=Proposal.Status.SUBMITTED, challenge__agency__officials=user
    ).select_related("challenge", "organisation")
    return {
        "organisations": organisations,
        "milestones": milestones,
        "milestones_to_approve": official_milestones,
        "proposals_to_award": to_award,
    }


def challenge_details_for(challenge: ChallengePage) -> dict:
    """What the challenge page shows beyond the basics, one query per kind of thing, however
    many sponsors, attachments or tags there are."""
    from marketplace.models import Beneficiary, ChallengeDocument, ChallengeSponsor, SDGTag, Sector

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
