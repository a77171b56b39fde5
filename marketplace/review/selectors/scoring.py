"""Reads for reviewing: the review page (the proposal as a reviewer may see it, with the
reviewer's own scores) and the officials' comparison table of a challenge.

Each runs a fixed number of queries, whatever the number of proposals, reviews or criteria
(asserted in tests/marketplace/test_comparison.py and test_review_form.py)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from core.models import AuditEntry
from core.references import challenge_reference
from marketplace.challenges.models.challenges import ChallengePage
from marketplace.proposals.models.parts import ProposalAttachment, ProposalPartner
from marketplace.proposals.models.proposals import Proposal
from marketplace.review import permissions, scoring
from marketplace.review.models import CriterionScore, Review, ReviewAssignment
from payments import api as payments_api
from payments.models import Fund

# Proposals that reached review: listed in the comparison table. A rejected proposal is
# listed only when it had reviewers (rejected after review, not at screening).
COMPARED_STATUSES = (Proposal.Status.IN_REVIEW, Proposal.Status.SHORTLISTED, Proposal.Status.AWARDED)
# The proposals the running total adds up: those still to decide. An awarded proposal's money
# is already committed, so it is no longer part of what the fund has available.
CANDIDATE_STATUSES = (Proposal.Status.IN_REVIEW, Proposal.Status.SHORTLISTED)
SORTS = ("rank", "mean", "calibrated", "spread", "amount")
RECOMMENDATIONS = tuple(Review.Recommendation.values)


def person_name(user) -> str:
    """A user's name as officials see it: the profile's full name, else the account's."""
    try:
        profile = user.profile
    except ObjectDoesNotExist:
        profile = None
    return (profile.full_name if profile else "") or user.get_full_name() or user.get_username()


# The review page -----------------------------------------------------------------------------


def assignment_get(pk: int) -> ReviewAssignment:
    return ReviewAssignment.objects.select_related(
        "proposal__challenge__agency__region", "proposal__organisation", "reviewer"
    ).get(pk=pk)


@dataclass(frozen=True)
class AttachmentItem:
    attachment: ProposalAttachment
    number: int  # 1, 2, … in upload order: the name shown in a blind review

    @property
    def extension(self) -> str:
        return posixpath.splitext(self.attachment.display_name)[1].lower()[:10]


@dataclass(frozen=True)
class ReviewPage:
    assignment: ReviewAssignment
    proposal: Proposal
    challenge: ChallengePage
    blind: bool
    review: Review | None
    criteria: list
    scores: dict  # criterion id -> CriterionScore
    budget_lines: list
    planned_milestones: list
    team_members: list
    partners: list
    questions_and_answers: list
    attachments: list[AttachmentItem]
    reopen_reason: str = ""


def review_get(assignment: ReviewAssignment) -> Review | None:
    return (
        Review.objects.filter(assignment=assignment)
        .prefetch_related(Prefetch("scores", queryset=CriterionScore.objects.order_by("pk")))
        .first()
    )


def attachments_for(proposal: Proposal) -> list[AttachmentItem]:
    live = proposal.attachments.filter(removed_at__isnull=True).order_by("uploaded_at", "pk")
    return [AttachmentItem(a, i) for i, a in enumerate(live, start=1)]


def review_page(assignment: ReviewAssignment) -> ReviewPage:
    """Everything the review page shows, for an assignment from ``assignment_get``. The
    proposal's organisation, partners and people are in the page data; the template leaves
    them out when ``blind`` (see permissions.hides_applicant_identity)."""
    proposal = assignment.proposal
    challenge = proposal.challenge
    review = review_get(assignment)
    questions = list(challenge.application_questions.order_by("sort_order", "pk"))
    answers = {a.question_id: a.text for a in proposal.answers.all()}
    reopen_reason = ""
    if review is not None and review.reopened_at and review.status == Review.Status.DRAFT:
        entry = (
            AuditEntry.objects.filter(
                object_type="review.review", object_id=str(review.pk), action="review.reopened"
            )
            .order_by("-pk")
            .first()
        )
        reopen_reason = ((entry.after or {}).get("reason") or "") if entry else ""
    return ReviewPage(
        assignment=assignment,
        proposal=proposal,
        challenge=challenge,
        blind=permissions.hides_applicant_identity(challenge),
        review=review,
        criteria=list(challenge.criteria.order_by("sort_order", "pk")),
        scores={s.criterion_id: s for s in review.scores.all()} if review else {},
        budget_lines=list(proposal.budget_lines.all()),
        planned_milestones=list(proposal.planned_milestones.all()),
        team_members=list(proposal.team_members.all()),
        partners=list(
            proposal.partners.filter(status=ProposalPartner.Status.ACCEPTED).select_related("organisation")
        ),
        questions_and_answers=[(q, answers.get(q.pk, "")) for q in questions],
        attachments=attachments_for(proposal),
        reopen_reason=reopen_reason,
    )


# The comparison table ------------------------------------------------------------------------


@dataclass
class ComparisonRow:
    proposal: Proposal
    score: scoring.ProposalScore
    assigned: int = 0
    recommendations: dict = field(default_factory=lambda: dict.fromkeys(RECOMMENDATIONS, 0))
    # In rank order, the requested amounts of this and every better-ranked proposal still to
    # decide; None for a proposal without a rank or already decided (awarded, rejected).
    running_total: int | None = None
    within_fund: bool | None = None
    tied: bool = False  # another proposal has the same rank

    @property
    def rank(self) -> int | None:
        return self.score.rank


@dataclass(frozen=True)
class ReviewerRow:
    reviewer_id: int
    name: str
    stats: scoring.ReviewerStats | None
    deviation: scoring.ReviewerDeviation


@dataclass(frozen=True)
class ReviewListRow:
    assignment: ReviewAssignment
    review: Review | None
    reviewer_name: str
    calibrated: Decimal | None


@dataclass(frozen=True)
class FundPosition:
    """The challenge's fund: what it received, what awards have committed (not released), and
    what is still available for new awards; the running total is compared with ``available``."""

    currency: str
    received: int
    committed: int
    available: int


@dataclass(frozen=True)
class ComparisonTable:
    challenge: ChallengePage
    rows: list[ComparisonRow]  # in rank order (ties in title order), unranked last
    reviewers: list[ReviewerRow]  # outliers first
    reviews: list[ReviewListRow]
    fund: FundPosition
    overall_mean: Decimal | None
    overall_sd: Decimal | None

    @property
    def outliers(self) -> list[ReviewerRow]:
        return [r for r in self.reviewers if r.deviation.outlier]


def compared_proposals(challenge: ChallengePage) -> QuerySet[Proposal]:
    reviewed = Exists(ReviewAssignment.objects.filter(proposal=OuterRef("pk")))
    return (
        Proposal.objects.filter(challenge=challenge)
        .filter(Q(status__in=COMPARED_STATUSES) | Q(status=Proposal.Status.REJECTED) & reviewed)
        .select_related("organisation")
        .order_by("title", "pk")
    )


def fund_position(challenge: ChallengePage) -> FundPosition:
    """Read through payments' public selectors; a challenge without a fund yet has nothing."""
    reference = challenge_reference(challenge.pk)
    fund = Fund.objects.filter(reference=reference).first()
    if fund is None:
        return FundPosition(currency="IDR", received=0, committed=0, available=0)
    figures = payments_api.fund_figures(references=[reference])[reference]
    return FundPosition(
        currency=fund.currency,
        received=figures["received"],
        committed=figures["committed"],
        available=payments_api.fund_available(fund=fund),
    )


def comparison_table(challenge: ChallengePage) -> ComparisonTable:
    """The officials' comparison of a challenge's reviewed proposals (marketplace.scoring does
    the arithmetic on the submitted reviews of active assignments)."""
    proposals = list(compared_proposals(challenge))
    ids = {p.pk for p in proposals}
    assignments = list(
        ReviewAssignment.objects.filter(
            proposal__challenge=challenge, proposal_id__in=ids, status=ReviewAssignment.Status.ACTIVE
        )
        .select_related("reviewer__profile", "review", "proposal")
        .order_by("proposal__title", "proposal_id", "assigned_at", "pk")
    )
    submitted = [
        a for a in assignments if getattr(a, "review", None) and a.review.status == Review.Status.SUBMITTED
    ]
    totals = [
        scoring.ReviewTotal(
            review_id=a.review.pk,
            reviewer_id=a.reviewer_id,
            proposal_id=a.proposal_id,
            total=a.review.weighted_total,
        )
        for a in submitted
    ]
    scores = scoring.score_challenge(totals, proposal_ids=ids, threshold=challenge.disagreement_threshold)
    rows = {p.pk: ComparisonRow(proposal=p, score=scores.proposals[p.pk]) for p in proposals}
    for assignment in assignments:
        rows[assignment.proposal_id].assigned += 1
    for assignment in submitted:
        counts = rows[assignment.proposal_id].recommendations
        counts[assignment.review.recommendation] = counts.get(assignment.review.recommendation, 0) + 1
    ordered = sorted(rows.values(), key=_rank_key)
    fund = fund_position(challenge)
    running = 0
    for row in ordered:
        if row.rank is not None and row.proposal.status in CANDIDATE_STATUSES:
            running += row.proposal.requested_amount
            row.running_total = running
            row.within_fund = running <= fund.available
    rank_counts: dict[int, int] = {}
    for row in ordered:
        if row.rank is not None:
            rank_counts[row.rank] = rank_counts.get(row.rank, 0) + 1
    for row in ordered:
        row.tied = row.rank is not None and rank_counts[row.rank] > 1

    names = {a.reviewer_id: person_name(a.reviewer) for a in assignments}
    reviewer_rows = [
        ReviewerRow(
            reviewer_id=reviewer_id,
            name=names[reviewer_id],
            stats=scores.calibration.reviewers.get(reviewer_id),
            deviation=deviation,
        )
        for reviewer_id, deviation in scores.reviewers.items()
    ]
    reviewer_rows.sort(key=lambda r: (not r.deviation.outlier, r.name.lower(), r.reviewer_id))
    review_rows = []
    for a in assignments:
        review = getattr(a, "review", None)
        calibrated = scores.calibration.reviews.get(review.pk) if review is not None else None
        review_rows.append(
            ReviewListRow(
                assignment=a,
                review=review,
                reviewer_name=names[a.reviewer_id],
                calibrated=calibrated.calibrated if calibrated else None,
            )
        )
    return ComparisonTable(
        challenge=challenge,
        rows=ordered,
        reviewers=reviewer_rows,
        reviews=review_rows,
        fund=fund,
        overall_mean=scores.calibration.overall_mean,
        overall_sd=scores.calibration.overall_sd,
    )


def _rank_key(row: ComparisonRow):
    return (row.rank is None, row.rank or 0, row.proposal.title.lower(), row.proposal.pk)


def _descending(value):
    return (value is None, -(value or 0))


_SORT_KEYS = {
    "rank": _rank_key,
    "mean": lambda r: (*_descending(r.score.aggregate.mean), _rank_key(r)),
    "calibrated": lambda r: (*_descending(r.score.calibrated), _rank_key(r)),
    "spread": lambda r: (*_descending(r.score.aggregate.spread), _rank_key(r)),
    "amount": lambda r: (-r.proposal.requested_amount, _rank_key(r)),
}


def sort_rows(rows: list[ComparisonRow], sort: str) -> tuple[list[ComparisonRow], str]:
    """Rows in the order ``sort`` asks for: rank (best first), or mean, calibrated, spread or
    amount (highest first); a leading "-" reverses it. Proposals without a value stay last.
    Returns the rows and the sort actually used (rank for anything unknown)."""
    reverse = sort.startswith("-")
    name = sort.removeprefix("-")
    if name not in _SORT_KEYS:
        return sorted(rows, key=_rank_key), "rank"
    ordered = sorted(rows, key=_SORT_KEYS[name])
    if reverse:
        valued = [r for r in ordered if _sort_value(r, name) is not None]
        ordered = valued[::-1] + [r for r in ordered if _sort_value(r, name) is None]
    return ordered, sort


def _sort_value(row: ComparisonRow, name: str):
    return {
        "rank": row.rank,
        "mean": row.score.aggregate.mean,
        "calibrated": row.score.calibrated,
        "spread": row.score.aggregate.spread,
        "amount": row.proposal.requested_amount,
    }[name]


# The workspace link --------------------------------------------------------------------------


def challenges_to_compare(user) -> QuerySet[ChallengePage]:
    """The challenges of the user's agencies with at least one proposal in or after review."""
    return (
        ChallengePage.objects.filter(
            agency__officials=user,
            proposals__status__in=[*COMPARED_STATUSES, Proposal.Status.REJECTED],
            proposals__review_assignments__isnull=False,
        )
        .distinct()
        .order_by("-closes_at", "pk")
    )
