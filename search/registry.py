"""What the engine indexes, as the domain apps declare it.

Each domain app declares its document types (a name, the public objects, how a document is made
from one of them, the filters only it has) and registers them from its ``AppConfig.ready``, the
way Wagtail models declare ``search_fields``. Indexing, reindexing and the consistency check go
through these declarations: search imports no domain model. The domain also tells search which
form reads a search's query string (the search page's, shared with saved searches and alerts)
and where its routes live."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.urls import reverse

from search.documents import SearchDocument

CHUNK = 500


@dataclass(frozen=True)
class DocumentType:
    """One kind of searchable thing.

    ``queryset()`` returns the objects the public may find, shaped for ``build`` (selected and
    prefetched): anything else never reaches the index. ``build(obj)`` makes the document.
    ``filters`` names the filters only this kind can meet (``search.params``): a search using
    one leaves the kinds without it out. A kind that saved searches are alerted about gives
    ``published`` (ids → when each public one was first published) and ``published_since``
    (the public ones published since an instant)."""

    name: str
    label: Any  # shown on the type facet (a lazy translation)
    queryset: Callable[[], QuerySet]
    build: Callable[[Any], SearchDocument]
    filters: frozenset[str] = field(default_factory=frozenset)
    published: Callable[[Sequence[int]], dict[int, datetime.datetime | None]] | None = None
    published_since: Callable[[datetime.datetime], list[int]] | None = None

    def documents(self, ids: Iterable[int] | None = None) -> Iterator[SearchDocument]:
        """The documents of the public objects (those of ``ids``), in id order."""
        queryset = self.queryset()
        if ids is not None:
            queryset = queryset.filter(pk__in=list(ids))
        for obj in queryset.order_by("pk").iterator(chunk_size=CHUNK):
            yield self.build(obj)

    def count(self) -> int:
        return self.queryset().count()


@dataclass(frozen=True)
class Routes:
    """Where search's routes are included (their URL namespace), and the host's pages that
    search links to."""

    namespace: str
    search_page: str  # the route name of the search page
    alerts_settings: str  # where an alert sends people to change or stop their alerts

    def reverse(self, name: str, **kwargs) -> str:
        return reverse(f"{self.namespace}:{name}", kwargs=kwargs or None)


_types: dict[str, DocumentType] = {}
_query_form: type | None = None
_routes: Routes | None = None


def register(document_type: DocumentType) -> DocumentType:
    """Add (or replace: ``ready`` may run twice in tests) a document type."""
    _types[document_type.name] = document_type
    return document_type


def get(name: str) -> DocumentType:
    try:
        return _types[name]
    except KeyError:
        raise ValueError(f"unknown kind {name!r}") from None


def kinds() -> tuple[str, ...]:
    """The registered kinds, in the order they were registered."""
    return tuple(_types)


def types() -> list[DocumentType]:
    return list(_types.values())


def kinds_meeting(filters: Iterable[str]) -> list[str]:
    """The kinds that can meet every one of these filters (all kinds for the common ones)."""
    specific = {name for t in _types.values() for name in t.filters}
    used = set(filters) & specific
    return [t.name for t in _types.values() if used <= t.filters]


def alerted_kind() -> DocumentType | None:
    """The kind saved searches are alerted about (the first that says when it was published)."""
    return next((t for t in _types.values() if t.published is not None), None)


def register_query_form(form_class: type) -> None:
    """The form that reads a search's query string: bound to a ``QueryDict``, it offers
    ``is_valid()``, ``is_empty()``, ``to_params(**overrides)`` (a ``SearchParams``) and
    ``saved_params()`` (the valid values, as a dict of lists)."""
    global _query_form
    _query_form = form_class


def query_form() -> type:
    if _query_form is None:
        raise ImproperlyConfigured("No search query form registered (search.api.register_query_form).")
    return _query_form


def register_routes(routes: Routes) -> None:
    global _routes
    _routes = routes


def routes() -> Routes:
    if _routes is None:
        raise ImproperlyConfigured("Search's routes are not registered (search.api.register_routes).")
    return _routes
