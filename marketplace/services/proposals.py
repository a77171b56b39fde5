"""Writes for proposals: drafts with their budget, milestones, team, answers, attachments and
consortium partners; submission (with its frozen copy), withdrawal and the officials' decisions.

Every function is keyword-only, raises DomainError with a user-facing message when refused,
and then changes nothing. Status changes go through marketplace.workflows.proposal_perform.
The checklist helpers at the end only read."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from marketplace import audit, messaging, permissions, workflows
from marketplace import proposal_attachments as attachments
from marketplace.errors import DomainError, require
from marketplace.models import (
    BudgetLine,
    ChallengePage,
    Organisation,
    PlannedMilestone,
    Proposal,
    ProposalAnswer,
    ProposalAttachment,
    ProposalPartner,
    ProposalVersion,
    TeamMember,
)
from payments.api import format_money

EDITABLE_FIELDS = ("title", "summary", "problem", "solution", "inclusion", "plan", "requested_amount")
# Kept for callers of the walking skeleton.
PROPOSAL_FIELDS = EDITABLE_FIELDS
MAX_ATTACHMENTS = 20
OFFICIAL_DECISIONS = ("screen", "request_changes", "review", "shortlist", "reject")


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


def _validate(instance, *, exclude=(), prefix: str = "") -> None:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        first_field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=f"{prefix}{first_field}") from exc


def _lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("challenge__agency__region", "organisation")
        .get(pk=proposal.pk)
    )


def _must_be_editable(proposal: Proposal) -> None:
    if not proposal.is_editable:
        raise DomainError(_("A submitted proposal can no longer be edited."))


def _deadline_text(challenge: ChallengePage) -> str:
    closes = timezone.localtime(challenge.closes_at, challenge.region.zoneinfo)
    return f"{closes.strftime('%d-%m-%Y %H:%M')} {challenge.region.zone_label}"


def _members(organisation_id: int):
    return get_user_model().objects.filter(memberships__organisation_id=organisation_id)


def _consortium_members(proposal: Proposal, *, except_user=None):
    """Everyone in the lead organisation and in the partners that accepted (one row each)."""
    accepted = proposal.partners.filter(status=ProposalPartner.Status.ACCEPTED).values("organisation_id")
    lead = Q(memberships__organisation_id=proposal.organisation_id)
    users = get_user_model().objects.filter(lead | Q(memberships__organisation_id__in=accepted))
    if except_user is not None:
        users = users.exclude(pk=except_user.pk)
    return users.distinct()


def _notify(*, users, message: str, url: str, email_subject: str = "") -> None:
    # Notifications are stored in the site's language, whatever the actor's page language.
    messaging.notify(users=users, message=message, url=url, email_subject=email_subject)


# Drafts ----------------------------------------------------------------------------------


def proposal_create(
    *,
    by,
    organisation: Organisation,
    challenge: ChallengePage,
    title: str,
    requested_amount: int,
    summary: str = "",
    plan: str = "",
    now: datetime.datetime | None = None,
) -> Proposal:
    """Start a draft for a challenge that has not closed. ``now`` is for imports and demo data."""
    require(permissions.can_act(by))
    if not permissions.is_member(by, organisation):
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
        audit.record(
            actor=by,
            action="proposal.created",
            object_type="marketplace.proposal",
            object_id=proposal.pk,
            after={"title": title},
        )
    return proposal


def proposal_save(
    *,
    proposal: Proposal,
    by,
    fields: dict | None = None,
    budget_lines: list[BudgetLinePlan] | None = None,
    milestones: list[PlannedMilestonePlan] | None = None,
    team: list[TeamMemberPlan] | None = None,
    answers: dict[int, str] | None = None,
) -> Proposal:
    """Save a draft (or a proposal whose changes were requested) in one transaction: the
    fields given, and each list given replaces the stored one. A draft may be incomplete;
    completeness is checked at submission. Bad input saves nothing."""
    require(permissions.can_edit_proposal(by, proposal))
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
        audit.record(
            actor=by,
            action="proposal.updated",
            object_type="marketplace.proposal",
            object_id=proposal.pk,
            after={
                "fields": sorted(fields),
                "budget_lines": len(budget_lines) if budget_lines is not None else None,
                "milestones": len(milestones) if milestones is not None else None,
                "team": len(team) if team is not None else None,
                "answers": sorted(answers) if answers else [],
            },
        )
    return proposal


def proposal_update(*, proposal: Proposal, by, **changes) -> Proposal:
    """Change some of the proposal's own fields (see ``proposal_save`` for the rest)."""
    return proposal_save(proposal=proposal, by=by, fields=changes)


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


def proposal_submit(*, proposal: Proposal, by, now: datetime.datetime | None = None) -> Proposal:
    """Submit a complete, eligible draft before the deadline, or resubmit after an official
    asked for changes (not bound by the deadline: the agency reopened it). Freezes a copy as
    the next ProposalVersion. Refused otherwise; nothing changes then."""
    now = now or timezone.now()
    require(permissions.can_edit_proposal(by, proposal))
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


def proposal_withdraw(*, proposal: Proposal, by, now: datetime.datetime | None = None) -> Proposal:
    """The applicant takes a draft or submitted proposal back, before the deadline."""
    require(permissions.can_edit_proposal(by, proposal))
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


def proposal_decide(*, proposal: Proposal, by, transition: str, note: str = "") -> Proposal:
    """An official of the owning agency screens, reviews, shortlists or rejects a proposal, or
    asks for changes (with a note the applicant reads). The applicants are notified."""
    if transition not in OFFICIAL_DECISIONS:
        raise DomainError(_("This action does not exist."))
    require(permissions.can_decide_proposal(by, proposal))
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


def proposal_reject(*, proposal: Proposal, by, note: str = "") -> Proposal:
    """An official of the owning agency declines a proposal."""
    return proposal_decide(proposal=proposal, by=by, transition="reject", note=note)


def proposal_request_changes(*, proposal: Proposal, by, note: str) -> Proposal:
    return proposal_decide(proposal=proposal, by=by, transition="request_changes", note=note)


# Consortium partners ---------------------------------------------------------------------


def proposal_partner_invite(
    *, proposal: Proposal, by, organisation: Organisation, role: str, budget_share: int = 0
) -> ProposalPartner:
    """The lead organisation invites a partner with a role and a budget share. Shares of the
    partners that have not declined never exceed the requested amount."""
    require(permissions.can_edit_proposal(by, proposal))
    if not proposal.challenge.consortium_allowed:
        raise DomainError(_("This challenge does not accept consortia; apply as one organisation."))
    _must_be_editable(proposal)
    if organisation.pk == proposal.organisation_id:
        raise DomainError(_("The lead organisation cannot be its own partner."), field="organisation")
    role = (role or "").strip()
    if not role:
        raise DomainError(_("Say what the partner will do."), field="role")
    if budget_share is None or budget_share < 0:
        raise DomainError(_("The budget share cannot be negative."), field="budget_share")
    with transaction.atomic():
        locked = _lock(proposal)
        _must_be_editable(locked)
        shares = sum(
            locked.partners.exclude(status=ProposalPartner.Status.DECLINED).values_list(
                "budget_share", flat=True
            )
        )
        if shares + budget_share > locked.requested_amount:
            raise DomainError(
                _("Partner shares would add up to %(total)s, more than the requested %(requested)s.")
                % {
                    "total": format_money(shares + budget_share),
                    "requested": format_money(locked.requested_amount),
                },
                field="budget_share",
            )
        try:
            with transaction.atomic():
                partner = ProposalPartner.objects.create(
                    proposal=locked,
                    organisation=organisation,
                    role=role,
                    budget_share=budget_share,
                    invited_by=by,
                )
        except IntegrityError:
            raise DomainError(
                _("%(name)s is already invited to this proposal.") % {"name": organisation.name},
                field="organisation",
            ) from None
        audit.record(
            actor=by,
            action="proposal.partner_invited",
            object_type="marketplace.proposal",
            object_id=locked.pk,
            after={"organisation": organisation.pk, "role": role, "budget_share": budget_share},
        )
        with translation.override(settings.LANGUAGE_CODE):
            message = _(
                "%(lead)s invites %(partner)s to join the consortium of the proposal “%(title)s”."
            ) % {
                "lead": locked.organisation.name,
                "partner": organisation.name,
                "title": locked.title,
            }
        _notify(
            users=_members(organisation.pk),
            message=message,
            url=locked.get_absolute_url(),
            email_subject=message,
        )
    return partner


def proposal_partner_respond(*, partner: ProposalPartner, by, accept: bool) -> ProposalPartner:
    """A member of the invited organisation accepts or declines, once."""
    require(permissions.can_respond_to_partnership(by, partner))
    with transaction.atomic():
        locked = (
            ProposalPartner.objects.select_for_update()
            .select_related("proposal", "organisation")
            .get(pk=partner.pk)
        )
        if locked.status != ProposalPartner.Status.INVITED:
            raise DomainError(_("This invitation has already been answered."))
        if not locked.proposal.is_editable:
            raise DomainError(_("The proposal can no longer change, so the invitation cannot be answered."))
        locked.status = ProposalPartner.Status.ACCEPTED if accept else ProposalPartner.Status.DECLINED
        locked.responded_by, locked.responded_at = by, timezone.now()
        locked.save(update_fields=["status", "responded_by", "responded_at"])
        audit.record(
            actor=by,
            action=f"proposal.partner_{locked.status}",
            object_type="marketplace.proposal",
            object_id=locked.proposal_id,
            after={"organisation": locked.organisation_id, "status": locked.status},
        )
        with translation.override(settings.LANGUAGE_CODE):
            template = (
                _("%(partner)s accepted to join the proposal “%(title)s”.")
                if accept
                else _("%(partner)s declined to join the proposal “%(title)s”.")
            )
            message = template % {"partner": locked.organisation.name, "title": locked.proposal.title}
        _notify(
            users=_members(locked.proposal.organisation_id),
            message=message,
            url=locked.proposal.get_absolute_url(),
        )
    partner.status, partner.responded_by, partner.responded_at = locked.status, by, locked.responded_at
    return partner


def proposal_partner_remove(*, partner: ProposalPartner, by) -> None:
    """The lead takes an invitation back (or drops a partner) while the proposal is editable."""
    proposal = partner.proposal
    require(permissions.can_edit_proposal(by, proposal))
    with transaction.atomic():
        locked = _lock(proposal)
        _must_be_editable(locked)
        deleted, _rows = ProposalPartner.objects.filter(pk=partner.pk, proposal=locked).delete()
        if deleted:
            audit.record(
                actor=by,
                action="proposal.partner_removed",
                object_type="marketplace.proposal",
                object_id=locked.pk,
                after={"organisation": partner.organisation_id},
            )


# Attachments -----------------------------------------------------------------------------


def proposal_attachment_add(*, proposal: Proposal, by, upload) -> ProposalAttachment:
    """Attach a PDF, image or office document. The type is judged by the file's content, the
    size by settings.PROPOSAL_ATTACHMENT_MAX_BYTES, and the virus-scan hook
    (settings.PROPOSAL_ATTACHMENT_SCANNER) sees every file. Stored under a random name."""
    require(permissions.can_edit_proposal(by, proposal))
    _must_be_editable(proposal)
    kind = attachments.check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        locked = _lock(proposal)
        _must_be_editable(locked)
        if locked.attachments.filter(removed_at__isnull=True).count() >= MAX_ATTACHMENTS:
            raise DomainError(
                _("A proposal can have at most %(n)d attachments; remove one first.")
                % {"n": MAX_ATTACHMENTS},
                field="file",
            )
        attachment = ProposalAttachment(
            proposal=locked,
            display_name=attachments.display_name(upload.name or "", kind),
            content_type=kind.content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=by,
        )
        attachment.file.save(attachments.random_name(kind.extension), upload, save=False)
        stored = attachment.file.name
        try:
            attachment.save()
            audit.record(
                actor=by,
                action="proposal.attachment_added",
                object_type="marketplace.proposal",
                object_id=locked.pk,
                after={
                    "attachment": attachment.pk,
                    "name": attachment.display_name,
                    "sha256": attachment.sha256,
                },
            )
        except Exception:
            attachment.file.storage.delete(stored)
            raise
    return attachment


def proposal_attachment_remove(*, attachment: ProposalAttachment, by) -> None:
    """Remove an attachment while the proposal is editable. A file that a submitted version
    lists is kept on disk (hidden from the draft) so that version stays whole."""
    proposal = attachment.proposal
    require(permissions.can_edit_proposal(by, proposal))
    with transaction.atomic():
        locked = _lock(proposal)
        _must_be_editable(locked)
        if locked.versions.exists():
            ProposalAttachment.objects.filter(pk=attachment.pk).update(removed_at=timezone.now())
        else:
            name = attachment.file.name
            ProposalAttachment.objects.filter(pk=attachment.pk).delete()
            storage = attachment.file.storage
            transaction.on_commit(lambda: storage.delete(name))
        audit.record(
            actor=by,
            action="proposal.attachment_removed",
            object_type="marketplace.proposal",
            object_id=locked.pk,
            after={"attachment": attachment.pk, "name": attachment.display_name},
        )


# The checklist (reads only) ----------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    COMPLETE = "complete"
    ELIGIBLE = "eligible"

    key: str
    label: str
    done: bool
    anchor: str
    kind: str = COMPLETE


def proposal_checklist(proposal: Proposal) -> list[ChecklistItem]:
    """What must be true before submission, each item named and pointing at its field (the
    anchor is an element id on the proposal page). Eligibility items come last."""
    items: list[ChecklistItem] = []
    add = items.append
    for field in ("title", "summary", "problem", "solution", "inclusion", "plan"):
        label = str(Proposal._meta.get_field(field).verbose_name)
        add(
            ChecklistItem(
                field, label[:1].upper() + label[1:], bool(getattr(proposal, field).strip()), f"id_{field}"
            )
        )
    requested = proposal.requested_amount or 0
    add(ChecklistItem("requested_amount", _("Requested amount"), requested > 0, "id_requested_amount"))

    milestones = list(proposal.planned_milestones.all())
    add(ChecklistItem("milestones", _("At least one planned milestone"), bool(milestones), "milestones"))
    milestone_total = sum(m.amount for m in milestones)
    add(
        ChecklistItem(
            "milestone_total",
            _("Milestone amounts add up to the requested amount (%(total)s of %(requested)s)")
            % {"total": format_money(milestone_total), "requested": format_money(requested)},
            bool(milestones) and milestone_total == requested,
            "milestones",
        )
    )
    lines = list(proposal.budget_lines.all())
    add(ChecklistItem("budget", _("At least one budget line"), bool(lines), "budget"))
    budget_total = sum(line.amount for line in lines)
    add(
        ChecklistItem(
            "budget_total",
            _("Budget lines add up to the requested amount (%(total)s of %(requested)s)")
            % {"total": format_money(budget_total), "requested": format_money(requested)},
            bool(lines) and budget_total == requested,
            "budget",
        )
    )
    add(ChecklistItem("team", _("At least one team member"), proposal.team_members.exists(), "team"))

    answered = {a.question_id for a in proposal.answers.all() if a.text.strip()}
    for question in proposal.challenge.application_questions.filter(required=True).order_by(
        "sort_order", "pk"
    ):
        add(
            ChecklistItem(
                f"answer-{question.pk}",
                _("Answer: %(question)s") % {"question": question.text},
                question.pk in answered,
                f"id_answer-{question.pk}",
            )
        )

    partners = list(proposal.partners.all())
    if partners:
        waiting = [p for p in partners if p.status == ProposalPartner.Status.INVITED]
        declined = [p for p in partners if p.status == ProposalPartner.Status.DECLINED]
        add(
            ChecklistItem(
                "partners",
                _("Every partner has accepted (%(waiting)d waiting, %(declined)d declined: remove them)")
                % {"waiting": len(waiting), "declined": len(declined)},
                not waiting and not declined,
                "partners",
            )
        )
        shares = sum(p.budget_share for p in partners if p.status != ProposalPartner.Status.DECLINED)
        add(
            ChecklistItem(
                "partner_shares",
                _("Partner shares do not exceed the requested amount (%(shares)s of %(requested)s)")
                % {"shares": format_money(shares), "requested": format_money(requested)},
                shares <= requested,
                "partners",
            )
        )
    items.extend(proposal_eligibility(proposal))
    return items


def proposal_eligibility(proposal: Proposal) -> list[ChecklistItem]:
    """The challenge's eligibility rules that apply, each checked against the proposal."""
    challenge, organisation = proposal.challenge, proposal.organisation
    items = []
    if challenge.eligible_kinds:
        kinds = dict(Organisation.Kind.choices)
        items.append(
            ChecklistItem(
                "eligible_kind",
                _("The organisation's kind may apply (this challenge accepts: %(kinds)s)")
                % {"kinds": ", ".join(str(kinds.get(k, k)) for k in challenge.eligible_kinds)},
                organisation.kind in challenge.eligible_kinds,
                "eligibility",
                ChecklistItem.ELIGIBLE,
            )
        )
    if challenge.must_be_registered_in_region:
        items.append(
            ChecklistItem(
                "eligible_region",
                _("The organisation is registered in %(region)s") % {"region": challenge.region.title},
                organisation.region_id == challenge.agency.region_id,
                "eligibility",
                ChecklistItem.ELIGIBLE,
            )
        )
    if challenge.max_requested_amount:
        items.append(
            ChecklistItem(
                "eligible_amount",
                _("The requested amount is at most %(max)s")
                % {"max": format_money(challenge.max_requested_amount)},
                (proposal.requested_amount or 0) <= challenge.max_requested_amount,
                "id_requested_amount",
                ChecklistItem.ELIGIBLE,
            )
        )
    return items
