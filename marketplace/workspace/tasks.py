"""Reminder tasks: thin, safe to run twice (each reminder's unique key decides, core/reminders.py)."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from marketplace.awards.reminders import remind_milestones_due
from marketplace.finance.reminders import remind_pledges_unpaid
from marketplace.proposals.reminders import remind_drafts_closing
from marketplace.review.reminders import remind_reviews_due


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def send_reminders() -> dict[str, int]:
    """Daily (beat: ``send-reminders``), before the digest: every reminder due and not sent."""
    return {
        "drafts_closing": remind_drafts_closing(),
        "reviews_due": remind_reviews_due(),
        "milestones_due": remind_milestones_due(),
        "pledges_unpaid": remind_pledges_unpaid(),
    }
