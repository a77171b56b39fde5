"""Webhook intake: verify, store once by event id, process in a task through a handler table."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from payments.models import WebhookEvent


def webhook_store(*, provider: str, event: dict) -> tuple[WebhookEvent, bool]:
    """Store the event once. Returns (event, created); a replay returns the stored one."""
    try:
        with transaction.atomic():
            stored = WebhookEvent.objects.create(
                provider=provider, event_id=event["id"], type=event.get("type", ""), body=event
            )
    except IntegrityError:
        return WebhookEvent.objects.get(provider=provider, event_id=event["id"]), False
    return stored, True


# event type -> handler(event). Each area registers its own with ``@handles(...)`` (the modules
# are imported by PaymentsConfig.ready: money out in payments.disbursements); an event type
# nobody handles is stored and ignored.
HANDLERS: dict[str, Callable[[WebhookEvent], None]] = {}


def handles(*event_types: str):
    def register(handler: Callable[[WebhookEvent], None]):
        for event_type in event_types:
            HANDLERS[event_type] = handler
        return handler

    return register


def webhook_process(*, event_id: int) -> None:
    """Idempotent: an event already processed is left alone."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_id)
        if event.status != WebhookEvent.Status.RECEIVED:
            return
        handler = HANDLERS.get(event.type)
        if handler is None:
            event.status = WebhookEvent.Status.IGNORED
        else:
            handler(event)
            event.status = WebhookEvent.Status.PROCESSED
        event.processed_at = timezone.now()
        event.save(update_fields=["status", "processed_at"])
