"""Loading the database copy in batches (search/indexing.py, ``load_database_entries``): each
batch's words are prepared in a second thread while the database writes the previous batch. What
ends up in the copy must be what writing the batches one after the other gives."""

import pytest

from search import indexing
from search.models import SearchEntry
from tests.search.test_search_page import project_document

pytestmark = pytest.mark.django_db

COLUMNS = ("kind", "object_id", "title", "stemmed", "stemmed_title", "region", "sectors", "amount")


def _documents():
    regions = ("kota-ambon", "kabupaten-sleman", "kota-jayapura")
    sectors = (["kesehatan"], ["pertanian", "pariwisata"], [])
    return [
        project_document(
            n,
            title=f"Layanan antrean puskesmas ke-{n} pembayaran pasar",
            region=regions[n % 3],
            sectors=sectors[n % 3],
            amount=1_000_000 * n,
        )
        for n in range(1, 24)
    ]


def _copy() -> list[tuple]:
    return list(SearchEntry.objects.order_by("kind", "object_id").values_list(*COLUMNS))


def test_loading_in_batches_writes_what_writing_them_one_by_one_writes():
    docs = _documents()
    one_by_one: dict[str, int] = {}
    for start in range(0, len(docs), 5):
        for word, n in indexing.write_database_entries(docs[start : start + 5], vocabulary=False).items():
            one_by_one[word] = one_by_one.get(word, 0) + n
    expected = _copy()
    SearchEntry.objects.all().delete()

    progress: list[int] = []
    loaded = indexing.load_database_entries(
        (docs[start : start + 5] for start in range(0, len(docs), 5)), progress.append
    )

    assert _copy() == expected
    assert len(expected) == 23
    assert loaded.documents == 23
    assert loaded.counts == one_by_one
    assert loaded.counts["puskesmas"] == 23
    assert progress == [5, 10, 15, 20, 23]


def test_a_found_document_after_a_batched_load():
    """The copy loaded in batches is searchable with its vectors, as a user would search it."""
    from search.query import SearchParams, search

    indexing.load_database_entries([_documents()[:10], _documents()[10:]])
    page = search(SearchParams(q="antrean puskesmas", types=("project",)))
    assert page.backend == "database"
    assert page.total == 23
