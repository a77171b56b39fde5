"""The one interface every payment rail speaks, as typed requests and results.

The domain asks a gateway: take money in (a payment intent, created, fetched or cancelled),
give it back (refunds), set up where a payee is paid (payout accounts, onboarding links and
their status), pay out (transfers), look up what the provider holds (for reconciliation) and
verify what it reports (webhooks). Each rail subclasses ``PaymentGateway``, answers what
applies to it and leaves the rest to the base class, which says "not supported". Nothing here
knows a provider's SDK: gateways turn the provider's objects into these records.

Errors every gateway raises: ``GatewayUnavailable`` (no answer, so the outcome is unknown: the
caller repeats the call later with the same idempotency key), ``GatewayRefused`` (the provider
answered no), ``GatewayNotSupported`` (the rail does not do that) and ``InvalidWebhook``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any


class GatewayUnavailable(Exception):
    """The provider could not be reached; nothing is known to have happened."""


class GatewayRefused(Exception):
    """The provider answered and said no; ``message`` is its reason, for the record."""

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code


class GatewayNotSupported(Exception):
    """The rail does not offer this operation (a bank transfer has no payment intents)."""


class InvalidWebhook(Exception):
    """A webhook whose signature does not verify, or that cannot be read."""


# Money in -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRequest:
    amount: int
    currency: str
    idempotency_key: str
    # Groups the payment with the transfers paid from the same fund (the fund's reference).
    transfer_group: str
    description: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PaymentIntentInfo:
    id: str
    status: str
    client_secret: str
    amount: int
    currency: str
    raw: dict[str, Any] = field(default_factory=dict)


# Refunds --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundRequest:
    payment_id: str
    amount: int
    idempotency_key: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundInfo:
    id: str
    # pending, requires_action, succeeded, failed or canceled.
    status: str
    amount: int
    raw: dict[str, Any] = field(default_factory=dict)


# Payout accounts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OnboardingRequest:
    email: str
    country: str
    return_url: str
    refresh_url: str
    # The payee's account at the provider, reused when it has one.
    existing_account_id: str = ""


@dataclass(frozen=True)
class OnboardingLink:
    account_id: str
    url: str


@dataclass(frozen=True)
class AccountInfo:
    id: str
    payouts_enabled: bool
    details_submitted: bool


# Transfers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferRequest:
    amount: int
    currency: str
    idempotency_key: str
    transfer_group: str
    description: str
    # Stripe: the connected account id; manual: the masked bank account, for the record.
    destination: str = ""
    # Manual rail: the SP2D / bank reference the finance officer recorded.
    bank_reference: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TransferResult:
    succeeded: bool
    reference: str = ""
    error: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TransferInfo:
    """A transfer as the provider reports it (a webhook, or a look-up to settle a payment)."""

    id: str
    amount: int
    amount_reversed: int
    currency: str
    destination: str
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def fully_reversed(self) -> bool:
        return self.amount_reversed >= self.amount


# What the provider holds, for reconciliation ----------------------------------------------------


@dataclass(frozen=True)
class GatewayPayment:
    id: str
    amount: int
    amount_received: int
    currency: str  # upper case, as the ledger stores it
    status: str
    created: int
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GatewayRefund:
    id: str
    amount: int
    currency: str
    status: str
    payment_intent: str
    created: int
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GatewayReversal:
    id: str
    transfer: str
    amount: int
    currency: str
    created: int


@dataclass(frozen=True)
class GatewayTransfer:
    id: str
    amount: int
    currency: str
    destination: str
    created: int
    amount_reversed: int
    transfer_group: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    reversals: tuple[GatewayReversal, ...] = ()


@dataclass(frozen=True)
class GatewayBalanceTransaction:
    """One movement of the provider's balance (Stripe's balance transaction): a payment taken in
    (with the provider's fee), a refund, a transfer to a payee, a transfer reversal, a payout to
    the platform's bank account, a failed payout coming back."""

    id: str
    # charge, payment, refund, transfer, transfer_refund, payout, payout_failure, stripe_fee, …
    type: str
    # Signed: positive into the balance, negative out of it; ``net`` = ``amount`` − ``fee``.
    amount: int
    fee: int
    net: int
    currency: str  # upper case, as the ledger stores it
    # The provider object that moved the money (a charge, refund, transfer, payout id).
    source: str
    # The id our records name: a charge's payment intent, otherwise ``source``.
    source_reference: str
    created: int
    status: str = ""
    reporting_category: str = ""


@dataclass(frozen=True)
class GatewayPayout:
    """Money paid out from the provider's balance to the platform's bank account."""

    id: str
    amount: int
    currency: str
    # pending, in_transit, paid, failed or canceled.
    status: str
    created: int
    arrival_date: int | None = None


# The interface -------------------------------------------------------------------------------


class PaymentGateway:
    """What the domain may ask of a rail; ``payments.gateways.get_gateway(rail)`` returns one.
    A rail subclasses it, sets ``name`` and overrides what it offers: every other operation is
    refused with ``GatewayNotSupported``, except ``find_transfer``, which finds nothing (a rail
    without idempotency windows never looks one up)."""

    name = ""

    def _unsupported(self, operation: str) -> GatewayNotSupported:
        return GatewayNotSupported(f"The {self.name or 'payment'} rail does not support {operation}.")

    # Money in.
    def create_payment(self, request: PaymentRequest) -> PaymentIntentInfo:
        raise self._unsupported("payments")

    def retrieve_payment(self, payment_id: str) -> PaymentIntentInfo:
        raise self._unsupported("payments")

    def cancel_payment(self, payment_id: str) -> PaymentIntentInfo:
        raise self._unsupported("payments")

    # Refunds.
    def create_refund(self, request: RefundRequest) -> RefundInfo:
        raise self._unsupported("refunds")

    def list_refunds(self, payment_id: str) -> list[RefundInfo]:
        raise self._unsupported("refunds")

    # Payout accounts.
    def create_onboarding_link(self, request: OnboardingRequest) -> OnboardingLink:
        raise self._unsupported("onboarding")

    def retrieve_account(self, account_id: str) -> AccountInfo:
        raise self._unsupported("payout accounts")

    # Transfers.
    def send_transfer(self, request: TransferRequest) -> TransferResult:
        raise self._unsupported("transfers")

    def find_transfer(self, request: TransferRequest) -> TransferResult | None:
        return None

    def retrieve_transfer(self, transfer_id: str) -> TransferInfo | None:
        raise self._unsupported("transfer look-ups")

    # Look-ups for reconciliation: created since a moment (None: all), or one by id (None when
    # the provider does not have it).
    def payments_since(self, moment: datetime.datetime | None) -> list[GatewayPayment]:
        raise self._unsupported("reconciliation")

    def refunds_since(self, moment: datetime.datetime | None) -> list[GatewayRefund]:
        raise self._unsupported("reconciliation")

    def transfers_since(self, moment: datetime.datetime | None) -> list[GatewayTransfer]:
        raise self._unsupported("reconciliation")

    def lookup_payment(self, payment_id: str) -> GatewayPayment | None:
        raise self._unsupported("reconciliation")

    def lookup_refund(self, refund_id: str) -> GatewayRefund | None:
        raise self._unsupported("reconciliation")

    def lookup_transfer(self, transfer_id: str) -> GatewayTransfer | None:
        raise self._unsupported("reconciliation")

    # The provider's balance: its movements created since a moment (None: all), the one a
    # payment made (for its fee; None when the provider has none yet) and payouts by id.
    def balance_transactions_since(self, moment: datetime.datetime | None) -> list[GatewayBalanceTransaction]:
        raise self._unsupported("balance transactions")

    def payment_balance_transaction(self, payment_id: str) -> GatewayBalanceTransaction | None:
        raise self._unsupported("balance transactions")

    def lookup_payout(self, payout_id: str) -> GatewayPayout | None:
        raise self._unsupported("payouts")

    # Webhooks: the verified JSON as sent (its shape is checked by payments.webhooks), and the
    # objects an event carries as records.
    def verify_webhook(self, payload: bytes, signature_header: str) -> Any:
        raise self._unsupported("webhooks")

    def transfer_from_event(self, data: dict[str, Any]) -> TransferInfo:
        raise self._unsupported("webhooks")
