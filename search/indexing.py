"""Writing documents: to Elasticsearch (versioned indices behind aliases) and to the database
copy the fallback searches. Only public data is ever written: the objects each registered
document type says the public may find (``search.registry``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F, Value
from elasticsearch import Elasticsearch
from elasticsearch.dsl import Index
from elasticsearch.helpers import streaming_bulk

from core import page_cache
from search import documents, registry
from search.connection import ElasticsearchUnavailable, alias_name, es_client, new_index_name
from search.documents import IndexedDocument, SearchDocument
from search.models import SearchEntry, SearchTerm, delimited
from search.text import stem, words

logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
CHUNK = registry.CHUNK


# What is public: what the domain declared (search.registry) -----------------------------------


def documents_for(kind: str, ids: Iterable[int] | None = None) -> Iterator[SearchDocument]:
    """The documents of the public objects of ``kind`` (only those of ``ids`` when given)."""
    return registry.get(kind).documents(ids)


# One object at a time (on commit, from Celery) -----------------------------------------------


def refresh(kind: str, ids: Iterable[int]) -> None:
    """Bring the database copy and Elasticsearch in line with the objects now: index the
    public ones, remove the others. Idempotent; raises ElasticsearchUnavailable for a retry."""
    ids = sorted(set(ids))
    docs = list(documents_for(kind, ids))
    gone = sorted(set(ids) - {d.object_id for d in docs})
    refresh_database(kind, docs, gone)
    client = es_client()
    if client is not None:
        refresh_elasticsearch(client, kind, docs, gone)
        # Elasticsearch changed after the write that asked for this was committed: the pages
        # and similar items made from it in between are forgotten too.
        page_cache.forget_public_pages()


def refresh_database(kind: str, docs: list[SearchDocument], gone: Iterable[int]) -> None:
    with transaction.atomic():
        SearchEntry.objects.filter(kind=kind, object_id__in=list(gone)).delete()
        write_database_entries(docs)


def refresh_elasticsearch(client: Elasticsearch, kind: str, docs: list[SearchDocument], gone) -> None:
    ensure_index(client, kind)
    actions = [_index_action(alias_name(kind), d) for d in docs] + [
        {"_op_type": "delete", "_index": alias_name(kind), "_id": str(object_id)} for object_id in gone
    ]
    # "wait_for": the write returns once searchable, without forcing a refresh per write.
    refresh = settings.SEARCH_INDEX_REFRESH
    for ok, item in streaming_bulk(client, actions, raise_on_error=False, refresh=refresh):
        if not ok and item.get("delete", {}).get("status") != 404:
            logger.error("Search index write failed: %s", item)


def _index_action(index: str, doc: SearchDocument) -> dict:
    return {
        "_op_type": "index",
        "_index": index,
        "_id": str(doc.object_id),
        "_source": documents.to_elasticsearch(doc),
    }


# The database copy ---------------------------------------------------------------------------


def write_database_entries(docs: list[SearchDocument]) -> None:
    """Upsert documents into SearchEntry and their words into the vocabulary."""
    if not docs:
        return
    by_kind: dict[str, list[SearchDocument]] = {}
    for doc in docs:
        by_kind.setdefault(doc.kind, []).append(doc)
    with transaction.atomic():
        for kind, group in by_kind.items():
            SearchEntry.objects.filter(kind=kind, object_id__in=[d.object_id for d in group]).delete()
            SearchEntry.objects.bulk_create([_entry(d) for d in group], batch_size=CHUNK)
        _add_vocabulary(entry_words(docs))


def _entry(doc: SearchDocument) -> SearchEntry:
    stemmed, stemmed_title = doc.stemmed(), stem(f"{doc.title} {doc.title_en}")
    return SearchEntry(
        kind=doc.kind,
        object_id=doc.object_id,
        title=doc.title[:300],
        title_en=doc.title_en[:300],
        snippet=doc.snippet,
        url=doc.url,
        stemmed=stemmed,
        stemmed_title=stemmed_title,
        vector=_vector(stemmed_title, stemmed),
        region=doc.region,
        sectors=delimited(doc.sectors),
        incentives=delimited(doc.incentives),
        agency=doc.agency,
        amount=doc.amount,
        opens_at=doc.opens_at,
        closes_at=doc.closes_at,
        decided=doc.decided,
        date=doc.date,
    )


def _vector(stemmed_title: str, stemmed: str) -> SearchVector | None:
    """PostgreSQL: the weighted tsvector the fallback matches and ranks by (title A, the rest
    D), computed in the INSERT itself so that each row is written once."""
    if connection.vendor != "postgresql":
        return None
    return SearchVector(Value(stemmed_title), config="simple", weight="A") + SearchVector(
        Value(stemmed), config="simple", weight="D"
    )


def vocabulary_words(text: str) -> set[str]:
    """The folded words of a text that are worth suggesting: no numbers, no short words."""
    return {w for w in words(text) if 4 <= len(w) <= 60 and not w.isdigit()}


def entry_words(docs: Iterable[SearchDocument]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for doc in docs:
        for word in vocabulary_words(f"{doc.indonesian_text()} {doc.english_text()}"):
            counts[word] = counts.get(word, 0) + 1
    return counts


def _add_vocabulary(counts: dict[str, int]) -> None:
    """Add new words and count the documents of known ones. A re-written document counts
    again, so counts drift upwards between rebuilds (good enough to rank suggestions and pick
    rare words); ``rebuild_database_copy`` recounts."""
    if not counts:
        return
    existing = set(SearchTerm.objects.filter(word__in=list(counts)).values_list("word", flat=True))
    SearchTerm.objects.bulk_create(
        [SearchTerm(word=w, documents=n) for w, n in counts.items() if w not in existing],
        batch_size=2000,
        ignore_conflicts=True,
    )
    by_increment: dict[int, list[str]] = {}
    for word in existing:
        by_increment.setdefault(counts[word], []).append(word)
    for increment, same in by_increment.items():
        SearchTerm.objects.filter(word__in=same).update(documents=F("documents") + increment)


def rebuild_database_copy(kind: str | None = None, progress: Progress | None = None) -> int:
    """Rewrite the database copy of ``kind`` (all kinds when None) from the objects."""
    done = 0
    for each in [kind] if kind else registry.kinds():
        total = registry.get(each).count()
        with transaction.atomic():
            SearchEntry.objects.filter(kind=each).delete()
            batch: list[SearchDocument] = []
            for doc in documents_for(each):
                batch.append(doc)
                if len(batch) >= CHUNK:
                    write_database_entries(batch)
                    done += len(batch)
                    batch = []
                    if progress:
                        progress(done, total)
            write_database_entries(batch)
            done += len(batch)
            if progress:
                progress(done, total)
    if kind is None:
        _recount_vocabulary()
    return done


def _recount_vocabulary() -> None:
    counts = entry_words(doc for kind in registry.kinds() for doc in documents_for(kind))
    with transaction.atomic():
        SearchTerm.objects.all().delete()
        SearchTerm.objects.bulk_create(
            [SearchTerm(word=w, documents=n) for w, n in counts.items()], batch_size=5000
        )


# Elasticsearch indices -----------------------------------------------------------------------


def _create_index(client: Elasticsearch, name: str) -> None:
    index = Index(name, using=client)
    index.document(IndexedDocument)
    index.settings(number_of_shards=1, number_of_replicas=0, refresh_interval="1s")
    index.create()


def ensure_index(client: Elasticsearch, kind: str) -> None:
    """Create an empty versioned index behind the alias when there is none."""
    alias = alias_name(kind)
    if client.indices.exists_alias(name=alias):
        return
    name = new_index_name(kind, "initial")
    if not client.indices.exists(index=name):
        _create_index(client, name)
    client.indices.put_alias(index=name, name=alias)


def bulk_index_documents(
    client: Elasticsearch,
    kind: str,
    docs: Iterable[SearchDocument],
    total: int,
    progress: Progress | None = None,
) -> int:
    """Build a new index from ``docs`` while the alias keeps serving the old one, then swap the
    alias atomically and delete the old index."""
    alias = alias_name(kind)
    name = new_index_name(kind, str(int(time.time() * 1000)))
    _create_index(client, name)
    # No refreshes while loading: much faster, and nobody reads this index yet.
    client.indices.put_settings(index=name, settings={"index": {"refresh_interval": "-1"}})
    done = 0
    try:
        for _ok, _item in streaming_bulk(
            client, (_index_action(name, d) for d in docs), chunk_size=CHUNK, raise_on_error=True
        ):
            done += 1
            if progress and (done % CHUNK == 0 or done == total):
                progress(done, total)
    except BaseException:
        client.indices.delete(index=name, ignore_unavailable=True)
        raise
    client.indices.put_settings(index=name, settings={"index": {"refresh_interval": "1s"}})
    client.indices.refresh(index=name)
    old = list(client.indices.get_alias(name=alias)) if client.indices.exists_alias(name=alias) else []
    actions = [{"remove": {"index": o, "alias": alias}} for o in old] + [
        {"add": {"index": name, "alias": alias}}
    ]
    client.indices.update_aliases(actions=actions)
    for o in old:
        client.indices.delete(index=o, ignore_unavailable=True)
    if progress and done == 0:
        progress(0, 0)
    return done


def reindex(kind: str, progress: Progress | None = None) -> int:
    """Rebuild ``kind`` in Elasticsearch from the database; returns the number indexed."""
    client = es_client()
    if client is None:
        return 0
    total = registry.get(kind).count()
    return bulk_index_documents(client, kind, documents_for(kind), total, progress)


def index_is_empty(client: Elasticsearch) -> bool:
    try:
        return all(
            not client.indices.exists_alias(name=alias_name(k))
            or client.count(index=alias_name(k))["count"] == 0
            for k in registry.kinds()
        )
    except ElasticsearchUnavailable:
        return False


# Consistency ---------------------------------------------------------------------------------


def consistency_check(kind: str, repair: bool = True) -> dict[str, list[int]]:
    """Compare the public objects with the database copy and Elasticsearch; repair what
    differs (missing, stale or extra documents). Returns the differences found."""
    expected = {doc.object_id: doc for doc in documents_for(kind)}
    differences: dict[str, list[int]] = {}
    copied = dict(SearchEntry.objects.filter(kind=kind).values_list("object_id", "stemmed"))
    db_missing = sorted(i for i, d in expected.items() if copied.get(i) != d.stemmed())
    db_extra = sorted(set(copied) - set(expected))
    differences["database_missing_or_stale"], differences["database_extra"] = db_missing, db_extra
    client = es_client()
    es_missing: list[int] = []
    es_extra: list[int] = []
    if client is not None:
        ensure_index(client, kind)
        indexed = _indexed_stems(client, kind)
        es_missing = sorted(i for i, d in expected.items() if indexed.get(i) != d.stemmed())
        es_extra = sorted(set(indexed) - set(expected))
    differences["elasticsearch_missing_or_stale"], differences["elasticsearch_extra"] = es_missing, es_extra
    if repair:
        if db_missing or db_extra:
            refresh_database(kind, [expected[i] for i in db_missing], db_extra)
        if client is not None and (es_missing or es_extra):
            refresh_elasticsearch(client, kind, [expected[i] for i in es_missing], es_extra)
    return differences


def _indexed_stems(client: Elasticsearch, kind: str) -> dict[int, str]:
    from elasticsearch.helpers import scan

    hits = scan(client, index=alias_name(kind), query={"query": {"match_all": {}}}, _source=["stemmed"])
    return {int(h["_id"]): h["_source"].get("stemmed", "") for h in hits}
