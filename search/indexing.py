"""Writing documents: to Elasticsearch (versioned indices behind aliases) and to the database
copy the fallback searches. Only public data is ever written: the objects each registered
document type says the public may find (``search.registry``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from elasticsearch import Elasticsearch
from elasticsearch.dsl import Index
from elasticsearch.helpers import streaming_bulk

from core import page_cache
from search import documents, registry
from search.connection import ElasticsearchUnavailable, alias_name, es_client, new_index_name
from search.documents import IndexedDocument, SearchDocument
from search.models import SearchEntry, SearchTerm, delimited, undelimited
from search.text import stem, stem_word, words
from search.vectors import weighted_vector

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


def write_database_entries(docs: list[SearchDocument], vocabulary: bool = True) -> dict[str, int]:
    """Upsert documents into SearchEntry and (unless ``vocabulary`` is false) their words into
    the vocabulary. Returns the documents' words with how many documents have each.

    PostgreSQL: the rows are copied (COPY) into a temporary table and upserted from it in one
    INSERT … ON CONFLICT, whose SELECT computes every weighted tsvector, so a batch of
    thousands of documents costs a few statements rather than a statement per document."""
    return _write_prepared(_prepare_batch(docs, _reads_vectors()), vocabulary)


def load_database_entries(
    batches: Iterable[list[SearchDocument]], written: Callable[[int], None] | None = None
) -> Loaded:
    """Write many batches, as ``write_database_entries(batch, vocabulary=False)`` each, telling
    ``written`` how many documents are done after each; returns how many documents were written
    and their words with document counts (for the vocabulary).

    Each batch's words are split and stemmed in a second thread while the database computes
    the previous batch's vectors: the two take about as long, the database works in its own
    process, and the thread waiting on it holds no lock, so a load takes about the longer of
    the two rather than their sum."""
    loaded = Loaded(0, {})
    vectors = _reads_vectors()  # asked here: the preparing thread has a connection of its own
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-prepare") as preparer:
        waiting: Future[PreparedBatch] | None = None
        for batch in batches:
            following = preparer.submit(_prepare_batch, batch, vectors)
            if waiting is not None:
                loaded = _write_into(loaded, waiting.result(), written)
            waiting = following
        if waiting is not None:
            loaded = _write_into(loaded, waiting.result(), written)
    return loaded


class Loaded(NamedTuple):
    documents: int
    counts: dict[str, int]


def _write_into(loaded: Loaded, prepared: PreparedBatch, written: Callable[[int], None] | None) -> Loaded:
    _merge(loaded.counts, _write_prepared(prepared, vocabulary=False))
    documents = loaded.documents + len(prepared.rows)
    if written:
        written(documents)
    return Loaded(documents, loaded.counts)


class PreparedBatch(NamedTuple):
    rows: list[tuple]  # SearchEntry rows (``ENTRY_COLUMNS``)
    vectors: list[str | None]  # each row's weighted vector (``vectors.weighted_vector``), or None
    counts: dict[str, int]  # the batch's vocabulary words, with how many documents have each


def _reads_vectors() -> bool:
    """PostgreSQL keeps a vector per entry; the embedded default (SQLite) has none."""
    return connection.vendor == "postgresql"


def _prepare_batch(docs: list[SearchDocument], with_vectors: bool) -> PreparedBatch:
    """Pure Python, no database: what a second thread can do while the database works."""
    latest = {(d.kind, d.object_id): d for d in docs}  # a document given twice: the last one
    rows = []
    vectors = []
    counts: dict[str, int] = {}
    for doc in latest.values():
        row, found = _prepared(doc)
        rows.append(row)
        vectors.append(weighted_vector(row[_STEMMED_TITLE], row[_STEMMED]) if with_vectors else None)
        for word in found:
            counts[word] = counts.get(word, 0) + 1
    return PreparedBatch(rows, vectors, counts)


def _write_prepared(prepared: PreparedBatch, vocabulary: bool) -> dict[str, int]:
    if not prepared.rows:
        return {}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _upsert_postgres(prepared.rows, prepared.vectors)
        else:
            _upsert_portable(prepared.rows)
        if vocabulary:
            add_vocabulary(prepared.counts)
    return prepared.counts


# The columns a document fills, in the order of ``_prepared``'s rows.
ENTRY_COLUMNS = (
    "kind", "object_id", "title", "title_en", "snippet", "url", "stemmed", "stemmed_title", "region",
    "sectors", "incentives", "agency", "amount", "opens_at", "closes_at", "decided", "date",
)  # fmt: skip
_STEMMED, _STEMMED_TITLE = ENTRY_COLUMNS.index("stemmed"), ENTRY_COLUMNS.index("stemmed_title")


def _prepared(doc: SearchDocument) -> tuple[tuple, set[str]]:
    """A document's SearchEntry row (``ENTRY_COLUMNS``) and its vocabulary words. The text is
    split into words once: ``stemmed`` is exactly ``doc.stemmed()``."""
    found = words(f"{doc.indonesian_text()} {doc.english_text()}")
    stemmed = " ".join([stem_word(w) for w in found])
    row = (
        doc.kind,
        doc.object_id,
        doc.title[:300],
        doc.title_en[:300],
        doc.snippet,
        doc.url,
        stemmed,
        stem(f"{doc.title} {doc.title_en}"),
        doc.region,
        delimited(doc.sectors),
        delimited(doc.incentives),
        doc.agency,
        doc.amount,
        doc.opens_at,
        doc.closes_at,
        doc.decided,
        doc.date,
    )
    return row, {w for w in found if _worth_suggesting(w)}


# The weighted tsvector the fallback matches and ranks by: the title (A) and the rest (D); and
# the title's own, to find title matches first when too many documents match. Loading reads
# the weighted one from Python where it can (``vectors.weighted_vector``): the same vector,
# cheaper for the database.
VECTOR_SQL = (
    "setweight(to_tsvector('simple'::regconfig, COALESCE(stemmed_title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, COALESCE(stemmed, '')), 'D')"
)
TITLE_VECTOR_SQL = "to_tsvector('simple'::regconfig, COALESCE(stemmed_title, ''))"


def _upsert_postgres(rows: list[tuple], vectors: list[str | None]) -> None:
    table = SearchEntry._meta.db_table
    columns = ", ".join(ENTRY_COLUMNS)
    computed = ("vector", "title_vector", "facet_vector", "indexed_at")
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*ENTRY_COLUMNS[2:], *computed))
    sectors, incentives = ENTRY_COLUMNS.index("sectors"), ENTRY_COLUMNS.index("incentives")
    with connection.cursor() as cursor:
        # The GIN indexes take new entries into a pending list and merge it in memory.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # Dropped at the commit, or here when an enclosing transaction wrote a batch before.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.search_entry_load")
        cursor.execute(
            f"CREATE TEMPORARY TABLE search_entry_load ON COMMIT DROP AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        cursor.execute(
            "ALTER TABLE search_entry_load ADD COLUMN facet_values text[], ADD COLUMN vector_text text"
        )
        with cursor.copy(f"COPY search_entry_load ({columns}, facet_values, vector_text) FROM STDIN") as copy:
            for row, vector in zip(rows, vectors, strict=True):
                copy.write_row((*row, facet_lexemes(row[sectors], row[incentives]), vector))
        # In (kind, object_id) order, so that two writers lock the rows in the same order.
        cursor.execute(
            f"INSERT INTO {table} ({columns}, {', '.join(computed)}) "
            f"SELECT {columns}, COALESCE(vector_text::tsvector, {VECTOR_SQL}), {TITLE_VECTOR_SQL}, "
            f"array_to_tsvector(facet_values), now() "
            f"FROM search_entry_load ORDER BY kind, object_id "
            f"ON CONFLICT (kind, object_id) DO UPDATE SET {updates}"
        )


def facet_lexemes(sectors: str, incentives: str) -> list[str]:
    """The "|a|b|" facet columns as the lexemes of ``SearchEntry.facet_vector``."""
    return [f"sector:{s}" for s in undelimited(sectors)] + [f"incentive:{i}" for i in undelimited(incentives)]


def _upsert_portable(rows: list[tuple]) -> None:
    """SQLite (the embedded default): the ORM, no vector."""
    entries = [SearchEntry(**dict(zip(ENTRY_COLUMNS, row, strict=True))) for row in rows]
    by_kind: dict[str, list[int]] = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry.object_id)
    for kind, ids in by_kind.items():
        SearchEntry.objects.filter(kind=kind, object_id__in=ids).delete()
    SearchEntry.objects.bulk_create(entries, batch_size=CHUNK)


def _worth_suggesting(word: str) -> bool:
    return 4 <= len(word) <= 60 and not word.isdigit()


def vocabulary_words(text: str) -> set[str]:
    """The folded words of a text that are worth suggesting: no numbers, no short words."""
    return {w for w in words(text) if _worth_suggesting(w)}


def entry_words(docs: Iterable[SearchDocument]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for doc in docs:
        for word in vocabulary_words(f"{doc.indonesian_text()} {doc.english_text()}"):
            counts[word] = counts.get(word, 0) + 1
    return counts


def add_vocabulary(counts: dict[str, int]) -> None:
    """Add new words and count the documents of known ones. A re-written document counts
    again, so counts drift upwards between rebuilds (good enough to rank suggestions and pick
    rare words); ``rebuild_database_copy`` recounts."""
    if not counts:
        return
    if connection.vendor != "postgresql":
        _add_vocabulary_portable(counts)
        return
    table = SearchTerm._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pg_temp.search_term_load")
        cursor.execute("CREATE TEMPORARY TABLE search_term_load (word text, documents int) ON COMMIT DROP")
        with cursor.copy("COPY search_term_load (word, documents) FROM STDIN") as copy:
            for word, n in counts.items():
                copy.write_row((word, n))
        cursor.execute(
            f"INSERT INTO {table} (word, documents) SELECT word, documents FROM search_term_load "
            f"ORDER BY word ON CONFLICT (word) "
            f"DO UPDATE SET documents = {table}.documents + EXCLUDED.documents"
        )


def replace_vocabulary(counts: dict[str, int]) -> None:
    """The vocabulary is exactly ``counts`` (after a full rebuild)."""
    with transaction.atomic():
        SearchTerm.objects.all().delete()
        add_vocabulary(counts)


def _add_vocabulary_portable(counts: dict[str, int]) -> None:
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
    """Rewrite the database copy of ``kind`` (all kinds when None) from the objects; all kinds
    also recount the vocabulary, from the words of the documents written."""
    done = 0
    recount = kind is None
    counts: dict[str, int] = {}
    for each in [kind] if kind else registry.kinds():
        total = registry.get(each).count()

        def written(documents: int, before: int = done, total: int = total) -> None:
            if progress:
                progress(before + documents, total)

        with transaction.atomic():
            SearchEntry.objects.filter(kind=each).delete()
            loaded = load_database_entries(_batches(documents_for(each), LOAD_BATCH), written)
            if not recount:
                add_vocabulary(loaded.counts)
        _merge(counts, loaded.counts)
        done += loaded.documents
        if progress and not loaded.documents:
            progress(done, total)
    if recount:
        replace_vocabulary(counts)
    return done


def _batches(docs: Iterable[SearchDocument], size: int) -> Iterator[list[SearchDocument]]:
    batch: list[SearchDocument] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


LOAD_BATCH = 5000  # documents a COPY carries when the database copy is rebuilt


def _merge(counts: dict[str, int], more: dict[str, int]) -> None:
    for word, n in more.items():
        counts[word] = counts.get(word, 0) + n


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
