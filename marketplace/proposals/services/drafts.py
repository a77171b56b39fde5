"""Writing a proposal's draft: creating it, and saving its text, planned milestones, budget
lines, team and answers together in one transaction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actors import Person
from core.errors import DomainError, require
from marketplace.challenges.models import ChallengePage
from marketplace.organisations import permissions as organisations_permissions
from marketplace.organisations.models import Organisation
from marketplace.proposals import permissions as proposals_permissions
from marketplace.proposals.models import (
    BudgetLine,
    PlannedMilestone,
    Proposal,
    ProposalAnswer,
    TeamMember,
)
from marketplace.proposals.services.common import EDITABLE_FIELDS, _lock, _must_be_editable, _validate


@dataclass(frozen=True)
class BudgetLinePlan:
    category: str
    description: str
    amount: int


@dataclass(frozen=True)
class PlannedMilestonePlan:
    deliverable: str
    due_date: datetime.date
    amount: int


@dataclass(frozen=True)
class TeamMemberPlan:
    name: str
    role: str
    expertise: str = ""


# Drafts ----------------------------------------------------------------------------------


def proposal_create(
    *,
    by: Person,
    organisation: Organisation,
    challenge: ChallengePage,
    title: str,
    requested_amount: int,
    summary: str = "",
    plan: str = "",
    now: datetime.datetime | None = None,
) -> Proposal:
    """Start a draft for a challenge that has not closed. ``now`` is for imports and demo data."""
    require(organisations_permissions.can_act(by))
    if not organisations_permissions.is_member(by, organisation):
        raise DomainError(_("You can only apply on behalf of an organisation you belong to."))
    if (now or timezone.now()) >= challenge.closes_at or challenge.effective_outcome:
        raise DomainError(_("This challenge is closed for proposals."))
    proposal = Proposal(
        challenge=challenge,
        organisation=organisation,
        title=title,
        summary=summary,
        plan=plan,
        requested_amount=requested_amount,
        created_by=by,
    )
    _validate(proposal)
    with transaction.atomic():
        proposal.save()
        audit.record_object(actor=by, action="proposal.created", obj=proposal, after={"title": title})
    return proposal


def proposal_save(
    *,
    proposal: Proposal,
    by: Person,
    fields: dict | None = None,
    budget_lines: list[BudgetLinePlan] | None = None,
    milestones: list[PlannedMilestonePlan] | None = None,
    team: list[TeamMemberPlan] | None = None,
    answers: dict[int, str] | None = None,
) -> Proposal:
    """Save a draft (or a proposal whose changes were requested) in one transaction: the
    fields given, and each list given replaces the stored one. A draft may be incomplete;
    completeness is checked at submission. Bad input saves nothing."""
    require(proposals_permissions.can_edit_proposal(by, proposal))
    _must_be_editable(proposal)
    fields = dict(fields or {})
    for name in fields:
        if name not in EDITABLE_FIELDS:
            raise ValueError(name)
    for name, value in fields.items():
        setattr(proposal, name, value.strip() if isinstance(value, str) else value)
    _validate(proposal)
    rows: dict[str, list] = {}
    if budget_lines is not None:
        rows["budget_lines"] = [
            BudgetLine(proposal=proposal, position=i, **vars(line)) for i, line in enumerate(budget_lines)
        ]
    if milestones is not None:
        rows["milestones"] = [
            PlannedMilestone(proposal=proposal, position=i, **vars(m)) for i, m in enumerate(milestones)
        ]
    if team is not None:
        rows["team"] = [TeamMember(proposal=proposal, position=i, **vars(m)) for i, m in enumerate(team)]
    for prefix, objs in rows.items():
        for obj in objs:
            _validate(obj, exclude=["proposal"], prefix=f"{prefix}.")
    questions = {}
    if answers:
        questions = {q.pk: q for q in proposal.challenge.application_questions.all()}
        for question_id, text in answers.items():
            if question_id not in questions:
                raise DomainError(_("This question does not belong to the challenge."))
            if len(text or "") > 5000:
                raise DomainError(_("Keep each answer under 5000 characters."), field=f"answer-{question_id}")
    with transaction.atomic():
        locked = _lock(proposal)
        _must_be_editable(locked)
        proposal.updated_at = timezone.now()
        proposal.save(update_fields=[*fields, "updated_at"])
        if "budget_lines" in rows:
            locked.budget_lines.all().delete()
            BudgetLine.objects.bulk_create(rows["budget_lines"])
        if "milestones" in rows:
            locked.planned_milestones.all().delete()
            PlannedMilestone.objects.bulk_create(rows["milestones"])
        if "team" in rows:
            locked.team_members.all().delete()
            TeamMember.objects.bulk_create(rows["team"])
        for question_id, text in (answers or {}).items():
            ProposalAnswer.objects.update_or_create(
                proposal=locked, question=questions[question_id], defaults={"text": (text or "").strip()}
            )
        audit.record_object(
            actor=by,
            action="proposal.updated",
            obj=proposal,
            after={
                "fields": sorted(fields),
                "budget_lines": len(budget_lines) if budget_lines is not None else None,
                "milestones": len(milestones) if milestones is not None else None,
                "team": len(team) if team is not None else None,
                "answers": sorted(answers) if answers else [],
            },
        )
    return proposal


def proposal_update(*, proposal: Proposal, by: Person, **changes) -> Proposal:
    """Change some of the proposal's own fields (see ``proposal_save`` for the rest)."""
    return proposal_save(proposal=proposal, by=by, fields=changes)
