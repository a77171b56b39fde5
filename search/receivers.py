"""Indexing reacts to what Wagtail and marketplace announce, after the commit.

Changes are gathered per transaction and written once when it commits: the database copy at
once (local and cheap, so the fallback never lags), Elasticsearch through a Celery task that
retries while Elasticsearch is unavailable. The scheduled consistency check repairs anything
a lost task missed."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.signals import page_published, page_unpublished

logger = logging.getLogger(__name__)
_pending = threading.local()


def schedule(kind: str, object_id: int) -> None:
    """Refresh this document after the current transaction commits (once per transaction)."""
    if not settings.SEARCH_LIVE_INDEXING:
        return
    if getattr(_pending, "batch", None) is None:
        _pending.batch = {}
    _pending.batch.setdefault(kind, set()).add(object_id)
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


def on_page_changed(sender, instance, **kwargs) -> None:
    schedule("challenge", instance.pk)


def on_challenge_changed(sender, *, challenge_id: int, **kwargs) -> None:
    schedule("challenge", challenge_id)
    from marketplace.awards.models import Award

    for award_id in Award.objects.filter(proposal__challenge_id=challenge_id).values_list("pk", flat=True):
        schedule("project", award_id)


def on_project_changed(sender, *, award_id: int, **kwargs) -> None:
    schedule("project", award_id)


def on_organisation_changed(sender, instance, **kwargs) -> None:
    from marketplace.awards.models import Award

    schedule("organisation", instance.pk)
    # A project's document carries its organisation's name.
    for award_id in Award.objects.filter(proposal__organisation=instance).values_list("pk", flat=True):
        schedule("project", award_id)


def on_organisation_relations_changed(sender, instance, action, **kwargs) -> None:
    if action.startswith("post_"):
        from marketplace.organisations.models import Organisation

        if isinstance(instance, Organisation):
            schedule("organisation", instance.pk)


def on_capability_changed(sender, instance, **kwargs) -> None:
    schedule("organisation", instance.content_object_id)


def on_agency_changed(sender, instance, **kwargs) -> None:
    # Challenge documents carry the agency's name and region.
    for page_id in instance.challenges.values_list("pk", flat=True):
        schedule("challenge", page_id)


def connect() -> None:
    from marketplace.awards import signals as awards_signals
    from marketplace.challenges import signals as challenges_signals
    from marketplace.challenges.models import Agency, ChallengePage
    from marketplace.organisations.models import Organisation, TaggedCapability

    page_published.connect(on_page_changed, sender=ChallengePage, dispatch_uid="search-challenge-published")
    page_unpublished.connect(
        on_page_changed, sender=ChallengePage, dispatch_uid="search-challenge-unpublished"
    )
    post_delete.connect(on_page_changed, sender=ChallengePage, dispatch_uid="search-challenge-deleted")
    challenges_signals.challenge_changed.connect(
        on_challenge_changed, dispatch_uid="search-challenge-changed"
    )
    awards_signals.project_changed.connect(on_project_changed, dispatch_uid="search-project-changed")
    post_save.connect(on_organisation_changed, sender=Organisation, dispatch_uid="search-organisation-saved")
    post_delete.connect(
        on_organisation_changed, sender=Organisation, dispatch_uid="search-organisation-deleted"
    )
    m2m_changed.connect(
        on_organisation_relations_changed,
        sender=Organisation.sectors.through,
        dispatch_uid="search-organisation-sectors",
    )
    post_save.connect(on_capability_changed, sender=TaggedCapability, dispatch_uid="search-capability-added")
    post_delete.connect(
        on_capability_changed, sender=TaggedCapability, dispatch_uid="search-capability-removed"
    )
    post_save.connect(on_agency_changed, sender=Agency, dispatch_uid="search-agency-saved")
