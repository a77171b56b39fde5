"""Celery tasks of saved-search alerts. Each is idempotent: the unique match rows decide who has
been told, so a retry, a duplicate delivery or the sweep after a task never tells anyone twice."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from search import alerts

logger = logging.getLogger(__name__)


def _ensure_indexed(challenge_ids: list[int]) -> None:
    """Write these challenges to the database copy and Elasticsearch first: the indexing task
    queued with this one may not have run yet on another worker. Harmless when it has."""
    from search import indexing, registry
    from search.connection import ElasticsearchUnavailable

    alerted = registry.alerted_kind()
    if not settings.SEARCH_LIVE_INDEXING or not challenge_ids or alerted is None:
        return
    try:
        indexing.refresh(alerted.name, challenge_ids)
    except ElasticsearchUnavailable as exc:
        # The database copy is written; the search below answers from it (degraded).
        logger.warning("Elasticsearch unavailable while matching saved searches: %s", exc)


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def match_published_challenges(challenge_ids: list[int]) -> int:
    """Queued on commit when challenges are published: tell the owners of matching saved searches."""
    ids = sorted({int(i) for i in challenge_ids})
    _ensure_indexed(ids)
    return alerts.match_new_challenges(ids)


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def sweep_saved_searches() -> int:
    """Periodic: match the challenges published in the last two days (catches lost tasks)."""
    ids = alerts.recently_published()
    _ensure_indexed(ids)
    return alerts.match_new_challenges(ids)


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def send_daily_digests() -> int:
    """Daily: one email per user with the matches of their daily saved searches."""
    return alerts.send_daily_digests()
