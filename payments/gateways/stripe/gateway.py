"""Stripe Connect: onboarding of connected accounts, transfers, webhook verification."""

from __future__ import annotations

from dataclasses import dataclass, field

import stripe
from django.conf import settings

from payments.interface import GatewayUnavailable, OnboardingLink, TransferRequest, TransferResult

# No answer, too many requests, Stripe's own 5xx, or the same key still in flight: the outcome is
# unknown, so the caller repeats the call later with the same idempotency key.
UNAVAILABLE = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError, stripe.IdempotencyError)


def client() -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE
    kwargs = {"base_addresses": {"api": base, "connect": base, "files": base}} if base else {}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=2, **kwargs)


class StripeRefused(Exception):
    """Stripe answered and said no; ``message`` is the provider's reason."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TransferInfo:
    id: str
    amount: int
    amount_reversed: int
    currency: str
    destination: str
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def fully_reversed(self) -> bool:
        return self.amount_reversed >= self.amount


@dataclass(frozen=True)
class AccountInfo:
    id: str
    payouts_enabled: bool
    details_submitted: bool


def _transfer_info(data: dict) -> TransferInfo:
    return TransferInfo(
        id=data["id"],
        amount=int(data.get("amount") or 0),
        amount_reversed=int(data.get("amount_reversed") or 0),
        currency=(data.get("currency") or "").upper(),
        destination=data.get("destination") or "",
        metadata={k: str(v) for k, v in (data.get("metadata") or {}).items()},
    )


def transfer_info(data: dict) -> TransferInfo:
    """A transfer as a webhook carries it."""
    return _transfer_info(data)


def account_info(data: dict) -> AccountInfo:
    return AccountInfo(
        id=data.get("id") or "",
        payouts_enabled=bool(data.get("payouts_enabled")),
        details_submitted=bool(data.get("details_submitted")),
    )


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


def retrieve_transfer(transfer_id: str) -> TransferInfo | None:
    try:
        transfer = client().v1.transfers.retrieve(transfer_id)
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            return None
        raise StripeRefused(exc.user_message or str(exc)) from exc
    except UNAVAILABLE as exc:
        raise GatewayUnavailable(str(exc)) from exc
    return _transfer_info(transfer.to_dict())


def retrieve_account(account_id: str) -> AccountInfo:
    try:
        account = client().v1.accounts.retrieve(account_id)
    except UNAVAILABLE as exc:
        raise GatewayUnavailable(str(exc)) from exc
    except stripe.StripeError as exc:
        raise StripeRefused(exc.user_message or str(exc)) from exc
    return account_info(account.to_dict())


def create_onboarding_link(
    *, email: str, country: str, return_url: str, refresh_url: str, existing_account_id: str = ""
) -> OnboardingLink:
    """An Express account (created once, then reused) and a fresh single-use onboarding link."""
    api = client().v1
    account_id = existing_account_id
    try:
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
    except UNAVAILABLE as exc:
        raise GatewayUnavailable(str(exc)) from exc
    except stripe.StripeError as exc:
        raise StripeRefused(exc.user_message or str(exc)) from exc
    return OnboardingLink(account_id=account_id, url=link.url)


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
