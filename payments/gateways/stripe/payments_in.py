"""Stripe for money in: PaymentIntents for sponsor contributions and their refunds.

Every call that creates something carries an idempotency key chosen by the caller, so a retry
after a lost answer returns what the first call made instead of charging or refunding twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import stripe

from payments.gateways.stripe.client import client
from payments.interface import (
    GatewayRefused,
    GatewayUnavailable,
    PaymentIntentInfo,
    PaymentRequest,
    RefundInfo,
    RefundRequest,
)

T = TypeVar("T")


def _call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return fn(*args, **kwargs)
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as exc:
        # No answer, too many requests, or Stripe's own 5xx: the outcome is unknown, so the
        # caller keeps its record and repeats the call later with the same idempotency key.
        raise GatewayUnavailable(str(exc)) from exc
    except stripe.StripeError as exc:
        raise GatewayRefused(exc.user_message or str(exc), code=exc.code or "") from exc


def _intent(obj: stripe.PaymentIntent) -> PaymentIntentInfo:
    data = obj.to_dict()
    return PaymentIntentInfo(
        id=data["id"],
        status=data.get("status") or "",
        client_secret=data.get("client_secret") or "",
        amount=int(data.get("amount") or 0),
        currency=(data.get("currency") or "").upper(),
        raw=data,
    )


def _refund(obj: stripe.Refund) -> RefundInfo:
    data = obj.to_dict()
    return RefundInfo(
        id=data["id"], status=data.get("status") or "", amount=int(data.get("amount") or 0), raw=data
    )


def create_payment_intent(request: PaymentRequest) -> PaymentIntentInfo:
    """A PaymentIntent the sponsor's browser confirms with the Payment Element.

    No ``payment_method_types``: Stripe then offers the methods enabled in the dashboard
    (automatic payment methods are the default of current API versions). No ``receipt_email``:
    the site sends its own receipt, with its own number."""
    params: dict[str, Any] = {
        "amount": request.amount,
        "currency": request.currency.lower(),
        "transfer_group": request.transfer_group,
        "description": request.description[:1000],
        "metadata": request.metadata,
    }
    intent = _call(
        client().v1.payment_intents.create,
        params=params,
        options={"idempotency_key": request.idempotency_key},
    )
    return _intent(intent)


def retrieve_payment_intent(payment_intent_id: str) -> PaymentIntentInfo:
    return _intent(_call(client().v1.payment_intents.retrieve, payment_intent_id))


def cancel_payment_intent(payment_intent_id: str) -> PaymentIntentInfo:
    """Raises GatewayRefused when the intent can no longer be cancelled (paid or processing)."""
    return _intent(_call(client().v1.payment_intents.cancel, payment_intent_id))


def create_refund(request: RefundRequest) -> RefundInfo:
    refund = _call(
        client().v1.refunds.create,
        params={"payment_intent": request.payment_id, "amount": request.amount, "metadata": request.metadata},
        options={"idempotency_key": request.idempotency_key},
    )
    return _refund(refund)


def list_refunds(payment_intent_id: str) -> list[RefundInfo]:
    page = _call(client().v1.refunds.list, params={"payment_intent": payment_intent_id, "limit": 100})
    return [_refund(item) for item in page.data]
