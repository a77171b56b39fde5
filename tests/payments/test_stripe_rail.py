"""The Stripe Connect rail against the Stripe emulator started by the test session."""

import contextlib
import json
import time

import pytest
import stripe
from django.urls import reverse

from payments import services, tasks
from payments.errors import PaymentError
from payments.gateways.stripe.gateway import client
from payments.models import Disbursement, GatewayCall, Recipient, Transaction, WebhookEvent
from tests.conftest import STRIPE_WEBHOOK_SECRET
from tests.factories import UserFactory
from tests.support.stripe_emulator import complete_onboarding

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


@pytest.fixture
def pending_disbursement(stripe_emulator):
    finance, official = UserFactory(roles=["finance"]), UserFactory(roles=["official"])
    fund = services.fund_get_or_create(reference="challenge:41")
    services.allocation_record(
        fund=fund, amount=900_000_00, by=finance, description="APBD", idempotency_key="k"
    )
    commitment = services.commitment_create(fund=fund, reference="award:41", amount=500_000_00, by=official)
    disbursement = services.disbursement_create(
        commitment=commitment,
        reference="milestone:41",
        amount=200_000_00,
        payee_reference="organisation:41",
        requested_by=official,
    )
    return disbursement, finance


def _onboard(stripe_emulator, payee="organisation:41"):
    url = services.recipient_start_stripe_onboarding(
        payee_reference=payee,
        email="keuangan@startup.id",
        country="GB",
        return_url="http://testserver/workspace/",
        refresh_url="http://testserver/workspace/",
    )
    assert url.startswith("http")
    recipient = Recipient.objects.get(payee_reference=payee)
    assert recipient.rail == "stripe" and recipient.stripe_account_id.startswith("acct_")
    return recipient


def test_release_sends_one_connect_transfer_and_writes_the_ledger(stripe_emulator, pending_disbursement):
    disbursement, finance = pending_disbursement
    recipient = _onboard(stripe_emulator)
    complete_onboarding(stripe_emulator, recipient.stripe_account_id)

    paid = services.disbursement_release(disbursement=disbursement, by=finance)

    assert paid.status == Disbursement.Status.PAID
    transfers = client().v1.transfers.list(params={"destination": recipient.stripe_account_id}).data
    assert [(t.id, t.amount, t.currency, t.transfer_group) for t in transfers] == [
        (paid.gateway_reference, 200_000_00, "idr", "challenge:41")
    ]
    txn = Transaction.objects.get(kind="disbursement")
    assert sum(e.amount for e in txn.entries.all()) == 0
    assert txn.reference == paid.gateway_reference


def test_a_replayed_gateway_call_does_not_pay_twice(stripe_emulator, pending_disbursement):
    """A worker that crashed after sending resends with the same idempotency key."""
    disbursement, finance = pending_disbursement
    recipient = _onboard(stripe_emulator)
    complete_onboarding(stripe_emulator, recipient.stripe_account_id)
    paid = services.disbursement_release(disbursement=disbursement, by=finance)
    # Simulate the lost answer: the row is back in SENDING with the same attempt.
    Disbursement.objects.filter(pk=paid.pk).update(status=Disbursement.Status.SENDING)

    services.disbursement_resend(disbursement=paid)

    transfers = client().v1.transfers.list(params={"destination": recipient.stripe_account_id}).data
    assert len(transfers) == 1
    assert Transaction.objects.filter(kind="disbursement").count() == 1
    assert GatewayCall.objects.filter(disbursement=paid).count() == 1


def test_transfer_to_an_account_not_yet_onboarded_fails_and_may_be_retried(
    stripe_emulator, pending_disbursement
):
    disbursement, finance = pending_disbursement
    recipient = _onboard(stripe_emulator)
    with pytest.raises(PaymentError, match="refused"):
        services.disbursement_release(disbursement=disbursement, by=finance)
    disbursement.refresh_from_db()
    assert disbursement.status == Disbursement.Status.FAILED
    assert not Transaction.objects.filter(kind="disbursement").exists()

    complete_onboarding(stripe_emulator, recipient.stripe_account_id)
    retried = services.disbursement_release(disbursement=disbursement, by=finance)
    assert retried.status == Disbursement.Status.PAID
    assert retried.attempts == 2
    assert GatewayCall.objects.filter(disbursement=disbursement).count() == 2


def _signed(payload: dict, secret: str = STRIPE_WEBHOOK_SECRET) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body.decode()}", secret)
    return body, f"t={timestamp},v1={signature}"


def test_webhook_refuses_unsigned_posts(client, stripe_emulator):
    response = client.post(
        reverse("payments:stripe_webhook"), data=b'{"id": "evt_1"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_webhook_refuses_a_wrong_signature(client, stripe_emulator):
    body, header = _signed(
        {"id": "evt_1", "type": "transfer.created", "data": {"object": {}}}, secret="whsec_x"
    )
    response = client.post(
        reverse("payments:stripe_webhook"),
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )
    assert response.status_code == 400


def test_a_signed_event_is_stored_once_and_replays_change_nothing(
    client, stripe_emulator, django_capture_on_commit_callbacks
):
    payload = {
        "id": "evt_123",
        "object": "event",
        "type": "transfer.created",
        "data": {"object": {"id": "tr_1", "object": "transfer"}},
    }
    for _ in range(2):
        body, header = _signed(payload)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("payments:stripe_webhook"),
                data=body,
                content_type="application/json",
                headers={"Stripe-Signature": header},
            )
        assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.status == WebhookEvent.Status.PROCESSED


def test_webhook_endpoint_only_takes_post(client):
    assert client.get(reverse("payments:stripe_webhook")).status_code == 405


def test_when_stripe_is_unreachable_nothing_is_paid_and_the_resend_finishes_once(
    settings, stripe_emulator, pending_disbursement
):
    disbursement, finance = pending_disbursement
    recipient = _onboard(stripe_emulator)
    complete_onboarding(stripe_emulator, recipient.stripe_account_id)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: a real connection failure

    with pytest.raises(PaymentError, match="could not be reached"):
        services.disbursement_release(disbursement=disbursement, by=finance)
    disbursement.refresh_from_db()
    assert disbursement.status == Disbursement.Status.SENDING
    assert not Transaction.objects.filter(kind="disbursement").exists()

    settings.STRIPE_API_BASE = stripe_emulator  # Stripe is back; the beat sweep resends
    tasks.resend_stuck_disbursements()
    disbursement.refresh_from_db()
    assert disbursement.status == Disbursement.Status.PAID
    assert len(client().v1.transfers.list(params={"destination": recipient.stripe_account_id}).data) == 1
    assert Transaction.objects.filter(kind="disbursement").count() == 1


def test_events_stored_while_the_broker_was_down_are_processed_by_the_sweep(
    client, stripe_emulator, django_capture_on_commit_callbacks
):
    payload = {"id": "evt_broker_down", "object": "event", "type": "account.updated", "data": {"object": {}}}
    body, header = _signed(payload)
    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("payments:stripe_webhook"),
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": header},
        )
    assert response.status_code == 200  # acknowledged: Stripe will not resend, so we must keep it
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.RECEIVED

    tasks.process_pending_webhook_events()
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.PROCESSED


@contextlib.contextmanager
def broker_unreachable():
    """Point Celery at a port where no broker listens: queuing raises, as when Redis is down."""
    from config.celery import app as celery_app

    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = "redis://127.0.0.1:9/0", False
    celery_app._pool = None  # the producer pool is built from broker_url on first use
    try:
        yield
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
        celery_app._pool = None
