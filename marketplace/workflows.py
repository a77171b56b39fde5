"""The state machines of proposals and milestones, as data, with one entry point each.
Nothing else writes the ``status`` fields.

A proposal transition names the states it leaves from, the state it leads to, and who may
perform it: a member of the applying (lead) organisation, or an official of the agency that
owns the challenge. ``proposal_perform`` is the one way to move a proposal: it checks the
actor and the current state, changes the status, and writes an audit entry with who, when,
from which IP address and an optional note. A refused transition raises DomainError and
changes nothing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace import audit, permissions
from marketplace.errors import DomainError
from marketplace.models import Milestone, Proposal

APPLICANT = "applicant"  # a member of the lead organisation
OFFICIAL = "official"  # an official of the agency that owns the challenge


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[str, ...]
    target: str
    actors: tuple[str, ...] = ()
    label: str | Promise = ""
    note_required: bool = False


S = Proposal.Status
PROPOSAL_TRANSITIONS = {
    t.name: t
    for t in [
        # Resubmission after a "request changes" uses the same transition.
        Transition(
            "submit", (S.DRAFT, S.CHANGES_REQUESTED), S.SUBMITTED, (APPLICANT,), gettext_lazy("Submit")
        ),
        Transition(
            "withdraw",
            (S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED),
            S.WITHDRAWN,
            (APPLICANT,),
            gettext_lazy("Withdraw"),
        ),
        Transition("screen", (S.SUBMITTED,), S.SCREENING, (OFFICIAL,), gettext_lazy("Start screening")),
        Transition(
            "request_changes",
            (S.SUBMITTED, S.SCREENING),
            S.CHANGES_REQUESTED,
            (OFFICIAL,),
            gettext_lazy("Request changes"),
            note_required=True,
        ),
        Transition("review", (S.SCREENING,), S.IN_REVIEW, (OFFICIAL,), gettext_lazy("Send to review")),
        Transition("shortlist", (S.IN_REVIEW,), S.SHORTLISTED, (OFFICIAL,), gettext_lazy("Shortlist")),
        Transition(
            "reject",
            (S.SUBMITTED, S.SCREENING, S.IN_REVIEW, S.SHORTLISTED),
            S.REJECTED,
            (OFFICIAL,),
            gettext_lazy("Reject"),
        ),
        # Done through marketplace.services.award_create, which also commits the money.
        Transition(
            "award", (S.SUBMITTED, S.IN_REVIEW, S.SHORTLISTED), S.AWARDED, (OFFICIAL,), gettext_lazy("Award")
        ),
        # Done through services.determinations.agreement_decline, which releases the money.
        Transition(
            "decline_award", (S.AWARDED,), S.AWARD_DECLINED, (APPLICANT,), gettext_lazy("Decline the award")
        ),
    ]
}
del S

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


def _apply(obj, transitions: dict[str, Transition], name: str) -> tuple[str, str]:
    transition = transitions[name]
    if obj.status not in transition.source:
        raise DomainError(
            _("This cannot be done while the status is “%(status)s”.") % {"status": obj.get_status_display()}
        )
    before = obj.status
    obj.status = transition.target
    return before, transition.target


# Proposals -------------------------------------------------------------------------------


def _actor_roles(user, proposal: Proposal) -> set[str]:
    roles = set()
    if permissions.is_member(user, proposal.organisation):
        roles.add(APPLICANT)
    if permissions.is_challenge_official(user, proposal.challenge):
        roles.add(OFFICIAL)
    return roles


def _refusal(transition: Transition) -> str:
    if transition.actors == (APPLICANT,):
        return _("Only members of the applying organisation may do this.")
    return _("Only an official of the agency that owns this challenge may do this.")


def proposal_transitions_for(proposal: Proposal, actor: str) -> list[Transition]:
    """The transitions ``actor`` (APPLICANT or OFFICIAL) may take from the proposal's status;
    for showing buttons. Reads nothing from the database."""
    return [t for t in PROPOSAL_TRANSITIONS.values() if proposal.status in t.source and actor in t.actors]


def proposal_perform(
    *, proposal: Proposal, name: str, by, note: str = "", now: datetime.datetime | None = None
) -> Proposal:
    """Perform transition ``name`` on the proposal as ``by``; the one way a proposal's status
    changes. Locks the row, checks who ``by`` is and the current status, saves, and audits
    (who, when, IP, note). Raises DomainError and changes nothing when refused. Call it inside
    the caller's transaction when other writes must succeed or fail with it."""
    transition = PROPOSAL_TRANSITIONS.get(name)
    if transition is None:
        raise DomainError(_("This action does not exist."))
    note = (note or "").strip()
    with transaction.atomic():
        locked = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("challenge__agency", "organisation")
            .get(pk=proposal.pk)
        )
        if not _actor_roles(by, locked) & set(transition.actors):
            raise DomainError(_refusal(transition))
        if transition.note_required and not note:
            raise DomainError(_("Say what should change: the applicant will read this note."), field="note")
        before, after = _apply(locked, PROPOSAL_TRANSITIONS, name)
        fields = ["status", "updated_at"]
        locked.updated_at = now or timezone.now()
        if name == "submit":
            locked.submitted_at = now or timezone.now()
            locked.changes_requested_note = ""
            fields += ["submitted_at", "changes_requested_note"]
        elif name == "request_changes":
            locked.changes_requested_note = note
            fields.append("changes_requested_note")
        locked.save(update_fields=fields)
        audit.record(
            actor=by,
            action=f"proposal.{after}",
            object_type="marketplace.proposal",
            object_id=locked.pk,
            before={"status": before},
            after={"status": after, "transition": name, "note": note},
        )
    for field in ("status", "submitted_at", "changes_requested_note", "updated_at"):
        setattr(proposal, field, getattr(locked, field))
    return proposal


# Milestones ------------------------------------------------------------------------------


def milestone_transition(milestone: Milestone, name: str) -> tuple[str, str]:
    return _apply(milestone, MILESTONE_TRANSITIONS, name)
