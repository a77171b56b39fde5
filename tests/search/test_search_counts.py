"""The database engine beyond its count limit (SEARCH_COUNT_LIMIT, 10,000; lowered here rather
than writing ten thousand rows): the page and the API say "N+" and that counts are approximate,
the page is still the best of what matches, and a search of one kind filters by kind before it
ranks."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from search import api as search
from search import engine_database
from search.query import SearchParams
from tests.search.test_search_page import add_documents, project_document, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def markets():
    """Five projects about markets; one has the word only in its text, not in its title."""
    docs = [project_document(n, title=f"Pasar rakyat {n}", region="kota-ambon") for n in range(1, 5)]
    quiet = project_document(5, title="Kios desa", region="kota-ambon")
    quiet.summary = "Kios di dekat pasar."
    add_documents([*docs, quiet])


def test_more_results_than_the_limit_read_as_the_limit_plus(client, settings, markets):
    settings.SEARCH_COUNT_LIMIT = 3
    response = client.get(url("marketplace:search"), {"q": "pasar"})
    page = response.context["page"]
    assert (page.total_exact, page.total_shown) == (False, 3)
    assert "3+ results." in response.text
    assert "Counts beyond 3 are approximate" in response.text
    assert "results." in response.text and "5 results." not in response.text
    # Every kind of facet count is an estimate then, and says so.
    assert "(≈" in response.text


def test_the_indonesian_page_says_it_in_indonesian(client, settings, markets):
    settings.SEARCH_COUNT_LIMIT = 3
    response = client.get("/search/", {"q": "pasar"})
    assert "3+ hasil." in response.text
    assert "Jumlah di atas 3 adalah perkiraan" in response.text


def test_up_to_the_limit_the_count_is_exact(client, settings, markets):
    settings.SEARCH_COUNT_LIMIT = 5
    response = client.get(url("marketplace:search"), {"q": "pasar"})
    assert response.context["page"].total_exact
    assert "5 results." in response.text and "5+" not in response.text and "(≈" not in response.text


def test_the_limit_is_separate_from_the_pages(client, settings, markets):
    """Beyond the limit every matching document can still be reached, best first: those with
    the word in their title before the one with it only in its text."""
    settings.SEARCH_COUNT_LIMIT = 2
    first = search.search(SearchParams(q="pasar", size=3))
    assert (first.total, first.total_exact) == (3, False)
    second = search.search(SearchParams(q="pasar", size=3, after=first.next_after))
    titles = [hit.title for hit in first.hits + second.hits]
    assert sorted(titles[:4]) == [f"Pasar rakyat {n}" for n in range(1, 5)]
    assert titles[4:] == ["Kios desa"]


def test_the_api_says_when_the_count_is_a_lower_bound(client, settings, markets):
    settings.SEARCH_COUNT_LIMIT = 3
    body = client.get("/api/v1/search/", {"q": "pasar"}).json()
    assert (body["count"], body["count_exact"], body["facets_estimated"]) == (3, False, True)
    settings.SEARCH_COUNT_LIMIT = 10_000
    body = client.get("/api/v1/search/", {"q": "pasar"}).json()
    assert (body["count"], body["count_exact"], body["facets_estimated"]) == (5, True, False)


@pytest.mark.parametrize("limit", [10_000, 2])
def test_a_search_of_one_kind_filters_by_kind_before_ranking(settings, limit):
    """What "similar projects" and a list page's ?q= run: only that kind, and the statement
    that ranks (ts_rank) has the kind among its conditions, so the other kinds are never ranked."""
    settings.SEARCH_COUNT_LIMIT = limit
    add_documents([project_document(n, title=f"Pasar ikan {n}") for n in range(1, 4)])
    challenges = [project_document(n, title=f"Pasar ikan {n}") for n in range(10, 16)]
    for doc in challenges:
        doc.kind, doc.url = "challenge", f"/challenges/c-{doc.object_id}/"
    add_documents(challenges)
    with CaptureQueriesContext(connection) as captured:
        found = search.search_ids("project", "ikan")
    assert found.backend == "database"
    assert sorted(found.ids) == [800_001, 800_002, 800_003]
    ranking = [q["sql"] for q in captured.captured_queries if "ts_rank" in q["sql"]]
    assert ranking and all("'project'" in sql for sql in ranking)
    assert all("'challenge'" not in sql for sql in ranking)


def test_a_kind_filter_on_the_page_counts_only_that_kind(client, settings):
    settings.SEARCH_COUNT_LIMIT = 4
    add_documents([project_document(n, title=f"Pasar ikan {n}") for n in range(1, 4)])
    challenges = [project_document(n, title=f"Pasar ikan {n}") for n in range(10, 16)]
    for doc in challenges:
        doc.kind, doc.url = "challenge", f"/challenges/c-{doc.object_id}/"
    add_documents(challenges)
    response = client.get(url("marketplace:search"), {"q": "ikan", "type": "project"})
    page = response.context["page"]
    assert (page.total, page.total_exact) == (3, True)
    assert {hit.kind for hit in page.hits} == {"project"}
    assert "3 results." in response.text


def test_loading_twice_updates_the_copy_instead_of_duplicating_it():
    doc = project_document(1, title="Pasar ikan")
    add_documents([doc])
    doc.title = "Pasar sayur"
    add_documents([doc, doc])  # the same document twice in one batch: the last one counts
    assert [hit.title for hit in engine_database.search(SearchParams(q="sayur")).hits] == ["Pasar sayur"]
    assert [hit.title for hit in engine_database.search(SearchParams(q="pasar")).hits] == ["Pasar sayur"]
