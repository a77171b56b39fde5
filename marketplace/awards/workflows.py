"""The state machines of proposals and milestones, as data, with one entry point each.
Nothing else writes the ``status`` fields.

A proposal transition names the states it leaves from, the state it leads to, and who may
perform it: a member of the applying (lead) organisation, or an official of the agency that
owns the challenge. ``proposal_perform`` is the one way to move a proposal: it checks the
actor and the current state, changes the status, and writes an audit entry with who, when,
from which IP address and an optional note. A refused transition raises DomainError and
changes nothing."""

from __future__ import annotations

from core.workflows import Transition, _apply
from marketplace.awards.models import Milestone

MILESTONE_TRANSITIONS = {
    t.name: t
    for t in [
        Transition("report", (Milestone.Status.PLANNED,), Milestone.Status.REPORTED),
        Transition("approve", (Milestone.Status.REPORTED,), Milestone.Status.APPROVED),
        Transition("send_back", (Milestone.Status.REPORTED,), Milestone.Status.PLANNED),
        Transition("mark_paid", (Milestone.Status.APPROVED,), Milestone.Status.PAID),
        # payments announces these: the transfer came back (it waits for its payment again), or
        # finance cancelled the payment (the official approves it again to request a new one).
        Transition("payment_reversed", (Milestone.Status.PAID,), Milestone.Status.APPROVED),
        Transition("payment_cancelled", (Milestone.Status.APPROVED,), Milestone.Status.REPORTED),
    ]
}


# Milestones ------------------------------------------------------------------------------


def milestone_transition(milestone: Milestone, name: str) -> tuple[str, str]:
    return _apply(milestone, MILESTONE_TRANSITIONS, name)
