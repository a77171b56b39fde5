from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import tasks
from payments.gateways import stripe_configured
from payments.webhooks import webhook_store


@csrf_exempt
@require_POST
@transaction.non_atomic_requests
def stripe_webhook(request):
    if not stripe_configured():
        return HttpResponseBadRequest("Stripe is not configured")
    from payments.gateways.stripe.gateway import InvalidWebhook, verify_webhook

    try:
        event = verify_webhook(request.body, request.headers.get("Stripe-Signature", ""))
    except InvalidWebhook:
        return HttpResponseBadRequest("invalid signature")
    stored, created = webhook_store(provider="stripe", event=event)
    if created:
        # robust: with the broker down the event is still stored and acknowledged;
        # the beat task process_pending_webhook_events picks it up later.
        transaction.on_commit(lambda: tasks.process_webhook_event.delay(stored.pk), robust=True)
    return HttpResponse(status=200)
