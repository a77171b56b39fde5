"""The proposal state machine, as data, with one entry point. Nothing else writes
``Proposal.status`` (milestones have theirs in ``marketplace.awards.workflows``).

A proposal transition names the states it leaves from, the state it leads to, and who may
perform it: a member of the applying (lead) organisation, or an official of the agency that
owns the challenge. ``proposal_perform`` is the one way to move a proposal: it checks the
actor and the current state, changes the status, and writes an audit entry with who, when,
from which IP address and an optional note. A refused transition raises DomainError and
changes nothing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.errors import DomainError
from core.workflows import Transition, apply_transition
from marketplace.challenges import permissions as challenges_permissions
from marketplace.organisations import permissions as organisations_permissions
from marketplace.proposals.models import Proposal

APPLICANT = "applicant"  # a member of the lead organisation
OFFICIAL = "official"  # an official of the agency that owns the challenge


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


# Proposals -------------------------------------------------------------------------------


def _actor_roles(user, proposal: Proposal) -> set[str]:
    roles = set()
    if organisations_permissions.is_member(user, proposal.organisation):
        roles.add(APPLICANT)
    if challenges_permissions.is_challenge_official(user, proposal.challenge):
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
        before, after = apply_transition(locked, PROPOSAL_TRANSITIONS, name)
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
        audit.record_object(
            actor=by,
            action=f"proposal.{after}",
            obj=locked,
            before={"status": before},
            after={"status": after, "transition": name, "note": note},
        )
    for field in ("status", "submitted_at", "changes_requested_note", "updated_at"):
        setattr(proposal, field, getattr(locked, field))
    return proposal
