"""A real Celery worker consumes from Redis: queued indexing runs outside the web process."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app as celery_app
from search import api as services
from search import tasks
from search.api import es_client
from tests import factories


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_queued_index_task_runs_on_a_real_worker(settings, elasticsearch):
    assert celery_app.conf.broker_url.startswith("redis://"), "make test points Celery at Redis"
    page = factories.challenge(title="Layanan pengaduan publik")
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            tasks.index_documents.delay("challenge", [page.pk])
            document = _wait_for_document(page.pk)
    finally:
        celery_app.conf.task_always_eager = True
    assert document["_source"]["title"] == "Layanan pengaduan publik"


def _wait_for_document(page_id: int, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alias = services.alias_name("challenge")
        if es_client().indices.exists_alias(name=alias) and es_client().exists(index=alias, id=str(page_id)):
            return es_client().get(index=alias, id=str(page_id))
        time.sleep(0.2)
    raise AssertionError("the worker did not index the challenge within 30 s")
