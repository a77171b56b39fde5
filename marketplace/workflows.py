"""The state machines of proposals and milestones, as data, with one entry point each.
Nothing else writes the ``status`` fields."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from marketplace.errors import DomainError
from marketplace.models import Milestone, Proposal


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[str, ...]
    target: str


PROPOSAL_TRANSITIONS = {
    t.name: t
    for t in [
        Transition("submit", (Proposal.Status.DRAFT,), Proposal.Status.SUBMITTED),
        Transition("withdraw", (Proposal.Status.DRAFT, Proposal.Status.SUBMITTED), Proposal.Status.WITHDRAWN),
        Transition("award", (Proposal.Status.SUBMITTED,), Proposal.Status.AWARDED),
        Transition("reject", (Proposal.Status.SUBMITTED,), Proposal.Status.REJECTED),
    ]
}

MILESTONE_TRANSITIONS = {
    t.name: t
    for t in [
        Transition("report", (Milestone.Status.PLANNED,), Milestone.Status.REPORTED),
        Transition("approve", (Milestone.Status.REPORTED,), Milestone.Status.APPROVED),
        Transition("send_back", (Milestone.Status.REPORTED,), Milestone.Status.PLANNED),
        Transition("mark_paid", (Milestone.Status.APPROVED,), Milestone.Status.PAID),
    ]
}


def _apply(obj, transitions: dict[str, Transition], name: str) -> tuple[str, str]:
    transition = transitions[name]
    if obj.status not in transition.source:
        raise DomainError(
            _("This cannot be done while the status is “%(status)s”.") % {"status": obj.get_status_display()}
        )
    before = obj.status
    obj.status = transition.target
    return before, transition.target


def proposal_transition(proposal: Proposal, name: str) -> tuple[str, str]:
    """Change the proposal's status in memory; the caller saves. Returns (before, after)."""
    return _apply(proposal, PROPOSAL_TRANSITIONS, name)


def milestone_transition(milestone: Milestone, name: str) -> tuple[str, str]:
    return _apply(milestone, MILESTONE_TRANSITIONS, name)
