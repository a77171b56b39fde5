"""Celery tasks of payments: thin, safe to run twice, retried with backoff."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from payments import disbursement_sending, receipts, refunds, webhooks
from payments.gateways import stripe_configured
from payments.interface import GatewayUnavailable
from payments.models import Disbursement, WebhookEvent

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def process_webhook_event(event_id: int) -> None:
    webhooks.webhook_process(event_id=event_id)


@shared_task(
    autoretry_for=(GatewayUnavailable,),
    retry_backoff=2,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
)
def send_disbursement(disbursement_id: int) -> None:
    """Send a released disbursement (or finish one left sending) through its rail. Queued on
    commit by the release and the retry; a timeout or a 5xx from the provider is retried with
    backoff under the same idempotency key; running it twice, or at once, pays once. When the
    retries run out, ``resend_stuck_disbursements`` takes over."""
    disbursement_sending.disbursement_send(disbursement_id=disbursement_id)


@shared_task
def resend_stuck_disbursements(older_than_seconds: int = 120) -> None:
    """Beat: queue the sending of disbursements released while the broker was down, and of
    those whose provider call was interrupted (same idempotency key)."""
    stuck = disbursement_sending.disbursements_to_send(
        older_than=datetime.timedelta(seconds=older_than_seconds)
    )
    for disbursement_id in stuck:
        try:
            send_disbursement.delay(disbursement_id)
        except Exception:  # noqa: BLE001 - in eager mode a payment still failing must not block the others
            logger.warning("Disbursement %s could not be sent yet", disbursement_id, exc_info=True)


@shared_task
def confirm_sent_disbursements(older_than_seconds: int = 300) -> None:
    """Beat: Stripe disbursements sent but not confirmed (their webhook lost) are looked up at
    Stripe and settled (paid, or failed when the transfer was reversed)."""
    if not stripe_configured():
        return
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    waiting = Disbursement.objects.filter(
        status=Disbursement.Status.SENT, rail="stripe", gateway_calls__created_at__lte=cutoff
    ).distinct()
    for disbursement in waiting:
        try:
            disbursement_sending.disbursement_check_at_gateway(disbursement=disbursement)
        except Exception:  # noqa: BLE001 - one unanswered look-up must not block the others
            logger.warning("Disbursement %s could not be checked at Stripe", disbursement.pk, exc_info=True)


@shared_task
def process_pending_webhook_events() -> None:
    """Beat: events stored while the broker was down are processed here. Idempotent."""
    pending = WebhookEvent.objects.filter(status=WebhookEvent.Status.RECEIVED).values_list("pk", flat=True)
    for event_id in pending:
        try:
            webhooks.webhook_process(event_id=event_id)
        except Exception:  # noqa: BLE001 - left RECEIVED, tried again by the next sweep
            logger.warning("Webhook event %s could not be processed yet", event_id, exc_info=True)


@shared_task
def resend_pending_refunds() -> int:
    """Beat: ``refund_resend_pending``. Idempotent (each refund keeps its key)."""
    return refunds.refund_resend_pending()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_contribution_email(*, contribution_id: int, refund_id: int | None = None) -> int:
    """The receipt after a contribution counts, or the notice of a refund (``receipts``)."""
    return receipts.send_receipt(contribution_id=contribution_id, refund_id=refund_id)
