"""Search through Elasticsearch (the test server) and through the database fallback."""

import pytest
from django.urls import reverse

from search import services
from search.services import es_client
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def market_levy_challenge(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return factories.challenge(
            title="Retribusi pasar nontunai",
            summary="Penjualan di pasar tradisional dengan pembayaran digital.",
        )


@pytest.fixture
def queue_challenge(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return factories.challenge(
            title="Antrean puskesmas daring", summary="Mengurangi antrean pasien di puskesmas."
        )


def test_a_published_challenge_is_indexed_after_commit_and_found(
    elasticsearch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = factories.challenge(
            title="Retribusi pasar nontunai",
            summary="Penjualan di pasar tradisional dengan pembayaran digital.",
        )
    document = es_client().get(index=services.alias_name("challenge"), id=str(page.pk))
    assert document["_source"]["url"] == f"/challenges/{page.slug}/"

    result = services.search_challenges("jual pasar")  # stemmed: "jual" finds "Penjualan"
    assert result.backend == "elasticsearch"
    assert result.ids == [page.pk]


def test_unpublishing_removes_the_document(elasticsearch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = factories.challenge(title="Literasi digital desa")
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert services.search_challenges("literasi").ids == []


def test_reindex_builds_a_new_index_and_swaps_the_alias(
    elasticsearch, market_levy_challenge, queue_challenge
):
    assert services.reindex_challenges() == 2
    assert sorted(services.search_challenges("puskesmas").ids) == [queue_challenge.pk]
    first_indices = set(es_client().indices.get_alias(name=services.alias_name("challenge")))
    services.reindex_challenges()
    second_indices = set(es_client().indices.get_alias(name=services.alias_name("challenge")))
    assert first_indices != second_indices and len(second_indices) == 1


def test_without_elasticsearch_the_database_answers(market_levy_challenge, queue_challenge):
    result = services.search_challenges("penjualan")
    assert result.backend == "database" and not result.degraded
    assert result.ids == [market_levy_challenge.pk]


def test_when_elasticsearch_is_down_the_database_answers_and_says_so(settings, market_levy_challenge):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    result = services.search_challenges("pasar")
    assert result.degraded and result.backend == "database"
    assert result.ids == [market_levy_challenge.pk]


def test_challenge_list_q_uses_the_search_layer(
    client, elasticsearch, market_levy_challenge, queue_challenge
):
    services.reindex_challenges()
    response = client.get(reverse("marketplace:challenge_list"), {"q": "antrean"})
    assert response.status_code == 200
    assert queue_challenge.title in response.text
    assert market_levy_challenge.title not in response.text


def test_challenge_list_says_when_search_is_degraded(client, settings, market_levy_challenge):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    response = client.get(reverse("marketplace:challenge_list"), {"q": "pasar"})
    assert response.status_code == 200
    assert market_levy_challenge.title in response.text
    assert response.context["filter"].search_degraded is True


def test_reindex_command_shows_progress(elasticsearch, market_levy_challenge):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("search_reindex", "--type", "challenge", stdout=out)
    assert "challenge (Elasticsearch): 1/1" in out.getvalue()
    assert services.search_challenges("retribusi").ids == [market_levy_challenge.pk]
