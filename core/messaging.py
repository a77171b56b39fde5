"""One fan-out for telling people things: an in-app notification always, an email after commit
when asked and the recipient's preference for that kind allows it. Services call ``notify``;
they never send mail themselves."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from core.actors import Person
from core.models import Notification, NotificationPreference

Delivery = NotificationPreference.Delivery
EmailState = Notification.EmailState
Kind = Notification.Kind

_STATE_FOR_DELIVERY: dict[str, str] = {
    Delivery.INSTANT: EmailState.SENT,
    Delivery.DIGEST: EmailState.DIGEST,
    Delivery.OFF: EmailState.OFF,
}


def deliveries(*, user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each user's chosen delivery for ``kind``; a user without a choice gets instant."""
    ids = list(user_ids)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", "delivery")
    )
    return {pk: chosen.get(pk, Delivery.INSTANT) for pk in ids}


def notify(
    *,
    users: Iterable[Person | None],
    kind: str,
    message: str,
    url: str = "",
    email_subject: str = "",
    email_body: str = "",
) -> list[Notification]:
    """Record a notification of ``kind`` (a ``Notification.Kind``) for each user. When
    ``email_subject`` is given the message is also worth an email, sent as each recipient
    chose for the kind: now (after commit), in the next daily digest, or not at all. The
    in-app notification is kept whatever they chose. Safe inside a transaction: emails leave
    only after commit."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    recipients = list({u.pk: u for u in users if u is not None}.values())
    chosen = deliveries(user_ids=[u.pk for u in recipients], kind=kind) if email_subject else {}
    rows = [
        Notification(
            user=u,
            kind=kind,
            message=message[:300],
            url=url,
            email_state=_STATE_FOR_DELIVERY[chosen[u.pk]] if email_subject and u.email else EmailState.NONE,
        )
        for u in recipients
    ]
    Notification.objects.bulk_create(rows)
    addresses = [row.user.email for row in rows if row.email_state == EmailState.SENT]
    if addresses:
        send_email_later(to=addresses, subject=email_subject, body=email_body or message)
    return rows


def send_email_later(*, to: list[str], subject: str, body: str) -> None:
    """Queue an email after commit (to anyone, e.g. an invitee without an account yet)."""
    from core import tasks

    # robust: a broker outage must not undo or break what the user just did.
    transaction.on_commit(lambda: tasks.send_email.delay(to=to, subject=subject, body=body), robust=True)
