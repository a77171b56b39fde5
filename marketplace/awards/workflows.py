"""The milestone state machine, as data, with one entry point: ``milestone_transition`` checks
that the named transition may leave the milestone's current state and sets the new one. Nothing
else writes ``Milestone.status``; the awards services that call it check who acts and write the
audit entry."""

from __future__ import annotations

from core.workflows import Transition, apply_transition
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
    return apply_transition(milestone, MILESTONE_TRANSITIONS, name)
