"""Reads for judging: the reviewer pool page, the assignment board and the reviewer's workspace
lists, each with a fixed number of queries however many proposals or reviewers there are."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q

from core.actors import Person
from core.roles import REVIEWER_GROUP, is_official
from marketplace.challenges.models import ChallengePage, Sector
from marketplace.organisations.models import (
    Membership,
    Organisation,
    PastMembership,
    TaggedCapability,
    TaggedExpertise,
    UserProfile,
)
from marketplace.proposals.models import Proposal, ProposalPartner
from marketplace.review import matching as reviewer_matching
from marketplace.review.models import ChallengeReviewer, ReviewAssignment
from marketplace.review.services.common import OPEN_ASSIGNMENT, A, S, display_name

# Reads ------------------------------------------------------------------------------------------


@dataclass
class PoolMember:
    pool: ChallengeReviewer
    user: Person
    name: str
    tags: list[str]
    sectors: list[Sector]
    load: int
    profile: reviewer_matching.ReviewerProfile
    # Still has the reviewer role: only then suggested or assigned.
    active: bool = True


def reviewer_pool(challenge: ChallengePage) -> list[PoolMember]:
    """The challenge's reviewers with their expertise and current load (open assignments on this
    challenge). Four queries however many reviewers; ``active`` says whether each still has the
    reviewer role."""
    has_role_now = Exists(
        get_user_model().groups.through.objects.filter(
            user_id=OuterRef("user_id"), group__name=REVIEWER_GROUP
        )
    )
    rows = list(
        ChallengeReviewer.objects.filter(challenge=challenge)
        .select_related("user__profile")
        .annotate(has_reviewer_role=has_role_now)
        .order_by("created_at", "pk")
    )
    user_ids = [row.user_id for row in rows]
    tags: dict[int, list[str]] = defaultdict(list)
    for user_id, name in TaggedExpertise.objects.filter(content_object__user_id__in=user_ids).values_list(
        "content_object__user_id", "tag__name"
    ):
        tags[user_id].append(name)
    sectors: dict[int, list[Sector]] = defaultdict(list)
    through = UserProfile.expertise_sectors.through
    for link in through.objects.filter(userprofile__user_id__in=user_ids).select_related(
        "sector", "userprofile"
    ):
        sectors[link.userprofile.user_id].append(link.sector)
    loads = dict(
        ReviewAssignment.objects.filter(
            proposal__challenge=challenge, reviewer_id__in=user_ids, status__in=OPEN_ASSIGNMENT
        )
        .values("reviewer_id")
        .annotate(n=Count("pk"))
        .values_list("reviewer_id", "n")
    )
    members = []
    for row in rows:
        user = row.user
        member_tags = sorted(tags[user.pk], key=str.casefold)
        member_sectors = sorted(sectors[user.pk], key=lambda s: s.name)
        members.append(
            PoolMember(
                pool=row,
                user=user,
                name=display_name(user),
                tags=member_tags,
                sectors=member_sectors,
                load=loads.get(user.pk, 0),
                active=row.has_reviewer_role,
                profile=reviewer_matching.ReviewerProfile(
                    id=user.pk,
                    tags=reviewer_matching.normalise_tags(member_tags),
                    sectors=frozenset(s.pk for s in member_sectors),
                    load=loads.get(user.pk, 0),
                ),
            )
        )
    return members


@dataclass
class ProposalRow:
    proposal: Proposal
    organisations: list[Organisation]
    assignments: list[ReviewAssignment]
    profile: reviewer_matching.ProposalProfile


def proposal_profiles(challenge: ChallengePage, statuses=(S.IN_REVIEW,)) -> list[ProposalRow]:
    """The challenge's proposals in review with what matching needs: their sectors and
    capabilities, who may never review them, and their assignments. Nine queries however many."""
    proposals = list(
        Proposal.objects.filter(challenge=challenge, status__in=statuses)
        .select_related("organisation")
        .order_by("submitted_at", "pk")
    )
    ids = [p.pk for p in proposals]
    partners: dict[int, list[Organisation]] = defaultdict(list)
    for partner in (
        ProposalPartner.objects.filter(proposal_id__in=ids)
        .exclude(status=ProposalPartner.Status.DECLINED)
        .select_related("organisation")
        .order_by("invited_at", "pk")
    ):
        partners[partner.proposal_id].append(partner.organisation)
    organisations = {p.pk: [p.organisation, *partners[p.pk]] for p in proposals}
    org_ids = {org.pk for orgs in organisations.values() for org in orgs}

    org_sectors: dict[int, set[int]] = defaultdict(set)
    for org_id, sector_id in Organisation.sectors.through.objects.filter(
        organisation_id__in=org_ids
    ).values_list("organisation_id", "sector_id"):
        org_sectors[org_id].add(sector_id)
    org_tags: dict[int, set[str]] = defaultdict(set)
    for org_id, name in TaggedCapability.objects.filter(content_object_id__in=org_ids).values_list(
        "content_object_id", "tag__name"
    ):
        org_tags[org_id].add(name)
    people: dict[int, set[int]] = defaultdict(set)
    for model in (Membership, PastMembership):
        for org_id, user_id in model.objects.filter(organisation_id__in=org_ids).values_list(
            "organisation_id", "user_id"
        ):
            people[org_id].add(user_id)
    assignments: dict[int, list[ReviewAssignment]] = defaultdict(list)
    for assignment in (
        ReviewAssignment.objects.filter(proposal_id__in=ids)
        .select_related("reviewer__profile")
        .prefetch_related("declarations")
        .order_by("assigned_at", "pk")
    ):
        assignments[assignment.proposal_id].append(assignment)
    other_sectors = Sector.objects.filter(secondary_challenges=challenge).values_list("pk", flat=True)
    challenge_sectors = {challenge.sector_id, *other_sectors}

    rows = []
    for proposal in proposals:
        orgs = organisations[proposal.pk]
        excluded = {uid for org in orgs for uid in people[org.pk]}
        excluded |= {a.reviewer_id for a in assignments[proposal.pk]}
        rows.append(
            ProposalRow(
                proposal=proposal,
                organisations=orgs,
                assignments=assignments[proposal.pk],
                profile=reviewer_matching.ProposalProfile(
                    id=proposal.pk,
                    tags=reviewer_matching.normalise_tags(t for org in orgs for t in org_tags[org.pk]),
                    sectors=frozenset(challenge_sectors | {s for org in orgs for s in org_sectors[org.pk]}),
                    excluded=frozenset(excluded),
                    assigned=sum(1 for a in assignments[proposal.pk] if a.status in OPEN_ASSIGNMENT),
                ),
            )
        )
    return rows


@dataclass
class BoardRow:
    proposal: Proposal
    organisations: list[Organisation]
    assignments: list[ReviewAssignment]
    assigned: int
    needed: int
    # Eligible reviewers, best first, with their suggestion (fit, load, what they share).
    ranked: list[tuple[reviewer_matching.Suggestion, PoolMember]]

    @property
    def suggested(self) -> list[tuple[reviewer_matching.Suggestion, PoolMember]]:
        return self.ranked[: self.needed]

    @property
    def conflicts(self) -> list[ReviewAssignment]:
        return [a for a in self.assignments if a.status == A.CONFLICT]


@dataclass
class Board:
    challenge: ChallengePage
    rows: list[BoardRow]
    pool: list[PoolMember]

    @property
    def missing(self) -> int:
        return sum(row.needed for row in self.rows)


def assignment_board(challenge: ChallengePage) -> Board:
    """The officials' assignment table: each proposal in review with its assignments (and any
    declared conflict), how many reviewers it still needs, and the eligible reviewers ranked."""
    pool = reviewer_pool(challenge)
    members = {m.user.pk: m for m in pool}
    rows = []
    for row in proposal_profiles(challenge):
        ranked = reviewer_matching.rank(
            row.profile, [m.profile for m in pool if m.active], max_load=challenge.reviewer_max_load
        )
        rows.append(
            BoardRow(
                proposal=row.proposal,
                organisations=row.organisations,
                assignments=row.assignments,
                assigned=row.profile.assigned,
                needed=max(0, challenge.reviewers_per_proposal - row.profile.assigned),
                ranked=[(s, members[s.reviewer_id]) for s in ranked],
            )
        )
    return Board(challenge=challenge, rows=rows, pool=pool)


def reviews_to_do(user) -> list[ReviewAssignment]:
    """A reviewer's open assignments (to declare, or to review), oldest first. One query."""
    return list(
        ReviewAssignment.objects.filter(reviewer=user, status__in=OPEN_ASSIGNMENT)
        .select_related("proposal__challenge")
        .order_by("assigned_at", "pk")
    )


def review_overview_for(user) -> dict:
    """For an official: their agencies' challenges that received proposals, with how many are
    to screen, in review, and the conflicts declared; and the proposals waiting for screening.
    Two queries."""
    if not is_official(user):
        return {"review_challenges": None, "proposals_to_screen": None}
    challenges = (
        ChallengePage.objects.filter(agency__officials=user)
        .annotate(
            to_screen=Count(
                "proposals", filter=Q(proposals__status__in=[S.SUBMITTED, S.SCREENING]), distinct=True
            ),
            in_review=Count("proposals", filter=Q(proposals__status=S.IN_REVIEW), distinct=True),
            conflicts=Count(
                "proposals__review_assignments",
                filter=Q(proposals__review_assignments__status=A.CONFLICT),
                distinct=True,
            ),
        )
        .annotate(
            submitted=Count("proposals", filter=Q(proposals__submitted_at__isnull=False), distinct=True)
        )
        .filter(submitted__gt=0)
        .order_by("-closes_at", "pk")
    )
    to_screen = (
        Proposal.objects.filter(challenge__agency__officials=user, status__in=[S.SUBMITTED, S.SCREENING])
        .select_related("challenge", "organisation")
        .order_by("submitted_at", "pk")
    )
    return {"review_challenges": list(challenges), "proposals_to_screen": list(to_screen)}
