"""Payout rails by name. Nothing outside ``payments/gateways/stripe/`` imports stripe."""

from __future__ import annotations

from django.conf import settings

from payments.interface import PayoutGateway


def stripe_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def get_gateway(rail: str) -> PayoutGateway:
    if rail == "manual":
        from payments.gateways.manual import ManualBankTransferGateway

        return ManualBankTransferGateway()
    if rail == "stripe":
        from payments.gateways.stripe.gateway import StripeConnectGateway

        return StripeConnectGateway()
    raise ValueError(f"Unknown payout rail: {rail}")
