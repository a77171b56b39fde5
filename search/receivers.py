"""Indexing reacts to what Wagtail and marketplace announce, after the commit."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from wagtail.signals import page_published, page_unpublished


def _queue(task, page_id: int) -> None:
    if settings.SEARCH_LIVE_INDEXING and settings.ELASTICSEARCH_URL:
        # robust: a broker outage is logged, never lost to the editor; `reindex` catches up.
        transaction.on_commit(lambda: task.delay(page_id), robust=True)


def on_page_published(sender, instance, **kwargs) -> None:
    from search import tasks

    _queue(tasks.index_challenge, instance.pk)


def on_page_unpublished(sender, instance, **kwargs) -> None:
    from search import tasks

    _queue(tasks.remove_challenge, instance.pk)


def on_challenge_changed(sender, *, challenge_id: int, **kwargs) -> None:
    from search import tasks

    _queue(tasks.index_challenge, challenge_id)


def connect() -> None:
    from marketplace import signals
    from marketplace.models import ChallengePage

    signals.challenge_changed.connect(on_challenge_changed, dispatch_uid="search-index-changed-challenge")
    page_published.connect(on_page_published, sender=ChallengePage, dispatch_uid="search-index-challenge")
    page_unpublished.connect(
        on_page_unpublished, sender=ChallengePage, dispatch_uid="search-remove-challenge"
    )
