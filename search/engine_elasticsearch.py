"""The Elasticsearch engine: one request per search (hits, facets with post_filter semantics,
highlights and spelling suggestions), read through the aliases."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.html import escape
from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions

from search import registry, synonyms
from search.connection import alias_name
from search.params import DECIDED, closing_soon_window
from search.query import (
    FEW_RESULTS,
    STATUSES,
    FacetBucket,
    SearchHit,
    SearchPage,
    SearchParams,
    decode_cursor,
    encode_cursor,
)
from search.text import query_terms

FACET_FIELDS = {"type": "kind", "sector": "sector", "region": "region", "incentive": "incentive"}
FACET_SIZE = 50
BACKEND = "elasticsearch"
# The stored fields a SearchHit is made of (``hit_from``).
HIT_SOURCE = [
    "kind",
    "object_id",
    "title",
    "title_en",
    "url",
    "snippet",
    "region",
    "sector",
    "amount",
    "closes_at",
]


def status_query(status: str, now: datetime.datetime) -> dict:
    """The challenges' status rule (``search.params.STATUSES``), as the database engine has it."""
    if status in DECIDED:
        return {"term": {"decided": status}}
    undecided = {"bool": {"must_not": [{"terms": {"decided": list(DECIDED)}}]}}
    soon = (now + closing_soon_window()).isoformat()
    ranges = {
        "upcoming": [{"range": {"opens_at": {"gt": now.isoformat()}}}],
        "open": [
            {"range": {"opens_at": {"lte": now.isoformat()}}},
            {"range": {"closes_at": {"gt": now.isoformat()}}},
        ],
        "closing_soon": [
            {"range": {"opens_at": {"lte": now.isoformat()}}},
            {"range": {"closes_at": {"gt": now.isoformat(), "lte": soon}}},
        ],
        "in_review": [{"range": {"closes_at": {"lte": now.isoformat()}}}],
    }[status]
    return {"bool": {"filter": [{"term": {"kind": "challenge"}}, undecided, *ranges]}}


def text_query(params: SearchParams) -> dict:
    """Stemmed Indonesian, the folded words (with synonyms), the English sub-fields, a typo
    tolerant clause and an exact phrase bonus; any of them may match."""
    q = params.q.strip()
    operator = "or" if params.match_any else "and"
    clauses: list[dict] = [
        stemmed_query(synonyms.expand(query_terms(q)), params.match_any),
        {
            "multi_match": {
                "query": q,
                "fields": ["title^4", "text"],
                "operator": operator,
                "type": "best_fields",
            }
        },
        {
            "multi_match": {
                "query": q,
                "fields": ["title_en^4", "title.en^2", "text_en"],
                "operator": operator,
            }
        },
        {"match_phrase": {"title_en": {"query": q, "boost": 4}}},
        {"match_phrase": {"title": {"query": q, "boost": 4}}},
    ]
    if params.fuzzy:
        clauses.append(
            {
                "multi_match": {
                    "query": q,
                    "fields": ["title^2", "text"],
                    "analyzer": "folding",  # no synonyms: fuzziness applies to the typed words
                    "fuzziness": "AUTO",
                    "prefix_length": 1,
                    "operator": operator,
                    "boost": 0.5,
                }
            }
        )
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def stemmed_query(concepts: list[list[str]], match_any: bool) -> dict:
    """Every concept (any match if ``match_any``), each met by any of its synonyms."""
    per_concept = [
        {
            "bool": {
                "should": [{"match_phrase": {"stemmed": alternative}} for alternative in alternatives],
                "minimum_should_match": 1,
            }
        }
        for alternatives in concepts
    ]
    if match_any:
        return {"bool": {"should": per_concept, "minimum_should_match": 1, "boost": 2}}
    return {"bool": {"must": per_concept, "boost": 2}}


def base_filters(params: SearchParams) -> list[dict]:
    """Filters that are not facets: they narrow the hits and every facet count."""
    tz = timezone.get_current_timezone_name()
    filters: list[dict] = [{"terms": {"kind": params.kinds()}}]
    if params.ids:
        filters.append({"terms": {"object_id": list(params.ids)}})
    if params.agency:
        filters.append({"term": {"agency": params.agency}})
    amount = {k: v for k, v in (("gte", params.amount_min), ("lte", params.amount_max)) if v is not None}
    if amount:
        filters.append({"range": {"amount": amount}})
    closes = {
        k: v.isoformat()
        for k, v in (("gte", params.closes_after), ("lte", params.closes_before))
        if v is not None
    }
    if closes:
        filters.append({"range": {"closes_at": {**closes, "time_zone": tz, "format": "date"}}})
    return filters


def facet_filters(params: SearchParams) -> dict[str, dict]:
    """One filter per active facet; the hits get all of them (post_filter), each facet's
    counts all but its own."""
    now = params.at()
    filters: dict[str, dict] = {}
    if params.types:
        filters["type"] = {"terms": {"kind": list(params.types)}}
    if params.status:
        filters["status"] = status_query(params.status, now)
    for name in ("sector", "region", "incentive"):
        value = getattr(params, name)
        if value:
            filters[name] = {"term": {FACET_FIELDS[name]: value}}
    return filters


def aggregations(params: SearchParams, active: dict[str, dict]) -> dict:
    aggs = {}
    now = params.at()
    for name in ("type", "status", "sector", "region", "incentive"):
        others = [f for other, f in active.items() if other != name]
        if name == "status":
            inner = {"filters": {"filters": {s: status_query(s, now) for s in STATUSES}}}
        else:
            inner = {"terms": {"field": FACET_FIELDS[name], "size": FACET_SIZE}}
        aggs[name] = {"filter": {"bool": {"filter": others}}, "aggs": {"values": inner}}
    return aggs


def sort_clause(params: SearchParams) -> list:
    sort = params.sort if params.q.strip() or params.sort != "relevance" else "newest"
    primary = {
        "relevance": "_score",
        "closes": {"closes_at": {"order": "asc", "missing": "_last"}},
        "amount": {"amount": {"order": "desc", "missing": "_last"}},
        "newest": {"date": {"order": "desc", "missing": "_last"}},
    }.get(sort, "_score")
    return [primary, {"uid": "asc"}]


def build_body(params: SearchParams) -> dict:
    query = text_query(params) if params.q.strip() else {"match_all": {}}
    active = facet_filters(params)
    body: dict = {
        "query": {"bool": {"must": [query], "filter": base_filters(params)}},
        "size": params.page_size(),
        "sort": sort_clause(params),
        "track_total_hits": True,
        "_source": HIT_SOURCE,
    }
    if active:
        body["post_filter"] = {"bool": {"filter": list(active.values())}}
    if params.facets:
        body["aggs"] = aggregations(params, active)
    cursor = decode_cursor(params.after)
    if cursor and _fits_sort(cursor, body["sort"]):
        body["search_after"] = cursor
    if params.highlight and params.q.strip():
        body["highlight"] = {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
            "fields": {
                "title": {"number_of_fragments": 0},
                "text": {"fragment_size": 180, "number_of_fragments": 1},
            },
        }
    if params.suggest and params.q.strip():
        body["suggest"] = {
            "text": params.q,
            "title_terms": {"term": {"field": "title", "suggest_mode": "missing"}},
            "text_terms": {"term": {"field": "text", "suggest_mode": "missing"}},
        }
    return body


def _fits_sort(cursor: list, sort: list) -> bool:
    """A cursor this engine made for this sort: numbers (or null) for the primary key (score,
    date or amount), the uid last. Anything else (typed by hand, or from another sort) would be
    refused by Elasticsearch with a 400; the search starts from the first page instead."""
    if len(cursor) != len(sort) or not isinstance(cursor[-1], str):
        return False
    return all(value is None or type(value) in (int, float) for value in cursor[:-1])


def search(client: Elasticsearch, params: SearchParams) -> SearchPage:
    indices = ",".join(alias_name(kind) for kind in params.kinds())
    try:
        response = client.search(index=indices, body=build_body(params), ignore_unavailable=True)
    except es_exceptions.NotFoundError:
        return SearchPage(hits=[], total=0, backend=BACKEND)
    hits = [hit_from(raw) for raw in response["hits"]["hits"]]
    raw_hits = response["hits"]["hits"]
    size = params.page_size()
    next_after = encode_cursor(raw_hits[-1]["sort"]) if len(raw_hits) == size and raw_hits else ""
    total = response["hits"]["total"]["value"]
    return SearchPage(
        hits=hits,
        total=total,
        backend=BACKEND,
        facets=_facets(response.get("aggregations", {}), params) if params.facets else {},
        suggestion=_suggestion(response.get("suggest", {}), params.q) if total < FEW_RESULTS else "",
        next_after=next_after,
    )


def hit_from(raw: dict) -> SearchHit:
    source = raw["_source"]
    highlight = raw.get("highlight", {})
    snippet = highlight.get("text", [None])[0] or escape(source.get("snippet", ""))
    closes_at = source.get("closes_at")
    return SearchHit(
        kind=source["kind"],
        object_id=int(source["object_id"]),
        title=source.get("title", ""),
        title_en=source.get("title_en") or "",
        url=source.get("url", ""),
        snippet=snippet,
        score=raw.get("_score") or 0.0,
        region=source.get("region") or "",
        sectors=tuple(source.get("sector") or ()),
        amount=source.get("amount"),
        closes_at=datetime.datetime.fromisoformat(closes_at) if closes_at else None,
    )


def _facets(aggs: dict, params: SearchParams) -> dict[str, list[FacetBucket]]:
    selected = params.selected_values()
    facets: dict[str, list[FacetBucket]] = {}
    for name, agg in aggs.items():
        values = agg["values"]
        if name == "status":
            pairs = [(s, values["buckets"][s]["doc_count"]) for s in STATUSES]
        else:
            pairs = [(b["key"], b["doc_count"]) for b in values["buckets"]]
        facets[name] = [
            FacetBucket(value=str(v), count=n, selected=str(v) in selected[name])
            for v, n in pairs
            if n or str(v) in selected[name]
        ]
    return facets


def _suggestion(suggest: dict, q: str) -> str:
    """Replace each misspelt word with the best correction either field offers."""
    corrections: dict[str, tuple[float, str]] = {}
    for entries in suggest.values():
        for entry in entries:
            for option in entry.get("options", [])[:1]:
                best = corrections.get(entry["text"])
                score = option["score"] * (1 + option.get("freq", 0) / 1000)
                if best is None or score > best[0]:
                    corrections[entry["text"]] = (score, option["text"])
    if not corrections:
        return ""
    words = q.split()
    corrected = [corrections.get(w.lower(), (0, w))[1] for w in words]
    result = " ".join(corrected)
    return result if result.lower() != q.lower() else ""


def autocomplete(client: Elasticsearch, prefix: str, limit: int) -> list[SearchHit]:
    prefix = prefix.strip()
    if len(prefix) < 2:
        return []
    body = {
        "query": {
            "bool": {
                "must": [{"match": {"suggest": {"query": prefix, "operator": "and"}}}],
                "should": [{"match": {"title.suggest": {"query": prefix, "operator": "and", "boost": 2}}}],
            }
        },
        "size": limit,
        "_source": ["kind", "object_id", "title", "url"],
    }
    indices = ",".join(alias_name(kind) for kind in registry.kinds())
    try:
        response = client.search(index=indices, body=body, ignore_unavailable=True)
    except es_exceptions.NotFoundError:
        return []
    return [
        SearchHit(
            kind=h["_source"]["kind"],
            object_id=int(h["_source"]["object_id"]),
            title=h["_source"]["title"],
            url=h["_source"]["url"],
            snippet="",
            score=h.get("_score") or 0.0,
        )
        for h in response["hits"]["hits"]
    ]
