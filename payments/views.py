from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import tasks
from payments.gateways import gateway_configured, get_gateway
from payments.interface import InvalidWebhook
from payments.webhooks import webhook_problem, webhook_store


@csrf_exempt
@require_POST
@transaction.non_atomic_requests
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    return _gateway_webhook(request, rail="stripe", signature=request.headers.get("Stripe-Signature", ""))


def _gateway_webhook(request: HttpRequest, *, rail: str, signature: str) -> HttpResponse:
    """Verify, store once by event id, acknowledge; a task processes it."""
    if not gateway_configured(rail):
        return HttpResponseBadRequest(f"{rail.capitalize()} is not configured")
    try:
        event = get_gateway(rail).verify_webhook(request.body, signature)
    except InvalidWebhook:
        return HttpResponseBadRequest("invalid signature")
    stored, created = webhook_store(provider=rail, event=event)
    problem = webhook_problem(event)
    if problem:
        # Signed but not an event: kept (FAILED, shown to finance officers), never processed.
        return HttpResponseBadRequest(f"malformed event: {problem}")
    if created:
        # robust: with the broker down the event is still stored and acknowledged;
        # the beat task process_pending_webhook_events picks it up later.
        transaction.on_commit(lambda: tasks.process_webhook_event.delay(stored.pk), robust=True)
    return HttpResponse(status=200)
