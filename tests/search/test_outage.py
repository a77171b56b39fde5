"""Elasticsearch stops during the run: searches answer from the database copy and say so,
nothing an editor publishes is lost, and the consistency check catches up afterwards. Only an
unreachable Elasticsearch does that: a request it refuses is an error, raised."""

from __future__ import annotations

import pytest
from django.urls import reverse
from elasticsearch import BadRequestError

from search import indexing
from search.connection import alias_name, es_client
from search.query import SearchParams, autocomplete, search
from tests import factories
from tests.support.elasticsearch_server import free_port, running_elasticsearch, stop_elasticsearch

pytestmark = pytest.mark.django_db


def test_stopping_elasticsearch_mid_run_falls_back_to_the_database(
    settings, client, django_capture_on_commit_callbacks, elasticsearch_url
):
    settings.SEARCH_INDEX_PREFIX = "outage"
    with running_elasticsearch() as own_url:
        settings.ELASTICSEARCH_URL = own_url
        with django_capture_on_commit_callbacks(execute=True):
            factories.challenge(title="Antrean puskesmas daring", summary="Pasien menunggu lama.")
        before = search(SearchParams(q="puskesmas"))
        assert before.backend == "elasticsearch" and [h.title for h in before.hits] == [
            "Antrean puskesmas daring"
        ]

        stop_elasticsearch(own_url)

        during = search(SearchParams(q="puskesmas"))
        assert during.backend == "database" and during.degraded
        assert [h.title for h in during.hits] == ["Antrean puskesmas daring"]
        assert {b.value for b in during.facets["type"]} == {"challenge"}

        # Publishing still works; the database copy has the new challenge at once.
        with django_capture_on_commit_callbacks(execute=True):
            late = factories.challenge(title="Puskesmas keliling", summary="Layanan di desa terpencil.")
        assert sorted(h.title for h in search(SearchParams(q="puskesmas")).hits) == [
            "Antrean puskesmas daring",
            "Puskesmas keliling",
        ]

        for path in (reverse("marketplace:search"), reverse("marketplace:challenge_list")):
            response = client.get(path, {"q": "puskesmas"})
            assert response.status_code == 200
            assert "Puskesmas keliling" in response.text
        assert client.get("/api/v1/search/", {"q": "puskesmas"}).json()["backend"] == "database"
        assert client.get("/search/suggest/", {"q": "pusk"}).status_code == 200

    # Elasticsearch is back (the session's server, empty for this prefix): the scheduled check
    # writes what it missed.
    settings.ELASTICSEARCH_URL = elasticsearch_url
    settings.SEARCH_INDEX_PREFIX = "outage-after"
    try:
        found = indexing.consistency_check("challenge")
        assert late.pk in found["elasticsearch_missing_or_stale"]
        back = search(SearchParams(q="puskesmas"))
        assert back.backend == "elasticsearch" and not back.degraded
        assert sorted(h.title for h in back.hits) == ["Antrean puskesmas daring", "Puskesmas keliling"]
    finally:
        for name in es_client().indices.get(index=f"{alias_name('challenge')}-*"):
            es_client().indices.delete(index=name)


# Only an unreachable Elasticsearch makes the database answer ----------------------------------


def test_elasticsearch_on_a_port_where_nothing_listens_leaves_the_answer_to_the_database(
    settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        factories.challenge(title="Air bersih untuk desa", summary="Pipa air dari mata air.")
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there

    page = search(SearchParams(q="air bersih"))

    assert page.backend == "database" and page.degraded
    assert [h.title for h in page.hits] == ["Air bersih untuk desa"]
    assert [h.title for h in autocomplete("air")] == ["Air bersih untuk desa"]


def test_a_request_elasticsearch_refuses_is_raised_not_answered_by_the_database(
    elasticsearch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        factories.challenge(title="Air bersih untuk desa", summary="Pipa air dari mata air.")
    assert search(SearchParams(q="air")).backend == "elasticsearch"
    # A broken index behind the alias: `uid`, every search's last sort key, mapped as text,
    # which Elasticsearch refuses to sort on (400). The database copy could answer; it must not.
    client = es_client()
    broken = f"{alias_name('challenge')}-broken"
    client.indices.create(
        index=broken, mappings={"properties": {"title": {"type": "text"}, "uid": {"type": "text"}}}
    )
    client.index(index=broken, document={"title": "air bersih", "uid": "challenge:1"}, refresh=True)
    old = list(client.indices.get_alias(name=alias_name("challenge")))
    client.indices.update_aliases(
        actions=[
            *({"remove": {"index": name, "alias": alias_name("challenge")}} for name in old),
            {"add": {"index": broken, "alias": alias_name("challenge")}},
        ]
    )

    with pytest.raises(BadRequestError):
        search(SearchParams(q="air", types=("challenge",)))
    # A refused request is not an outage: the next search asks Elasticsearch again.
    with pytest.raises(BadRequestError):
        search(SearchParams(q="air", types=("challenge",)))
