"""Ranking reviewers for a proposal, as pure functions: the fit with exact fractions, the
order, the cap and the bulk plan (the fast lane, `make test-fast`; the pool and the
assignments with real data are in test_review_assignment.py)."""

from __future__ import annotations

from fractions import Fraction

from marketplace.review import matching
from marketplace.review.matching import ProposalProfile, ReviewerProfile


def test_fit_is_tag_jaccard_plus_sector_jaccard_with_exact_fractions():
    proposal = ProposalProfile(
        id=1, tags=matching.normalise_tags(["Mobile apps", " GIS "]), sectors=frozenset({10, 20})
    )
    assert proposal.tags == {"mobile apps", "gis"}
    cases = {
        # tags 1 of 2 in common, sectors 1 of 2: 1/2 + 1/2
        ReviewerProfile(id=1, tags=frozenset({"gis"}), sectors=frozenset({10})): Fraction(1),
        # tags 2 of 3: 2/3 + 0
        ReviewerProfile(id=2, tags=frozenset({"gis", "mobile apps", "payments"})): Fraction(2, 3),
        # sectors 2 of 3: 0 + 2/3
        ReviewerProfile(id=3, sectors=frozenset({10, 20, 30})): Fraction(2, 3),
        # identical: 1 + 1
        ReviewerProfile(id=4, tags=frozenset({"gis", "mobile apps"}), sectors=frozenset({10, 20})): Fraction(
            2
        ),
        ReviewerProfile(id=5): Fraction(0),
    }
    for reviewer, expected in cases.items():
        assert matching.fit(reviewer, proposal) == expected, reviewer.id
    assert matching.jaccard(frozenset(), frozenset()) == 0


def test_ranking_is_fit_then_load_then_id_and_leaves_out_the_excluded_and_the_full():
    proposal = ProposalProfile(id=7, tags=frozenset({"gis", "health"}), sectors=frozenset({1}), excluded={6})
    reviewers = [
        ReviewerProfile(id=1, tags=frozenset({"gis"}), load=2),  # 1/2
        ReviewerProfile(id=2, tags=frozenset({"gis"}), load=0),  # 1/2, lighter
        ReviewerProfile(id=3, tags=frozenset({"gis", "health"}), sectors=frozenset({1}), load=1),  # 2
        ReviewerProfile(id=4, load=0),  # 0
        ReviewerProfile(id=5, tags=frozenset({"gis", "health"}), load=3),  # 1, but at the cap
        ReviewerProfile(id=6, tags=frozenset({"gis", "health"}), sectors=frozenset({1})),  # excluded
        ReviewerProfile(id=8, tags=frozenset({"health"}), load=0),  # 1/2, same as 2, higher id
    ]
    ranked = matching.rank(proposal, reviewers, max_load=3)
    assert [(s.reviewer_id, s.fit, s.load) for s in ranked] == [
        (3, Fraction(2), 1),
        (2, Fraction(1, 2), 0),
        (8, Fraction(1, 2), 0),
        (1, Fraction(1, 2), 2),
        (4, Fraction(0), 0),
    ]
    assert ranked[0].shared_tags == ("gis", "health") and ranked[0].shared_sectors == (1,)
    assert ranked[0].fit_display == "2.00" and ranked[1].fit_display == "0.50"


def test_bulk_plan_serves_the_most_constrained_proposal_first_and_respects_the_cap():
    reviewers = [ReviewerProfile(id=1), ReviewerProfile(id=2)]
    # Given first, P1 would take reviewer 1 (same fit, lower id) and leave P2 nobody.
    proposals = [ProposalProfile(id=101), ProposalProfile(id=102, excluded=frozenset({2}))]
    plan = matching.plan_bulk(proposals, reviewers, per_proposal=1, max_load=1)
    assert plan.assignments == {102: [1], 101: [2]} and plan.short == {}


def test_bulk_plan_counts_current_assignments_and_reports_shortfalls():
    reviewers = [
        ReviewerProfile(id=1, tags=frozenset({"gis"}), load=1),
        ReviewerProfile(id=2, load=0),
        ReviewerProfile(id=3, load=2),  # already at the cap
    ]
    proposals = [
        ProposalProfile(id=201, tags=frozenset({"gis"}), assigned=1, excluded=frozenset({3})),
        ProposalProfile(id=202, tags=frozenset({"gis"})),
        ProposalProfile(id=203, assigned=2),  # complete
    ]
    plan = matching.plan_bulk(proposals, reviewers, per_proposal=2, max_load=2)
    # 201 (two eligible) first: reviewer 1 (fit 1). 202: reviewer 2 (1 is now full).
    assert plan.assignments == {201: [1], 202: [2]}
    assert plan.short == {202: 1}
