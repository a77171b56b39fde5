"""Live indexing and alerts, after the commit.

The domain apps listen to their own announcements and call
``search.api.index_on_commit`` / ``alert_on_commit``. Changes are gathered per transaction and
written once when it commits: the database copy at once (local and cheap, so the fallback never
lags), Elasticsearch through a Celery task that retries while Elasticsearch is unavailable. The
scheduled consistency check repairs anything a lost task missed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)
_pending = threading.local()


def index_on_commit(kind: str, ids: Iterable[int]) -> None:
    """Refresh these documents after the current transaction commits (once per transaction)."""
    ids = set(ids)
    if not settings.SEARCH_LIVE_INDEXING or not ids:
        return
    if getattr(_pending, "batch", None) is None:
        _pending.batch = {}
    _pending.batch.setdefault(kind, set()).update(ids)
    # Every change registers a callback; the first to run after the commit takes the whole
    # batch, the others find it empty. Ids left by a rolled-back transaction are refreshed by
    # the next commit, harmlessly: a refresh writes what the database says now.
    transaction.on_commit(_flush, robust=True)


def _flush() -> None:
    from search import indexing, tasks

    batch, _pending.batch = getattr(_pending, "batch", None) or {}, None
    for kind, ids in batch.items():
        ids = sorted(ids)
        docs = list(indexing.documents_for(kind, ids))
        indexing.refresh_database(kind, docs, sorted(set(ids) - {d.object_id for d in docs}))
        if settings.ELASTICSEARCH_URL:
            try:
                tasks.index_documents.delay(kind, ids)
            except Exception:  # noqa: BLE001 - a broker outage must not fail the editor's save
                logger.exception(
                    "Could not queue search indexing of %s %s; the consistency check will", kind, ids
                )


def alert_on_commit(ids: Iterable[int]) -> None:
    """Tell the owners of matching saved searches about these newly published documents (of
    the alerted kind), after the commit. Call it after ``index_on_commit`` for the same ids, so
    that the documents are written first."""
    ids = sorted(ids)
    if not ids:
        return

    def queue() -> None:
        from search import tasks_alerts

        tasks_alerts.match_published_challenges.delay(ids)

    # robust: a broker outage never fails the editor's publish; the periodic sweep catches up.
    transaction.on_commit(queue, robust=True)
