"""Stripe behind the gateway interface: ``StripeGateway`` answers for the "stripe" rail.

This module holds the client and Stripe Connect (connected accounts and their onboarding,
transfers) and webhook verification; money in is in ``payments_in``, the look-ups for
reconciliation in ``reconcile``."""

from __future__ import annotations

import datetime
import json
from typing import Any

import stripe
from django.conf import settings

from payments.gateways.stripe import payments_in, reconcile
from payments.gateways.stripe.client import UNAVAILABLE, client
from payments.interface import (
    AccountInfo,
    GatewayBalanceTransaction,
    GatewayPayment,
    GatewayPayout,
    GatewayRefund,
    GatewayRefused,
    GatewayTransfer,
    GatewayUnavailable,
    InvalidWebhook,
    OnboardingLink,
    OnboardingRequest,
    PaymentGateway,
    PaymentIntentInfo,
    PaymentRequest,
    RefundInfo,
    RefundRequest,
    TransferInfo,
    TransferRequest,
    TransferResult,
)


def _transfer_info(data: dict[str, Any]) -> TransferInfo:
    return TransferInfo(
        id=data["id"],
        amount=int(data.get("amount") or 0),
        amount_reversed=int(data.get("amount_reversed") or 0),
        currency=(data.get("currency") or "").upper(),
        destination=data.get("destination") or "",
        metadata={k: str(v) for k, v in (data.get("metadata") or {}).items()},
    )


def transfer_info(data: dict[str, Any]) -> TransferInfo:
    """A transfer as a webhook carries it."""
    return _transfer_info(data)


def account_info(data: dict[str, Any]) -> AccountInfo:
    return AccountInfo(
        id=data.get("id") or "",
        payouts_enabled=bool(data.get("payouts_enabled")),
        details_submitted=bool(data.get("details_submitted")),
    )


def retrieve_transfer(transfer_id: str) -> TransferInfo | None:
    try:
        transfer = client().v1.transfers.retrieve(transfer_id)
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            return None
        raise GatewayRefused(exc.user_message or str(exc), code=exc.code or "") from exc
    except UNAVAILABLE as exc:
        raise GatewayUnavailable(str(exc)) from exc
    return _transfer_info(transfer.to_dict())


def retrieve_account(account_id: str) -> AccountInfo:
    try:
        account = client().v1.accounts.retrieve(account_id)
    except UNAVAILABLE as exc:
        raise GatewayUnavailable(str(exc)) from exc
    except stripe.StripeError as exc:
        raise GatewayRefused(exc.user_message or str(exc), code=exc.code or "") from exc
    return account_info(account.to_dict())


def create_onboarding_link(request: OnboardingRequest) -> OnboardingLink:
    """An Express account (created once, then reused) and a fresh single-use onboarding link."""
    api = client().v1
    account_id = request.existing_account_id
    try:
        if not account_id:
            account = api.accounts.create(
                params={
                    "type": "express",
                    "country": request.country,
                    "email": request.email,
                    "capabilities": {"transfers": {"requested": True}},
                }
            )
            account_id = account.id
        link = api.account_links.create(
            params={
                "account": account_id,
                "type": "account_onboarding",
                "return_url": request.return_url,
                "refresh_url": request.refresh_url,
            }
        )
    except UNAVAILABLE as exc:
        raise GatewayUnavailable(str(exc)) from exc
    except stripe.StripeError as exc:
        raise GatewayRefused(exc.user_message or str(exc), code=exc.code or "") from exc
    return OnboardingLink(account_id=account_id, url=link.url)


def verify_webhook(payload: bytes, signature_header: str) -> Any:
    """Return the signed JSON as it came (its shape is checked by ``payments.webhooks``), or
    raise InvalidWebhook when the signature does not verify or the body is not JSON. Stripe's
    ``construct_event`` is not used: it fails with a TypeError on a signed JSON list."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise InvalidWebhook("webhook secret not configured")
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(
            text, signature_header, settings.STRIPE_WEBHOOK_SECRET, stripe.Webhook.DEFAULT_TOLERANCE
        )
        return json.loads(text)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise InvalidWebhook(str(exc)) from exc


class StripeGateway(PaymentGateway):
    """Cards in (PaymentIntents), refunds, Express accounts, Connect transfers, look-ups and
    signed webhooks. Every call that creates something carries the caller's idempotency key."""

    name = "stripe"

    def create_payment(self, request: PaymentRequest) -> PaymentIntentInfo:
        return payments_in.create_payment_intent(request)

    def retrieve_payment(self, payment_id: str) -> PaymentIntentInfo:
        return payments_in.retrieve_payment_intent(payment_id)

    def cancel_payment(self, payment_id: str) -> PaymentIntentInfo:
        return payments_in.cancel_payment_intent(payment_id)

    def create_refund(self, request: RefundRequest) -> RefundInfo:
        return payments_in.create_refund(request)

    def list_refunds(self, payment_id: str) -> list[RefundInfo]:
        return payments_in.list_refunds(payment_id)

    def create_onboarding_link(self, request: OnboardingRequest) -> OnboardingLink:
        return create_onboarding_link(request)

    def retrieve_account(self, account_id: str) -> AccountInfo:
        return retrieve_account(account_id)

    def send_transfer(self, request: TransferRequest) -> TransferResult:
        try:
            transfer = client().v1.transfers.create(
                params={
                    "amount": request.amount,
                    "currency": request.currency.lower(),
                    "destination": request.destination,
                    "transfer_group": request.transfer_group,
                    "description": request.description,
                    "metadata": request.metadata,
                },
                options={"idempotency_key": request.idempotency_key},
            )
        except UNAVAILABLE as exc:
            raise GatewayUnavailable(str(exc)) from exc
        except stripe.StripeError as exc:
            return TransferResult(succeeded=False, error=exc.user_message or str(exc))
        return TransferResult(succeeded=True, reference=transfer.id, raw=transfer.to_dict())

    def find_transfer(self, request: TransferRequest) -> TransferResult | None:
        """The transfer an earlier call with this request's idempotency key made, looked up by
        its metadata (Stripe forgets idempotency keys after 24 hours); None if there is none."""
        try:
            transfers = client().v1.transfers.list(
                params={"transfer_group": request.transfer_group, "limit": 100}
            )
            for transfer in transfers.auto_paging_iter():
                data = transfer.to_dict()
                if (data.get("metadata") or {}).get("idempotency_key") == request.idempotency_key:
                    return TransferResult(succeeded=True, reference=data["id"], raw=data)
        except UNAVAILABLE as exc:
            raise GatewayUnavailable(str(exc)) from exc
        return None

    def retrieve_transfer(self, transfer_id: str) -> TransferInfo | None:
        return retrieve_transfer(transfer_id)

    def payments_since(self, moment: datetime.datetime | None) -> list[GatewayPayment]:
        return reconcile.payment_intents_since(moment)

    def refunds_since(self, moment: datetime.datetime | None) -> list[GatewayRefund]:
        return reconcile.refunds_since(moment)

    def transfers_since(self, moment: datetime.datetime | None) -> list[GatewayTransfer]:
        return reconcile.transfers_since(moment)

    def lookup_payment(self, payment_id: str) -> GatewayPayment | None:
        return reconcile.payment_intent(payment_id)

    def lookup_refund(self, refund_id: str) -> GatewayRefund | None:
        return reconcile.refund(refund_id)

    def lookup_transfer(self, transfer_id: str) -> GatewayTransfer | None:
        return reconcile.transfer(transfer_id)

    def balance_transactions_since(self, moment: datetime.datetime | None) -> list[GatewayBalanceTransaction]:
        return reconcile.balance_transactions_since(moment)

    def payment_balance_transaction(self, payment_id: str) -> GatewayBalanceTransaction | None:
        return reconcile.payment_balance_transaction(payment_id)

    def lookup_payout(self, payout_id: str) -> GatewayPayout | None:
        return reconcile.payout(payout_id)

    def verify_webhook(self, payload: bytes, signature_header: str) -> Any:
        return verify_webhook(payload, signature_header)

    def transfer_from_event(self, data: dict[str, Any]) -> TransferInfo:
        return transfer_info(data)
