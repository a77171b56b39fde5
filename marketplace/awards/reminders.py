"""Reminder: a milestone due within seven days and not reported yet, to the members of the
grantee organisation. Once per milestone."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.reminders import ReminderText, remind_once
from marketplace.awards.models import Milestone
from marketplace.proposals.models import Proposal

MILESTONE_DUE_WITHIN_DAYS = 7


def remind_milestones_due(*, now: datetime.datetime | None = None) -> int:
    """Tell the grantee's members of each planned milestone of an awarded proposal due today or
    in the next seven days (the site's date). Idempotent; returns the reminders sent now."""
    today = timezone.localdate(now or timezone.now())
    milestones = (
        Milestone.objects.filter(
            status=Milestone.Status.PLANNED,
            award__proposal__status=Proposal.Status.AWARDED,
            due_date__gte=today,
            due_date__lte=today + datetime.timedelta(days=MILESTONE_DUE_WITHIN_DAYS),
        )
        .select_related("award__proposal")
        .order_by("pk")
    )
    users = get_user_model().objects
    sent = 0
    for milestone in milestones:

        def render(milestone=milestone) -> ReminderText:
            values = {
                "milestone": milestone.title,
                "title": milestone.award.proposal.title,
                "date": formats.date_format(milestone.due_date, "DATE_FORMAT"),
            }
            return ReminderText(
                message=_("Milestone “%(milestone)s” of “%(title)s” is due on %(date)s; report it when done.")
                % values,
                path=reverse("marketplace:milestone_report", kwargs={"pk": milestone.pk}),
                subject=_("Reminder: milestone “%(milestone)s” due on %(date)s") % values,
            )

        grantee = milestone.award.proposal.organisation_id
        members = users.filter(memberships__organisation_id=grantee).distinct()
        if remind_once(key=f"milestone-due:{milestone.pk}", users=members, render=render):
            sent += 1
    return sent
