"""The Stripe client, pointed at ``STRIPE_API_BASE`` when set (the emulator in tests)."""

from __future__ import annotations

import stripe
from django.conf import settings

# No answer, too many requests, Stripe's own 5xx, or the same key still in flight: the outcome is
# unknown, so the caller repeats the call later with the same idempotency key.
UNAVAILABLE = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError, stripe.IdempotencyError)


def client() -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE
    http_client = stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS)
    if base:
        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            max_network_retries=2,
            http_client=http_client,
            base_addresses={"api": base, "connect": base, "files": base},
        )
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=2, http_client=http_client)
