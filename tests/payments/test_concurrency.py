"""Each way a payment could be made twice, made to happen at once: threads against PostgreSQL
(each with its own connection, closed at the end) and the Stripe emulator, which keeps
idempotent responses as Stripe does. Every case ends with one transfer at Stripe, one
GatewayCall per attempt and one ledger posting per movement."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.utils import translation

from config.celery import app as celery_app
from payments import api as payments_api
from payments import disbursement_sending, disbursement_workflow, tasks
from payments.errors import PaymentError
from payments.gateways.stripe.gateway import StripeGateway, client
from payments.interface import GatewayUnavailable
from payments.models import Disbursement, GatewayCall, Transaction, WebhookEvent
from tests.factories import UserFactory
from tests.payments.test_disbursements import (
    assert_books_balance,
    onboarded_stripe_recipient,
    paid_out,
    pending_disbursement,
    post_event,
    proof,
    transfer_object,
    transfers_to,
    verified_bank,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("private_media"),
]

S = Disbursement.Status


def at_once(*actions: Callable[[], object]) -> list:
    """Run the actions in threads released together; returns what each returned or raised."""
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        translation.activate("en")
        try:
            barrier.wait()
            outcomes[index] = action()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test reads
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def count(**filters) -> int:
    return Transaction.objects.filter(**filters).count()


def test_two_finance_officers_releasing_at_once_make_one_transfer(stripe_emulator):
    disbursement, finance_a = pending_disbursement()
    finance_b = UserFactory(roles=["finance"])
    recipient = onboarded_stripe_recipient(stripe_emulator)

    outcomes = at_once(
        lambda: payments_api.disbursement_release(disbursement=disbursement, by=finance_a),
        lambda: payments_api.disbursement_release(disbursement=disbursement, by=finance_b),
    )

    refused = [o for o in outcomes if isinstance(o, PaymentError)]
    assert len(refused) == 1 and refused[0].message == "This disbursement has already been released."
    # The winner's send task ran after its commit: one transfer, one call, one posting each.
    assert len(transfers_to(recipient)) == 1
    assert GatewayCall.objects.count() == 1
    assert count(idempotency_key__startswith="payout:", idempotency_key__endswith=":released") == 1
    assert count(idempotency_key__endswith=":sent") == 1
    assert Disbursement.objects.get().status == S.SENT
    assert_books_balance()


def test_a_worker_dying_between_the_stripe_call_and_the_database_write_pays_once(
    stripe_emulator, monkeypatch
):
    """The transfer is made at Stripe, then the worker dies before it records the answer. A dead
    worker cannot be produced on demand, so the database write after the gateway call is made to
    fail instead (the one fault this test injects); the row is left exactly as a crash leaves it.
    Two workers then pick it up at the same moment (a retry and the beat sweep)."""
    disbursement, finance = pending_disbursement()
    recipient = onboarded_stripe_recipient(stripe_emulator)
    real_record = disbursement_sending.record_send_result

    def crash(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(disbursement_sending, "record_send_result", crash)
    payments_api.disbursement_release(disbursement=disbursement, by=finance)  # its task runs on commit
    crashed = Disbursement.objects.get()
    assert crashed.status == S.SENDING and GatewayCall.objects.get().response is None
    assert len(transfers_to(recipient)) == 1  # Stripe did make it
    assert count(idempotency_key__endswith=":sent") == 0

    monkeypatch.setattr(disbursement_sending, "record_send_result", real_record)
    outcomes = at_once(
        lambda: tasks.send_disbursement(crashed.pk),
        lambda: tasks.resend_stuck_disbursements(older_than_seconds=0),
    )
    assert not [o for o in outcomes if isinstance(o, Exception)]
    finished = Disbursement.objects.get()
    assert finished.status == S.SENT and finished.attempts == 1
    assert [t.id for t in transfers_to(recipient)] == [finished.gateway_reference]
    assert GatewayCall.objects.get().succeeded is True
    assert count(idempotency_key__endswith=":sent") == 1
    assert_books_balance()


def test_the_same_task_delivered_twice_at_once_pays_once(stripe_emulator, monkeypatch):
    """A broker may deliver a task twice (acks_late after a lost acknowledgement): both copies
    run at the same moment."""
    disbursement, finance = pending_disbursement()
    recipient = onboarded_stripe_recipient(stripe_emulator)
    monkeypatch.setattr(disbursement_workflow, "_queue_send", lambda d: None)  # the broker holds it
    payments_api.disbursement_release(disbursement=disbursement, by=finance)

    outcomes = at_once(*[lambda: tasks.send_disbursement(disbursement.pk)] * 3)

    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert len(transfers_to(recipient)) == 1
    assert GatewayCall.objects.count() == 1 and Disbursement.objects.get().attempts == 1
    assert count(idempotency_key__endswith=":sent") == 1


def test_replayed_webhooks_arriving_at_once_settle_once(stripe_emulator):
    disbursement, finance = pending_disbursement()
    onboarded_stripe_recipient(stripe_emulator)
    payments_api.disbursement_release(disbursement=disbursement, by=finance)
    sent = Disbursement.objects.get()
    transfer = transfer_object(sent.gateway_reference)

    # The same event delivered twice, and the same news under other ids, all at once.
    outcomes = at_once(
        lambda: post_event(Client(), "evt_created", "transfer.created", transfer),
        lambda: post_event(Client(), "evt_created", "transfer.created", transfer),
        lambda: post_event(Client(), "evt_created_again", "transfer.created", transfer),
        lambda: post_event(Client(), "evt_updated", "transfer.updated", transfer),
    )
    assert [o.status_code for o in outcomes] == [200] * 4
    assert Disbursement.objects.get().status == S.PAID
    assert count(idempotency_key__endswith=":paid") == 1 and paid_out(sent) == sent.amount
    assert WebhookEvent.objects.count() == 3

    client().v1.transfers.reversals.create(sent.gateway_reference)
    reversed_transfer = transfer_object(sent.gateway_reference)
    outcomes = at_once(
        lambda: post_event(Client(), "evt_reversed", "transfer.reversed", reversed_transfer),
        lambda: post_event(Client(), "evt_reversed", "transfer.reversed", reversed_transfer),
        lambda: post_event(Client(), "evt_reversed_again", "transfer.reversed", reversed_transfer),
    )
    assert [o.status_code for o in outcomes] == [200] * 3
    assert Disbursement.objects.get().status == S.FAILED
    assert count(kind="reversal") == 1 and paid_out(sent) == 0
    assert_books_balance()


def test_two_finance_officers_recording_the_treasury_transfer_at_once_record_it_once():
    disbursement, finance_a = pending_disbursement()
    finance_b = UserFactory(roles=["finance"])
    verified_bank("organisation:9")
    payments_api.disbursement_release(disbursement=disbursement, by=finance_a)

    outcomes = at_once(
        lambda: payments_api.disbursement_record_paid(
            disbursement=disbursement, by=finance_a, bank_reference="SP2D-A", proof=proof()
        ),
        lambda: payments_api.disbursement_record_paid(
            disbursement=disbursement, by=finance_b, bank_reference="SP2D-B", proof=proof()
        ),
    )

    refused = [o for o in outcomes if isinstance(o, PaymentError)]
    assert len(refused) == 1 and "already been recorded" in refused[0].message
    paid = Disbursement.objects.get()
    assert paid.status == S.PAID and paid.gateway_reference in ("SP2D-A", "SP2D-B")
    assert count(idempotency_key__endswith=":paid") == 1 and paid_out(paid) == paid.amount


def test_a_real_worker_retries_timeouts_and_5xx_with_backoff_and_pays_once(stripe_emulator, monkeypatch):
    """On a real Celery worker (Redis): the first call makes the transfer but its answer is lost
    (a timeout), the second meets a 502; the task retries with backoff under the same key."""
    assert celery_app.conf.broker_url.startswith("redis://"), "the suite points Celery at Redis"
    from celery.contrib.testing.worker import start_worker

    disbursement, finance = pending_disbursement()
    recipient = onboarded_stripe_recipient(stripe_emulator)
    real_send, keys = StripeGateway.send_transfer, []

    def flaky(self, request):
        keys.append((request.idempotency_key, time.monotonic()))
        if len(keys) == 1:
            real_send(self, request)
            raise GatewayUnavailable("read timed out")
        if len(keys) == 2:
            raise GatewayUnavailable("502 Bad Gateway")
        return real_send(self, request)

    monkeypatch.setattr(StripeGateway, "send_transfer", flaky)
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            payments_api.disbursement_release(disbursement=disbursement, by=finance)  # queued on commit
            deadline = time.monotonic() + 60
            while Disbursement.objects.get().status != S.SENT and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        celery_app.conf.task_always_eager = True
    assert Disbursement.objects.get().status == S.SENT
    assert [key for key, _at in keys] == [f"disbursement:{disbursement.pk}:attempt:1"] * 3
    assert len(transfers_to(recipient)) == 1 and GatewayCall.objects.count() == 1
