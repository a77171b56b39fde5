"""Webhook intake: verify, store once by event id, process in a task through a handler table.

A signed body that is not an event (no ``id``, no ``type``, no ``data.object``, a JSON list) is
stored as FAILED under a digest of its body and refused; processing that keeps failing stops
after ``WEBHOOK_MAX_ATTEMPTS`` tries and leaves the event FAILED. Finance officers see both."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from payments.models import WebhookEvent

EVENT_ID_MAX_LENGTH = WebhookEvent._meta.get_field("event_id").max_length or 100
TYPE_MAX_LENGTH = WebhookEvent._meta.get_field("type").max_length or 100


def _usable_id(event: Any) -> str:
    event_id = event.get("id") if isinstance(event, dict) else None
    if isinstance(event_id, str) and event_id and len(event_id) <= EVENT_ID_MAX_LENGTH:
        return event_id
    return ""


def webhook_problem(event: Any) -> str:
    """Why a verified body is not an event we can process ("" when it is one)."""
    if not isinstance(event, dict):
        return f"not an event object but a JSON {type(event).__name__}"
    event_type, data = event.get("type"), event.get("data")
    if not _usable_id(event):
        return "no usable event id"
    if not isinstance(event_type, str) or not event_type or len(event_type) > TYPE_MAX_LENGTH:
        return "no usable event type"
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return "no data.object"
    return ""


def webhook_store(*, provider: str, event: Any) -> tuple[WebhookEvent, bool]:
    """Store the event once. Returns (event, created); a replay returns the stored one. A
    malformed event is stored FAILED (``webhook_problem`` says why), under its id or, without a
    usable one, ``malformed:<digest of the body>``, and is never processed."""
    problem = webhook_problem(event)
    if problem:
        digest = hashlib.sha256(json.dumps(event, sort_keys=True).encode()).hexdigest()[:40]
        event_id = _usable_id(event) or f"malformed:{digest}"
        event_type = event.get("type") if isinstance(event, dict) else ""
        fields = {
            "type": event_type[:TYPE_MAX_LENGTH] if isinstance(event_type, str) else "",
            "status": WebhookEvent.Status.FAILED,
            "error": problem,
            "processed_at": timezone.now(),
        }
    else:
        event_id = event["id"]
        fields = {"type": event["type"]}
    try:
        with transaction.atomic():
            stored = WebhookEvent.objects.create(provider=provider, event_id=event_id, body=event, **fields)
    except IntegrityError:
        return WebhookEvent.objects.get(provider=provider, event_id=event_id), False
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
    """Idempotent: an event already processed (or failed for good) is left alone. When its handler
    raises, the attempt is counted and the error kept, and the exception is raised again for the
    caller's retry; at ``WEBHOOK_MAX_ATTEMPTS`` attempts the event is FAILED and retried no more."""
    try:
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
    except WebhookEvent.DoesNotExist:
        raise
    except Exception as exc:
        _count_failed_attempt(event_id=event_id, error=exc)
        raise


def _count_failed_attempt(*, event_id: int, error: Exception) -> None:
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_id)
        if event.status != WebhookEvent.Status.RECEIVED:
            return
        event.attempts += 1
        event.error = f"{type(error).__name__}: {error}"[:2000]
        if event.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            event.status = WebhookEvent.Status.FAILED
            event.processed_at = timezone.now()
        event.save(update_fields=["attempts", "error", "status", "processed_at"])


def failed_webhook_events() -> QuerySet[WebhookEvent]:
    """Events refused as malformed or given up after their attempts, newest first."""
    return WebhookEvent.objects.filter(status=WebhookEvent.Status.FAILED).order_by("-received_at", "-id")
