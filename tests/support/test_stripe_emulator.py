"""The Stripe emulator, driven through the real stripe-python client. No Django, no database."""

from __future__ import annotations

import http.server
import json
import queue
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest
import stripe

from .stripe_emulator import (
    StripeEmulatorError,
    complete_onboarding,
    register_webhook,
    running_stripe_emulator,
    stripe_base_addresses,
)


@pytest.fixture(scope="module")
def emulator_url():
    with running_stripe_emulator() as url:
        yield url


@pytest.fixture
def client(emulator_url):
    return stripe.StripeClient(
        "sk_test_emulator",
        base_addresses={"api": emulator_url, "connect": emulator_url, "files": emulator_url},
    )


def _express_account(client, email="payee@example.com"):
    return client.v1.accounts.create(
        params={
            "type": "express",
            "country": "ID",
            "email": email,
            "capabilities": {"transfers": {"requested": True}},
        }
    )


def _onboarded_account(client, emulator_url):
    account = _express_account(client)
    complete_onboarding(emulator_url, account.id)
    return account


def test_base_url_is_loopback(emulator_url):
    assert emulator_url.startswith("http://127.0.0.1:")
    assert stripe_base_addresses(emulator_url) == {
        "api": emulator_url,
        "connect": emulator_url,
        "files": emulator_url,
    }


def test_connect_onboarding_transfer_idempotency_and_reversal(client, emulator_url):
    account = _express_account(client)
    assert account.id.startswith("acct_")
    assert account.type == "express"
    assert account.country == "ID"
    assert account.email == "payee@example.com"
    assert account.capabilities["transfers"] == "inactive"
    assert (account.charges_enabled, account.payouts_enabled, account.details_submitted) == (False,) * 3

    link = client.v1.account_links.create(
        params={
            "account": account.id,
            "type": "account_onboarding",
            "refresh_url": "https://example.com/refresh",
            "return_url": "https://example.com/return",
        }
    )
    assert link.object == "account_link"
    assert link.url.startswith(emulator_url + "/")
    assert link.expires_at > time.time()

    transfer_params = {
        "amount": 250_000,
        "currency": "idr",
        "destination": account.id,
        "transfer_group": "fund-42",
        "description": "Grant disbursement",
        "metadata": {"disbursement": "17"},
    }
    options = {"idempotency_key": f"disbursement-{uuid.uuid4()}"}
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.transfers.create(params=transfer_params, options=options)
    assert refused.value.http_status == 400
    assert refused.value.code == "insufficient_capabilities_for_transfer"
    assert refused.value.param == "destination"

    request = urllib.request.Request(
        f"{emulator_url}/_test/accounts/{account.id}/complete_onboarding", data=b"", method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read())["payouts_enabled"] is True
    account = client.v1.accounts.retrieve(account.id)
    assert (account.charges_enabled, account.payouts_enabled, account.details_submitted) == (True,) * 3
    assert account.capabilities["transfers"] == "active"

    # The refused attempt stored nothing under its key, so the same key now goes through once.
    transfer = client.v1.transfers.create(params=transfer_params, options=options)
    assert transfer.id.startswith("tr_")
    assert (transfer.amount, transfer.currency, transfer.destination) == (250_000, "idr", account.id)
    assert transfer.transfer_group == "fund-42"
    assert transfer.description == "Grant disbursement"
    assert transfer.metadata.to_dict() == {"disbursement": "17"}
    assert (transfer.amount_reversed, transfer.reversed) == (0, False)

    replay = client.v1.transfers.create(params=transfer_params, options=options)
    assert replay.id == transfer.id
    listed = client.v1.transfers.list(params={"destination": account.id})
    assert [t.id for t in listed.data] == [transfer.id]
    assert client.v1.transfers.retrieve(transfer.id).metadata["disbursement"] == "17"

    with pytest.raises(stripe.IdempotencyError):
        client.v1.transfers.create(params={**transfer_params, "amount": 1}, options=options)

    reversal = client.v1.transfers.reversals.create(transfer.id, params={"amount": 100_000})
    assert reversal.id.startswith("trr_")
    assert (reversal.amount, reversal.transfer) == (100_000, transfer.id)
    transfer = client.v1.transfers.retrieve(transfer.id)
    assert (transfer.amount_reversed, transfer.reversed) == (100_000, False)

    with pytest.raises(stripe.InvalidRequestError) as over:
        client.v1.transfers.reversals.create(transfer.id, params={"amount": 150_001})
    assert over.value.http_status == 400
    assert over.value.param == "amount"

    rest = client.v1.transfers.reversals.create(transfer.id)
    assert rest.amount == 150_000
    transfer = client.v1.transfers.retrieve(transfer.id)
    assert (transfer.amount_reversed, transfer.reversed) == (250_000, True)
    assert {r.id for r in client.v1.transfers.reversals.list(transfer.id).data} == {reversal.id, rest.id}


def test_transfer_to_unknown_account_is_refused(client):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.transfers.create(params={"amount": 1000, "currency": "idr", "destination": "acct_missing"})
    assert refused.value.code == "resource_missing"
    assert refused.value.param == "destination"


def test_account_link_url_completes_onboarding(client, emulator_url):
    account = _express_account(client)
    link = client.v1.account_links.create(
        params={
            "account": account.id,
            "type": "account_onboarding",
            "refresh_url": "https://example.com/refresh",
            "return_url": "https://example.com/return",
        }
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    locations = []
    for _ in range(2):
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(link.url, timeout=10)
        assert redirect.value.code == 302
        locations.append(redirect.value.headers["Location"])
    # An account link works once; afterwards it sends the user to refresh_url for a new one.
    assert locations == ["https://example.com/return", "https://example.com/refresh"]
    assert client.v1.accounts.retrieve(account.id).payouts_enabled is True


def test_payment_intent_in_idr_with_transfer_group(client):
    intent = client.v1.payment_intents.create(
        params={
            "amount": 1_500_000,
            "currency": "idr",
            "transfer_group": "fund-42",
            "description": "Contribution to fund 42",
            "payment_method_types": ["card"],
        }
    )
    assert intent.status == "requires_payment_method"
    assert intent.transfer_group == "fund-42"
    assert intent.description == "Contribution to fund 42"

    intent = client.v1.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_visa"})
    assert intent.status == "succeeded"
    assert intent.payment_method.startswith("pm_")
    assert isinstance(intent.latest_charge, str) and intent.latest_charge.startswith("ch_")

    intent = client.v1.payment_intents.retrieve(intent.id)
    assert (intent.amount, intent.currency, intent.status) == (1_500_000, "idr", "succeeded")
    assert intent.transfer_group == "fund-42"
    assert intent.description == "Contribution to fund 42"


def test_destination_charge_creates_its_transfer(client, emulator_url):
    account = _onboarded_account(client, emulator_url)
    intent = client.v1.payment_intents.create(
        params={
            "amount": 200_000,
            "currency": "idr",
            "payment_method": "pm_card_visa",
            "confirm": True,
            "application_fee_amount": 20_000,
            "transfer_data": {"destination": account.id},
            "transfer_group": "order-9",
        }
    )
    assert intent.status == "succeeded"
    assert intent.transfer_data.destination == account.id
    [transfer] = client.v1.transfers.list(params={"destination": account.id}).data
    assert (transfer.amount, transfer.transfer_group) == (180_000, "order-9")
    assert transfer.source_transaction == intent.latest_charge


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: queue.Queue

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.put((body, self.headers.get("Stripe-Signature")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_receiver():
    received: queue.Queue = queue.Queue()
    handler = type("Receiver", (_Receiver,), {"received": received})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/stripe/webhook", received
    finally:
        server.shutdown()
        server.server_close()


def test_balance_transactions_are_made_and_listed_as_stripe_does(client, emulator_url):
    from .stripe_emulator import reset

    reset(emulator_url)
    account = _onboarded_account(client, emulator_url)
    intent = client.v1.payment_intents.create(
        params={"amount": 10_000_000_00, "currency": "idr", "payment_method_types": ["card"]}
    )
    intent = client.v1.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_visa"})
    refund = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1_000_000_00})
    transfer = client.v1.transfers.create(
        params={"amount": 2_000_000_00, "currency": "idr", "destination": account.id}
    )
    reversal = client.v1.transfers.reversals.create(transfer.id, params={"amount": 500_000_00})
    payout = client.v1.payouts.create(params={"amount": 3_000_000_00, "currency": "idr"})

    # The charge's, with the card fee (2.9 % + Rp 2.000) and its breakdown.
    charged = client.v1.payment_intents.retrieve(
        intent.id, params={"expand": ["latest_charge.balance_transaction"]}
    ).latest_charge.balance_transaction
    assert (charged.type, charged.reporting_category, charged.amount) == ("charge", "charge", 10_000_000_00)
    assert (charged.fee, charged.net) == (292_000_00, 10_000_000_00 - 292_000_00)
    assert [(d.type, d.amount) for d in charged.fee_details] == [("stripe_fee", 292_000_00)]
    # Every other movement of the balance has its own, linked from its object.
    moved = {
        txn.type: txn for txn in client.v1.balance_transactions.list(params={"limit": 100}).auto_paging_iter()
    }
    assert {t: (moved[t].amount, moved[t].fee) for t in moved} == {
        "charge": (10_000_000_00, 292_000_00),
        "refund": (-1_000_000_00, 0),
        "transfer": (-2_000_000_00, 0),
        "transfer_refund": (500_000_00, 0),
        "payout": (-3_000_000_00, 0),
    }
    assert moved["refund"].id == client.v1.refunds.retrieve(refund.id).balance_transaction
    assert moved["transfer"].id == client.v1.transfers.retrieve(transfer.id).balance_transaction
    assert moved["transfer_refund"].id == reversal.balance_transaction
    assert moved["payout"].id == client.v1.payouts.retrieve(payout.id).balance_transaction

    # Newest first, a page at a time; filters by type and source; the source expanded.
    page = client.v1.balance_transactions.list(params={"limit": 2})
    assert [t.type for t in page.data] == ["payout", "transfer_refund"] and page.has_more
    following = client.v1.balance_transactions.list(params={"limit": 2, "starting_after": page.data[-1].id})
    assert [t.type for t in following.data] == ["transfer", "refund"]
    assert [t.source for t in client.v1.balance_transactions.list(params={"type": "transfer"}).data] == [
        transfer.id
    ]
    assert [t.type for t in client.v1.balance_transactions.list(params={"source": refund.id}).data] == [
        "refund"
    ]
    expanded = client.v1.balance_transactions.list(params={"type": "charge", "expand": ["data.source"]}).data[
        0
    ]
    assert (expanded.source.object, expanded.source.payment_intent) == ("charge", intent.id)
    assert client.v1.balance_transactions.list(params={"created": {"gt": int(time.time()) + 60}}).data == []
    # A manual payout's transactions cannot be listed by payout, as at Stripe.
    with pytest.raises(stripe.InvalidRequestError, match="automatic"):
        client.v1.balance_transactions.list(params={"payout": payout.id})


def test_webhook_is_signed_for_construct_event(client, emulator_url, webhook_receiver):
    endpoint, received = webhook_receiver
    secret = "whsec_emulator_test"
    register_webhook(emulator_url, endpoint, secret, webhook_id=f"test-{uuid.uuid4()}")

    account = _onboarded_account(client, emulator_url)
    transfer = client.v1.transfers.create(
        params={"amount": 5000, "currency": "idr", "destination": account.id}
    )

    wanted = {("account.updated", account.id), ("transfer.created", transfer.id)}
    seen = set()
    deadline = time.monotonic() + 10
    while wanted - seen:
        try:
            body, signature = received.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            pytest.fail(f"no webhook for {sorted(wanted - seen)} within 10 s")
        event = stripe.Webhook.construct_event(body, signature, secret)
        seen.add((event.type, event.data.object.id))
        if event.type == "account.updated" and event.data.object.id == account.id:
            assert event.account == account.id
            assert event.data.previous_attributes.payouts_enabled is False

    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, signature, "whsec_wrong")


def test_launcher_reports_a_port_it_cannot_use(emulator_url):
    taken = int(emulator_url.rsplit(":", 1)[1])
    with (
        pytest.raises(StripeEmulatorError, match="exited with code"),
        running_stripe_emulator(taken, timeout=10),
    ):
        pass
