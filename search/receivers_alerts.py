"""Saved-search alerts react to a challenge being published, after the commit, and after the
indexing receivers (``search.receivers``): connect this after those."""

from __future__ import annotations

import logging

from django.db import transaction
from wagtail.signals import page_published

logger = logging.getLogger(__name__)


def on_challenge_published(sender, instance, **kwargs) -> None:
    page_id = instance.pk

    def queue() -> None:
        from search import tasks_alerts

        tasks_alerts.match_published_challenges.delay([page_id])

    # robust: a broker outage never fails the editor's publish; the periodic sweep catches up.
    transaction.on_commit(queue, robust=True)


def connect() -> None:
    from marketplace.challenges.models import ChallengePage

    page_published.connect(
        on_challenge_published, sender=ChallengePage, dispatch_uid="search-alerts-challenge-published"
    )
