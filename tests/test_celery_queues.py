"""Celery's routes (config/settings.py): each task goes to the queue its kind of work belongs to,
and only to a queue a worker listens on. Read from the real Celery app's router, as
``apply_async`` uses it; no broker needed. The workers' side is in tests/test_docker_compose.py
(the compose workers) and tests/payments/test_webhook_queue.py (a real worker)."""

from __future__ import annotations

import pytest

from config.celery import app as celery_app
from payments import tasks, tasks_reports


def queue_of(task) -> str:
    return celery_app.amqp.router.route({}, task.name)["queue"].name


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        (tasks.process_webhook_event, "webhooks"),
        (tasks.process_pending_webhook_events, "webhooks"),
        (tasks.send_disbursement, "payouts"),
        (tasks.resend_stuck_disbursements, "payouts"),
        (tasks.confirm_sent_disbursements, "payouts"),
        (tasks.resend_pending_refunds, "payouts"),
        (tasks.send_contribution_email, "default"),
        (tasks_reports.reconcile_with_gateway, "default"),
    ],
    ids=lambda value: getattr(value, "name", value),
)
def test_each_payment_task_goes_to_its_queue(task, queue):
    assert queue_of(task) == queue


def test_every_task_goes_to_a_queue_a_worker_consumes():
    """A worker started without -Q consumes the configured queues; a route to any other queue
    would be created on the broker and never read."""
    configured = {queue.name for queue in celery_app.conf.task_queues}
    assert configured == {"default", "webhooks", "payouts"}
    assert set(celery_app.amqp.queues.consume_from) == configured
    celery_app.loader.import_default_modules()  # what a worker does on start: every tasks module
    project_tasks = [name for name in celery_app.tasks if not name.startswith("celery.")]
    assert len(project_tasks) > 10, "the task modules were not imported"
    routed = {name: celery_app.amqp.router.route({}, name)["queue"].name for name in project_tasks}
    assert set(routed.values()) == configured
    assert {name for name, queue in routed.items() if queue == "webhooks"} == {
        "payments.tasks.process_webhook_event",
        "payments.tasks.process_pending_webhook_events",
    }
