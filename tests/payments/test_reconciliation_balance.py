"""Reconciliation against Stripe's balance transactions: the fees Stripe kept, the amounts each
payment, refund and transfer moved, and the payouts to the platform's bank account. Against the
Stripe emulator the test session starts (real HTTP; its card fee is 2.9 % + Rp 2.000)."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from payments import api as payments_api
from payments import gateway_balance, ledger, webhooks
from payments.gateways.stripe.gateway import client as stripe_client
from payments.models import Account, Contribution, Entry, GatewayPayout, Transaction, WebhookEvent
from tests.payments.test_reconciliation import (  # noqa: F401 (fixtures)
    codes,
    fund,
    paid_by_card,
    paid_through_stripe,
    stripe,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages", "private_media")]

NOW = datetime.timedelta(0)
CONTRIBUTION = 30_000_000_00
# The emulator's card fee on Rp 30.000.000: 2.9 % (Rp 870.000) + Rp 2.000.
FEE = 872_000_00


def deliver(event_type: str, obj: dict) -> WebhookEvent:
    """A Stripe event as the webhook view stores it, processed by the handler table."""
    event, _created = webhooks.webhook_store(
        provider="stripe",
        event={"id": f"evt_{event_type}_{obj['id']}", "type": event_type, "data": {"object": obj}},
    )
    webhooks.webhook_process(event_id=event.pk)
    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.PROCESSED, event.error
    return event


def paid_and_announced(fund, people) -> Contribution:  # noqa: F811
    """A card contribution whose ``payment_intent.succeeded`` webhook arrived."""
    contribution = paid_by_card(fund, people, amount=CONTRIBUTION, record=False)
    intent = stripe_client().v1.payment_intents.retrieve(contribution.gateway_reference)
    deliver("payment_intent.succeeded", intent.to_dict())
    return Contribution.objects.get(pk=contribution.pk)


def fees_in_ledger() -> int:
    return sum(Entry.objects.filter(account__kind=Account.Kind.FEES).values_list("amount", flat=True))


def payout_at_stripe(amount: int, **params) -> dict:
    return stripe_client().v1.payouts.create(params={"amount": amount, "currency": "idr", **params}).to_dict()


def test_books_that_agree_with_stripes_balance_report_nothing(
    stripe,  # noqa: F811
    fund,  # noqa: F811
    people,
    django_capture_on_commit_callbacks,
):
    available_before = payments_api.fund_available(fund=fund)
    contribution = paid_and_announced(fund, people)
    with django_capture_on_commit_callbacks(execute=True):
        payments_api.contribution_refund(
            contribution=contribution,
            amount=5_000_000_00,
            reason="Salah",
            by=people["finance2"],
            idempotency_key="t",
        )
    paid_through_stripe(fund, people, stripe, django_capture_on_commit_callbacks)
    payout = payout_at_stripe(10_000_000_00, status="paid")
    deliver("payout.paid", payout)

    result = payments_api.reconcile(settle=NOW)

    assert result.differences == [] and result.run.error == ""
    # A charge, a refund, a transfer and a payout moved Stripe's balance; one of them had a fee.
    assert result.compared["balance_transactions"] == 4
    assert (result.compared["fees"], result.compared["payouts"]) == (1, 1)
    # The fee is in the ledger, paid from the operator's budget: the fund keeps the whole
    # contribution (less the refund and the award it paid).
    assert fees_in_ledger() == FEE
    fee_txn = Transaction.objects.get(kind=Transaction.Kind.FEE)
    assert fee_txn.fund_id == fund.pk and sum(fee_txn.entries.values_list("amount", flat=True)) == 0
    assert (
        payments_api.fund_available(fund=fund)
        == available_before + CONTRIBUTION - 5_000_000_00 - 25_000_000_00
    )
    book = GatewayPayout.objects.get()
    assert (book.gateway_reference, book.amount, book.status) == (payout["id"], 10_000_000_00, "paid")


def test_the_fee_is_recorded_once_however_often_the_payment_is_announced(stripe, fund, people):  # noqa: F811
    contribution = paid_and_announced(fund, people)
    intent = stripe_client().v1.payment_intents.retrieve(contribution.gateway_reference).to_dict()
    webhooks.webhook_store(
        provider="stripe",
        event={"id": "evt_again", "type": "payment_intent.succeeded", "data": {"object": intent}},
    )
    webhooks.webhook_process(event_id=WebhookEvent.objects.get(event_id="evt_again").pk)
    gateway_balance.contribution_record_fee(contribution=contribution)

    assert fees_in_ledger() == FEE
    assert Transaction.objects.filter(kind=Transaction.Kind.FEE).count() == 1


def test_a_fee_the_ledger_lacks_is_reported(stripe, fund, people):  # noqa: F811
    # The payment was recorded but the fee never was (the handler died in between).
    contribution = paid_by_card(fund, people, amount=CONTRIBUTION, fee=False)

    result = payments_api.reconcile(settle=NOW)

    assert codes(result.run) == [("fee_missing", "balance_transaction")]
    difference = result.differences[0]
    assert (difference["actual"], difference["expected"]) == (FEE, 0)
    assert difference["detail"] == contribution.gateway_reference


def test_a_fee_recorded_for_another_amount_is_reported(stripe, fund, people):  # noqa: F811
    contribution = paid_by_card(fund, people, amount=CONTRIBUTION, fee=False)
    charged = stripe_client().v1.payment_intents.retrieve(contribution.gateway_reference)
    real = payments_api_gateway().payment_balance_transaction(charged.id)
    assert real is not None and real.fee == FEE
    gateway_balance.fee_post(
        contribution=contribution, balance_transaction=dataclasses.replace(real, fee=2_000_00)
    )

    result = payments_api.reconcile(settle=NOW)

    assert codes(result.run) == [("fee_amount", "balance_transaction")]
    difference = result.differences[0]
    assert (difference["expected"], difference["actual"], difference["gateway_id"]) == (
        2_000_00,
        FEE,
        real.id,
    )


def test_a_ledger_that_counts_a_payment_twice_differs_from_stripes_balance(stripe, fund, people):  # noqa: F811
    contribution = paid_by_card(fund, people, amount=CONTRIBUTION)
    # A second transaction for the same payment (a bug writing under another key).
    sponsors = Account.objects.get(code="source:sponsors")
    ledger.post(
        kind=Transaction.Kind.CONTRIBUTION,
        fund=fund,
        description="dicatat dua kali",
        reference=contribution.gateway_reference,
        idempotency_key=f"contribution:{contribution.pk}:again",
        legs=[(ledger.fund_cash_account(fund), CONTRIBUTION), (sponsors, -CONTRIBUTION)],
    )

    result = payments_api.reconcile(settle=NOW)

    assert codes(result.run) == [("balance_amount", "balance_transaction"), ("ledger_amount", "contribution")]
    moved = next(d for d in result.differences if d["code"] == "balance_amount")
    assert (moved["expected"], moved["actual"], moved["detail"]) == (
        2 * CONTRIBUTION,
        CONTRIBUTION,
        contribution.gateway_reference,
    )


def test_a_payout_to_the_bank_missing_from_the_books_is_reported(stripe, fund, people):  # noqa: F811
    payout = payout_at_stripe(7_500_000_00)  # its payout.created webhook never arrived

    result = payments_api.reconcile(settle=NOW)

    assert codes(result.run) == [("payout_missing", "payout")]
    assert (result.differences[0]["gateway_id"], result.differences[0]["actual"]) == (
        payout["id"],
        7_500_000_00,
    )


def test_payouts_the_books_record_differently_or_stripe_does_not_have_are_reported(
    stripe,  # noqa: F811
    fund,  # noqa: F811
    people,
):
    payout = payout_at_stripe(7_500_000_00)
    deliver("payout.created", payout)
    GatewayPayout.objects.filter(gateway_reference=payout["id"]).update(amount=7_000_000_00)
    failed = payout_at_stripe(1_000_000_00, status="failed")
    deliver("payout.created", failed)
    GatewayPayout.objects.filter(gateway_reference=failed["id"]).update(status="paid")
    GatewayPayout.objects.create(gateway_reference="po_not_at_stripe", amount=1_000_00, status="paid")

    result = payments_api.reconcile(settle=NOW)

    assert codes(result.run) == [
        ("gateway_missing", "payout"),
        ("payout_amount", "payout"),
        ("status_mismatch", "payout"),
    ]
    by_code = {d["code"]: d for d in result.differences}
    assert (by_code["payout_amount"]["expected"], by_code["payout_amount"]["actual"]) == (
        7_000_000_00,
        7_500_000_00,
    )
    assert by_code["gateway_missing"]["gateway_id"] == "po_not_at_stripe"


def test_the_report_page_words_fee_and_payout_differences_in_both_languages(
    client,
    stripe,  # noqa: F811
    fund,  # noqa: F811
    people,
):
    paid_by_card(fund, people, amount=CONTRIBUTION, fee=False)
    payout = payout_at_stripe(7_500_000_00)
    run = payments_api.reconcile(settle=NOW).run
    client.force_login(people["finance"])
    pages = {}
    for language in ("id", "en"):
        with translation.override(language):
            url = reverse("marketplace:finance_reconciliation_detail", kwargs={"pk": run.pk})
        pages[language] = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    indonesian, english = pages["id"], pages["en"]

    assert "Stripe memotong biaya Rp 872.000" in indonesian
    assert "tidak tercatat di buku besar" in indonesian
    assert f"Stripe mencairkan Rp 7.500.000 ke rekening bank (payout {payout['id']})" in indonesian
    assert "Stripe took a fee of Rp 872.000" in english
    assert (
        f"Stripe paid Rp 7.500.000 out to the bank (payout {payout['id']}), which is not in the books."
        in english
    )


def payments_api_gateway():
    from payments.gateways import get_gateway

    return get_gateway("stripe")
