"""Suggesting reviewers for proposals: pure functions over plain data, no database.

**Fit.** For reviewer *r* and proposal *p*::

    fit(r, p) = J(tags(r), tags(p)) + J(sectors(r), sectors(p))
    J(A, B)   = |A ∩ B| / |A ∪ B|      (Jaccard similarity; 0 when both sets are empty)

- ``tags(r)``: the reviewer's expertise tags; ``sectors(r)``: the reviewer's sectors of expertise.
- ``tags(p)``: the capabilities of the lead organisation and of every partner that has not
  declined; ``sectors(p)``: the challenge's sector and other sectors, and the sectors of the lead
  and partner organisations.
- Tags are compared trimmed and case-insensitively ("GIS" is "gis"). Fit runs from 0 (nothing in
  common) to 2 (the same tags and the same sectors); it is an exact ``Fraction``.

**Eligible.** A reviewer may be suggested for a proposal only when not excluded from it (is or
was a member of the lead or of a partner organisation, is already assigned to it, declared a
conflict on it, or was removed from it: the caller builds ``ProposalProfile.excluded``) and has
fewer active assignments on the challenge than the cap (``max_load``).

**Ranking.** Higher fit first; at equal fit, the lighter load first (fewer active assignments on
this challenge); then the lower reviewer id, so the order is stable.

**Assigning in bulk.** Each proposal needs ``per_proposal`` reviewers minus those it already has.
Proposals are served most constrained first (fewest eligible reviewers with room left, counted
before any is assigned, then in the order given), each taking the top of its ranking; loads grow
as reviewers are taken, so later proposals see them. A proposal that cannot get enough reviewers
gets as many as there are and is reported as short.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction


def normalise_tags(tags: Iterable[str]) -> frozenset[str]:
    return frozenset(t.strip().casefold() for t in tags if t and t.strip())


def jaccard(a: frozenset, b: frozenset) -> Fraction:
    union = a | b
    if not union:
        return Fraction(0)
    return Fraction(len(a & b), len(union))


@dataclass(frozen=True)
class ReviewerProfile:
    id: int
    tags: frozenset[str] = frozenset()
    sectors: frozenset[int] = frozenset()
    load: int = 0  # active assignments (awaiting declaration or reviewing) on this challenge


@dataclass(frozen=True)
class ProposalProfile:
    id: int
    tags: frozenset[str] = frozenset()
    sectors: frozenset[int] = frozenset()
    # Reviewers who may never be assigned to this proposal (see the module docstring).
    excluded: frozenset[int] = frozenset()
    # Reviewers it has now (awaiting declaration or reviewing).
    assigned: int = 0


@dataclass(frozen=True)
class Suggestion:
    reviewer_id: int
    fit: Fraction
    load: int
    shared_tags: tuple[str, ...] = ()
    shared_sectors: tuple[int, ...] = ()

    @property
    def fit_display(self) -> str:
        """The fit with two decimals, for people (the ranking uses the exact value)."""
        return f"{float(self.fit):.2f}"


def fit(reviewer: ReviewerProfile, proposal: ProposalProfile) -> Fraction:
    return jaccard(reviewer.tags, proposal.tags) + jaccard(reviewer.sectors, proposal.sectors)


def is_eligible(
    reviewer: ReviewerProfile, proposal: ProposalProfile, *, max_load: int, load: int | None = None
) -> bool:
    current = reviewer.load if load is None else load
    return reviewer.id not in proposal.excluded and current < max_load


def rank(
    proposal: ProposalProfile,
    reviewers: Iterable[ReviewerProfile],
    *,
    max_load: int,
    loads: Mapping[int, int] | None = None,
) -> list[Suggestion]:
    """The eligible reviewers for ``proposal``, best first. ``loads`` overrides the reviewers'
    own loads (used while assigning in bulk)."""
    suggestions = []
    for reviewer in reviewers:
        load = loads.get(reviewer.id, reviewer.load) if loads is not None else reviewer.load
        if not is_eligible(reviewer, proposal, max_load=max_load, load=load):
            continue
        suggestions.append(
            Suggestion(
                reviewer_id=reviewer.id,
                fit=fit(reviewer, proposal),
                load=load,
                shared_tags=tuple(sorted(reviewer.tags & proposal.tags)),
                shared_sectors=tuple(sorted(reviewer.sectors & proposal.sectors)),
            )
        )
    suggestions.sort(key=lambda s: (-s.fit, s.load, s.reviewer_id))
    return suggestions


@dataclass
class BulkPlan:
    # proposal id → reviewer ids to assign, best first
    assignments: dict[int, list[int]] = field(default_factory=dict)
    # proposal id → how many reviewers it still lacks after the plan
    short: dict[int, int] = field(default_factory=dict)


def plan_bulk(
    proposals: Sequence[ProposalProfile],
    reviewers: Sequence[ReviewerProfile],
    *,
    per_proposal: int,
    max_load: int,
) -> BulkPlan:
    """Reviewers for every proposal that lacks some, respecting exclusions and the cap."""
    loads = {r.id: r.load for r in reviewers}
    position = {p.id: i for i, p in enumerate(proposals)}

    def eligible_count(p: ProposalProfile) -> int:
        return sum(1 for r in reviewers if is_eligible(r, p, max_load=max_load, load=loads[r.id]))

    wanting = [p for p in proposals if p.assigned < per_proposal]
    order = sorted(wanting, key=lambda p: (eligible_count(p), position[p.id]))
    plan = BulkPlan()
    for proposal in order:
        needed = per_proposal - proposal.assigned
        chosen = [s.reviewer_id for s in rank(proposal, reviewers, max_load=max_load, loads=loads)[:needed]]
        for reviewer_id in chosen:
            loads[reviewer_id] += 1
        if chosen:
            plan.assignments[proposal.id] = chosen
        if len(chosen) < needed:
            plan.short[proposal.id] = needed - len(chosen)
    return plan
