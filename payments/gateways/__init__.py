"""Payment rails by name, each behind ``payments.interface.PaymentGateway``.

Nothing outside ``payments/gateways/<rail>/`` imports a provider's SDK (``stripe`` included).

Adding a rail (say an Indonesian bank's disbursement API, "bankapi"):

1. write ``payments/gateways/bankapi.py`` with a class that subclasses
   ``payments.interface.PaymentGateway``, sets ``name = "bankapi"`` and overrides what the bank
   offers (``send_transfer`` and ``retrieve_transfer`` at least; ``verify_webhook`` and
   ``transfer_from_event`` if it reports back by webhook), turning the bank's answers into the
   interface's records and its errors into ``GatewayUnavailable`` / ``GatewayRefused``;
2. name it in ``RAILS`` below (or call ``register_gateway`` from an AppConfig.ready), and say
   when it is configured in ``CONFIGURED``.

The rest (the disbursement state machine, the ledger, idempotency keys, reconciliation of the
ledger) works through the interface and needs no change; a payee's rail is the Recipient's
``rail`` choice, which gains the new value in a migration."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

from payments.interface import PaymentGateway

RAILS: dict[str, str] = {
    "manual": "payments.gateways.manual.ManualBankTransferGateway",
    "stripe": "payments.gateways.stripe.gateway.StripeGateway",
}


def stripe_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


# Whether a rail may be used on this site now (its keys are set).
CONFIGURED: dict[str, Callable[[], bool]] = {"manual": lambda: True, "stripe": stripe_configured}


def register_gateway(rail: str, dotted_path: str, *, configured: Callable[[], bool] | None = None) -> None:
    RAILS[rail] = dotted_path
    CONFIGURED[rail] = configured or (lambda: True)


def gateway_configured(rail: str) -> bool:
    check = CONFIGURED.get(rail)
    return bool(check and check())


def get_gateway(rail: str) -> PaymentGateway:
    try:
        path = RAILS[rail]
    except KeyError:
        raise ValueError(f"Unknown payment rail: {rail}") from None
    gateway: PaymentGateway = import_string(path)()
    return gateway
