"""Writes for reviews: the reviewer's drafts and submission, and an official reopening a
submitted review.

Every function is keyword-only, raises DomainError with a user-facing message (and the form
field it concerns) when refused, and then changes nothing. Each write is audited with what
it changed. The arithmetic lives in marketplace.scoring."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict, Unpack, cast

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import audit, messaging
from core.actors import Person
from core.errors import DomainError, require
from marketplace.proposals.models import Proposal
from marketplace.review import permissions, scoring
from marketplace.review.models import CriterionScore, Review, ReviewAssignment

# Reviews are written, submitted and reopened only while the proposal is in review.
REVIEWABLE_STATUSES = (Proposal.Status.IN_REVIEW,)
# Both fields declare a max_length.
COMMENT_MAX = cast(int, CriterionScore._meta.get_field("comment").max_length)
TEXT_MAX = cast(int, Review._meta.get_field("overall_comment").max_length)
REASON_MAX = 1000


@dataclass(frozen=True)
class ScoreInput:
    """What the reviewer gave for one of the challenge's criteria (``score`` None: not yet)."""

    criterion_id: int
    score: int | None = None
    comment: str = ""


def _lock_assignment(assignment: ReviewAssignment) -> ReviewAssignment:
    return (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("proposal__challenge")
        .get(pk=assignment.pk)
    )


def _must_be_in_review(proposal: Proposal) -> None:
    if proposal.status not in REVIEWABLE_STATUSES:
        raise DomainError(_("Reviews can be written only while the proposal is in review."))


def _criteria(challenge) -> dict:
    return {c.pk: c for c in challenge.criteria.order_by("sort_order", "pk")}


def _validate_input(
    *,
    challenge,
    criteria: dict,
    scores: Sequence[ScoreInput],
    recommendation: str | None,
    overall_comment: str | None,
    private_notes: str | None,
) -> None:
    """Only what is given: a score on the scale, a known criterion and recommendation, lengths."""
    for item in scores:
        if item.criterion_id not in criteria:
            raise DomainError(_("This criterion does not belong to the challenge."))
        if item.score is not None and not challenge.score_min <= item.score <= challenge.score_max:
            raise DomainError(
                _("Choose a score from %(lowest)s to %(highest)s.")
                % {"lowest": challenge.score_min, "highest": challenge.score_max},
                field=f"score_{item.criterion_id}",
            )
        if len(item.comment or "") > COMMENT_MAX:
            raise DomainError(
                _("Keep each comment under %(count)s characters.") % {"count": COMMENT_MAX},
                field=f"comment_{item.criterion_id}",
            )
    if recommendation and recommendation not in Review.Recommendation.values:
        raise DomainError(_("Choose one of the recommendations offered."), field="recommendation")
    for name, value in (("overall_comment", overall_comment), ("private_notes", private_notes)):
        if value is not None and len(value) > TEXT_MAX:
            raise DomainError(
                _("Keep this text under %(count)s characters.") % {"count": TEXT_MAX}, field=name
            )


def _state(review: Review) -> dict:
    """What the audit keeps of a review (not its texts, which stay on the review itself)."""
    return {
        "status": review.status,
        "recommendation": review.recommendation,
        "scores": {str(s.criterion_id): s.score for s in review.scores.all() if s.criterion_id},
        "weighted_total": str(review.weighted_total) if review.weighted_total is not None else None,
    }


class ReviewChanges(TypedDict, total=False):
    """What a reviewer gives with a draft or a submission: each criterion in ``scores``
    replaces that criterion's score and comment; a text left out (or None) stays as it is."""

    scores: Sequence[ScoreInput]
    recommendation: str | None
    overall_comment: str | None
    private_notes: str | None


def _write(
    *,
    assignment: ReviewAssignment,
    by: Person,
    scores: Sequence[ScoreInput] = (),
    recommendation: str | None = None,
    overall_comment: str | None = None,
    private_notes: str | None = None,
) -> tuple[Review, dict, dict]:
    """Inside the caller's transaction: lock, check, and store what is given. Returns the
    review, the challenge's criteria by id, and the review's audit state before the write."""
    require(permissions.can_score(by, assignment))
    locked = _lock_assignment(assignment)
    require(permissions.can_score(by, locked))
    _must_be_in_review(locked.proposal)
    challenge = locked.proposal.challenge
    criteria = _criteria(challenge)
    _validate_input(
        challenge=challenge,
        criteria=criteria,
        scores=scores,
        recommendation=recommendation,
        overall_comment=overall_comment,
        private_notes=private_notes,
    )
    review = Review.objects.select_for_update().filter(assignment=locked).first()
    if review is None:
        review = Review.objects.create(assignment=locked)
    review.assignment = locked  # with the challenge just read, for the caller
    if review.status == Review.Status.SUBMITTED:
        raise DomainError(
            _("This review was submitted and can no longer be changed; an official may reopen it.")
        )
    before = _state(review)
    fields = []
    for name, value in (
        ("recommendation", recommendation),
        ("overall_comment", overall_comment),
        ("private_notes", private_notes),
    ):
        if value is not None:
            setattr(review, name, value.strip())
            fields.append(name)
    review.save(update_fields=[*fields, "updated_at"])
    # Criteria removed from the challenge take their draft scores with them; the others get
    # the challenge's current name and weight (copied, so a later edit cannot change a score).
    review.scores.filter(criterion__isnull=True).delete()
    stored = {s.criterion_id: s for s in review.scores.all()}
    for criterion in criteria.values():
        row = stored.get(criterion.pk)
        if row and (row.criterion_name, row.weight) != (criterion.name, criterion.weight):
            row.criterion_name, row.weight = criterion.name, criterion.weight
            row.save(update_fields=["criterion_name", "weight"])
    for item in scores:
        criterion = criteria[item.criterion_id]
        CriterionScore.objects.update_or_create(
            review=review,
            criterion=criterion,
            defaults={
                "criterion_name": criterion.name,
                "weight": criterion.weight,
                "score": item.score,
                "comment": (item.comment or "").strip(),
            },
        )
    return review, criteria, before


def review_save_draft(
    *, assignment: ReviewAssignment, by: Person, **changes: Unpack[ReviewChanges]
) -> Review:
    """Save whatever is given as the reviewer's draft; ``None`` leaves a text as it is, and
    each criterion in ``scores`` replaces that criterion's score and comment. Validates only
    what is given. Creates the review on the first save. Refused unless ``by`` is the
    reviewer of this active assignment, the proposal is in review and the review is not
    submitted."""
    with transaction.atomic():
        review, _criteria_by_id, before = _write(assignment=assignment, by=by, **changes)
        audit.record_object(
            actor=by, action="review.draft_saved", obj=review, before=before, after=_state(review)
        )
    return review


def review_submit(*, assignment: ReviewAssignment, by: Person, **changes: Unpack[ReviewChanges]) -> Review:
    """Store what is given (as ``review_save_draft``), then submit: every criterion of the
    challenge needs a score and the review a recommendation. Computes the weighted total
    (0–100, marketplace.scoring.weighted_total) and makes the review read-only. Refused as a
    whole when anything is missing; nothing is stored then."""
    with transaction.atomic():
        review, criteria, before = _write(assignment=assignment, by=by, **changes)
        challenge = review.assignment.proposal.challenge
        rows = {s.criterion_id: s for s in review.scores.all()}
        for criterion in criteria.values():
            row = rows.get(criterion.pk)
            if row is None or row.score is None:
                raise DomainError(
                    _("Give a score for “%(criterion)s” before submitting.") % {"criterion": criterion.name},
                    field=f"score_{criterion.pk}",
                )
            # A draft score from before the challenge's scale was changed.
            if not challenge.score_min <= row.score <= challenge.score_max:
                raise DomainError(
                    _("Choose a score from %(lowest)s to %(highest)s.")
                    % {"lowest": challenge.score_min, "highest": challenge.score_max},
                    field=f"score_{criterion.pk}",
                )
        if not review.recommendation:
            raise DomainError(_("Choose a recommendation before submitting."), field="recommendation")
        review.weighted_total = scoring.weighted_total(
            [(rows[pk].weight, cast(int, rows[pk].score)) for pk in criteria],  # each checked above
            score_min=challenge.score_min,
            score_max=challenge.score_max,
        )
        review.status = Review.Status.SUBMITTED
        review.submitted_at = timezone.now()
        review.save(update_fields=["status", "weighted_total", "submitted_at", "updated_at"])
        audit.record_object(
            actor=by, action="review.submitted", obj=review, before=before, after=_state(review)
        )
    return review


def review_reopen(*, review: Review, by: Person, reason: str) -> Review:
    """An official of the challenge's agency sends a submitted review back to its reviewer as
    a draft, with the reason (audited; the reviewer is notified). The review's total stops
    counting until it is submitted again. Refused without a reason, for a review that is not
    submitted, or once the proposal has left review."""
    review = Review.objects.select_related("assignment__proposal__challenge__agency").get(pk=review.pk)
    require(permissions.can_reopen_review(by, review.assignment))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the review is reopened: the reviewer will read it."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(
            _("Keep the reason under %(count)s characters.") % {"count": REASON_MAX}, field="reason"
        )
    with transaction.atomic():
        assignment = _lock_assignment(review.assignment)
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.status != Review.Status.SUBMITTED:
            raise DomainError(_("Only a submitted review can be reopened."))
        if assignment.status != ReviewAssignment.Status.ACTIVE:
            raise DomainError(_("This review assignment has ended."))
        _must_be_in_review(assignment.proposal)
        assert locked.submitted_at is not None  # a submitted review has its time
        before = {**_state(locked), "submitted_at": locked.submitted_at.isoformat()}
        locked.status = Review.Status.DRAFT
        locked.weighted_total = None
        locked.submitted_at = None
        locked.reopened_at = timezone.now()
        locked.reopened_by = by
        locked.save(
            update_fields=[
                "status",
                "weighted_total",
                "submitted_at",
                "reopened_at",
                "reopened_by",
                "updated_at",
            ]
        )
        audit.record_object(
            actor=by,
            action="review.reopened",
            obj=locked,
            before=before,
            after={**_state(locked), "reason": reason},
        )
        # Notifications are stored in the site's language, whatever the official's page language.
        with translation.override(settings.LANGUAGE_CODE):
            message = _("Your review of “%(title)s” was reopened: %(reason)s") % {
                "title": assignment.proposal.title,
                "reason": reason,
            }
            subject = _("Your review was reopened")
        messaging.notify(
            kind=messaging.Kind.REVIEWS,
            users=[assignment.reviewer],
            message=message,
            url=reverse("marketplace:review_edit", kwargs={"pk": assignment.pk}),
            email_subject=subject,
        )
    return locked
