"""Reminder: a bank-transfer pledge not received 14 days after it was made, to the sponsor.
Once per contribution."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import format_money
from core.reminders import ReminderText, remind_once
from payments import api as payments

PLEDGE_UNPAID_AFTER = datetime.timedelta(days=14)


def remind_pledges_unpaid(*, now: datetime.datetime | None = None) -> int:
    """Tell each sponsor whose pledge is still waiting for payment 14 days on (the transfer
    may not have been made, or not matched yet). Pledges made without an account are left to
    the finance officers. Idempotent; returns the reminders sent now."""
    now = now or timezone.now()
    pledges = payments.pledges_awaiting_confirmation().filter(
        created_at__lte=now - PLEDGE_UNPAID_AFTER, sponsor__isnull=False
    )
    sent = 0
    for contribution in pledges:

        def render(contribution=contribution) -> ReminderText:
            values = {
                "amount": format_money(contribution.amount, contribution.currency),
                "fund": contribution.fund.name or contribution.fund.reference,
            }
            return ReminderText(
                message=_(
                    "We have not received your pledge of %(amount)s to “%(fund)s” yet. Please make the "
                    "transfer, or tell us if you already have."
                )
                % values,
                path=reverse("marketplace:contribution_detail", kwargs={"pk": contribution.pk}),
                subject=_("Reminder: your pledge of %(amount)s is not received yet") % values,
            )

        if remind_once(key=f"pledge-unpaid:{contribution.pk}", users=[contribution.sponsor], render=render):
            sent += 1
    return sent
