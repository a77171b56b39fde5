"""The comparison behind a reconciliation run: the ledger with its records, and (with a gateway
configured) the records with what the gateway holds, through the gateway interface's look-ups.
Each difference is a small JSON record; ``payments.reconciliation_labels`` words it."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum

from payments.gateway_balance import fee_key
from payments.gateways import get_gateway
from payments.models import (
    Account,
    Contribution,
    Disbursement,
    Entry,
    GatewayPayout,
    Recipient,
    Refund,
    Transaction,
    WebhookEvent,
)

# Records looked up in the ledger per query.
CHUNK = 500

RECEIVED = (
    Contribution.Status.SUCCEEDED,
    Contribution.Status.PARTIALLY_REFUNDED,
    Contribution.Status.REFUNDED,
)
# What our contribution may say for each payment intent status.
CONTRIBUTION_STATUSES_FOR_INTENT = {
    "succeeded": set(RECEIVED),
    "canceled": {Contribution.Status.CANCELED, Contribution.Status.FAILED},
}
CONTRIBUTION_STATUSES_STILL_OPEN = {Contribution.Status.PENDING, Contribution.Status.FAILED}
# Balance transaction types of a payment taken in (Stripe says "payment" for some methods).
PAYMENT_TYPES = ("charge", "payment")


# The comparison -----------------------------------------------------------------------------


def _key_pk(idempotency_key: str, prefix: str) -> int | None:
    """The record id in a ledger key "<prefix>:<id>" or "<prefix>:<id>:<more>"."""
    parts = idempotency_key.split(":")
    if len(parts) >= 2 and parts[0] == prefix and parts[1].isdigit():
        return int(parts[1])
    return None


@dataclass
class _LedgerMovement:
    """The ledger's view of one record: what its transactions moved, less their reversals."""

    forward: int = 0
    reversed: int = 0
    transactions: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.forward - self.reversed


class Checker:
    def __init__(self, *, window_start: datetime.datetime | None, cutoff: datetime.datetime):
        self.window_start = window_start
        self.cutoff = cutoff
        self.differences: list[dict] = []
        self.compared: dict[str, int] = defaultdict(int)

    def add(self, code: str, *, object: str, id=None, currency: str = "IDR", **facts) -> None:
        self.differences.append({"code": code, "object": object, "id": id, "currency": currency, **facts})

    def add_gateway_missing(self, object_name: str, row, *, currency: str) -> None:
        """Our row names a gateway object that Stripe does not have."""
        self.add(
            "gateway_missing",
            object=object_name,
            id=row.pk,
            gateway_id=row.gateway_reference,
            currency=currency,
            local_status=row.status,
        )

    def add_gateway_unknown(self, object_name: str, item, **facts) -> None:
        """Stripe holds an object (payment intent, refund, transfer) that no row of ours names."""
        self.add(
            "gateway_unknown",
            object=object_name,
            gateway_id=item.id,
            currency=item.currency,
            actual=item.amount,
            **facts,
        )

    def amounts_match(self, facts: dict, *, currency: str, expected: int, item, actual: int) -> bool:
        """Compare one of our amounts with Stripe's ``item``: a currency that differs is reported
        alone and ends the comparison (False); a different amount is reported and it goes on."""
        if item.currency != currency.upper():
            self.add("currency_mismatch", currency=currency, detail=f"{currency} / {item.currency}", **facts)
            return False
        if actual != expected:
            self.add("amount_mismatch", currency=currency, expected=expected, actual=actual, **facts)
        return True

    def in_window(self, field_name: str) -> Q:
        q = Q(**{f"{field_name}__lte": self.cutoff})
        if self.window_start is not None:
            q &= Q(**{f"{field_name}__gte": self.window_start})
        return q

    # Ledger against its records (both rails) -------------------------------------------------

    def check_ledger(self) -> None:
        self.check_balanced()
        self.check_disbursements()
        self.check_contributions()
        self.check_refunds()

    def check_balanced(self) -> None:
        transactions = Transaction.objects.filter(self.in_window("created_at"))
        unbalanced = (
            Entry.objects.filter(transaction__in=transactions)
            .values("transaction_id", "currency")
            .annotate(total=Sum("amount"))
            .exclude(total=0)
            .order_by("transaction_id")
        )
        for row in unbalanced:
            self.add(
                "unbalanced_transaction",
                object="transaction",
                id=row["transaction_id"],
                currency=row["currency"],
                actual=row["total"],
            )
        self.compared["transactions"] = transactions.count()

    def ledger_movements(self, kind: str, prefix: str, pks: Iterable[int]) -> dict[int, _LedgerMovement]:
        """Per record id: the positive side of its ``kind`` transactions, less reversals of them."""
        pks = set(pks)
        movements: dict[int, _LedgerMovement] = defaultdict(_LedgerMovement)
        if not pks:
            return movements
        rows: list[tuple[int, str, int | None]] = []
        ordered = sorted(pks)
        for start in range(0, len(ordered), CHUNK):  # keeps each query's text reasonable
            keys = Q()
            for chunk_pk in ordered[start : start + CHUNK]:
                keys |= Q(idempotency_key=f"{prefix}:{chunk_pk}") | Q(
                    idempotency_key__startswith=f"{prefix}:{chunk_pk}:"
                )
            rows += (
                Transaction.objects.filter(keys, kind=kind)
                .annotate(total=Sum("entries__amount", filter=Q(entries__amount__gt=0)))
                .values_list("pk", "idempotency_key", "total")
            )
        by_transaction = {}
        for txn_pk, key, total in rows:
            pk = _key_pk(key, prefix)
            if pk in pks:
                movements[pk].forward += total or 0
                movements[pk].transactions.append(txn_pk)
                by_transaction[txn_pk] = pk
        # Only reversals undo a movement (a refund also names the contribution it pays back, but
        # it is a movement of its own, compared on its own).
        reversals = (
            Transaction.objects.filter(reverses_id__in=by_transaction, kind=Transaction.Kind.REVERSAL)
            .annotate(total=Sum("entries__amount", filter=Q(entries__amount__gt=0)))
            .values_list("reverses_id", "total")
        )
        for reversed_pk, total in reversals:
            movements[by_transaction[reversed_pk]].reversed += total or 0
        return movements

    def ledger_keys_in_window(self, kind: str, prefix: str) -> set[int]:
        keys = Transaction.objects.filter(self.in_window("created_at"), kind=kind).values_list(
            "idempotency_key", flat=True
        )
        return {pk for pk in (_key_pk(key, prefix) for key in keys) if pk is not None}

    def compare_with_ledger(self, *, object: str, records, expected_by_pk: dict[int, int], movements) -> None:
        for record in records:
            expected = expected_by_pk.get(record.pk, 0)
            actual = movements[record.pk].total if record.pk in movements else 0
            if expected == actual:
                continue
            facts = {"expected": expected, "actual": actual, "local_status": record.status}
            if expected and not actual:
                self.add("ledger_missing", object=object, id=record.pk, currency=record.currency, **facts)
            elif not expected:
                self.add("ledger_unexpected", object=object, id=record.pk, currency=record.currency, **facts)
            else:
                self.add("ledger_amount", object=object, id=record.pk, currency=record.currency, **facts)

    def records_against_ledger(
        self, queryset: QuerySet, *, object: str, kind: str, statuses: Collection[str], window_field: str
    ) -> list:
        """The records that reached one of ``statuses`` (those that carry ledger transactions)
        in the window, with those whose ledger transactions (keyed ``<object>:<pk>…``) were
        written in it, each compared with the ledger; returns them, oldest first."""
        pks = set(
            queryset.filter(self.in_window(window_field), status__in=statuses).values_list("pk", flat=True)
        )
        pks |= self.ledger_keys_in_window(kind, object)
        records = list(queryset.filter(pk__in=pks).order_by("pk"))
        expected = {r.pk: r.amount for r in records if r.status in statuses}
        movements = self.ledger_movements(kind, object, pks)
        self.compare_with_ledger(object=object, records=records, expected_by_pk=expected, movements=movements)
        return records

    def add_reference_missing(self, object_name: str, record, *, currency: str) -> None:
        """A record in a state that needs the bank's or the gateway's reference has none."""
        self.add(
            "reference_missing",
            object=object_name,
            id=record.pk,
            currency=currency,
            local_status=record.status,
        )

    def check_disbursements(self) -> None:
        records = self.records_against_ledger(
            Disbursement.objects.all(),
            object="disbursement",
            kind=Transaction.Kind.DISBURSEMENT,
            statuses={Disbursement.Status.PAID},
            window_field="paid_at",
        )
        for record in records:
            if record.status == Disbursement.Status.PAID and not record.gateway_reference.strip():
                self.add_reference_missing("disbursement", record, currency=record.currency)
        self.compared["disbursements"] = len(records)

    def check_contributions(self) -> None:
        records = self.records_against_ledger(
            Contribution.objects.all(),
            object="contribution",
            kind=Transaction.Kind.CONTRIBUTION,
            statuses=RECEIVED,
            window_field="succeeded_at",
        )
        for record in records:
            if record.status not in RECEIVED:
                continue
            reference = (
                record.gateway_reference if record.rail == Contribution.Rail.STRIPE else record.bank_reference
            )
            if not reference.strip():
                self.add_reference_missing("contribution", record, currency=record.currency)
        self.compared["contributions"] = len(records)

    def check_refunds(self) -> None:
        records = self.records_against_ledger(
            Refund.objects.select_related("contribution"),
            object="refund",
            kind=Transaction.Kind.REFUND,
            statuses={Refund.Status.SUCCEEDED},
            window_field="created_at",
        )
        # The contribution's refunded total is the sum of its succeeded refunds.
        contributions = {r.contribution_id: r.contribution for r in records}
        totals = dict(
            Refund.objects.filter(contribution_id__in=contributions, status=Refund.Status.SUCCEEDED)
            .values_list("contribution_id")
            .annotate(total=Sum("amount"))
            .values_list("contribution_id", "total")
        )
        for pk, contribution in sorted(contributions.items()):
            if contribution.refunded_amount != totals.get(pk, 0):
                self.add(
                    "refund_total",
                    object="contribution",
                    id=pk,
                    currency=contribution.currency,
                    expected=contribution.refunded_amount,
                    actual=totals.get(pk, 0),
                )
        self.compared["refunds"] = len(records)

    # Against Stripe ---------------------------------------------------------------------------

    def check_stripe(self) -> None:
        gateway = get_gateway("stripe")

        since = self.window_start
        self.check_payment_intents(gateway, gateway.payments_since(since))
        self.check_stripe_refunds(gateway, gateway.refunds_since(since))
        self.check_transfers(gateway, gateway.transfers_since(since))
        self.check_balance_transactions(gateway, gateway.balance_transactions_since(since))

    def settled(self, created: int) -> bool:
        return created <= self.cutoff.timestamp()

    def check_payment_intents(self, gateway, payments) -> None:
        payments = [p for p in payments if self.settled(p.created)]
        seen = {p.id for p in payments}
        local = {
            c.gateway_reference: c
            for c in Contribution.objects.filter(gateway_reference__in=seen | {""}).exclude(
                gateway_reference=""
            )
        }
        for payment in payments:
            contribution = local.get(payment.id)
            if contribution is None:
                self.add_gateway_unknown("payment_intent", payment, gateway_status=payment.status)
                continue
            self.compare_payment(contribution, payment)
        # Here and not in the listing: look each one up.
        ours = Contribution.objects.filter(
            self.in_window("created_at"), rail=Contribution.Rail.STRIPE
        ).exclude(gateway_reference__in=seen)
        for contribution in ours.order_by("pk"):
            if not contribution.gateway_reference:
                # Never reached Stripe, or (when received) reported as reference_missing already.
                continue
            payment = gateway.lookup_payment(contribution.gateway_reference)
            if payment is None:
                self.add_gateway_missing("contribution", contribution, currency=contribution.currency)
            else:
                self.compare_payment(contribution, payment)
        self.compared["payment_intents"] = len(payments)

    def compare_payment(self, contribution: Contribution, payment) -> None:
        facts = {"object": "contribution", "id": contribution.pk, "gateway_id": payment.id}
        if contribution.rail == Contribution.Rail.PLEDGE:
            # The sponsor switched to a bank transfer and the card payment was cancelled: it must
            # never have been paid as well.
            if payment.status == "succeeded":
                self.add(
                    "status_mismatch",
                    currency=contribution.currency,
                    local_status=contribution.status,
                    gateway_status=payment.status,
                    detail=contribution.rail,
                    **facts,
                )
            return
        received = payment.amount_received if payment.status == "succeeded" else payment.amount
        if not self.amounts_match(
            facts, currency=contribution.currency, expected=contribution.amount, item=payment, actual=received
        ):
            return
        allowed = CONTRIBUTION_STATUSES_FOR_INTENT.get(payment.status, CONTRIBUTION_STATUSES_STILL_OPEN)
        if contribution.status not in allowed:
            self.add(
                "status_mismatch",
                currency=contribution.currency,
                local_status=contribution.status,
                gateway_status=payment.status,
                **facts,
            )

    def check_stripe_refunds(self, gateway, refunds) -> None:
        refunds = [r for r in refunds if self.settled(r.created)]
        seen = {r.id for r in refunds}
        local = {
            r.gateway_reference: r
            for r in Refund.objects.filter(gateway_reference__in=seen).select_related("contribution")
        }
        for gateway_refund in refunds:
            refund = local.get(gateway_refund.id)
            if refund is None:
                self.add_gateway_unknown(
                    "stripe_refund",
                    gateway_refund,
                    gateway_status=gateway_refund.status,
                    detail=gateway_refund.payment_intent,
                )
                continue
            self.compare_refund(refund, gateway_refund)
        ours = (
            Refund.objects.filter(self.in_window("created_at"), contribution__rail=Contribution.Rail.STRIPE)
            .exclude(gateway_reference__in=seen)
            .select_related("contribution")
        )
        for refund in ours.order_by("pk"):
            if not refund.gateway_reference:
                if refund.status == Refund.Status.SUCCEEDED:
                    self.add_reference_missing("refund", refund, currency=refund.contribution.currency)
                continue
            gateway_refund = gateway.lookup_refund(refund.gateway_reference)
            if gateway_refund is None:
                self.add_gateway_missing("refund", refund, currency=refund.contribution.currency)
            else:
                self.compare_refund(refund, gateway_refund)
        self.compared["refunds_at_gateway"] = len(refunds)

    def compare_refund(self, refund: Refund, gateway_refund) -> None:
        currency = refund.contribution.currency
        facts = {"object": "refund", "id": refund.pk, "gateway_id": gateway_refund.id}
        if not self.amounts_match(
            facts,
            currency=currency,
            expected=refund.amount,
            item=gateway_refund,
            actual=gateway_refund.amount,
        ):
            return
        # Stripe's "pending" refund has left the balance already: it is recorded as succeeded.
        expected_status = {
            "pending": Refund.Status.SUCCEEDED,
            "succeeded": Refund.Status.SUCCEEDED,
            "failed": Refund.Status.FAILED,
            "canceled": Refund.Status.FAILED,
        }.get(gateway_refund.status, Refund.Status.PENDING)
        if refund.status != expected_status:
            self.add(
                "status_mismatch",
                currency=currency,
                local_status=refund.status,
                gateway_status=gateway_refund.status,
                **facts,
            )
        payment = refund.contribution.gateway_reference
        if gateway_refund.payment_intent and payment and gateway_refund.payment_intent != payment:
            self.add(
                "status_mismatch",
                currency=currency,
                local_status=payment,
                gateway_status=gateway_refund.payment_intent,
                **facts,
            )

    def check_transfers(self, gateway, transfers) -> None:
        transfers = [t for t in transfers if self.settled(t.created)]
        # Transfers reversed later than they were made: their reversal events were received here.
        listed = {t.id for t in transfers}
        reversed_ids = set()
        events = WebhookEvent.objects.filter(
            self.in_window("received_at"), provider="stripe", type="transfer.reversed"
        ).values_list("body", flat=True)
        for body in events:
            transfer_id = ((body or {}).get("data") or {}).get("object", {}).get("id")
            if transfer_id and transfer_id not in listed:
                reversed_ids.add(transfer_id)
        for transfer_id in sorted(reversed_ids):
            found = gateway.lookup_transfer(transfer_id)
            if found is not None:
                transfers.append(found)

        # Which disbursement each transfer pays: the one that recorded it, else its metadata.
        ids = {t.id for t in transfers}
        by_reference = {
            d.gateway_reference: d for d in Disbursement.objects.filter(gateway_reference__in=ids | {"-"})
        }
        metadata_pks = {
            int(t.metadata["disbursement"])
            for t in transfers
            if t.id not in by_reference and str(t.metadata.get("disbursement", "")).isdigit()
        }
        by_pk = {d.pk: d for d in Disbursement.objects.filter(pk__in=metadata_pks)}
        by_pk.update({d.pk: d for d in by_reference.values()})
        per_disbursement: dict[int, list] = defaultdict(list)
        for transfer in transfers:
            disbursement = by_reference.get(transfer.id)
            if disbursement is None and str(transfer.metadata.get("disbursement", "")).isdigit():
                disbursement = by_pk.get(int(transfer.metadata["disbursement"]))
            if disbursement is None:
                self.add_gateway_unknown("transfer", transfer, detail=transfer.transfer_group)
                continue
            per_disbursement[disbursement.pk].append(transfer)

        recipients = {
            r.payee_reference: r
            for r in Recipient.objects.filter(
                payee_reference__in={by_pk[pk].payee_reference for pk in per_disbursement}
            )
        }
        movements = self.ledger_movements(Transaction.Kind.DISBURSEMENT, "disbursement", per_disbursement)
        for pk, found in sorted(per_disbursement.items()):
            disbursement = by_pk[pk]
            # A retry after a reversed transfer is a new attempt with its own transfer: only two
            # transfers for one attempt, or more kept than the disbursement's amount, pay twice.
            attempts = [t.metadata.get("idempotency_key") or t.id for t in found]
            kept = sum(t.amount - t.amount_reversed for t in found)
            if len(found) > 1 and (len(set(attempts)) < len(attempts) or kept > disbursement.amount):
                self.add(
                    "duplicate_transfer",
                    object="disbursement",
                    id=pk,
                    currency=disbursement.currency,
                    gateway_id=", ".join(sorted(t.id for t in found)),
                    expected=disbursement.amount,
                    actual=sum(t.amount for t in found),
                )
            for transfer in found:
                self.compare_transfer(disbursement, transfer, recipients.get(disbursement.payee_reference))
            reversed_amount = sum(t.amount_reversed for t in found)
            ledger_reversed = movements[pk].reversed if pk in movements else 0
            if reversed_amount != ledger_reversed:
                self.add(
                    "reversal_not_in_ledger",
                    object="disbursement",
                    id=pk,
                    currency=disbursement.currency,
                    gateway_id=found[0].id,
                    expected=ledger_reversed,
                    actual=reversed_amount,
                )

        # Paid here through Stripe and not in the listing: look each one up.
        ours = Disbursement.objects.filter(
            self.in_window("paid_at"), status=Disbursement.Status.PAID, rail=Recipient.Rail.STRIPE
        ).exclude(pk__in=per_disbursement)
        for disbursement in ours.order_by("pk"):
            if not disbursement.gateway_reference:
                continue  # reported as reference_missing by the ledger check
            transfer = gateway.lookup_transfer(disbursement.gateway_reference)
            if transfer is None:
                self.add_gateway_missing("disbursement", disbursement, currency=disbursement.currency)
            else:
                recipient = Recipient.objects.filter(payee_reference=disbursement.payee_reference).first()
                self.compare_transfer(disbursement, transfer, recipient)
        self.compared["transfers"] = len(transfers)

    def compare_transfer(self, disbursement: Disbursement, transfer, recipient: Recipient | None) -> None:
        facts = {"object": "disbursement", "id": disbursement.pk, "gateway_id": transfer.id}
        currency = disbursement.currency
        if not self.amounts_match(
            facts, currency=currency, expected=disbursement.amount, item=transfer, actual=transfer.amount
        ):
            return
        if (
            recipient is not None
            and recipient.stripe_account_id
            and transfer.destination != recipient.stripe_account_id
        ):
            self.add(
                "destination_mismatch",
                currency=currency,
                detail=f"{transfer.destination} ≠ {recipient.stripe_account_id}",
                **facts,
            )
        fully_reversed = transfer.amount_reversed >= transfer.amount
        if disbursement.status != Disbursement.Status.PAID and not fully_reversed:
            self.add(
                "status_mismatch",
                currency=currency,
                local_status=disbursement.status,
                gateway_status="paid",
                **facts,
            )

    # Stripe's balance: amounts, fees and payouts ----------------------------------------------

    # Which ledger transactions move the money of a balance transaction's source, by its type:
    # the record's own transaction (never the internal ``payout:<d>…`` steps or reversals).
    LEDGER_MOVEMENT_FOR_TYPE = {
        "charge": (Transaction.Kind.CONTRIBUTION, "contribution:"),
        "payment": (Transaction.Kind.CONTRIBUTION, "contribution:"),
        "refund": (Transaction.Kind.REFUND, "refund:"),
        "transfer": (Transaction.Kind.DISBURSEMENT, "disbursement:"),
    }

    def check_balance_transactions(self, gateway, items) -> None:
        """Each payment, refund and transfer the ledger records moved Stripe's balance by the
        same amount; every fee Stripe took is in the ledger for its amount; every payout to the
        bank is in the books for its amount, and every payout in the books is at Stripe. (A
        balance transaction whose payment, refund or transfer the ledger lacks altogether is
        reported by the comparisons of those objects above.)"""
        items = [b for b in items if self.settled(b.created)]
        self.compare_balance_amounts(items)
        self.compare_fees(items)
        self.compare_payouts(gateway, items)
        self.compared["balance_transactions"] = len(items)

    def compare_balance_amounts(self, items) -> None:
        wanted = Q()
        references: dict[str, set[str]] = defaultdict(set)
        for item in items:
            if item.type in self.LEDGER_MOVEMENT_FOR_TYPE:
                references[item.type].add(item.source_reference)
        for type_name, refs in references.items():
            kind, prefix = self.LEDGER_MOVEMENT_FOR_TYPE[type_name]
            wanted |= Q(kind=kind, idempotency_key__startswith=prefix, reference__in=refs)
        if not references:
            return
        recorded = {
            (kind, reference): total or 0
            for kind, reference, total in Transaction.objects.filter(wanted)
            .values("kind", "reference")
            .annotate(total=Sum("entries__amount", filter=Q(entries__amount__gt=0)))
            .values_list("kind", "reference", "total")
        }
        for item in items:
            if item.type not in self.LEDGER_MOVEMENT_FOR_TYPE:
                continue
            kind, _prefix = self.LEDGER_MOVEMENT_FOR_TYPE[item.type]
            in_ledger = recorded.get((kind, item.source_reference))
            if in_ledger is not None and in_ledger != abs(item.amount):
                self.add(
                    "balance_amount",
                    object="balance_transaction",
                    gateway_id=item.id,
                    currency=item.currency,
                    expected=in_ledger,
                    actual=abs(item.amount),
                    detail=item.source_reference,
                )

    def compare_fees(self, items) -> None:
        """A fee on a payment is owed by the ledger once the payment is received here; a payment
        not recorded as received is reported on its own (unknown, or its status)."""
        payments = {item.source_reference for item in items if item.fee and item.type in PAYMENT_TYPES}
        received = set(
            Contribution.objects.filter(gateway_reference__in=payments, status__in=RECEIVED).values_list(
                "gateway_reference", flat=True
            )
        )
        charged = [
            item
            for item in items
            if item.fee and (item.type not in PAYMENT_TYPES or item.source_reference in received)
        ]
        keys = {fee_key("stripe", item.id): item for item in charged}
        recorded = dict(
            Entry.objects.filter(transaction__idempotency_key__in=keys, account__kind=Account.Kind.FEES)
            .values("transaction__idempotency_key")
            .annotate(total=Sum("amount"))
            .values_list("transaction__idempotency_key", "total")
        )
        for key, item in keys.items():
            in_ledger = recorded.get(key)
            facts = {
                "object": "balance_transaction",
                "gateway_id": item.id,
                "currency": item.currency,
                "expected": in_ledger or 0,
                "actual": item.fee,
                "detail": item.source_reference,
            }
            if in_ledger is None:
                self.add("fee_missing", **facts)
            elif in_ledger != item.fee:
                self.add("fee_amount", **facts)
        self.compared["fees"] = len(charged)

    def compare_payouts(self, gateway, items) -> None:
        payouts = [item for item in items if item.type == "payout"]
        failed = {item.source for item in items if item.type == "payout_failure"}
        listed = {item.source for item in payouts}
        books = {p.gateway_reference: p for p in GatewayPayout.objects.filter(gateway_reference__in=listed)}
        for item in payouts:
            payout = books.get(item.source)
            facts = {"object": "payout", "gateway_id": item.source, "currency": item.currency}
            if payout is None:
                self.add("payout_missing", actual=-item.amount, **facts)
                continue
            if payout.currency != item.currency:
                self.add(
                    "currency_mismatch", id=payout.pk, detail=f"{payout.currency} / {item.currency}", **facts
                )
            elif payout.amount != -item.amount:
                self.add("payout_amount", id=payout.pk, expected=payout.amount, actual=-item.amount, **facts)
            if item.source in failed and payout.status != "failed":
                self.add(
                    "status_mismatch",
                    id=payout.pk,
                    local_status=payout.status,
                    gateway_status="failed",
                    **facts,
                )
        # In the books and not in the listing: look each one up.
        ours = GatewayPayout.objects.filter(self.in_window("created_at"), rail="stripe").exclude(
            gateway_reference__in=listed
        )
        for payout in ours.order_by("pk"):
            found = gateway.lookup_payout(payout.gateway_reference)
            if found is None:
                self.add_gateway_missing("payout", payout, currency=payout.currency)
            elif found.amount != payout.amount:
                self.add(
                    "payout_amount",
                    object="payout",
                    id=payout.pk,
                    gateway_id=found.id,
                    currency=payout.currency,
                    expected=payout.amount,
                    actual=found.amount,
                )
        self.compared["payouts"] = len(payouts)
