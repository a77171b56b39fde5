"""The small protocol every payout rail speaks: manual bank transfer, Stripe Connect, and
room for a local disbursement provider as a third rail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


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
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OnboardingLink:
    account_id: str
    url: str


class PayoutGateway(Protocol):
    name: str

    def send_transfer(self, request: TransferRequest) -> TransferResult: ...


class GatewayUnavailable(Exception):
    """The provider could not be reached; nothing is known to have happened."""
