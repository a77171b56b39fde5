"""The Stripe Connect rail against the Stripe emulator started by the test session."""

import contextlib
import json
import time

import pytest
import stripe
from django.urls import reverse

from payments import api as payments_api
from payments import tasks
from payments.errors import PaymentError
from payments.gateways.stripe.gateway import client as stripe_client
from payments.interface import GatewayUnavailable
from payments.models import Disbursement, GatewayCall, Recipient, Transaction, WebhookEvent
from tests.conftest import STRIPE_WEBHOOK_SECRET
from tests.factories import UserFactory
from tests.support.stripe_emulator import complete_onboarding

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


@pytest.fixture
def pending_disbursement(stripe_emulator):
    finance, official = UserFactory(roles=["finance"]), UserFactory(roles=["official"])
    fund = payments_api.fund_get_or_create(reference="challenge:41")
    payments_api.allocation_record(
        fund=fund, amount=900_000_00, by=finance, description="APBD", idempotency_key="k"
    )
    commitment = payments_api.commitment_create(
        fund=fund, reference="award:41", amount=500_000_00, by=official
    )
    disbursement = payments_api.disbursement_create(
        commitment=commitment,
        reference="milestone:41",
        amount=200_000_00,
        payee_reference="organisation:41",
        requested_by=official,
    )
    return disbursement, finance


def _onboard(stripe_emulator, payee="organisation:41"):
    url = payments_api.recipient_start_stripe_onboarding(
        payee_reference=payee,
        email="keuangan@startup.id",
        country="GB",
        return_url="http://testserver/workspace/",
        refresh_url="http://testserver/workspace/",
    )
    assert url.startswith("http")
    recipient = Recipient.objects.get(payee_reference=payee)
    # Connected, not yet the rail: the payee is paid through Stripe once onboarding is finished.
    assert recipient.stripe_account_id.startswith("acct_") and recipient.rail == "manual"
    return recipient


def _finish_onboarding(stripe_emulator, recipient):
    """The payee completes onboarding at Stripe and comes back (the return page reads Stripe)."""
    complete_onboarding(stripe_emulator, recipient.stripe_account_id)
    recipient = payments_api.recipient_sync_stripe(account_id=recipient.stripe_account_id, activate=True)
    assert recipient.rail == "stripe" and recipient.payouts_enabled
    return recipient


def _confirm(http, transfer_id: str, event_id: str = "evt_transfer_created"):
    """Stripe's transfer.created webhook, signed the way Stripe signs it."""
    payload = {
        "id": event_id,
        "object": "event",
        "type": "transfer.created",
        "data": {"object": stripe_client().v1.transfers.retrieve(transfer_id).to_dict()},
    }
    body, header = _signed(payload)
    return http.post(
        reverse("payments:stripe_webhook"),
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )


def test_release_sends_one_connect_transfer_and_writes_the_ledger(
    client, stripe_emulator, pending_disbursement, django_capture_on_commit_callbacks
):
    disbursement, finance = pending_disbursement
    recipient = _finish_onboarding(stripe_emulator, _onboard(stripe_emulator))

    with django_capture_on_commit_callbacks(execute=True):  # the release queues the send task
        payments_api.disbursement_release(disbursement=disbursement, by=finance)
    sent = Disbursement.objects.get(pk=disbursement.pk)
    assert sent.status == Disbursement.Status.SENT
    transfers = stripe_client().v1.transfers.list(params={"destination": recipient.stripe_account_id}).data
    assert [(t.id, t.amount, t.currency, t.transfer_group) for t in transfers] == [
        (sent.gateway_reference, 200_000_00, "idr", "challenge:41")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert _confirm(client, sent.gateway_reference).status_code == 200
    paid = Disbursement.objects.get(pk=disbursement.pk)
    assert paid.status == Disbursement.Status.PAID
    txn = Transaction.objects.get(idempotency_key__endswith=":paid")
    assert sum(e.amount for e in txn.entries.all()) == 0
    assert txn.reference == paid.gateway_reference


def test_a_replayed_gateway_call_does_not_pay_twice(
    stripe_emulator, pending_disbursement, django_capture_on_commit_callbacks
):
    """A worker that crashed after sending resends with the same idempotency key."""
    disbursement, finance = pending_disbursement
    recipient = _finish_onboarding(stripe_emulator, _onboard(stripe_emulator))
    with django_capture_on_commit_callbacks(execute=True):
        payments_api.disbursement_release(disbursement=disbursement, by=finance)
    # Simulate the lost answer: the row is back in SENDING with the same attempt.
    Disbursement.objects.filter(pk=disbursement.pk).update(status=Disbursement.Status.SENDING)

    payments_api.disbursement_resend(disbursement=disbursement)

    transfers = stripe_client().v1.transfers.list(params={"destination": recipient.stripe_account_id}).data
    assert len(transfers) == 1
    assert Transaction.objects.filter(idempotency_key__endswith=":sent").count() == 1
    assert GatewayCall.objects.filter(disbursement=disbursement).count() == 1
    assert Disbursement.objects.get(pk=disbursement.pk).status == Disbursement.Status.SENT


def test_transfer_to_an_account_not_yet_onboarded_fails_and_may_be_retried(
    stripe_emulator, pending_disbursement, django_capture_on_commit_callbacks
):
    disbursement, finance = pending_disbursement
    recipient = _onboard(stripe_emulator)
    with pytest.raises(PaymentError, match="not finished connecting"):
        payments_api.disbursement_release(disbursement=disbursement, by=finance)  # still the manual rail
    # A stale copy says the account is ready; Stripe knows better and refuses the transfer.
    Recipient.objects.filter(pk=recipient.pk).update(rail="stripe", payouts_enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        payments_api.disbursement_release(disbursement=disbursement, by=finance)
    disbursement.refresh_from_db()
    assert disbursement.status == Disbursement.Status.FAILED
    assert not Transaction.objects.filter(idempotency_key__endswith=":paid").exists()

    _finish_onboarding(stripe_emulator, recipient)
    with django_capture_on_commit_callbacks(execute=True):
        retried = payments_api.disbursement_retry(disbursement=disbursement, by=finance)
    retried.refresh_from_db()
    assert retried.status == Disbursement.Status.SENT
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
    recipient = _finish_onboarding(stripe_emulator, _onboard(stripe_emulator))
    payments_api.disbursement_release(disbursement=disbursement, by=finance)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: a real connection failure

    with pytest.raises(GatewayUnavailable):
        payments_api.disbursement_send(disbursement_id=disbursement.pk)  # what the worker runs
    disbursement.refresh_from_db()
    assert disbursement.status == Disbursement.Status.SENDING
    assert not Transaction.objects.filter(idempotency_key__endswith=":paid").exists()

    settings.STRIPE_API_BASE = stripe_emulator  # Stripe is back; the beat sweeps resend and confirm
    tasks.resend_stuck_disbursements(older_than_seconds=0)
    tasks.confirm_sent_disbursements(older_than_seconds=0)
    disbursement.refresh_from_db()
    assert disbursement.status == Disbursement.Status.PAID
    destination = {"destination": recipient.stripe_account_id}
    assert len(stripe_client().v1.transfers.list(params=destination).data) == 1
    assert Transaction.objects.filter(idempotency_key__endswith=":paid").count() == 1


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
