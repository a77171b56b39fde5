"""Assigning reviewers to proposals, by hand or by suggestion (``review.matching`` ranks them),
removing an assignment with a reason, and the reviewers' conflict-of-interest declarations.
Every write is keyword-only, checks who acts, raises DomainError with a message for the user
when refused (and then changes nothing), writes an audit entry and tells the people concerned."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from core import audit, messaging
from core.actors import Person
from core.errors import DomainError, require
from core.request_context import current_ip
from core.roles import REVIEWER_GROUP, has_role
from marketplace.challenges.models import ChallengePage
from marketplace.proposals import conflicts
from marketplace.proposals.models import Proposal
from marketplace.review import matching as reviewer_matching
from marketplace.review import permissions
from marketplace.review.models import ChallengeReviewer, ConflictDeclaration, ReviewAssignment
from marketplace.review.selectors.assignments import proposal_profiles, reviewer_pool
from marketplace.review.services.common import (
    NOTE_MAX,
    OPEN_ASSIGNMENT,
    A,
    S,
    _challenge_officials,
    _in_site_language,
    _lock_proposal,
    _path,
    _site_url,
    display_name,
)

# Assignments and conflicts of interest ----------------------------------------------------------


def exclusion_reason(proposal: Proposal, reviewer: Person) -> str | None:
    """Why ``reviewer`` may never be assigned to ``proposal``, or None. A member or former
    member of the lead or of a partner organisation never reviews it (the rule every official
    and finance officer follows too: ``proposals.conflicts``); neither does someone already
    assigned, who declared a conflict on it, or who was removed from it."""
    name = display_name(reviewer)
    tie = conflicts.membership_tie(reviewer, conflicts.organisations_taking_part(proposal))
    if tie is not None:
        refusal = (
            _(
                "%(name)s was a member of %(organisation)s, which takes part in this proposal: a former "
                "member may never review it."
            )
            if tie.former
            else _(
                "%(name)s is a member of %(organisation)s, which takes part in this proposal: a member may "
                "never review it."
            )
        )
        return refusal % {"name": name, "organisation": tie.organisation.name}
    if conflicts.has_declared_conflict(reviewer, proposal):
        return _("%(name)s declared a conflict of interest on this proposal.") % {"name": name}
    existing = ReviewAssignment.objects.filter(proposal=proposal, reviewer=reviewer).first()
    if existing is not None:
        if existing.status == A.CONFLICT:
            return _("%(name)s declared a conflict of interest on this proposal.") % {"name": name}
        if existing.status == A.REMOVED:
            return _("%(name)s was removed from this proposal and cannot be assigned to it again.") % {
                "name": name
            }
        return _("%(name)s is already assigned to this proposal.") % {"name": name}
    return None


def _open_count(**filters) -> int:
    return ReviewAssignment.objects.filter(status__in=OPEN_ASSIGNMENT, **filters).count()


def _notify_assigned(challenge: ChallengePage, reviewer: Person, count: int) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        message = ngettext(
            "You are asked to review %(count)d proposal for “%(challenge)s”. Declare any conflict of "
            "interest first.",
            "You are asked to review %(count)d proposals for “%(challenge)s”. Declare any conflict of "
            "interest first.",
            count,
        ) % {"count": count, "challenge": challenge.title}
    url = _path("marketplace:workspace_reviews") + "#reviews-to-do"
    messaging.notify(
        kind=messaging.Kind.REVIEWS,
        users=[reviewer],
        message=message,
        url=url,
        email_subject=message[:120],
        email_body=f"{message}\n\n{_site_url(url)}",
    )


def _create_assignment(proposal: Proposal, reviewer: Person, by: Person) -> ReviewAssignment:
    assignment = ReviewAssignment.objects.create(proposal=proposal, reviewer=reviewer, assigned_by=by)
    audit.record_object(
        actor=by,
        action="review_assignment.created",
        obj=assignment,
        after={"proposal": proposal.pk, "reviewer": reviewer.pk, "status": assignment.status},
    )
    return assignment


def assignment_create(*, proposal: Proposal, reviewer: Person, by: Person) -> ReviewAssignment:
    """Assign a pool reviewer to a proposal in review, by hand. Refused when the reviewer is or
    was a member of an organisation behind the proposal, is already assigned, declared a
    conflict or was removed, is not in the challenge's pool, has reached the challenge's cap,
    or when the proposal already has its reviewers. The reviewer is told (and emailed)."""
    challenge = proposal.challenge
    require(permissions.can_manage_reviews(by, challenge))
    with transaction.atomic():
        locked = _lock_proposal(proposal)
        if locked.status != S.IN_REVIEW:
            raise DomainError(
                _("Reviewers are assigned to proposals in review; this one is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        # Locking the pool row serialises the load check for this reviewer on this challenge.
        in_pool = (
            ChallengeReviewer.objects.select_for_update().filter(challenge=challenge, user=reviewer).first()
        )
        name = display_name(reviewer)
        if in_pool is None:
            raise DomainError(
                _("%(name)s is not one of this challenge's reviewers: add them to the pool first.")
                % {"name": name},
                field="reviewer",
            )
        if not has_role(reviewer, REVIEWER_GROUP):
            raise DomainError(
                _("%(name)s does not have the reviewer role.") % {"name": name}, field="reviewer"
            )
        reason = exclusion_reason(locked, reviewer)
        if reason:
            raise DomainError(reason, field="reviewer")
        if _open_count(proposal=locked) >= challenge.reviewers_per_proposal:
            raise DomainError(
                ngettext(
                    "This proposal already has its %(count)d reviewer.",
                    "This proposal already has its %(count)d reviewers.",
                    challenge.reviewers_per_proposal,
                )
                % {"count": challenge.reviewers_per_proposal},
                field="reviewer",
            )
        load = _open_count(proposal__challenge=challenge, reviewer=reviewer)
        if load >= challenge.reviewer_max_load:
            raise DomainError(
                _(
                    "%(name)s already reviews %(load)d proposals of this challenge, the most allowed "
                    "(%(max)d)."
                )
                % {"name": name, "load": load, "max": challenge.reviewer_max_load},
                field="reviewer",
            )
        assignment = _create_assignment(locked, reviewer, by)
        _notify_assigned(challenge, reviewer, 1)
    return assignment


@dataclass
class BulkResult:
    created: list[ReviewAssignment] = field(default_factory=list)
    # proposal → how many reviewers it still lacks
    short: dict[Proposal, int] = field(default_factory=dict)


def assignments_create_suggested(*, challenge: ChallengePage, by: Person) -> BulkResult:
    """Give every proposal in review the challenge's number of reviewers, choosing by the
    suggestions (expertise fit, then load; see marketplace.reviewer_matching), never a
    reviewer excluded from a proposal and never above the cap. Proposals that cannot get
    enough reviewers are reported. All or nothing."""
    require(permissions.can_manage_reviews(by, challenge))
    with transaction.atomic():
        list(ChallengeReviewer.objects.select_for_update().filter(challenge=challenge))
        list(Proposal.objects.select_for_update(of=("self",)).filter(challenge=challenge, status=S.IN_REVIEW))
        pool = reviewer_pool(challenge)
        proposals = proposal_profiles(challenge)
        plan = reviewer_matching.plan_bulk(
            [row.profile for row in proposals],
            [member.profile for member in pool if member.active],
            per_proposal=challenge.reviewers_per_proposal,
            max_load=challenge.reviewer_max_load,
        )
        users = {member.user.pk: member.user for member in pool}
        by_proposal = {row.proposal.pk: row.proposal for row in proposals}
        result = BulkResult()
        per_reviewer: dict[int, int] = defaultdict(int)
        for proposal_id, reviewer_ids in plan.assignments.items():
            for reviewer_id in reviewer_ids:
                result.created.append(_create_assignment(by_proposal[proposal_id], users[reviewer_id], by))
                per_reviewer[reviewer_id] += 1
        result.short = {by_proposal[pid]: missing for pid, missing in plan.short.items()}
        audit.record_object(
            actor=by,
            action="challenge.reviewers_assigned_by_suggestion",
            obj=challenge,
            after={
                "assignments": [[a.proposal_id, a.reviewer_id] for a in result.created],
                "short": {str(p.pk): n for p, n in result.short.items()},
            },
        )
        for reviewer_id, count in per_reviewer.items():
            _notify_assigned(challenge, users[reviewer_id], count)
    return result


def assignment_remove(*, assignment: ReviewAssignment, by: Person, reason: str) -> ReviewAssignment:
    """An official ends an assignment (awaiting declaration or reviewing), with a reason that
    is kept; the reviewer no longer has access and is told."""
    proposal = assignment.proposal
    require(permissions.can_manage_reviews(by, proposal.challenge))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for removing this reviewer."), field="reason")
    if len(reason) > NOTE_MAX:
        raise DomainError(_("Keep the reason under %(max)d characters.") % {"max": NOTE_MAX}, field="reason")
    with transaction.atomic():
        locked = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status not in OPEN_ASSIGNMENT:
            raise DomainError(
                _("This assignment has already ended (%(status)s).") % {"status": locked.get_status_display()}
            )
        before = locked.status
        locked.status, locked.removed_reason = A.REMOVED, reason
        locked.save(update_fields=["status", "removed_reason"])
        audit.record_object(
            actor=by,
            action="review_assignment.removed",
            obj=locked,
            before={"status": before},
            after={"status": locked.status, "reason": reason},
        )
        messaging.notify(
            kind=messaging.Kind.REVIEWS,
            users=[locked.reviewer],
            message=_in_site_language(
                gettext_noop("You no longer review “%(title)s”: %(reason)s"),
                title=proposal.title,
                reason=reason,
            ),
            url=_path("marketplace:workspace_reviews") + "#reviews-to-do",
        )
    assignment.status, assignment.removed_reason = locked.status, locked.removed_reason
    return assignment


REVIEWABLE_STATUSES = (S.IN_REVIEW, S.SHORTLISTED)


def assignment_declare(
    *, assignment: ReviewAssignment, by: Person, has_conflict: bool, note: str = ""
) -> ReviewAssignment:
    """The assigned reviewer declares, before seeing the proposal, that they have no conflict of
    interest (the assignment becomes active: they may review) or that they have one, and why
    (the assignment ends; the officials are told so they can assign someone else). Recorded
    as a ConflictDeclaration with the time and IP address; declared once."""
    require(permissions.can_declare_conflict(by, assignment))
    note = (note or "").strip()
    if has_conflict and not note:
        raise DomainError(
            _("Explain the conflict of interest: the officials read it to assign someone else."), field="note"
        )
    if len(note) > NOTE_MAX:
        raise DomainError(
            _("Keep the explanation under %(max)d characters.") % {"max": NOTE_MAX}, field="note"
        )
    with transaction.atomic():
        locked = (
            ReviewAssignment.objects.select_for_update(of=("self",))
            .select_related("proposal__challenge__agency")
            .get(pk=assignment.pk)
        )
        if locked.status == A.ACTIVE:
            raise DomainError(_("You have already declared that you have no conflict of interest."))
        if locked.status == A.CONFLICT:
            raise DomainError(_("You have already declared a conflict of interest on this proposal."))
        if locked.status == A.REMOVED:
            raise DomainError(_("This assignment was removed; you do not review this proposal."))
        proposal = locked.proposal
        if proposal.status not in REVIEWABLE_STATUSES:
            raise DomainError(_("This proposal is no longer being reviewed."))
        before = locked.status
        ConflictDeclaration.objects.create(
            assignment=locked, has_conflict=has_conflict, note=note, ip_address=current_ip()
        )
        locked.status = A.CONFLICT if has_conflict else A.ACTIVE
        locked.save(update_fields=["status"])
        audit.record_object(
            actor=by,
            action="review_assignment.conflict_declared" if has_conflict else "review_assignment.no_conflict",
            obj=locked,
            before={"status": before},
            after={"status": locked.status, "has_conflict": has_conflict, "note": note},
        )
        if has_conflict:
            challenge = proposal.challenge
            message = _in_site_language(
                gettext_noop(
                    "%(name)s declared a conflict of interest on “%(title)s” (%(challenge)s): assign "
                    "another reviewer."
                ),
                name=display_name(by),
                title=proposal.title,
                challenge=challenge.title,
            )
            url = _path("marketplace:review_assignments", slug=challenge.slug)
            messaging.notify(
                kind=messaging.Kind.REVIEWS,
                users=_challenge_officials(challenge),
                message=message,
                url=url,
                email_subject=message[:120],
                email_body=f"{message}\n\n{_site_url(url)}",
            )
    assignment.status = locked.status
    return assignment
