"""How reviews become numbers: weighted totals, per-proposal aggregates, ranking with ties,
reviewer calibration and outlier reviewers.

Pure functions: plain numbers in, frozen dataclasses out; no ORM, no translation, no clock.
The README section "Review scoring" states the same formulas for officials.

Arithmetic is exact (``fractions.Fraction``) until the one place a result is shown, where it
is rounded to 2 decimals with ROUND_HALF_UP (``round2``). Square roots that are not exact
(standard deviations) are taken with 50 significant digits, far below what 2 decimals show.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

TOTAL_MIN = Fraction(0)
TOTAL_MAX = Fraction(100)
TWO_PLACES = Decimal("0.01")

Number = int | Decimal | Fraction


def _fraction(value: Number) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def round2(value: Number) -> Decimal:
    """``value`` rounded to 2 decimals, halves away from zero (ROUND_HALF_UP), exactly."""
    scaled = _fraction(value) * 100
    magnitude = math.floor(abs(scaled) + Fraction(1, 2))
    return (Decimal(-magnitude if scaled < 0 else magnitude) / 100).quantize(TWO_PLACES)


def _sqrt(value: Fraction) -> Fraction:
    """Exact when ``value`` is the square of a fraction, else 50 significant digits."""
    if value <= 0:
        return Fraction(0)
    num, den = math.isqrt(value.numerator), math.isqrt(value.denominator)
    if num * num == value.numerator and den * den == value.denominator:
        return Fraction(num, den)
    with localcontext() as context:
        context.prec = 50
        return Fraction((Decimal(value.numerator) / Decimal(value.denominator)).sqrt())


def _mean(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def _population_sd(values: Sequence[Fraction]) -> Fraction:
    mean = _mean(values)
    return _sqrt(sum(((v - mean) ** 2 for v in values), Fraction(0)) / len(values))


# One review --------------------------------------------------------------------------------


def weighted_total(scores: Iterable[tuple[int, int]], *, score_min: int, score_max: int) -> Decimal:
    """The total of one review on 0–100 from ``(weight, score)`` pairs:

        total = 100 × Σ wᵢ·(sᵢ − min)/(max − min) / Σ wᵢ

    which is Σ wᵢ·(sᵢ − min)/(max − min) when the weights sum to 100, as a challenge's do.
    Raises ValueError for an empty list, a missing score, a score outside the scale, a
    weight below 1 or a scale whose top is not above its bottom."""
    pairs = list(scores)
    if score_max <= score_min:
        raise ValueError("The highest score must be above the lowest.")
    if not pairs:
        raise ValueError("A review needs at least one criterion.")
    span = score_max - score_min
    weighted = Fraction(0)
    weights = 0
    for weight, score in pairs:
        if score is None or not score_min <= score <= score_max:
            raise ValueError(f"Score {score!r} is outside {score_min}–{score_max}.")
        if weight < 1:
            raise ValueError(f"Weight {weight!r} must be at least 1.")
        weighted += Fraction(weight * (score - score_min), span)
        weights += weight
    return round2(100 * weighted / weights)


# One proposal ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalAggregate:
    """The submitted reviews of one proposal. ``spread`` is the highest total minus the lowest
    (0 with one review); ``mean`` and ``spread`` are None without reviews. ``disagreement`` is
    true when the spread is above the challenge's threshold."""

    count: int
    mean: Decimal | None
    lowest: Decimal | None
    highest: Decimal | None
    spread: Decimal | None
    disagreement: bool


def proposal_aggregate(totals: Sequence[Number], *, threshold: Number) -> ProposalAggregate:
    if not totals:
        return ProposalAggregate(0, None, None, None, None, False)
    values = [_fraction(t) for t in totals]
    lowest, highest = min(values), max(values)
    spread = highest - lowest
    return ProposalAggregate(
        count=len(values),
        mean=round2(_mean(values)),
        lowest=round2(lowest),
        highest=round2(highest),
        spread=round2(spread),
        disagreement=round2(spread) > _fraction(threshold),
    )


def competition_ranks(means: Mapping[Hashable, Decimal | None]) -> dict[Hashable, int | None]:
    """Standard competition ranking ("1224") on the means rounded to 2 decimals, highest
    first: equal means share a rank and the next rank skips as many places. A proposal
    without a mean (no submitted review) has no rank (None)."""
    rounded = {key: round2(mean) for key, mean in means.items() if mean is not None}
    ranks: dict[Hashable, int | None] = dict.fromkeys(means)
    for key, mean in rounded.items():
        ranks[key] = 1 + sum(1 for other in rounded.values() if other > mean)
    return ranks


# Calibration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewTotal:
    """One submitted review's weighted total, with who wrote it and for which proposal."""

    review_id: Hashable
    reviewer_id: Hashable
    proposal_id: Hashable
    total: Number


@dataclass(frozen=True)
class ReviewerStats:
    """A reviewer's own distribution across the challenge. ``own_scale`` is false when it
    cannot standardise (fewer than 2 reviews, or all totals equal)."""

    count: int
    mean: Decimal
    sd: Decimal
    own_scale: bool


@dataclass(frozen=True)
class CalibratedReview:
    total: Decimal
    z: Decimal  # 4 decimals
    calibrated: Decimal


@dataclass(frozen=True)
class Calibration:
    """``reviews`` by review id, ``proposals`` (calibrated mean) and ``reviewers`` by id."""

    overall_mean: Decimal | None
    overall_sd: Decimal | None
    reviews: dict
    proposals: dict
    reviewers: dict


def calibrate(reviews: Sequence[ReviewTotal]) -> Calibration:
    """Standardise each review against its reviewer's own totals, then re-scale to the whole
    challenge:

        z = (x − mean_r) / sd_r                    (population sd of the reviewer's totals)
        calibrated = clip(overall_mean + z × overall_sd, 0, 100)

    where overall_mean and overall_sd (population) are taken over every submitted total of
    the challenge. When a reviewer has fewer than 2 reviews or sd_r = 0 there is no scale of
    their own to correct for: their totals are standardised against the whole challenge
    instead (z = (x − overall_mean) / overall_sd, 0 when overall_sd = 0), so they keep their
    raw total.
    A proposal's calibrated score is the mean of its reviews' calibrated totals (unrounded,
    then rounded to 2 decimals)."""
    if not reviews:
        return Calibration(None, None, {}, {}, {})
    totals = {r.review_id: _fraction(r.total) for r in reviews}
    overall = list(totals.values())
    overall_mean, overall_sd = _mean(overall), _population_sd(overall)

    by_reviewer: dict[Hashable, list[Fraction]] = defaultdict(list)
    for review in reviews:
        by_reviewer[review.reviewer_id].append(totals[review.review_id])
    scales: dict[Hashable, tuple[Fraction, Fraction]] = {}
    reviewers = {}
    for reviewer_id, values in by_reviewer.items():
        mean, sd = _mean(values), _population_sd(values)
        scales[reviewer_id] = (mean, sd)
        reviewers[reviewer_id] = ReviewerStats(
            count=len(values), mean=round2(mean), sd=round2(sd), own_scale=len(values) >= 2 and sd > 0
        )

    calibrated_reviews = {}
    by_proposal: dict[Hashable, list[Fraction]] = defaultdict(list)
    for review in reviews:
        x = totals[review.review_id]
        mean, sd = scales[review.reviewer_id]
        if reviewers[review.reviewer_id].own_scale:
            z = (x - mean) / sd
        else:
            z = (x - overall_mean) / overall_sd if overall_sd else Fraction(0)
        value = min(max(overall_mean + z * overall_sd, TOTAL_MIN), TOTAL_MAX)
        by_proposal[review.proposal_id].append(value)
        calibrated_reviews[review.review_id] = CalibratedReview(
            total=round2(x),
            z=(Decimal(z.numerator) / Decimal(z.denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP),
            calibrated=round2(value),
        )
    return Calibration(
        overall_mean=round2(overall_mean),
        overall_sd=round2(overall_sd),
        reviews=calibrated_reviews,
        proposals={pid: round2(_mean(values)) for pid, values in by_proposal.items()},
        reviewers=reviewers,
    )


# Outlier reviewers -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewerDeviation:
    """How far a reviewer's totals sit from their co-reviewers' on the same proposals.
    ``compared`` counts the reviews that had at least one co-reviewer; ``mean_deviation`` is
    None when none had."""

    compared: int
    mean_deviation: Decimal | None
    outlier: bool


def reviewer_deviations(reviews: Sequence[ReviewTotal], *, threshold: Number) -> dict:
    """For each reviewer: the mean, over their reviews of proposals that at least one other
    reviewer also reviewed, of (their total − the mean of the co-reviewers' totals on that
    proposal). An outlier when |mean deviation| (rounded to 2 decimals) is above
    ``threshold``. Negative means harsher than the co-reviewers, positive more lenient."""
    by_proposal: dict[Hashable, list[ReviewTotal]] = defaultdict(list)
    for review in reviews:
        by_proposal[review.proposal_id].append(review)
    deviations: dict[Hashable, list[Fraction]] = {r.reviewer_id: [] for r in reviews}
    for group in by_proposal.values():
        for review in group:
            others = [_fraction(o.total) for o in group if o.review_id != review.review_id]
            if others:
                deviations[review.reviewer_id].append(_fraction(review.total) - _mean(others))
    limit = _fraction(threshold)
    result = {}
    for reviewer_id, values in deviations.items():
        if not values:
            result[reviewer_id] = ReviewerDeviation(0, None, False)
            continue
        mean = round2(_mean(values))
        result[reviewer_id] = ReviewerDeviation(len(values), mean, abs(mean) > limit)
    return result


# A whole challenge -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalScore:
    aggregate: ProposalAggregate
    rank: int | None
    calibrated: Decimal | None


@dataclass(frozen=True)
class ChallengeScores:
    proposals: dict  # proposal id -> ProposalScore
    calibration: Calibration
    reviewers: dict  # reviewer id -> ReviewerDeviation


def score_challenge(
    reviews: Sequence[ReviewTotal], *, proposal_ids: Iterable[Hashable], threshold: Number
) -> ChallengeScores:
    """Everything the comparison table shows, from the submitted reviews of a challenge.
    Proposals listed in ``proposal_ids`` without a review get an empty aggregate and no rank."""
    by_proposal: dict[Hashable, list[Number]] = {pid: [] for pid in proposal_ids}
    for review in reviews:
        by_proposal.setdefault(review.proposal_id, []).append(review.total)
    aggregates = {pid: proposal_aggregate(totals, threshold=threshold) for pid, totals in by_proposal.items()}
    ranks = competition_ranks({pid: a.mean for pid, a in aggregates.items()})
    calibration = calibrate(reviews)
    proposals = {
        pid: ProposalScore(aggregate, ranks[pid], calibration.proposals.get(pid))
        for pid, aggregate in aggregates.items()
    }
    return ChallengeScores(
        proposals=proposals,
        calibration=calibration,
        reviewers=reviewer_deviations(reviews, threshold=threshold),
    )
