"""The Elasticsearch client and the names of indices and aliases."""

from __future__ import annotations

import time

from django.conf import settings
from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions

from search.documents import INDEX_VERSION

# What "Elasticsearch did not answer" looks like: callers fall back to the database.
ElasticsearchUnavailable = (
    es_exceptions.ConnectionError,
    es_exceptions.ConnectionTimeout,
    es_exceptions.TransportError,
    es_exceptions.ApiError,
)
# What "Elasticsearch could not be reached" looks like: only these make a search answer from the
# database copy. A refused request (an ApiError: a 400 for a malformed query, a broken mapping,
# a 5xx) or an unreadable answer is a fault to see, so searches raise it instead of hiding it.
ElasticsearchUnreachable = (es_exceptions.ConnectionError, es_exceptions.ConnectionTimeout)

_client: Elasticsearch | None = None
_client_url = ""
# After a failure, searches skip Elasticsearch for a while instead of each waiting for its
# own timeout: a page on a slow phone should not wait seconds for a server that is down.
BREAKER_SECONDS = 30.0
_failed_at: dict[str, float] = {}


def mark_unavailable(error: Exception) -> None:
    """Open the breaker when Elasticsearch could not be reached (not for a refused request)."""
    if not isinstance(error, es_exceptions.ApiError):
        _failed_at[settings.ELASTICSEARCH_URL] = time.monotonic()


def recently_unavailable() -> bool:
    failed = _failed_at.get(settings.ELASTICSEARCH_URL)
    return failed is not None and time.monotonic() - failed < BREAKER_SECONDS


def es_client() -> Elasticsearch | None:
    """The client, or None when Elasticsearch is not configured (ELASTICSEARCH_URL empty)."""
    global _client, _client_url
    if not settings.ELASTICSEARCH_URL:
        return None
    if _client is None or _client_url != settings.ELASTICSEARCH_URL:  # tests change the setting
        _client = Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=3, max_retries=1)
        _client_url = settings.ELASTICSEARCH_URL
    return _client


def alias_name(kind: str) -> str:
    """The alias every read and write goes through, e.g. ``marketplace-challenge``."""
    return f"{settings.SEARCH_INDEX_PREFIX}-{kind}"


def new_index_name(kind: str, stamp: str) -> str:
    return f"{alias_name(kind)}-{INDEX_VERSION}-{stamp}"
