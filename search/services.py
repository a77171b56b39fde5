"""The public face of search for the rest of the project (DESIGN.md §3): marketplace's views
call these, never the engines directly."""

from __future__ import annotations

from dataclasses import dataclass

from search.connection import alias_name, es_client  # noqa: F401 - part of the public face
from search.query import SearchPage, SearchParams, autocomplete, search  # noqa: F401

MAX_IDS = 1000


@dataclass(frozen=True)
class SearchResult:
    ids: list[int]
    backend: str  # "elasticsearch" or "database"
    degraded: bool = False  # Elasticsearch is configured but did not answer


def search_challenges(q: str) -> SearchResult:
    """Ids of live challenges matching ``q``, best first (the challenge list's ``q`` filter)."""
    if not q.strip():
        return SearchResult(ids=[], backend="database")
    page = search(
        SearchParams(q=q, types=("challenge",), size=MAX_IDS, highlight=False, facets=False, suggest=False)
    )
    return SearchResult(ids=page.ids, backend=page.backend, degraded=page.degraded)


def status() -> dict:
    client = es_client()
    if client is None:
        return {"backend": "database", "ok": True}
    try:
        info = client.info()
        return {"backend": "elasticsearch", "ok": True, "version": info["version"]["number"]}
    except Exception as exc:  # noqa: BLE001 - health reports any failure
        return {"backend": "elasticsearch", "ok": False, "error": exc.__class__.__name__}
