from celery import shared_task

from payments import services, webhooks
from payments.models import Disbursement, WebhookEvent


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def process_webhook_event(event_id: int) -> None:
    webhooks.webhook_process(event_id=event_id)


@shared_task
def resend_stuck_disbursements() -> None:
    """Beat: finish disbursements whose provider call was interrupted (same idempotency key)."""
    for disbursement in Disbursement.objects.filter(status=Disbursement.Status.SENDING):
        try:
            services.disbursement_resend(disbursement=disbursement)
        except Exception:  # noqa: BLE001 - one stuck payment must not block the others
            continue


@shared_task
def process_pending_webhook_events() -> None:
    """Beat: events stored while the broker was down are processed here. Idempotent."""
    pending = WebhookEvent.objects.filter(status=WebhookEvent.Status.RECEIVED).values_list("pk", flat=True)
    for event_id in pending:
        webhooks.webhook_process(event_id=event_id)
