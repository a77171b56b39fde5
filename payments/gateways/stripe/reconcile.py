"""What Stripe holds, read for reconciliation: payment intents, refunds, transfers and their
reversals, balance transactions (with the fees Stripe took) and payouts, as plain records
(nothing outside this package sees a Stripe object)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import stripe

from payments.gateways.stripe.client import client
from payments.interface import (
    GatewayBalanceTransaction,
    GatewayPayment,
    GatewayPayout,
    GatewayRefund,
    GatewayReversal,
    GatewayTransfer,
    GatewayUnavailable,
)

PAGE_SIZE = 100


def _timestamp(moment: datetime.datetime | None) -> dict[str, dict[str, int]]:
    return {"created": {"gte": int(moment.timestamp())}} if moment else {}


def _paged(listing, params: dict) -> Iterator[dict]:
    try:
        for obj in listing(params={"limit": PAGE_SIZE, **params}).auto_paging_iter():
            yield obj.to_dict()
    except stripe.APIConnectionError as exc:
        raise GatewayUnavailable(str(exc)) from exc


def _metadata(obj) -> dict[str, str]:
    metadata = obj.get("metadata") or {}
    return {str(key): str(value) for key, value in dict(metadata).items()}


def _payment(obj) -> GatewayPayment:
    received = obj.get("amount_received")
    if received is None:  # older API versions (and the emulator) leave it out
        received = obj["amount"] if obj.get("status") == "succeeded" else 0
    return GatewayPayment(
        id=obj["id"],
        amount=int(obj["amount"]),
        amount_received=int(received),
        currency=str(obj["currency"]).upper(),
        status=obj["status"],
        created=int(obj["created"]),
        metadata=_metadata(obj),
    )


def _refund(obj) -> GatewayRefund:
    return GatewayRefund(
        id=obj["id"],
        amount=int(obj["amount"]),
        currency=str(obj["currency"]).upper(),
        status=obj.get("status") or "",
        payment_intent=obj.get("payment_intent") or "",
        created=int(obj["created"]),
        metadata=_metadata(obj),
    )


def _reversal(obj) -> GatewayReversal:
    return GatewayReversal(
        id=obj["id"],
        transfer=obj["transfer"],
        amount=int(obj["amount"]),
        currency=str(obj["currency"]).upper(),
        created=int(obj["created"]),
    )


def _transfer(obj, reversals: tuple[GatewayReversal, ...]) -> GatewayTransfer:
    return GatewayTransfer(
        id=obj["id"],
        amount=int(obj["amount"]),
        currency=str(obj["currency"]).upper(),
        destination=obj.get("destination") or "",
        created=int(obj["created"]),
        amount_reversed=int(obj.get("amount_reversed") or 0),
        transfer_group=obj.get("transfer_group") or "",
        metadata=_metadata(obj),
        reversals=reversals,
    )


def payment_intents_since(moment: datetime.datetime | None) -> list[GatewayPayment]:
    return [_payment(pi) for pi in _paged(client().v1.payment_intents.list, _timestamp(moment))]


def refunds_since(moment: datetime.datetime | None) -> list[GatewayRefund]:
    return [_refund(refund) for refund in _paged(client().v1.refunds.list, _timestamp(moment))]


def transfer_reversals(transfer_id: str) -> tuple[GatewayReversal, ...]:
    api = client().v1.transfers.reversals
    return tuple(
        _reversal(reversal) for reversal in _paged(lambda params: api.list(transfer_id, params=params), {})
    )


def transfers_since(moment: datetime.datetime | None) -> list[GatewayTransfer]:
    """Transfers with their reversals (listed only for those that have any)."""
    transfers = []
    for obj in _paged(client().v1.transfers.list, _timestamp(moment)):
        reversals = transfer_reversals(obj["id"]) if int(obj.get("amount_reversed") or 0) else ()
        transfers.append(_transfer(obj, reversals))
    return transfers


def _retrieve(fetch, object_id: str):
    """The object, or None when Stripe answers that it does not exist."""
    try:
        return fetch(object_id).to_dict()
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404 or getattr(exc, "code", "") == "resource_missing":
            return None
        raise
    except stripe.APIConnectionError as exc:
        raise GatewayUnavailable(str(exc)) from exc


def payment_intent(payment_id: str) -> GatewayPayment | None:
    obj = _retrieve(client().v1.payment_intents.retrieve, payment_id)
    return _payment(obj) if obj is not None else None


def refund(refund_id: str) -> GatewayRefund | None:
    obj = _retrieve(client().v1.refunds.retrieve, refund_id)
    return _refund(obj) if obj is not None else None


def transfer(transfer_id: str) -> GatewayTransfer | None:
    obj = _retrieve(client().v1.transfers.retrieve, transfer_id)
    if obj is None:
        return None
    reversals = transfer_reversals(obj["id"]) if int(obj.get("amount_reversed") or 0) else ()
    return _transfer(obj, reversals)


def _balance_transaction(obj) -> GatewayBalanceTransaction:
    source = obj.get("source")
    reference = ""
    if isinstance(source, dict):  # expanded: a charge names the payment intent our records keep
        if source.get("object") == "charge":
            reference = source.get("payment_intent") or ""
        source = source.get("id") or ""
    source = source or ""
    return GatewayBalanceTransaction(
        id=obj["id"],
        type=obj.get("type") or "",
        amount=int(obj["amount"]),
        fee=int(obj.get("fee") or 0),
        net=int(
            obj.get("net") if obj.get("net") is not None else int(obj["amount"]) - int(obj.get("fee") or 0)
        ),
        currency=str(obj["currency"]).upper(),
        source=source,
        source_reference=reference or source,
        created=int(obj["created"]),
        status=obj.get("status") or "",
        reporting_category=obj.get("reporting_category") or "",
    )


def balance_transactions_since(moment: datetime.datetime | None) -> list[GatewayBalanceTransaction]:
    """Every balance transaction created since ``moment``, each with its source expanded (so a
    charge's payment intent is known without one request per charge)."""
    params = {**_timestamp(moment), "expand": ["data.source"]}
    return [_balance_transaction(obj) for obj in _paged(client().v1.balance_transactions.list, params)]


def payment_balance_transaction(payment_id: str) -> GatewayBalanceTransaction | None:
    """The balance transaction of a payment intent's charge (None before it has one)."""
    obj = _retrieve(
        lambda object_id: client().v1.payment_intents.retrieve(
            object_id, params={"expand": ["latest_charge.balance_transaction"]}
        ),
        payment_id,
    )
    charge = (obj or {}).get("latest_charge")
    if not isinstance(charge, dict) or not isinstance(charge.get("balance_transaction"), dict):
        return None
    data = dict(charge["balance_transaction"])
    data["source"] = {"object": "charge", "id": charge["id"], "payment_intent": payment_id}
    return _balance_transaction(data)


def _payout(obj) -> GatewayPayout:
    return GatewayPayout(
        id=obj["id"],
        amount=int(obj["amount"]),
        currency=str(obj["currency"]).upper(),
        status=obj.get("status") or "",
        created=int(obj["created"]),
        arrival_date=int(obj["arrival_date"]) if obj.get("arrival_date") else None,
    )


def payout(payout_id: str) -> GatewayPayout | None:
    obj = _retrieve(client().v1.payouts.retrieve, payout_id)
    return _payout(obj) if obj is not None else None
