"""/api/v1/search/: the page's form and query function as JSON, against both engines."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation

from tests import factories
from tests.search import test_search_page as page_tests
from tests.search.test_search_page import add_documents, index_everything, project_document

# The same data as the page's tests, on the same two engines (tests/search/conftest.py).
market = page_tests.market

pytestmark = pytest.mark.django_db

API = "/api/v1/search/"


def test_results_carry_type_title_absolute_url_plain_snippet_id_and_score(client, market):
    response = client.get(API, {"q": "pasar"})
    assert response.status_code == 200
    body = response.json()
    assert body["backend"] == market["engine"] and body["degraded"] is False
    assert body["count"] == 4 and body["next"] is None and body["previous"] is None
    levy = next(r for r in body["results"] if r["type"] == "challenge" and r["id"] == market["levy"].pk)
    assert levy["title"] == "Retribusi pasar nontunai"
    assert levy["url"] == f"http://testserver/challenges/{market['levy'].slug}/"
    assert "pasar" in levy["snippet"].lower() and "<mark>" not in levy["snippet"]
    assert isinstance(levy["score"], float)
    if market["engine"] == "elasticsearch":
        assert levy["score"] > 0
    assert (
        levy["amount"] == 75_000_000_00
        and levy["amount_value"] == {"amount": 75_000_000, "currency": "IDR"}
        and levy["currency"] == "IDR"
        and levy["region"] == market["ambon"].slug
    )
    assert {r["type"] for r in body["results"]} == {"challenge", "organisation", "project"}


def test_the_snippet_is_plain_text_with_entities_decoded(client, engine):
    factories.challenge(title="Pasar kios", summary='Pasar & "kios" <b>murah</b>')
    index_everything()
    result = client.get(API, {"q": "pasar"}).json()["results"][0]
    assert result["snippet"].startswith('Pasar & "kios" <b>murah</b>')  # the text as written, not HTML


def test_facets_count_with_the_other_filters(client, market):
    body = client.get(API, {"q": "pasar", "sector": "kesehatan"}).json()
    assert [r["id"] for r in body["results"]] == [market["clinic"].pk]
    sectors = {b["value"]: (b["count"], b["selected"]) for b in body["facets"]["sector"]}
    assert sectors == {"perdagangan": (3, False), "kesehatan": (1, True)}
    regions = {b["value"]: b["count"] for b in body["facets"]["region"]}
    assert regions == {market["sleman"].slug: 1}
    assert set(body["facets"]) == {"type", "status", "sector", "region", "incentive"}


def test_next_is_an_absolute_link_with_the_cursor(client, engine):
    add_documents([project_document(n, title=f"Pasar rakyat {n}") for n in range(1, 26)])
    first = client.get(API, {"q": "pasar", "type": "project"}).json()
    assert first["count"] == 25 and len(first["results"]) == 20
    link = urlsplit(first["next"])
    assert (link.scheme, link.netloc, link.path) == ("http", "testserver", API)
    query = parse_qs(link.query)
    assert query["q"] == ["pasar"] and query["type"] == ["project"] and query["after"][0]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert sorted(ids) == [800_000 + n for n in range(1, 26)]


def test_did_you_mean(client, market):
    body = client.get(API, {"q": "retribusu", "type": "challenge"}).json()
    assert body["suggestion"] == "retribusi"


def test_bad_input_is_a_400_with_the_form_errors(client):
    response = client.get(
        API,
        {"q": "pasar", "budget_min": "banyak", "after": "%%%", "type": "planet", "closes_after": "kemarin"},
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"budget_min", "after", "type", "closes_after"}
    with translation.override("id"):  # no Accept-Language: the site's language
        broken = translation.gettext("This page link is broken. Start again from the first page.")
    assert errors["after"][0]["message"] == broken
    assert "Start again from the first page" not in broken, "the message is translated"
    assert errors["budget_min"][0]["code"] == "invalid"


def test_errors_follow_the_accept_language(client):
    response = client.get(API, {"closes_after": "kemarin"}, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 400
    assert response.json()["errors"]["closes_after"][0]["message"] == "Masukkan tanggal yang valid."


def test_the_api_answers_when_elasticsearch_is_down(client, settings):
    factories.challenge(title="Retribusi pasar nontunai")
    index_everything()
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    body = client.get(API, {"q": "pasar"}).json()
    assert body["degraded"] is True and body["backend"] == "database"
    assert [r["title"] for r in body["results"]] == ["Retribusi pasar nontunai"]


def test_the_schema_documents_the_search_parameters(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    for name in ("budget_min", "closes_before", "after", "incentive"):
        assert f"name: {name}" in text or f'"name": "{name}"' in text
