"""Stripe for money in: PaymentIntents for sponsor contributions and their refunds.

Every call that creates something carries an idempotency key chosen by the caller, so a retry
after a lost answer returns what the first call made instead of charging or refunding twice."""

from __future__ import annotations

from dataclasses import dataclass, field

import stripe

from payments.gateways.stripe.gateway import client
from payments.interface import GatewayUnavailable


class GatewayRefused(Exception):
    """Stripe answered and said no; ``message`` is the provider's reason, for the record."""

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class PaymentIntentInfo:
    id: str
    status: str
    client_secret: str
    amount: int
    currency: str
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RefundInfo:
    id: str
    # Stripe's refund status: pending, requires_action, succeeded, failed or canceled.
    status: str
    amount: int
    raw: dict = field(default_factory=dict)


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as exc:
        # No answer, too many requests, or Stripe's own 5xx: the outcome is unknown, so the
        # caller keeps its record and repeats the call later with the same idempotency key.
        raise GatewayUnavailable(str(exc)) from exc
    except stripe.StripeError as exc:
        raise GatewayRefused(exc.user_message or str(exc), code=exc.code or "") from exc


def _intent(obj) -> PaymentIntentInfo:
    data = obj.to_dict()
    return PaymentIntentInfo(
        id=data["id"],
        status=data.get("status") or "",
        client_secret=data.get("client_secret") or "",
        amount=int(data.get("amount") or 0),
        currency=(data.get("currency") or "").upper(),
        raw=data,
    )


def _refund(obj) -> RefundInfo:
    data = obj.to_dict()
    return RefundInfo(
        id=data["id"], status=data.get("status") or "", amount=int(data.get("amount") or 0), raw=data
    )


def create_payment_intent(
    *,
    amount: int,
    currency: str,
    transfer_group: str,
    description: str,
    metadata: dict[str, str],
    idempotency_key: str,
) -> PaymentIntentInfo:
    """A PaymentIntent the sponsor's browser confirms with the Payment Element.

    No ``payment_method_types``: Stripe then offers the methods enabled in the dashboard
    (automatic payment methods are the default of current API versions). No ``receipt_email``:
    the site sends its own receipt, with its own number."""
    params: dict = {
        "amount": amount,
        "currency": currency.lower(),
        "transfer_group": transfer_group,
        "description": description[:1000],
        "metadata": metadata,
    }
    intent = _call(
        client().v1.payment_intents.create, params=params, options={"idempotency_key": idempotency_key}
    )
    return _intent(intent)


def retrieve_payment_intent(payment_intent_id: str) -> PaymentIntentInfo:
    return _intent(_call(client().v1.payment_intents.retrieve, payment_intent_id))


def cancel_payment_intent(payment_intent_id: str) -> PaymentIntentInfo:
    """Raises GatewayRefused when the intent can no longer be cancelled (paid or processing)."""
    return _intent(_call(client().v1.payment_intents.cancel, payment_intent_id))


def create_refund(
    *, payment_intent_id: str, amount: int, metadata: dict[str, str], idempotency_key: str
) -> RefundInfo:
    refund = _call(
        client().v1.refunds.create,
        params={"payment_intent": payment_intent_id, "amount": amount, "metadata": metadata},
        options={"idempotency_key": idempotency_key},
    )
    return _refund(refund)


def list_refunds(payment_intent_id: str) -> list[RefundInfo]:
    page = _call(client().v1.refunds.list, params={"payment_intent": payment_intent_id, "limit": 100})
    return [_refund(item) for item in page.data]
