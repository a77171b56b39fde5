"""The gateway's own balance: the fees it takes and the payouts it makes to the platform's bank.

**Fees.** A card payment reaches the fund whole: the contribution's transaction puts its full
amount in the fund's cash (what the receipt and the challenge page say). The provider keeps its
fee out of the money it holds, so the platform's operator pays the fee from its own budget: one
``fee`` transaction per balance transaction that carried a fee, keyed
``fee:<rail>:<balance transaction id>`` (so a repeat writes nothing), naming the contribution's
fund, with the legs ``fees:<rail>`` +fee and ``operator:fees`` −fee. The fund's figures do not
move. Reconciliation compares these transactions with the fees the gateway reports.

**Payouts.** Money the provider sends from its balance to the platform's bank account moves no
fund's money, so it is not a ledger transaction: the books keep it as a ``GatewayPayout`` row,
written from the ``payout.*`` webhooks after reading the payout from the provider (so late or
repeated events change nothing). Reconciliation compares those rows with the payouts in the
provider's balance transactions, both ways."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from payments import ledger, webhooks
from payments.gateways import get_gateway, stripe_configured
from payments.interface import GatewayBalanceTransaction
from payments.models import Account, Contribution, GatewayPayout, Transaction, WebhookEvent

logger = logging.getLogger(__name__)

OPERATOR_FEES_CODE = "operator:fees"


# Fees ---------------------------------------------------------------------------------------------


def fees_account(rail: str, currency: str) -> Account:
    """What a payment provider has taken in fees."""
    return ledger.account(
        f"fees:{rail}", name=f"Biaya layanan {rail}", kind=Account.Kind.FEES, currency=currency
    )


def operator_fees_account(currency: str) -> Account:
    """The operator's budget the providers' fees are paid from (never a fund's money)."""
    return ledger.account(
        OPERATOR_FEES_CODE,
        name="Anggaran operator untuk biaya layanan pembayaran",
        kind=Account.Kind.OPERATOR,
        currency=currency,
    )


def fee_key(rail: str, balance_transaction_id: str) -> str:
    return f"fee:{rail}:{balance_transaction_id}"


def fee_post(
    *, contribution: Contribution, balance_transaction: GatewayBalanceTransaction, rail: str = "stripe"
) -> Transaction | None:
    """Record the fee the provider took on a contribution's payment. Idempotent per balance
    transaction; None when it carried no fee or is in another currency than the fund."""
    fee = balance_transaction.fee
    if fee <= 0:
        return None
    fund = contribution.fund
    if balance_transaction.currency != fund.currency:
        logger.error(
            "Balance transaction %s is in %s, contribution %s in %s: fee not recorded",
            balance_transaction.id,
            balance_transaction.currency,
            contribution.pk,
            fund.currency,
        )
        return None
    with translation.override(settings.LANGUAGE_CODE):
        description = f"{_(gettext_noop('Payment provider fee'))}: {contribution.gateway_reference}"
    txn, _created = ledger.post(
        kind=Transaction.Kind.FEE,
        fund=fund,
        reference=balance_transaction.id,
        description=description,
        idempotency_key=fee_key(rail, balance_transaction.id),
        legs=[(fees_account(rail, fund.currency), fee), (operator_fees_account(fund.currency), -fee)],
    )
    return txn


def contribution_record_fee(*, contribution: Contribution) -> Transaction | None:
    """Read the balance transaction of a received card contribution's payment and record its
    fee. Idempotent; calls the gateway (outside any transaction); raises GatewayUnavailable
    when it cannot be reached (the webhook task retries). None when there is nothing to record
    yet (not received, not a card payment, no balance transaction, no fee)."""
    if not stripe_configured():
        return None
    if contribution.rail != Contribution.Rail.STRIPE or not contribution.gateway_reference:
        return None
    if contribution.status not in (
        Contribution.Status.SUCCEEDED,
        Contribution.Status.PARTIALLY_REFUNDED,
        Contribution.Status.REFUNDED,
    ):
        return None
    found = get_gateway("stripe").payment_balance_transaction(contribution.gateway_reference)
    if found is None:
        return None
    with transaction.atomic():
        return fee_post(contribution=contribution, balance_transaction=found)


# Payouts ------------------------------------------------------------------------------------------


def payout_sync(*, payout_id: str, rail: str = "stripe") -> GatewayPayout | None:
    """Bring the books' record of a payout up to date with the gateway (read there, not taken
    from an event's copy). Idempotent; None when the gateway does not have it."""
    found = get_gateway(rail).lookup_payout(payout_id)
    if found is None:
        return None
    arrival = (
        datetime.datetime.fromtimestamp(found.arrival_date, tz=datetime.UTC).date()
        if found.arrival_date
        else None
    )
    payout, _created = GatewayPayout.objects.update_or_create(
        gateway_reference=found.id,
        defaults={
            "rail": rail,
            "amount": found.amount,
            "currency": found.currency,
            "status": found.status,
            "arrival_date": arrival,
        },
        create_defaults={
            "rail": rail,
            "amount": found.amount,
            "currency": found.currency,
            "status": found.status,
            "arrival_date": arrival,
            "created_at": datetime.datetime.fromtimestamp(found.created, tz=datetime.UTC)
            if found.created
            else timezone.now(),
        },
    )
    return payout


@webhooks.handles("payout.created", "payout.updated", "payout.paid", "payout.failed", "payout.canceled")
def _on_payout(event: WebhookEvent) -> None:
    payout_id = ((event.body.get("data") or {}).get("object") or {}).get("id")
    if payout_id:
        payout_sync(payout_id=str(payout_id))
