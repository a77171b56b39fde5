"""Reminder: a draft proposal whose challenge closes within three days (once per proposal)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.reminders import ReminderText, remind_once
from marketplace.proposals.models import Proposal
from marketplace.proposals.services.common import _deadline_text, _members

DRAFT_CLOSING_WITHIN = datetime.timedelta(days=3)


def remind_drafts_closing(*, now: datetime.datetime | None = None) -> int:
    """Tell the members of the lead organisation of each draft whose challenge closes in the
    next three days (and has not closed). Idempotent; returns the reminders sent now."""
    now = now or timezone.now()
    drafts = (
        Proposal.objects.filter(
            status=Proposal.Status.DRAFT,
            challenge__closes_at__gt=now,
            challenge__closes_at__lte=now + DRAFT_CLOSING_WITHIN,
        )
        .select_related("challenge__agency__region")
        .order_by("pk")
    )
    sent = 0
    for proposal in drafts:

        def render(proposal=proposal) -> ReminderText:
            values = {
                "title": proposal.title,
                "challenge": proposal.challenge.display_title,
                "deadline": _deadline_text(proposal.challenge),
            }
            return ReminderText(
                message=_(
                    "Your draft “%(title)s” is not submitted yet; “%(challenge)s” closes on %(deadline)s."
                )
                % values,
                path=reverse("marketplace:proposal_detail", kwargs={"pk": proposal.pk}),
                subject=_("Reminder: submit “%(title)s” before %(deadline)s") % values,
            )

        if remind_once(
            key=f"draft-closing:{proposal.pk}",
            users=_members(proposal.organisation_id).distinct(),
            render=render,
        ):
            sent += 1
    return sent
