"""Search, as the rest of the project uses it: the one module outside ``search/`` imports.

- Declaring what is searchable: ``DocumentType``, ``register``, ``SearchDocument`` (the shape
  every kind builds), ``register_query_form``, ``register_routes`` (from ``AppConfig.ready``).
- Keeping the index current: ``index_on_commit`` when something the public may find changed,
  ``alert_on_commit`` when new documents were published; ``refresh``, ``reindex``,
  ``rebuild_database_copy``, ``consistency_check`` for repairs.
- Asking: ``search(SearchParams)``, ``autocomplete``, ``search_ids``, ``similar``, the matching
  helpers, and the shared vocabulary of parameters, sorts, statuses and facets.
- Saved searches: the services, and ``saved_searches_for`` / ``saved_search_url``.

Search imports no domain app: it indexes what the domain registered, and it is the domain
that calls these functions, never the other way round."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from core import page_cache
from search import params
from search.alerts import match_new_challenges, saved_search_params
from search.connection import alias_name, es_client
from search.documents import SearchDocument, default_language_path, localised_path
from search.forms import SavedSearchForm, params_querydict, saved_search_url
from search.indexing import consistency_check, documents_for, rebuild_database_copy, refresh, reindex
from search.live import alert_on_commit, index_on_commit
from search.matching import (
    Phrase,
    candidates,
    description_words,
    document_words_now,
    is_content_word,
    phrase,
    rarest,
    similar,
    stemmed_words,
    vocabulary,
)
from search.models import SavedSearch
from search.params import (
    CHALLENGE_FILTERS,
    FACET_LABELS,
    FACETS,
    SAVED,
    SORT_LABELS,
    SORTS,
    STATUSES,
    closing_soon_window,
)
from search.query import (
    FacetBucket,
    SearchHit,
    SearchPage,
    SearchParams,
    autocomplete,
    decode_cursor,
    encode_cursor,
    search,
)
from search.registry import (
    DocumentType,
    Routes,
    kinds,
    register,
    register_query_form,
    register_routes,
)
from search.registry import types as registered_types
from search.services import (
    MAX_SAVED_SEARCHES,
    saved_search_change_frequency,
    saved_search_create,
    saved_search_delete,
    status,
)
from search.text import strip_tags

__all__ = [
    "CHALLENGE_FILTERS",
    "FACETS",
    "FACET_LABELS",
    "MAX_IDS",
    "MAX_SAVED_SEARCHES",
    "SAVED",
    "SORTS",
    "SORT_LABELS",
    "STATUSES",
    "DocumentType",
    "FacetBucket",
    "Phrase",
    "Routes",
    "SavedSearch",
    "SavedSearchForm",
    "SearchDocument",
    "SearchHit",
    "SearchIds",
    "SearchPage",
    "SearchParams",
    "alert_on_commit",
    "alias_name",
    "autocomplete",
    "candidates",
    "closing_soon_window",
    "consistency_check",
    "decode_cursor",
    "default_language_path",
    "description_words",
    "document_words_now",
    "documents_for",
    "encode_cursor",
    "es_client",
    "index_on_commit",
    "is_content_word",
    "kinds",
    "localised_path",
    "match_new_challenges",
    "params",
    "params_querydict",
    "phrase",
    "rarest",
    "rebuild_database_copy",
    "refresh",
    "register",
    "register_query_form",
    "register_routes",
    "registered_types",
    "reindex",
    "saved_search_change_frequency",
    "saved_search_create",
    "saved_search_delete",
    "saved_search_params",
    "saved_search_url",
    "saved_searches_for",
    "search",
    "search_ids",
    "similar",
    "status",
    "stemmed_words",
    "strip_tags",
    "vocabulary",
]

MAX_IDS = 1000


@dataclass(frozen=True)
class SearchIds:
    ids: list[int]
    backend: str  # "elasticsearch" or "database"
    degraded: bool = False  # Elasticsearch is configured but did not answer


def search_ids(kind: str, q: str) -> SearchIds:
    """Ids of the public documents of ``kind`` matching ``q``, best first (at most ``MAX_IDS``):
    a list page's free-text filter."""
    if not q.strip():
        return SearchIds(ids=[], backend="database")

    def found() -> SearchIds:
        params = SearchParams(
            q=q, types=(kind,), size=MAX_IDS, highlight=False, facets=False, suggest=False, ids_only=True
        )
        page = search(params)
        return SearchIds(ids=page.ids, backend=page.backend, degraded=page.degraded)

    # Kept until the next public write (the search index's writes start one too), unless the
    # search's fallback answered.
    key = f"search-ids:{kind}:{hashlib.sha256(q.encode()).hexdigest()}"
    return page_cache.remembered(key, found, keep=lambda ids: not ids.degraded)  # type: ignore[return-value]


def saved_searches_for(user, limit: int) -> tuple[list[tuple[SavedSearch, str]], bool]:
    """The user's latest saved searches (at most ``limit``) with the address of each, and
    whether there are more."""
    saved = list(SavedSearch.objects.filter(user=user)[: limit + 1])
    return [(s, saved_search_url(s)) for s in saved[:limit]], len(saved) > limit
