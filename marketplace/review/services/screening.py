"""Eligibility screening: a checklist derived from the challenge's rules, pre-filled by the
automatic checks, plus the official's own judgement; passing sends the proposal to review,
rejecting tells the applicant why. Status changes go through ``proposals.workflows``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import audit, messaging
from core.actors import Person
from core.errors import DomainError, require
from marketplace.proposals import workflows
from marketplace.proposals.checklist import ChecklistItem, proposal_checklist
from marketplace.proposals.models import Proposal, ProposalPartner
from marketplace.review import permissions
from marketplace.review.models import ScreeningCheck
from marketplace.review.services.common import (
    NOTE_MAX,
    REASON_MAX,
    S,
    _consortium_members,
    _in_site_language,
    _lock_proposal,
    _path,
    _site_url,
)

# Screening ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemDecision:
    """An official's answer to one checklist item: met (True), not met (False) or not checked
    yet (None), with a note (needed when it differs from the automatic check)."""

    passed: bool | None
    note: str = ""


def screening_automatic_items(proposal: Proposal) -> list[dict]:
    """The checklist derived from the challenge's eligibility rules, each item with the result
    of its automatic check (None: an official has to judge it), labelled in the active
    language. Reuses the applicant's submission checklist where it already checks the rule."""
    challenge = proposal.challenge
    checklist = {item.key: item for item in proposal_checklist(proposal)}
    items: list[dict] = []

    def add(key: str, label: str, automatic: bool | None) -> None:
        items.append({"key": key, "label": str(label), "automatic": automatic})

    for key in ("eligible_kind", "eligible_region"):
        if key in checklist:
            add(key, checklist[key].label, checklist[key].done)
    partners = list(proposal.partners.all())
    taking_part = [p for p in partners if p.status != ProposalPartner.Status.DECLINED]
    if not challenge.consortium_allowed:
        add(
            "consortium",
            _("Applies as one organisation (this challenge does not accept consortia)"),
            not taking_part,
        )
    elif taking_part:
        add("consortium", _("A consortium may apply to this challenge"), True)
    if "eligible_amount" in checklist:
        add("eligible_amount", checklist["eligible_amount"].label, checklist["eligible_amount"].done)
    if partners:
        accepted = sum(1 for p in partners if p.status == ProposalPartner.Status.ACCEPTED)
        add(
            "partners",
            _("Every consortium partner has accepted (%(accepted)d of %(total)d)")
            % {"accepted": accepted, "total": len(partners)},
            accepted == len(partners),
        )
    for key, item in checklist.items():
        if key.startswith("answer-") and item.kind == ChecklistItem.COMPLETE:
            add(key, item.label, item.done)
    add("in_scope", _("The proposal addresses the problem this challenge describes"), None)
    return items


def screening_items(proposal: Proposal, check: ScreeningCheck | None = None) -> list[dict]:
    """The checklist to show: fresh automatic results in the active language, with what the
    official stored (met or not, note) or else the automatic result pre-filled."""
    stored = {item["key"]: item for item in (check.items if check else [])}
    items = []
    for item in screening_automatic_items(proposal):
        saved = stored.get(item["key"])
        passed = saved["passed"] if saved else item["automatic"]
        items.append({**item, "passed": passed, "note": saved.get("note", "") if saved else ""})
    return items


def _screening_check_for_update(proposal: Proposal, by: Person) -> tuple[Proposal, ScreeningCheck]:
    """Lock the proposal, start screening if it is only submitted, and return its open check."""
    locked = _lock_proposal(proposal)
    if locked.status == S.SUBMITTED:
        workflows.proposal_perform(proposal=locked, name="screen", by=by)
        messaging.notify(
            kind=messaging.Kind.PROPOSALS,
            users=_consortium_members(locked),
            message=_in_site_language(
                gettext_noop("The agency is screening your proposal “%(title)s”."), title=locked.title
            ),
            url=_path("marketplace:proposal_detail", pk=locked.pk),
        )
    if locked.status != S.SCREENING:
        raise DomainError(
            _("This proposal is not waiting for screening (its status is “%(status)s”).")
            % {"status": locked.get_status_display()}
        )
    check, _created = ScreeningCheck.objects.select_for_update().get_or_create(proposal=locked)
    if check.outcome != ScreeningCheck.Outcome.PENDING:
        raise DomainError(_("The screening of this proposal has already been decided."))
    return locked, check


def _apply_decisions(
    proposal: Proposal, check: ScreeningCheck, decisions: Mapping[str, ItemDecision]
) -> list[dict]:
    """The items to store: automatic results labelled in the site's language, each with the
    official's decision (or what was stored, or the automatic pre-fill). An override of an
    automatic result needs a note."""
    with translation.override(settings.LANGUAGE_CODE):
        fresh = screening_automatic_items(proposal)
    stored = {item["key"]: item for item in check.items}
    items = []
    for item in fresh:
        key, decision, saved = item["key"], decisions.get(item["key"]), stored.get(item["key"])
        if decision is not None:
            passed, note = decision.passed, (decision.note or "").strip()
        elif saved is not None:
            passed, note = saved["passed"], saved.get("note", "")
        else:
            passed, note = item["automatic"], ""
        if len(note) > NOTE_MAX:
            raise DomainError(
                _("Keep each note under %(max)d characters.") % {"max": NOTE_MAX}, field=f"item-{key}-note"
            )
        if item["automatic"] is not None and passed is not None and passed != item["automatic"] and not note:
            raise DomainError(
                _("Explain in a note why you do not follow the automatic check for “%(item)s”.")
                % {"item": _labels_now(proposal)[key]},
                field=f"item-{key}-note",
            )
        items.append({**item, "passed": passed, "note": note})
    return items


def _labels_now(proposal: Proposal) -> dict[str, str]:
    """The items' labels in the active language (for messages)."""
    return {item["key"]: item["label"] for item in screening_automatic_items(proposal)}


def screening_start(*, proposal: Proposal, by: Person) -> ScreeningCheck:
    """An official of the owning agency starts screening a submitted proposal: it moves to
    "screening" and gets its checklist, pre-filled by the automatic checks. Idempotent while
    the screening is open."""
    require(permissions.can_screen_proposal(by, proposal))
    with transaction.atomic():
        locked, check = _screening_check_for_update(proposal, by)
        if not check.items:
            check.items = _apply_decisions(locked, check, {})
            check.save(update_fields=["items", "updated_at"])
            audit.record_object(
                actor=by, action="screening.started", obj=locked, after={"items": check.items}
            )
    proposal.status = locked.status
    return check


def screening_save(
    *, proposal: Proposal, by: Person, decisions: Mapping[str, ItemDecision] | None = None
) -> ScreeningCheck:
    """Store the official's confirmations and overrides (starting the screening if needed)."""
    require(permissions.can_screen_proposal(by, proposal))
    with transaction.atomic():
        locked, check = _screening_check_for_update(proposal, by)
        before = check.items
        check.items = _apply_decisions(locked, check, decisions or {})
        check.save(update_fields=["items", "updated_at"])
        audit.record_object(
            actor=by,
            action="screening.saved",
            obj=locked,
            before={"items": before},
            after={"items": check.items},
        )
    proposal.status = locked.status
    return check


def screening_pass(
    *, proposal: Proposal, by: Person, decisions: Mapping[str, ItemDecision] | None = None
) -> ScreeningCheck:
    """The proposal is eligible: every item must be met (as checked, or as overridden with a
    note). It moves on to review and the applicants are told. Refused otherwise; nothing
    changes then, not even the decisions given."""
    require(permissions.can_screen_proposal(by, proposal))
    with transaction.atomic():
        locked, check = _screening_check_for_update(proposal, by)
        items = _apply_decisions(locked, check, decisions or {})
        unmet = [item["key"] for item in items if item["passed"] is not True]
        if unmet:
            raise DomainError(
                _(
                    "Every item must be met to pass the screening. Not met or not checked yet: "
                    "%(items)s. Override an item with a note, or reject the proposal with a reason."
                )
                % {"items": "; ".join(_labels_now(locked)[key] for key in unmet)}
            )
        check.items = items
        check.outcome = ScreeningCheck.Outcome.PASSED
        check.reason = ""
        check.decided_by, check.decided_at = by, timezone.now()
        check.save()
        workflows.proposal_perform(proposal=locked, name="review", by=by)
        audit.record_object(
            actor=by,
            action="screening.passed",
            obj=locked,
            before={"outcome": ScreeningCheck.Outcome.PENDING},
            after={"outcome": check.outcome, "items": items},
        )
        message = _in_site_language(
            gettext_noop("Your proposal “%(title)s” has passed screening and is being reviewed."),
            title=locked.title,
        )
        messaging.notify(
            kind=messaging.Kind.PROPOSALS,
            users=_consortium_members(locked),
            message=message,
            url=_path("marketplace:proposal_detail", pk=locked.pk),
        )
    proposal.status = locked.status
    return check


def screening_reject(
    *, proposal: Proposal, by: Person, reason: str, decisions: Mapping[str, ItemDecision] | None = None
) -> ScreeningCheck:
    """The proposal is not eligible. The reason is required: the applicants read it on their
    proposal page and in the notification (and email) they get."""
    require(permissions.can_screen_proposal(by, proposal))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason: the applicant will read it."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(
            _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX}, field="reason"
        )
    with transaction.atomic():
        locked, check = _screening_check_for_update(proposal, by)
        check.items = _apply_decisions(locked, check, decisions or {})
        check.outcome = ScreeningCheck.Outcome.FAILED
        check.reason = reason
        check.decided_by, check.decided_at = by, timezone.now()
        check.save()
        workflows.proposal_perform(proposal=locked, name="reject", by=by, note=reason)
        audit.record_object(
            actor=by,
            action="screening.failed",
            obj=locked,
            before={"outcome": ScreeningCheck.Outcome.PENDING},
            after={"outcome": check.outcome, "reason": reason, "items": check.items},
        )
        message = _in_site_language(
            gettext_noop("Your proposal “%(title)s” did not pass the eligibility screening: %(reason)s"),
            title=locked.title,
            reason=reason,
        )
        messaging.notify(
            kind=messaging.Kind.PROPOSALS,
            users=_consortium_members(locked),
            message=message,
            url=_path("marketplace:proposal_detail", pk=locked.pk),
            email_subject=message[:120],
            email_body=f"{message}\n\n{_site_url(_path('marketplace:proposal_detail', pk=locked.pk))}",
        )
    proposal.status = locked.status
    return check
