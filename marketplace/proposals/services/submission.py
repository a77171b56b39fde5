"""Submitting (which freezes a version), withdrawing, and the officials' decisions on a proposal.
Status changes go through ``proposals.workflows.proposal_perform``."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.actors import Person
from core.errors import DomainError, require
from marketplace.proposals import permissions as proposals_permissions
from marketplace.proposals import workflows
from marketplace.proposals.checklist import ChecklistItem, proposal_checklist
from marketplace.proposals.models import (
    Proposal,
    ProposalVersion,
)
from marketplace.proposals.services.common import (
    _consortium_members,
    _deadline_text,
    _lock,
    _members,
    _notify,
)

OFFICIAL_DECISIONS = ("screen", "request_changes", "review", "shortlist", "reject")


# Submission, withdrawal, decisions -------------------------------------------------------


def proposal_snapshot(proposal: Proposal) -> dict:
    """Everything the applicant submitted, as JSON-ready data."""
    answers = {a.question_id: a.text for a in proposal.answers.all()}
    return {
        "title": proposal.title,
        "summary": proposal.summary,
        "problem": proposal.problem,
        "solution": proposal.solution,
        "inclusion": proposal.inclusion,
        "plan": proposal.plan,
        "requested_amount": proposal.requested_amount,
        "currency": proposal.currency,
        "challenge": {"id": proposal.challenge_id, "title": proposal.challenge.title},
        "organisation": {
            "id": proposal.organisation_id,
            "name": proposal.organisation.name,
            "slug": proposal.organisation.slug,
            "kind": proposal.organisation.kind,
        },
        "budget_lines": [
            {"category": b.category, "description": b.description, "amount": b.amount}
            for b in proposal.budget_lines.all()
        ],
        "milestones": [
            {"deliverable": m.deliverable, "due_date": m.due_date.isoformat(), "amount": m.amount}
            for m in proposal.planned_milestones.all()
        ],
        "team": [
            {"name": t.name, "role": t.role, "expertise": t.expertise} for t in proposal.team_members.all()
        ],
        "partners": [
            {
                "organisation_id": p.organisation_id,
                "organisation": p.organisation.name,
                "role": p.role,
                "budget_share": p.budget_share,
                "status": p.status,
            }
            for p in proposal.partners.select_related("organisation")
        ],
        "answers": [
            {"question_id": q.pk, "question": q.text, "required": q.required, "answer": answers.get(q.pk, "")}
            for q in proposal.challenge.application_questions.order_by("sort_order", "pk")
        ],
        "attachments": [
            {
                "id": a.pk,
                "name": a.display_name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
            }
            for a in proposal.attachments.filter(removed_at__isnull=True)
        ],
    }


def proposal_submit(*, proposal: Proposal, by: Person, now: datetime.datetime | None = None) -> Proposal:
    """Submit a complete, eligible draft before the deadline, or resubmit after an official
    asked for changes (not bound by the deadline: the agency reopened it). Freezes a copy as
    the next ProposalVersion. Refused otherwise; nothing changes then."""
    now = now or timezone.now()
    require(proposals_permissions.can_edit_proposal(by, proposal))
    challenge = proposal.challenge
    if proposal.status != Proposal.Status.CHANGES_REQUESTED:
        if now < challenge.opens_at:
            raise DomainError(_("This challenge does not accept proposals yet."))
        if now >= challenge.closes_at or challenge.effective_outcome:
            raise DomainError(
                _("The deadline has passed (%(deadline)s); the proposal was not submitted.")
                % {"deadline": _deadline_text(challenge)}
            )
    with transaction.atomic():
        locked = _lock(proposal)
        checklist = proposal_checklist(locked)
        missing = [item.label for item in checklist if not item.done and item.kind == ChecklistItem.COMPLETE]
        if missing:
            raise DomainError(
                _("The proposal is not complete yet. Still missing: %(items)s.")
                % {"items": "; ".join(missing)}
            )
        ineligible = [item.label for item in checklist if not item.done]
        if ineligible:
            raise DomainError(
                _("The proposal does not meet the challenge's eligibility rules: %(items)s.")
                % {"items": "; ".join(ineligible)}
            )
        workflows.proposal_perform(proposal=locked, name="submit", by=by, now=now)
        number = (locked.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        ProposalVersion.objects.create(
            proposal=locked, number=number, data=proposal_snapshot(locked), submitted_by=by, submitted_at=now
        )
        with translation.override(settings.LANGUAGE_CODE):
            message = _("“%(title)s” was submitted to %(agency)s (version %(number)s).") % {
                "title": locked.title,
                "agency": challenge.agency.name,
                "number": number,
            }
        # A receipt for everyone in the consortium, the submitter included.
        _notify(
            users=_consortium_members(locked),
            message=message,
            url=locked.get_absolute_url(),
            email_subject=message[:120],
        )
    for field in ("status", "submitted_at", "changes_requested_note", "updated_at"):
        setattr(proposal, field, getattr(locked, field))
    return proposal


def proposal_withdraw(*, proposal: Proposal, by: Person, now: datetime.datetime | None = None) -> Proposal:
    """The applicant takes a draft or submitted proposal back, before the deadline."""
    require(proposals_permissions.can_edit_proposal(by, proposal))
    challenge = proposal.challenge
    if (now or timezone.now()) >= challenge.closes_at:
        raise DomainError(
            _("The deadline has passed (%(deadline)s); the proposal can no longer be withdrawn.")
            % {"deadline": _deadline_text(challenge)}
        )
    with transaction.atomic():
        workflows.proposal_perform(proposal=proposal, name="withdraw", by=by, now=now)
        with translation.override(settings.LANGUAGE_CODE):
            message = _("“%(title)s” was withdrawn by %(name)s.") % {
                "title": proposal.title,
                "name": by.get_full_name() or by.get_username(),
            }
        _notify(
            users=_consortium_members(proposal, except_user=by),
            message=message,
            url=proposal.get_absolute_url(),
        )
    return proposal


_DECISION_MESSAGES = {
    "screen": gettext_noop("The agency is screening your proposal “%(title)s”."),
    "request_changes": gettext_noop("The agency asks for changes to your proposal “%(title)s”: %(note)s"),
    "review": gettext_noop("Your proposal “%(title)s” has passed screening and is being reviewed."),
    "shortlist": gettext_noop("Your proposal “%(title)s” has been shortlisted."),
    "reject": gettext_noop("Your proposal “%(title)s” was not selected."),
}


def proposal_decide(*, proposal: Proposal, by: Person, transition: str, note: str = "") -> Proposal:
    """An official of the owning agency screens, reviews, shortlists or rejects a proposal, or
    asks for changes (with a note the applicant reads). The applicants are notified."""
    if transition not in OFFICIAL_DECISIONS:
        raise DomainError(_("This action does not exist."))
    require(proposals_permissions.can_decide_proposal(by, proposal))
    with transaction.atomic():
        workflows.proposal_perform(proposal=proposal, name=transition, by=by, note=note)
        with translation.override(settings.LANGUAGE_CODE):
            message = _(_DECISION_MESSAGES[transition]) % {"title": proposal.title, "note": note.strip()}
        _notify(
            users=_members(proposal.organisation_id),
            message=message,
            url=proposal.get_absolute_url(),
            email_subject=message[:120] if transition in ("request_changes", "reject", "shortlist") else "",
        )
    return proposal


def proposal_reject(*, proposal: Proposal, by: Person, note: str = "") -> Proposal:
    """An official of the owning agency declines a proposal."""
    return proposal_decide(proposal=proposal, by=by, transition="reject", note=note)


def proposal_request_changes(*, proposal: Proposal, by: Person, note: str) -> Proposal:
    return proposal_decide(proposal=proposal, by=by, transition="request_changes", note=note)
