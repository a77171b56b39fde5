"""One fan-out for telling people things: an in-app notification always, an email after commit
when asked. Services call ``notify``; they never send mail themselves."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from core.actors import Person
from core.models import Notification


def notify(
    *,
    users: Iterable[Person | None],
    message: str,
    url: str = "",
    email_subject: str = "",
    email_body: str = "",
) -> None:
    """Record a notification for each user; queue an email to those with an address when
    ``email_subject`` is given. Safe inside a transaction: emails leave only after commit."""
    recipients = [u for u in users if u is not None]
    Notification.objects.bulk_create(Notification(user=u, message=message[:300], url=url) for u in recipients)
    if email_subject:
        addresses = [u.email for u in recipients if u.email]
        if addresses:
            send_email_later(to=addresses, subject=email_subject, body=email_body or message)


def send_email_later(*, to: list[str], subject: str, body: str) -> None:
    """Queue an email after commit (to anyone, e.g. an invitee without an account yet)."""
    from core import tasks

    # robust: a broker outage must not undo or break what the user just did.
    transaction.on_commit(lambda: tasks.send_email.delay(to=to, subject=subject, body=body), robust=True)
