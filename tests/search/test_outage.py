"""Elasticsearch stops during the run: searches answer from the database copy and say so,
nothing an editor publishes is lost, and the consistency check catches up afterwards."""

from __future__ import annotations

import pytest
from django.urls import reverse

from search import indexing
from search.connection import alias_name, es_client
from search.query import SearchParams, search
from tests import factories
from tests.support.elasticsearch_server import running_elasticsearch, stop_elasticsearch

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
