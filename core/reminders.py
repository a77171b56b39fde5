"""Reminders sent once: each has a key naming what it is about (``draft-closing:<proposal
pk>``), stored in a unique ``Reminder`` row in the same transaction as the notifications, so a
task run twice, retried or run on two workers at once reminds nobody twice.

Each recipient gets the text in their own language; the email follows their preference for
the "reminders" kind (core/notifications.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import translation

from core import messaging
from core.actors import Person
from core.models import Notification, Reminder
from core.notifications import absolute_url, language_of


@dataclass(frozen=True)
class ReminderText:
    message: str  # the in-app line (and the email's first line)
    path: str  # where it leads, in the language it was rendered in
    subject: str


def remind_once(*, key: str, users: Iterable[Person | None], render: Callable[[], ReminderText]) -> bool:
    """Send the reminder ``key`` to ``users`` unless it has been sent; ``render`` is called
    once per recipient inside ``translation.override`` of their language. Returns whether it
    was sent now. Inactive users are skipped."""
    recipients = [u for u in users if u is not None and u.is_active]
    with transaction.atomic():
        _reminder, created = Reminder.objects.get_or_create(key=key)
        if not created:
            return False
        for user in recipients:
            with translation.override(language_of(user)):
                text = render()
                messaging.notify(
                    users=[user],
                    kind=Notification.Kind.REMINDERS,
                    message=text.message,
                    url=text.path,
                    email_subject=text.subject,
                    email_body=f"{text.message}\n\n{absolute_url(text.path)}",
                )
    return True
