"""The one query and indexing layer. Callers get the same answer shape whether Elasticsearch
or the database answered; ``SearchResult.backend`` says which."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions
from elasticsearch.dsl import Index, Search

from search.documents import ChallengeDocument, alias_name
from search.text import query_terms, stem

logger = logging.getLogger(__name__)
MAX_HITS = 1000
INDEX_VERSION = "v1"


@dataclass(frozen=True)
class SearchResult:
    ids: list[int]
    backend: str  # "elasticsearch" or "database"
    degraded: bool = False  # Elasticsearch is configured but did not answer


_client: Elasticsearch | None = None


def es_client() -> Elasticsearch | None:
    global _client
    if not settings.ELASTICSEARCH_URL:
        return None
    if _client is None or _client._url != settings.ELASTICSEARCH_URL:  # settings may change in tests
        _client = Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=3, max_retries=1)
        _client._url = settings.ELASTICSEARCH_URL
    return _client


def challenge_index_name() -> str:
    return f"{alias_name('challenges')}-{INDEX_VERSION}"


def ensure_challenge_index(client: Elasticsearch) -> None:
    """Create the versioned index and point the alias at it, if missing."""
    alias = alias_name("challenges")
    if client.indices.exists_alias(name=alias):
        return
    index = Index(challenge_index_name(), using=client)
    index.document(ChallengeDocument)
    index.settings(number_of_shards=1, number_of_replicas=0)
    if not index.exists():
        index.create()
    client.indices.put_alias(index=challenge_index_name(), name=alias)


def challenge_document(page) -> ChallengeDocument:
    body = page.body_text()
    incentives = list(page.incentives.all())
    return ChallengeDocument(
        meta={"id": page.pk},
        title=page.title,
        title_en=page.title_en,
        summary=page.summary,
        body=body,
        stemmed=stem(" ".join([page.title, page.title_en, page.summary, body])),
        slug=page.slug,
        sector=page.sector.slug,
        region=page.agency.region.slug,
        agency=page.agency.name,
        incentive_kinds=sorted({i.kind for i in incentives}),
        incentive_total=sum(i.amount for i in incentives),
        opens_at=page.opens_at,
        closes_at=page.closes_at,
        outcome=page.outcome,
    )


def index_challenge(page_id: int) -> bool:
    """Index one live challenge, or remove it if it is no longer live. Idempotent."""
    from marketplace.models import ChallengePage

    client = es_client()
    if client is None:
        return False
    ensure_challenge_index(client)
    page = ChallengePage.objects.live().select_related("agency__region", "sector").filter(pk=page_id).first()
    if page is None:
        return remove_challenge(page_id)
    challenge_document(page).save(using=client, index=alias_name("challenges"), refresh="wait_for")
    return True


def remove_challenge(page_id: int) -> bool:
    client = es_client()
    if client is None:
        return False
    with contextlib.suppress(es_exceptions.NotFoundError):
        client.delete(index=alias_name("challenges"), id=str(page_id), refresh="wait_for")
    return True


def reindex_challenges(progress=None) -> int:
    """Build a fresh index from the database and swap the alias to it atomically."""
    from elasticsearch.helpers import bulk

    from marketplace.models import ChallengePage

    client = es_client()
    if client is None:
        return 0
    alias = alias_name("challenges")
    new_name = f"{alias}-{INDEX_VERSION}-{_timestamp()}"
    index = Index(new_name, using=client)
    index.document(ChallengeDocument)
    index.settings(number_of_shards=1, number_of_replicas=0)
    index.create()
    pages = (
        ChallengePage.objects.live().select_related("agency__region", "sector").prefetch_related("incentives")
    )
    total = pages.count()
    done = 0

    def actions():
        nonlocal done
        for page in pages.iterator(chunk_size=500):
            doc = challenge_document(page).to_dict(include_meta=True)
            doc["_index"] = new_name
            done += 1
            if progress and (done % 100 == 0 or done == total):
                progress(done, total)
            yield doc

    bulk(client, actions(), refresh="wait_for")
    old = list(client.indices.get_alias(name=alias).keys()) if client.indices.exists_alias(name=alias) else []
    swap = [{"remove": {"index": name, "alias": alias}} for name in old] + [
        {"add": {"index": new_name, "alias": alias}}
    ]
    client.indices.update_aliases(actions=swap)
    for name in old:
        if name != new_name:
            client.indices.delete(index=name, ignore_unavailable=True)
    return done


def _timestamp() -> str:
    import time

    return str(int(time.time() * 1000))


def search_challenges(q: str) -> SearchResult:
    """Ids of live challenges matching ``q``, best first."""
    terms = query_terms(q)
    if not terms:
        return SearchResult(ids=[], backend="database")
    client = es_client()
    if client is not None:
        try:
            return SearchResult(ids=_es_challenge_ids(client, q, terms), backend="elasticsearch")
        except (es_exceptions.ConnectionError, es_exceptions.TransportError, es_exceptions.ApiError) as exc:
            logger.warning("Elasticsearch unavailable, answering from the database: %s", exc)
            return SearchResult(ids=_db_challenge_ids(terms), backend="database", degraded=True)
    return SearchResult(ids=_db_challenge_ids(terms), backend="database")


def _es_challenge_ids(client: Elasticsearch, q: str, terms: list[str]) -> list[int]:
    search = (
        Search(using=client, index=alias_name("challenges"))
        .query(
            "bool",
            should=[
                {"match": {"stemmed": {"query": " ".join(terms), "operator": "and"}}},
                {
                    "multi_match": {
                        "query": q,
                        "fields": ["title^3", "title_en^2", "summary", "body"],
                        "operator": "and",
                    }
                },
            ],
            minimum_should_match=1,
        )
        .source(False)
        .extra(size=MAX_HITS)
    )
    return [int(hit.meta.id) for hit in search.execute()]


def _db_challenge_ids(terms: list[str]) -> list[int]:
    """The fallback: every stemmed term must occur in the title, summary or English title.
    Stems match inflected words by containment ('jual' finds 'penjualan')."""
    from marketplace.models import ChallengePage

    condition = Q()
    for term in terms:
        condition &= (
            Q(title__icontains=term)
            | Q(summary__icontains=term)
            | Q(title_en__icontains=term)
            | Q(summary_en__icontains=term)
        )
    return list(ChallengePage.objects.live().filter(condition).values_list("pk", flat=True)[:MAX_HITS])


def status() -> dict:
    client = es_client()
    if client is None:
        return {"backend": "database", "ok": True}
    try:
        info = client.info()
        return {"backend": "elasticsearch", "ok": True, "version": info["version"]["number"]}
    except Exception as exc:  # noqa: BLE001 - health reports any failure
        return {"backend": "elasticsearch", "ok": False, "error": exc.__class__.__name__}
