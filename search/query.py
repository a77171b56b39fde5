"""The one query function. Pages, the API, saved-search alerts, the evaluation and the
benchmark all call ``search(params)``; Elasticsearch answers when configured and up, the
database copy (``SearchEntry``) otherwise, in the same shape."""

from __future__ import annotations

import base64
import datetime
import json
import logging
from dataclasses import dataclass, field, replace

from django.utils import timezone

from search import params as vocabulary
from search import registry
from search.params import FACETS, SORTS, STATUSES  # noqa: F401 - read here by the engines

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
FEW_RESULTS = 3  # below this many hits, searches offer "did you mean"
RELAXED_CURSOR = "any."
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class SearchParams:
    """A search: free text plus the filters of the challenge list (``search.params``).

    Filters that only some kinds have (for challenges: status, incentive, agency, closing
    dates; see ``DocumentType.filters``) leave the other kinds out when set. Amounts are minor
    units (the pages take whole rupiah)."""

    q: str = ""
    types: tuple[str, ...] = ()  # challenge, project, organisation; empty: all
    status: str = ""  # one of STATUSES, or "open" meaning open or closing soon
    sector: str = ""  # sector slug
    region: str = ""  # region slug
    agency: int | None = None
    incentive: str = ""  # incentive kind
    amount_min: int | None = None
    amount_max: int | None = None
    closes_after: datetime.date | None = None
    closes_before: datetime.date | None = None
    sort: str = "relevance"
    size: int = PAGE_SIZE
    after: str = ""  # the cursor of the previous page (SearchPage.next_after)
    highlight: bool = True
    facets: bool = True
    suggest: bool = True  # "did you mean" when there are few results
    fuzzy: bool = True
    now: datetime.datetime | None = None  # status is computed at this instant (tests)
    # Matching and alerts: any word may match (ranked by how many do), and only these
    # documents (ids of the kinds in ``types``).
    match_any: bool = False
    ids: tuple[int, ...] = ()
    # Only which documents, best first: the hits carry kind, id and score, no text (the
    # database engine then reads no title, address or snippet).
    ids_only: bool = False

    def at(self) -> datetime.datetime:
        return self.now or timezone.now()

    def active_filters(self) -> dict[str, object]:
        values = {
            "type": self.types,
            "status": self.status,
            "sector": self.sector,
            "region": self.region,
            "incentive": self.incentive,
        }
        return {name: value for name, value in values.items() if value}

    def filters_used(self) -> list[str]:
        values = {
            vocabulary.STATUS: self.status,
            vocabulary.INCENTIVE: self.incentive,
            vocabulary.AGENCY: self.agency,
            vocabulary.CLOSES_AFTER: self.closes_after,
            vocabulary.CLOSES_BEFORE: self.closes_before,
            vocabulary.SECTOR: self.sector,
            vocabulary.REGION: self.region,
            vocabulary.BUDGET_MIN: self.amount_min is not None,
            vocabulary.BUDGET_MAX: self.amount_max is not None,
        }
        return [name for name, value in values.items() if value]

    def kinds(self) -> list[str]:
        """The kinds searched: a filter only some kinds have leaves the others out."""
        return registry.kinds_meeting(self.filters_used())

    def page_size(self) -> int:
        return max(1, min(self.size, MAX_PAGE_SIZE * 10))

    def selected_values(self) -> dict[str, set[str]]:
        """Per facet, the values this search filters by (to mark them selected)."""
        return {
            "type": set(self.types),
            "status": {self.status},
            "sector": {self.sector},
            "region": {self.region},
            "incentive": {self.incentive},
        }

    def with_query(self, q: str) -> SearchParams:
        return replace(self, q=q, after="")


@dataclass(frozen=True)
class SearchHit:
    kind: str  # challenge, project, organisation
    object_id: int
    title: str
    url: str  # path in the default language
    snippet: str  # HTML-safe: escaped text with <mark> around matched words
    score: float = 0.0
    region: str = ""
    sectors: tuple[str, ...] = ()
    amount: int | None = None
    closes_at: datetime.datetime | None = None
    # The English title where one was given; read the title with core.localized.localized(hit,
    # "title") for the reader's language.
    title_en: str = ""


@dataclass(frozen=True)
class FacetBucket:
    value: str
    count: int
    selected: bool = False


@dataclass
class SearchPage:
    hits: list[SearchHit]
    total: int
    backend: str  # "elasticsearch" or "database"
    degraded: bool = False  # Elasticsearch is configured but did not answer
    facets: dict[str, list[FacetBucket]] = field(default_factory=dict)
    suggestion: str = ""  # "did you mean": a corrected query, or ""
    next_after: str = ""  # pass as SearchParams.after for the next page; "" on the last page
    relaxed: bool = False  # no document had every word: these have some of them
    # False: more documents match than SEARCH_COUNT_LIMIT and ``total`` is that limit + 1
    # (the page says "10.000+"), as Elasticsearch reports totals beyond its tracking limit.
    total_exact: bool = True
    facets_estimated: bool = False  # facet counts estimated from a sample (database, beyond the limit)

    @property
    def total_shown(self) -> int:
        """The count to show: exact, or the limit when more match (shown with a "+")."""
        return self.total if self.total_exact else self.total - 1

    @property
    def ids(self) -> list[int]:
        return [hit.object_id for hit in self.hits]


def encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def decode_cursor(token: str) -> list | None:
    """The sort values of the last hit of the previous page; None for a malformed cursor."""
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        return None
    return values if isinstance(values, list) else None


def search(params: SearchParams) -> SearchPage:
    """Search with Elasticsearch when it is configured and reachable, else the database
    (``SearchPage.backend`` says which answered; ``degraded`` that Elasticsearch could not be
    reached). Any other Elasticsearch error (a refused request) is raised, not hidden."""
    if params.after.startswith(RELAXED_CURSOR):  # a later page of a relaxed search
        page = _search_once(replace(params, match_any=True, after=params.after[len(RELAXED_CURSOR) :]))
        return _relaxed(page)
    page = _search_once(params)
    if page.total == 0 and params.q.strip() and not params.match_any and not params.after:
        # Nothing has every word: show what has some of them (best first) rather than nothing.
        relaxed = _search_once(replace(params, match_any=True))
        relaxed.suggestion = relaxed.suggestion or page.suggestion
        return _relaxed(relaxed)
    return page


def _relaxed(page: SearchPage) -> SearchPage:
    page.relaxed = True
    if page.next_after:
        page.next_after = RELAXED_CURSOR + page.next_after
    return page


def _search_once(params: SearchParams) -> SearchPage:
    from search import engine_database, engine_elasticsearch
    from search.connection import ElasticsearchUnreachable, es_client, mark_unavailable, recently_unavailable

    client = es_client()
    if client is not None and not recently_unavailable():
        try:
            return engine_elasticsearch.search(client, params)
        except ElasticsearchUnreachable as exc:
            logger.warning("Elasticsearch unreachable, answering from the database: %s", exc)
            mark_unavailable(exc)
    page = engine_database.search(params)
    page.degraded = client is not None
    return page


def autocomplete(prefix: str, limit: int = 8) -> list[SearchHit]:
    """Titles and organisation names that start with the words typed so far."""
    from search import engine_database, engine_elasticsearch
    from search.connection import ElasticsearchUnreachable, es_client, mark_unavailable, recently_unavailable

    client = es_client()
    if client is not None and not recently_unavailable():
        try:
            return engine_elasticsearch.autocomplete(client, prefix, limit)
        except ElasticsearchUnreachable as exc:
            logger.warning("Elasticsearch unreachable, completing from the database: %s", exc)
            mark_unavailable(exc)
    return engine_database.autocomplete(prefix, limit)
