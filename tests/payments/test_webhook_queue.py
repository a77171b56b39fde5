"""Webhooks never wait behind payouts: the provider's news is routed to the "webhooks" queue and
production runs a worker for that queue alone (docker-compose.yml ``worker-webhooks``), so a
payment is confirmed while payouts wait in their own queue. On a real Celery worker (Redis) and
the Stripe emulator."""

from __future__ import annotations

import contextlib
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client

from config.celery import app as celery_app
from payments import api as payments_api
from payments.models import Disbursement, WebhookEvent
from tests.payments.test_disbursements import (
    onboarded_stripe_recipient,
    pending_disbursement,
    post_event,
    transfer_object,
    transfers_to,
)

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

S = Disbursement.Status
QUEUES = [queue.name for queue in celery_app.conf.task_queues]


def waiting() -> dict[str, int]:
    """Messages waiting in each queue, as the broker counts them."""
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        return {name: channel.queue_declare(name).message_count for name in QUEUES}


def purge() -> None:
    with celery_app.connection_for_write() as connection:
        for name in QUEUES:
            connection.default_channel.queue_purge(name)


@contextlib.contextmanager
def worker(*, queues: list[str]):
    """A real worker consuming only ``queues`` (``celery worker -Q``), in this process."""
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=queues
        ) as running:
            yield running
    finally:
        # -Q selects the app's queues for consuming: the next worker started here consumes all.
        celery_app.amqp.queues.select(QUEUES)


def test_a_transfer_is_confirmed_while_payouts_wait_in_their_queue(stripe_emulator):
    assert celery_app.conf.broker_url.startswith("redis://"), "the suite points Celery at Redis"
    recipient = onboarded_stripe_recipient(stripe_emulator)
    sent, finance = pending_disbursement(key="1")
    payments_api.disbursement_release(disbursement=sent, by=finance)  # eager here: sent at once
    sent = Disbursement.objects.get(pk=sent.pk)
    assert sent.status == S.SENT

    celery_app.conf.task_always_eager = False
    purge()
    try:
        # A backlog of payouts, queued before the webhook, with no worker free to send them.
        backlog = []
        for key in range(2, 7):
            disbursement, finance = pending_disbursement(key=str(key))
            payments_api.disbursement_release(disbursement=disbursement, by=finance)  # queued on commit
            backlog.append(disbursement.pk)
        response = post_event(
            Client(), "evt_queue_1", "transfer.created", transfer_object(sent.gateway_reference)
        )
        assert response.status_code == 200
        before = waiting()
        assert (before["payouts"], before["webhooks"]) == (5, 1)

        with worker(queues=["webhooks"]):
            deadline = time.monotonic() + 30
            while Disbursement.objects.get(pk=sent.pk).status != S.PAID and time.monotonic() < deadline:
                time.sleep(0.2)
        after = waiting()
    finally:
        celery_app.conf.task_always_eager = True
        purge()

    # The grantee's payment shows as paid; the payouts behind it were not touched.
    assert Disbursement.objects.get(pk=sent.pk).status == S.PAID
    assert WebhookEvent.objects.get(event_id="evt_queue_1").status == WebhookEvent.Status.PROCESSED
    assert (after["payouts"], after["webhooks"]) == (5, 0)
    assert set(Disbursement.objects.filter(pk__in=backlog).values_list("status", flat=True)) == {S.RELEASED}
    assert len(transfers_to(recipient)) == 1
