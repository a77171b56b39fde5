"""Matching, the engine's part: the words people wrote as phrases a document can match,
the stemmed words of indexed documents, candidates found by any of some words, and documents
similar to one another.

Candidates go through the one query function (``search.query.search``) with ``match_any``, so
Elasticsearch and the database fallback find the same ones; the domain apps (challenges for an
organisation, partners for a consortium) then score them from what both engines share, the
stemmed words of each document (the database copy, ``SearchEntry.stemmed``), and explain each
suggestion in the words people used, not in stems."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from search.documents import localised_path
from search.query import SearchHit, SearchParams, search
from search.text import stem, stem_word, words

logger = logging.getLogger(__name__)

# How many of a document's rarest words "similar" searches for (database engine).
SIMILAR_TERMS = 10

# fmt: off
_ENGLISH_STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "its", "of", "on", "or", "our", "that", "the", "their", "this", "to", "we", "with",
    "you", "your", "will", "can", "into", "more", "than", "other", "such", "also",
})
# fmt: on


@functools.lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    return frozenset(StopWordRemoverFactory().get_stop_words()) | _ENGLISH_STOP_WORDS


def is_content_word(word: str) -> bool:
    return len(word) >= 3 and not word.isdigit() and word not in stop_words()


# Words and the phrases people wrote ----------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """Something an organisation wrote (a capability, a sector name, a description word) and
    the stemmed words a document must contain to match it."""

    label: str
    stems: frozenset[str]
    weight: float = 1.0
    source: str = "description"  # capability, sector or description

    def found_in(self, document_words: frozenset[str]) -> bool:
        return bool(self.stems) and all(_has_word(document_words, s) for s in self.stems)


def _has_word(document_words: frozenset[str], stemmed: str) -> bool:
    # The database engine matches words of four letters or more as prefixes ("payment"
    # finds "payments"); reasons follow the same rule so that they explain its matches.
    if stemmed in document_words:
        return True
    return len(stemmed) >= 4 and any(w.startswith(stemmed) for w in document_words)


def phrase(label: str, weight: float = 1.0, source: str = "description") -> Phrase | None:
    label = " ".join(label.split())
    stems = frozenset(w for w in stem(label).split() if is_content_word(w))
    return Phrase(label=label, stems=stems, weight=weight, source=source) if stems else None


def description_words(text: str) -> dict[str, str]:
    """stem -> the word as written (first occurrence), content words only."""
    readable: dict[str, str] = {}
    for word in words(text):
        if not is_content_word(word):
            continue
        stemmed = stem_word(word)
        if is_content_word(stemmed):
            readable.setdefault(stemmed, word)
    return readable


def vocabulary(stems: Iterable[str]) -> dict[str, int]:
    """How many indexed documents have each word (the words no document has are left out:
    searching for them finds nothing)."""
    from search.models import SearchTerm

    stems = list(set(stems))
    if not stems:
        return {}
    return dict(SearchTerm.objects.filter(word__in=stems).values_list("word", "documents"))


def rarest(stems: Iterable[str], counts: dict[str, int], limit: int) -> list[str]:
    """The rarest known words, those of several documents first: a word only one document has
    may be only the one we start from. (The counts are approximate between rebuilds of the
    database copy; they only rank.)"""
    known = [s for s in set(stems) if s in counts]
    return sorted(known, key=lambda s: (counts[s] < 2, counts[s], s))[:limit]


def stemmed_words(kind: str, ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """The stemmed words of indexed documents: from the database copy (both engines keep it),
    from Elasticsearch for any the copy lacks."""
    from search.models import SearchEntry

    ids = sorted(set(ids))
    if not ids:
        return {}
    found = {
        object_id: frozenset(text.split())
        for object_id, text in SearchEntry.objects.filter(kind=kind, object_id__in=ids).values_list(
            "object_id", "stemmed"
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        found.update(_stemmed_from_elasticsearch(kind, missing))
    return found


def _stemmed_from_elasticsearch(kind: str, ids: list[int]) -> dict[int, frozenset[str]]:
    from search.connection import ElasticsearchUnavailable, alias_name, es_client

    client = es_client()
    if client is None:
        return {}
    try:
        response = client.mget(index=alias_name(kind), ids=[str(i) for i in ids], source=["stemmed"])
    except ElasticsearchUnavailable:
        return {}
    return {
        int(doc["_id"]): frozenset(doc["_source"].get("stemmed", "").split())
        for doc in response.get("docs", [])
        if doc.get("found")
    }


def candidates(q: str, **filters) -> list[SearchHit]:
    """Documents with any of the words of ``q`` (ranked by how many they have), through the
    one query function, so both engines find the same candidates."""
    params = SearchParams(
        q=q, match_any=True, highlight=False, facets=False, suggest=False, fuzzy=False, **filters
    )
    return search(params).hits


def document_words_now(kind: str, object_id: int) -> frozenset[str]:
    """The stemmed words of a document as it would be indexed now (for one not indexed yet)."""
    from search import indexing

    docs = list(indexing.documents_for(kind, [object_id]))
    return frozenset(docs[0].stemmed().split()) if docs else frozenset()


# Similar documents -------------------------------------------------------------------------


def similar(kind: str, object_id: int, limit: int = 4) -> list[SearchHit]:
    """Public documents of the same kind most like this one: Elasticsearch's more_like_this,
    or the database copy searched for this document's rarest words. Never the document itself;
    [] when it is not indexed (not public)."""
    from search.connection import ElasticsearchUnavailable, es_client

    client = es_client()
    if client is not None:
        try:
            hits = _similar_elasticsearch(client, kind, object_id, limit)
        except ElasticsearchUnavailable as exc:
            logger.warning("Elasticsearch unavailable, similar documents from the database: %s", exc)
        else:
            return [_localised(h) for h in hits]
    return [_localised(h) for h in _similar_database(kind, object_id, limit)]


def _localised(hit: SearchHit) -> SearchHit:
    from dataclasses import replace

    return replace(hit, url=localised_path(hit.url))


def _similar_elasticsearch(client, kind: str, object_id: int, limit: int) -> list[SearchHit]:
    from elasticsearch import exceptions as es_exceptions

    from search import engine_elasticsearch
    from search.connection import alias_name

    alias = alias_name(kind)
    body = {
        "query": {
            "bool": {
                "must": [
                    {
                        "more_like_this": {
                            "fields": ["title", "text", "stemmed"],
                            "like": [{"_index": alias, "_id": str(object_id)}],
                            "min_term_freq": 1,
                            # A word only this document has says nothing about the others.
                            "min_doc_freq": 2,
                            "max_query_terms": 25,
                            "minimum_should_match": "1",
                        }
                    }
                ],
                "filter": [{"term": {"kind": kind}}],
                "must_not": [{"ids": {"values": [str(object_id)]}}],
            }
        },
        "size": limit,
        "_source": engine_elasticsearch.HIT_SOURCE,
    }
    try:
        response = client.search(index=alias, body=body, ignore_unavailable=True)
    except es_exceptions.NotFoundError:
        return []
    return [engine_elasticsearch.hit_from(raw) for raw in response["hits"]["hits"]]


def _similar_database(kind: str, object_id: int, limit: int) -> list[SearchHit]:
    from search import engine_database

    if engine_database._postgres():
        # Two statements: the document's known words with their counts, then the best matches.
        counts = {w: n for w, n in _document_vocabulary(kind, object_id).items() if is_content_word(w)}
        terms = rarest(counts, counts, SIMILAR_TERMS)
        if not terms:
            return []
        return engine_database.best_matches(kind, " ".join(terms), exclude=object_id, limit=limit)
    document_words = stemmed_words_database(kind, object_id)
    if not document_words:
        return []
    counts = vocabulary(w for w in document_words if is_content_word(w))
    terms = rarest(counts, counts, SIMILAR_TERMS)
    if not terms:
        return []
    params = SearchParams(
        q=" ".join(terms),
        types=(kind,),
        match_any=True,
        size=limit + 1,
        highlight=False,
        facets=False,
        suggest=False,
        fuzzy=False,
    )
    hits = engine_database.search(params).hits
    return [h for h in hits if h.object_id != object_id][:limit]


def _document_vocabulary(kind: str, object_id: int) -> dict[str, int]:
    """``vocabulary`` of one indexed document's stemmed words, in one statement (PostgreSQL)."""
    from search.models import SearchEntry, SearchTerm

    entries = SearchEntry._meta.db_table
    found = SearchTerm.objects.extra(  # noqa: S610 - the kind and id are bound parameters
        where=[
            f"word = ANY(string_to_array((SELECT stemmed FROM {entries} "
            "WHERE kind = %s AND object_id = %s LIMIT 1), ' '))"
        ],
        params=[kind, object_id],
    )
    return dict(found.values_list("word", "documents"))


def stemmed_words_database(kind: str, object_id: int) -> frozenset[str]:
    from search.models import SearchEntry

    text = (
        SearchEntry.objects.filter(kind=kind, object_id=object_id).values_list("stemmed", flat=True).first()
    )
    return frozenset((text or "").split())
