"""The challenge list's search and the reindex command (the engines themselves: test_engines.py)."""

import pytest
from django.urls import reverse

from search import api as services
from search import indexing
from search.api import es_client
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


def test_reindex_builds_a_new_index_and_swaps_the_alias(
    elasticsearch, market_levy_challenge, queue_challenge
):
    assert indexing.reindex("challenge") == 2
    assert sorted(services.search_ids("challenge", "puskesmas").ids) == [queue_challenge.pk]
    first_indices = set(es_client().indices.get_alias(name=services.alias_name("challenge")))
    indexing.reindex("challenge")
    second_indices = set(es_client().indices.get_alias(name=services.alias_name("challenge")))
    assert first_indices != second_indices and len(second_indices) == 1


def test_when_elasticsearch_is_down_the_database_answers_and_says_so(settings, market_levy_challenge):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    result = services.search_ids("challenge", "pasar")
    assert result.degraded and result.backend == "database"
    assert result.ids == [market_levy_challenge.pk]


def test_challenge_list_q_uses_the_search_layer(
    client, elasticsearch, market_levy_challenge, queue_challenge
):
    indexing.reindex("challenge")
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
    assert services.search_ids("challenge", "retribusi").ids == [market_levy_challenge.pk]
