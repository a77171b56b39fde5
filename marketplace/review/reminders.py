"""Reminder: a review still to be submitted when the challenge's review period ends within three
days (``review_ends_on``, the only due date reviews have). Once per assignment."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.reminders import ReminderText, remind_once
from marketplace.review.models import Review, ReviewAssignment

REVIEW_DUE_WITHIN_DAYS = 3


def remind_reviews_due(*, now: datetime.datetime | None = None) -> int:
    """Tell each reviewer with an open assignment (declared or still to declare, review not
    submitted) whose challenge's review ends today or in the next three days. A challenge
    without a review end date sends no reminder. Idempotent; returns the reminders sent now."""
    today = timezone.localdate(now or timezone.now())
    assignments = (
        ReviewAssignment.objects.filter(
            status__in=[ReviewAssignment.Status.AWAITING_DECLARATION, ReviewAssignment.Status.ACTIVE],
            proposal__challenge__review_ends_on__gte=today,
            proposal__challenge__review_ends_on__lte=today + datetime.timedelta(days=REVIEW_DUE_WITHIN_DAYS),
        )
        .filter(Q(review__isnull=True) | ~Q(review__status=Review.Status.SUBMITTED))
        .select_related("reviewer__profile", "proposal__challenge")
        .order_by("pk")
    )
    sent = 0
    for assignment in assignments:

        def render(assignment=assignment) -> ReminderText:
            challenge = assignment.proposal.challenge
            values = {
                "challenge": challenge.display_title,
                "date": formats.date_format(challenge.review_ends_on, "DATE_FORMAT"),
            }
            return ReminderText(
                message=_("Your review for “%(challenge)s” is due by %(date)s.") % values,
                path=reverse("marketplace:review_edit", kwargs={"pk": assignment.pk}),
                subject=_("Reminder: review due by %(date)s") % values,
            )

        if remind_once(key=f"review-due:{assignment.pk}", users=[assignment.reviewer], render=render):
            sent += 1
    return sent
