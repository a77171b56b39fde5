from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_email(*, to: list[str], subject: str, body: str) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)


@shared_task
def snapshot_chain_heads() -> list[str]:
    """Daily: publish the heads of the audit and ledger chains (core/chains.py). Safe to run twice."""
    from core import chains

    return [f"{snapshot.chain}:{snapshot.head_hash}" for snapshot in chains.snapshot_heads()]


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def send_notification_digests() -> int:
    """Daily, in the morning (beat: ``send-notification-digests``): each user's digest email,
    once per day. Safe to run twice."""
    from core import notifications

    return notifications.send_daily_digests()
