"""Celery tasks of search: Elasticsearch writes with retries, and the consistency check."""

from __future__ import annotations

from celery import shared_task

from search import indexing, registry
from search.connection import ElasticsearchUnavailable, es_client


@shared_task(
    autoretry_for=ElasticsearchUnavailable, retry_backoff=True, retry_backoff_max=600, max_retries=10
)
def index_documents(kind: str, ids: list[int]) -> int:
    """Write these documents to Elasticsearch as they are now (index or delete). Idempotent."""
    client = es_client()
    if client is None:
        return 0
    docs = list(indexing.documents_for(kind, ids))
    indexing.refresh_elasticsearch(client, kind, docs, sorted(set(ids) - {d.object_id for d in docs}))
    return len(docs)


@shared_task(autoretry_for=ElasticsearchUnavailable, retry_backoff=True, max_retries=3)
def check_consistency() -> dict[str, dict[str, int]]:
    """Compare the database with the copy and the index, repair the differences, report them."""
    return {
        kind: {name: len(ids) for name, ids in indexing.consistency_check(kind).items()}
        for kind in registry.kinds()
    }
