"""The scoring arithmetic (marketplace.scoring) with exact, hand-computed numbers.

The worked example: three reviewers each review the same four proposals on a challenge whose
disagreement threshold is 20 points. Totals (0–100):

              P1    P2    P3    P4   | own mean  own sd
    Ani       60    90    60    90   |    75       15
    Budi     100   100    60    60   |    80       20
    Citra     40    80    50    50   |    55       15

All twelve totals: mean 70, population sd 20 (squared deviations 4800 / 12 = 400).
These totals come from real score sheets too (weights 60/40 on 1–5, see test_comparison.py).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from marketplace.review import scoring
from marketplace.review.scoring import ReviewTotal

D = Decimal

TOTALS = {
    "ani": {"P1": 60, "P2": 90, "P3": 60, "P4": 90},
    "budi": {"P1": 100, "P2": 100, "P3": 60, "P4": 60},
    "citra": {"P1": 40, "P2": 80, "P3": 50, "P4": 50},
}


def example_reviews() -> list[ReviewTotal]:
    return [
        ReviewTotal(
            review_id=f"{reviewer}-{proposal}", reviewer_id=reviewer, proposal_id=proposal, total=D(total)
        )
        for reviewer, row in TOTALS.items()
        for proposal, total in row.items()
    ]


# Rounding and one review's total ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (Fraction(1, 8), "0.13"),  # half up, not to even (0.12)
        (Fraction(-1, 8), "-0.13"),
        (Fraction(200, 3), "66.67"),
        (Fraction(170, 3), "56.67"),
        (D("2.675"), "2.68"),
        (D("2.665"), "2.67"),
        (100, "100.00"),
        (0, "0.00"),
    ],
)
def test_round2_rounds_halves_up_exactly(value, expected):
    assert scoring.round2(value) == D(expected)
    assert str(scoring.round2(value)) == expected


@pytest.mark.parametrize(
    "pairs, scale, expected",
    [
        # 60 × (5−1)/4 + 40 × (4−1)/4 = 60 + 30
        ([(60, 5), (40, 4)], (1, 5), "90.00"),
        ([(60, 1), (40, 1)], (1, 5), "0.00"),
        ([(60, 5), (40, 5)], (1, 5), "100.00"),
        ([(60, 3), (40, 3)], (1, 5), "50.00"),
        ([(60, 1), (40, 5)], (1, 5), "40.00"),
        # 33 × 1/3 + 33 × 2/3 + 34 × 1/3 = 11 + 22 + 11.333…
        ([(33, 2), (33, 3), (34, 2)], (1, 4), "44.33"),
        # 1 × 1/8 + 99 × 0 = 0.125 → 0.13 (half up)
        ([(1, 2), (99, 1)], (1, 9), "0.13"),
        # a scale starting at 0: 50 × 7/10 + 50 × 10/10
        ([(50, 7), (50, 10)], (0, 10), "85.00"),
        # weights not summing to 100 are normalised: 100 × (3 × 1 + 1 × 0) / 4
        ([(3, 5), (1, 1)], (1, 5), "75.00"),
    ],
)
def test_weighted_total(pairs, scale, expected):
    assert scoring.weighted_total(pairs, score_min=scale[0], score_max=scale[1]) == D(expected)


@pytest.mark.parametrize(
    "pairs, scale",
    [
        ([], (1, 5)),
        ([(60, None), (40, 3)], (1, 5)),
        ([(60, 6), (40, 3)], (1, 5)),
        ([(60, 0), (40, 3)], (1, 5)),
        ([(0, 3), (100, 3)], (1, 5)),
        ([(100, 3)], (3, 3)),
    ],
)
def test_weighted_total_refuses_incomplete_or_impossible_input(pairs, scale):
    with pytest.raises(ValueError):
        scoring.weighted_total(pairs, score_min=scale[0], score_max=scale[1])


# Per proposal ----------------------------------------------------------------------------------


def test_proposal_aggregate_mean_spread_and_flag():
    p1 = scoring.proposal_aggregate([D(60), D(100), D(40)], threshold=20)
    assert p1 == scoring.ProposalAggregate(
        count=3, mean=D("66.67"), lowest=D("40.00"), highest=D("100.00"), spread=D("60.00"), disagreement=True
    )
    # A spread equal to the threshold is not "above" it.
    p2 = scoring.proposal_aggregate([D(90), D(100), D(80)], threshold=20)
    assert (p2.mean, p2.spread, p2.disagreement) == (D("90.00"), D("20.00"), False)
    one = scoring.proposal_aggregate([D("72.50")], threshold=20)
    assert (one.count, one.mean, one.spread, one.disagreement) == (1, D("72.50"), D("0.00"), False)
    none = scoring.proposal_aggregate([], threshold=20)
    assert (none.count, none.mean, none.spread, none.disagreement) == (0, None, None, False)
    # Decimal totals with cents: mean (33.33 + 66.67 + 50.01) / 3 = 50.0033… → 50.00.
    cents = scoring.proposal_aggregate([D("33.33"), D("66.67"), D("50.01")], threshold=D("33.33"))
    assert (cents.mean, cents.spread, cents.disagreement) == (D("50.00"), D("33.34"), True)


def test_competition_ranking_shows_ties_as_ties():
    ranks = scoring.competition_ranks(
        {"P1": D("66.67"), "P2": D("90.00"), "P3": D("56.67"), "P4": D("66.67"), "P5": None}
    )
    assert ranks == {"P2": 1, "P1": 2, "P4": 2, "P3": 4, "P5": None}


def test_ranking_compares_means_at_two_decimals():
    # 200/3 and 66.666 both show as 66.67: a tie; 66.664 shows as 66.66 and ranks after them.
    ranks = scoring.competition_ranks(
        {"a": Fraction(200, 3), "b": D("66.666"), "c": D("66.664"), "d": D("70")}
    )
    assert ranks == {"d": 1, "a": 2, "b": 2, "c": 4}
    assert scoring.competition_ranks({"x": D(50), "y": D(50), "z": D(50)}) == {"x": 1, "y": 1, "z": 1}
    assert scoring.competition_ranks({}) == {}


# Calibration -----------------------------------------------------------------------------------


def test_calibration_of_the_worked_example():
    result = scoring.calibrate(example_reviews())
    assert (result.overall_mean, result.overall_sd) == (D("70.00"), D("20.00"))
    assert result.reviewers["ani"] == scoring.ReviewerStats(4, D("75.00"), D("15.00"), True)
    assert result.reviewers["budi"] == scoring.ReviewerStats(4, D("80.00"), D("20.00"), True)
    assert result.reviewers["citra"] == scoring.ReviewerStats(4, D("55.00"), D("15.00"), True)
    # z = (x − own mean) / own sd; calibrated = 70 + 20 z, clipped to 0–100.
    expected = {
        "ani": [("-1.0000", "50.00"), ("1.0000", "90.00"), ("-1.0000", "50.00"), ("1.0000", "90.00")],
        "budi": [("1.0000", "90.00"), ("1.0000", "90.00"), ("-1.0000", "50.00"), ("-1.0000", "50.00")],
        # Citra's 80 on P2: z = 25/15 = 5/3, 70 + 33.33 = 103.33 → clipped to 100.
        "citra": [("-1.0000", "50.00"), ("1.6667", "100.00"), ("-0.3333", "63.33"), ("-0.3333", "63.33")],
    }
    for reviewer, rows in expected.items():
        for proposal, (z, calibrated) in zip(["P1", "P2", "P3", "P4"], rows, strict=True):
            review = result.reviews[f"{reviewer}-{proposal}"]
            assert (review.total, review.z, review.calibrated) == (
                D(TOTALS[reviewer][proposal]).quantize(D("0.01")),
                D(z),
                D(calibrated),
            ), (reviewer, proposal)
    # Proposal: mean of its reviews' calibrated totals, from the unrounded values.
    # P3: (50 + 50 + 63.333…) / 3 = 54.444…; P4: (90 + 50 + 63.333…) / 3 = 67.777…
    assert result.proposals == {"P1": D("63.33"), "P2": D("93.33"), "P3": D("54.44"), "P4": D("67.78")}


def test_calibration_when_a_reviewer_has_no_scale_of_their_own():
    # Ani: 20 and 40 (own mean 30, sd 10). Dewi: one review (80 would be her whole
    # distribution). Eko: 80 and 80 (sd 0). All five: mean 52, sd 24 (2880 / 5 = 576).
    reviews = [
        ReviewTotal("a1", "ani", "P1", D(20)),
        ReviewTotal("a2", "ani", "P2", D(40)),
        ReviewTotal("d1", "dewi", "P1", D(40)),
        ReviewTotal("e1", "eko", "P1", D(80)),
        ReviewTotal("e2", "eko", "P2", D(80)),
    ]
    result = scoring.calibrate(reviews)
    assert (result.overall_mean, result.overall_sd) == (D("52.00"), D("24.00"))
    assert result.reviewers["dewi"] == scoring.ReviewerStats(1, D("40.00"), D("0.00"), False)
    assert result.reviewers["eko"] == scoring.ReviewerStats(2, D("80.00"), D("0.00"), False)
    calibrated = {key: review.calibrated for key, review in result.reviews.items()}
    # Ani: 52 ∓ 24. Dewi and Eko have no scale of their own to correct: they are standardised
    # against the whole challenge, so they keep their raw totals.
    assert calibrated == {
        "a1": D("28.00"),
        "a2": D("76.00"),
        "d1": D("40.00"),
        "e1": D("80.00"),
        "e2": D("80.00"),
    }
    assert result.reviews["d1"].z == D("-0.5000")  # (40 − 52) / 24
    assert result.reviews["e1"].z == D("1.1667")  # (80 − 52) / 24
    # P1: (28 + 40 + 80) / 3 = 49.333…; P2: (76 + 80) / 2 = 78.
    assert result.proposals == {"P1": D("49.33"), "P2": D("78.00")}


def test_calibration_with_equal_totals_everywhere_and_with_nothing():
    same = scoring.calibrate([ReviewTotal(1, "a", "P1", D(70)), ReviewTotal(2, "b", "P1", D(70))])
    assert (same.overall_mean, same.overall_sd, same.proposals) == (D("70.00"), D("0.00"), {"P1": D("70.00")})
    empty = scoring.calibrate([])
    assert (empty.overall_mean, empty.overall_sd, empty.reviews, empty.proposals) == (None, None, {}, {})


def test_calibration_with_an_irrational_sd_rounds_at_the_end():
    # Ani: 0, 50, 100 (own mean 50, sd √(5000/3) = 40.8248…); Budi: 50 and 70 (mean 60, sd 10).
    # All five: mean 54, sd √(5320/5) = √1064 = 32.6190…
    # Ani's 100: z = 50 / 40.8248… = 1.2247…, 54 + 1.2247… × 32.6190… = 93.9499… → 93.95.
    reviews = [
        ReviewTotal("a1", "ani", "P1", D(0)),
        ReviewTotal("a2", "ani", "P2", D(50)),
        ReviewTotal("a3", "ani", "P3", D(100)),
        ReviewTotal("b1", "budi", "P1", D(50)),
        ReviewTotal("b2", "budi", "P2", D(70)),
    ]
    result = scoring.calibrate(reviews)
    assert (result.overall_mean, result.overall_sd) == (D("54.00"), D("32.62"))
    assert result.reviewers["ani"].sd == D("40.82")
    calibrated = {key: (review.z, review.calibrated) for key, review in result.reviews.items()}
    assert calibrated == {
        "a1": (D("-1.2247"), D("14.05")),  # 54 − 39.9499…
        "a2": (D("0.0000"), D("54.00")),
        "a3": (D("1.2247"), D("93.95")),
        "b1": (D("-1.0000"), D("21.38")),  # 54 − 32.6190…
        "b2": (D("1.0000"), D("86.62")),
    }
    # P1: (14.0500… + 21.3809…) / 2 = 17.7155… (from the unrounded values); P2: 70.3095…
    assert result.proposals == {"P1": D("17.72"), "P2": D("70.31"), "P3": D("93.95")}


# Outlier reviewers -----------------------------------------------------------------------------


def test_outlier_reviewers_of_the_worked_example():
    deviations = scoring.reviewer_deviations(example_reviews(), threshold=20)
    # Ani:   60−70, 90−90, 60−55, 90−55  → (−10 + 0 + 5 + 35) / 4 = 7.5
    # Budi: 100−50, 100−85, 60−55, 60−70 → (50 + 15 + 5 − 10) / 4 = 15
    # Citra: 40−80, 80−95, 50−60, 50−75  → (−40 − 15 − 10 − 25) / 4 = −22.5: harsher by more than 20
    assert deviations == {
        "ani": scoring.ReviewerDeviation(4, D("7.50"), False),
        "budi": scoring.ReviewerDeviation(4, D("15.00"), False),
        "citra": scoring.ReviewerDeviation(4, D("-22.50"), True),
    }
    # With a threshold of 22.5 nobody is above it.
    assert not any(
        d.outlier for d in scoring.reviewer_deviations(example_reviews(), threshold=D("22.5")).values()
    )


def test_a_reviewer_without_co_reviewers_is_never_an_outlier():
    reviews = [
        ReviewTotal(1, "ani", "P1", D(10)),
        ReviewTotal(2, "budi", "P1", D(90)),
        ReviewTotal(3, "citra", "P2", D(0)),
        ReviewTotal(4, "ani", "P3", D(50)),
    ]
    deviations = scoring.reviewer_deviations(reviews, threshold=20)
    # Ani is compared on P1 only (10 − 90); P3 had nobody else.
    assert deviations["ani"] == scoring.ReviewerDeviation(1, D("-80.00"), True)
    assert deviations["budi"] == scoring.ReviewerDeviation(1, D("80.00"), True)
    assert deviations["citra"] == scoring.ReviewerDeviation(0, None, False)


# The whole challenge ---------------------------------------------------------------------------


def test_score_challenge_of_the_worked_example():
    result = scoring.score_challenge(
        example_reviews(), proposal_ids=["P1", "P2", "P3", "P4", "P5"], threshold=20
    )
    summary = {
        pid: (
            score.rank,
            score.aggregate.count,
            score.aggregate.mean,
            score.aggregate.spread,
            score.aggregate.disagreement,
            score.calibrated,
        )
        for pid, score in result.proposals.items()
    }
    assert summary == {
        "P2": (1, 3, D("90.00"), D("20.00"), False, D("93.33")),
        "P1": (2, 3, D("66.67"), D("60.00"), True, D("63.33")),
        "P4": (2, 3, D("66.67"), D("40.00"), True, D("67.78")),  # a tie with P1: 1, 2, 2, 4
        "P3": (4, 3, D("56.67"), D("10.00"), False, D("54.44")),
        "P5": (None, 0, None, None, False, None),  # no submitted review yet
    }
    assert [r for r, d in result.reviewers.items() if d.outlier] == ["citra"]
    assert (result.calibration.overall_mean, result.calibration.overall_sd) == (D("70.00"), D("20.00"))
