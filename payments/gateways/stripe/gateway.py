"""Stripe Connect: onboarding of connected accounts, transfers, webhook verification."""

from __future__ import annotations

import stripe
from django.conf import settings

from payments.interface import GatewayUnavailable, OnboardingLink, TransferRequest, TransferResult


def client() -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE
    kwargs = {"base_addresses": {"api": base, "connect": base, "files": base}} if base else {}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=2, **kwargs)


class StripeConnectGateway:
    name = "stripe"

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
        except stripe.APIConnectionError as exc:
            raise GatewayUnavailable(str(exc)) from exc
        except stripe.StripeError as exc:
            return TransferResult(succeeded=False, error=exc.user_message or str(exc))
        return TransferResult(succeeded=True, reference=transfer.id, raw=transfer.to_dict())


def create_onboarding_link(
    *, email: str, country: str, return_url: str, refresh_url: str, existing_account_id: str = ""
) -> OnboardingLink:
    api = client().v1
    account_id = existing_account_id
    if not account_id:
        account = api.accounts.create(
            params={
                "type": "express",
                "country": country,
                "email": email,
                "capabilities": {"transfers": {"requested": True}},
            }
        )
        account_id = account.id
    link = api.account_links.create(
        params={
            "account": account_id,
            "type": "account_onboarding",
            "return_url": return_url,
            "refresh_url": refresh_url,
        }
    )
    return OnboardingLink(account_id=account_id, url=link.url)


def account_can_receive(account_id: str) -> bool:
    account = client().v1.accounts.retrieve(account_id)
    return bool(account.get("payouts_enabled"))


class InvalidWebhook(Exception):
    pass


def verify_webhook(payload: bytes, signature_header: str) -> dict:
    """Return the event as a dict, or raise InvalidWebhook."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise InvalidWebhook("webhook secret not configured")
    try:
        event = stripe.Webhook.construct_event(payload, signature_header, settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise InvalidWebhook(str(exc)) from exc
    return event.to_dict()
