"""/search/: mixed results, facets, notices, paging and suggestions, against both engines (the
database copy, and the Elasticsearch test server). Pages are read in English (/en/...)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from search import indexing
from search.connection import es_client
from search.documents import SearchDocument
from search.registry import kinds
from tests import factories

pytestmark = pytest.mark.django_db


# Helpers shared with test_search_api.py and test_saved_searches_views.py ----------------------


def url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs or None)


def index_everything() -> None:
    """What publishing and the Celery tasks do, at once: the database copy, and Elasticsearch
    when the test configured it."""
    indexing.rebuild_database_copy()
    for kind in kinds():
        indexing.reindex(kind)


def add_documents(docs: list[SearchDocument]) -> None:
    """Documents without objects behind them (projects need a whole award flow; these tests
    are about the page), written to both engines like the indexing tasks write them."""
    indexing.write_database_entries(docs)
    client = es_client()
    if client is not None:
        for kind in {d.kind for d in docs}:
            indexing.refresh_elasticsearch(client, kind, [d for d in docs if d.kind == kind], [])


def project_document(n: int, *, title: str, region: str = "", sectors=(), amount: int = 0) -> SearchDocument:
    return SearchDocument(
        kind="project",
        object_id=800_000 + n,
        title=title,
        url=f"/projects/{800_000 + n}/",
        summary=f"{title}: proyek yang didanai.",
        region=region,
        sectors=list(sectors),
        amount=amount,
        date=timezone.now() - datetime.timedelta(days=n),
    )


@pytest.fixture
def market(engine):
    """Two regions, two sectors; challenges, an organisation and a project about markets."""
    trade = factories.SectorFactory(slug="perdagangan", name="Perdagangan", name_en="Trade")
    health = factories.SectorFactory(slug="kesehatan", name="Kesehatan", name_en="Health")
    ambon = factories.region("Kota Ambon", timezone_name="Asia/Jayapura")
    sleman = factories.region("Kabupaten Sleman", timezone_name="Asia/Jakarta")
    closes = timezone.now() + datetime.timedelta(days=20)
    levy = factories.challenge(
        title="Retribusi pasar nontunai",
        summary="Penjualan di pasar tradisional dengan pembayaran digital.",
        agency_obj=factories.agency(ambon),
        sector=trade,
        closes_at=closes,
        incentives=(("grant", 75_000_000_00),),
    )
    clinic = factories.challenge(
        title="Antrean pasar sehat puskesmas",
        summary="Layanan kesehatan di pasar tradisional tanpa antre.",
        agency_obj=factories.agency(sleman),
        sector=health,
        incentives=(("prize", 10_000_000_00),),
    )
    other = factories.challenge(
        title="Literasi digital desa",
        summary="Pelatihan warga desa.",
        agency_obj=factories.agency(sleman),
        sector=health,
    )
    coop = factories.organisation(
        name="Koperasi Pasar Digital Ambon",
        kind="koperasi",
        region=ambon,
        sectors=[trade],
        description="Kami membantu pedagang pasar menerima pembayaran digital.",
    )
    index_everything()
    add_documents(
        [
            project_document(
                1, title="Pasar ikan daring", region=ambon.slug, sectors=[trade.slug], amount=30_000_000_00
            )
        ]
    )
    return {
        "trade": trade,
        "health": health,
        "ambon": ambon,
        "sleman": sleman,
        "levy": levy,
        "clinic": clinic,
        "other": other,
        "coop": coop,
        "engine": engine,
    }


def facet_links(html: str, facet: str) -> dict[str, str]:
    """label → "(count)" text for one facet's list on the page."""
    section = re.search(rf'<ul class="plain-list" aria-labelledby="facet-{facet}">(.*?)</ul>', html, re.S)
    assert section, f"no {facet} facet"
    items = re.findall(r"<li>(.*?)</li>", section.group(1), re.S)
    result = {}
    for item in items:
        text = re.sub(r"<span class=\"visually-hidden\">.*?</span>", "", item, flags=re.S)
        text = re.sub(r"<[^>]+>", "", text)
        label, count = re.match(r"\s*(.*?)\s*\((\d+)\)", text, re.S).groups()
        result[label] = int(count)
    return result


# The page --------------------------------------------------------------------------------------


def test_the_empty_page_shows_the_search_box_with_suggestions_and_no_search(client):
    response = client.get(url("marketplace:search"))
    assert response.status_code == 200
    html = response.text
    assert 'name="q"' in html and f'data-suggest-url="{url("marketplace:search_suggest")}"' in html
    assert re.search(r'<script src="[^"]*js/search-autocomplete\.js" defer></script>', html)
    assert "results-title" not in html


def test_mixed_results_are_labelled_by_type_with_links_snippets_and_facts(client, market):
    response = client.get(url("marketplace:search"), {"q": "pasar"})
    assert response.status_code == 200
    html = response.text
    page = response.context["page"]
    assert page.backend == market["engine"]
    kinds = {r.kind for r in response.context["results"]}
    assert kinds == {"challenge", "organisation", "project"}
    assert market["other"].title not in html  # no "pasar" in it

    levy = next(r for r in response.context["results"] if r.title == market["levy"].title)
    # English page: the link keeps the reader in English; a title given only in Indonesian is
    # marked as such (core.localized).
    assert (
        f'<a href="/en/challenges/{market["levy"].slug}/"><span lang="id">Retribusi pasar nontunai</span> '
        '<span class="lang-note">(Bahasa Indonesia)</span></a>'
    ) in html
    assert levy.type_label == "Challenge" and levy.region_name == "Kota Ambon" and levy.sector_name == "Trade"
    assert "<mark>" in str(levy.snippet) and "<mark>" in html
    assert "Rp 75.000.000" in html
    local_close = timezone.localtime(market["levy"].closes_at, market["ambon"].zoneinfo)
    assert f'<time datetime="{local_close.isoformat()}">' in html and "WIT" in html

    coop = next(r for r in response.context["results"] if r.kind == "organisation")
    assert coop.type_label == "Organisation" and coop.url == f"/en/organisations/{market['coop'].slug}/"
    assert ">Organisation</span>" in html and ">Project</span>" in html
    assert "Rp 30.000.000" in html  # the project's award


def test_the_snippet_escapes_document_text(client, engine):
    factories.challenge(title="Pasar <b>aman</b>", summary='Pasar & "kios" <script>alert(1)</script>')
    index_everything()
    html = client.get(url("marketplace:search"), {"q": "pasar"}).text
    assert "<script>alert(1)</script>" not in html and "<b>aman</b>" not in html
    assert "&lt;script&gt;" in html


def test_facets_show_names_counts_and_other_values_when_one_is_selected(client, market):
    response = client.get(url("marketplace:search"), {"q": "pasar"})
    sectors = facet_links(response.text, "sector")
    assert sectors == {"Trade": 3, "Health": 1}  # names, not slugs
    assert facet_links(response.text, "region") == {"Kota Ambon": 3, "Kabupaten Sleman": 1}
    assert facet_links(response.text, "type") == {"Challenge": 2, "Organisation": 1, "Project": 1}

    response = client.get(url("marketplace:search"), {"q": "pasar", "sector": "kesehatan"})
    html = response.text
    assert [r.title for r in response.context["results"]] == [market["clinic"].title]
    # post_filter semantics: the sector facet still counts the other sectors...
    assert facet_links(html, "sector") == {"Trade": 3, "Health": 1}
    # ...while the other facets count within the selected sector only.
    assert facet_links(html, "region") == {"Kabupaten Sleman": 1}
    assert facet_links(html, "type") == {"Challenge": 1}
    # The selected value is shown, with a link that removes it (and keeps the words).
    assert "<strong>Health</strong>" in html
    assert "Sector: Health" in html
    assert 'href="?q=pasar"' in html


def test_a_facet_link_adds_its_value_and_types_combine(client, market):
    response = client.get(url("marketplace:search"), {"q": "pasar", "type": "challenge"})
    assert {r.kind for r in response.context["results"]} == {"challenge"}
    org_link = next(
        b
        for f in response.context["facets"]
        if f.name == "type"
        for b in f.buckets
        if b.value == "organisation"
    )
    assert org_link.url == "?q=pasar&type=challenge&type=organisation"
    response = client.get(url("marketplace:search") + org_link.url)
    assert {r.kind for r in response.context["results"]} == {"challenge", "organisation"}


def test_status_incentive_and_budget_filters_narrow_to_challenges(client, market):
    response = client.get(url("marketplace:search"), {"q": "pasar", "incentive": "grant"})
    assert [r.title for r in response.context["results"]] == [market["levy"].title]
    response = client.get(
        url("marketplace:search"), {"q": "pasar", "status": "open", "budget_min": "50000000"}
    )
    assert [r.title for r in response.context["results"]] == [market["levy"].title]
    response = client.get(
        url("marketplace:search"), {"q": "pasar", "budget_max": "50000000", "type": "challenge"}
    )
    assert [r.title for r in response.context["results"]] == [market["clinic"].title]
    assert "Budget up to (Rp): Rp 50.000.000" in response.text


def test_region_and_agency_filters(client, market):
    response = client.get(url("marketplace:search"), {"q": "pasar", "region": market["ambon"].slug})
    assert {r.title for r in response.context["results"]} == {
        market["levy"].title,
        market["coop"].name,
        "Pasar ikan daring",
    }
    response = client.get(url("marketplace:search"), {"q": "pasar", "agency": market["clinic"].agency_id})
    assert [r.title for r in response.context["results"]] == [market["clinic"].title]


def test_sort_by_amount(client, market):
    response = client.get(url("marketplace:search"), {"q": "pasar", "sort": "amount", "type": "challenge"})
    assert [r.title for r in response.context["results"]] == [market["levy"].title, market["clinic"].title]
    assert '<option value="amount" selected>' in response.text


def test_bad_input_gets_a_message_and_the_rest_of_the_search_still_runs(client, market):
    response = client.get(
        url("marketplace:search"),
        {
            "q": "pasar",
            "budget_min": "banyak",
            "closes_after": "besok",
            "status": "bogus",
            "after": "%%%",
            "type": "challenge",
        },
    )
    assert response.status_code == 200
    html = response.text
    assert 'class="error-summary" role="alert"' in html
    assert "Budget from (Rp): Enter a number." in html
    assert "Closes after: Enter a valid date." in html
    assert "This page link is broken. Start again from the first page." in html
    # Links (facets, removal, paging) carry only the valid part, so the message is not repeated.
    main = html.split('<main id="main"')[1]  # the language switch keeps the full address
    assert "budget_min=banyak" not in main and "status=bogus" not in main
    assert 'value="banyak"' in html  # what was typed is kept in the form
    # The valid part (words and type) still searched.
    assert {r.title for r in response.context["results"]} == {market["levy"].title, market["clinic"].title}


def test_bad_input_messages_are_in_indonesian_on_the_indonesian_page(client):
    with translation.override("id"):
        search_url = reverse("marketplace:search")
    assert search_url == "/search/"
    response = client.get(search_url, {"q": "pasar", "budget_min": "-5", "closes_before": "2026-13-45"})
    assert response.status_code == 200
    assert 'lang="id"' in response.text
    with translation.override("id"):
        from django.utils.translation import gettext

        assert gettext("Enter a valid date.") in response.text


def test_impossible_ranges_are_refused_with_a_message(client):
    response = client.get(
        url("marketplace:search"),
        {
            "q": "pasar",
            "budget_min": "10",
            "budget_max": "5",
            "closes_after": "2030-01-02",
            "closes_before": "2030-01-01",
        },
    )
    assert response.status_code == 200
    assert "The highest budget must not be lower than the lowest." in response.text
    assert "This date must not be before the “closes after” date." in response.text


def test_next_page_follows_the_cursor_without_repeating_results(client, engine):
    add_documents([project_document(n, title=f"Pasar rakyat {n}") for n in range(1, 26)])
    first = client.get(url("marketplace:search"), {"q": "pasar", "sort": "newest"})
    assert first.context["page"].total == 25
    assert len(first.context["results"]) == 20
    next_url = first.context["next_url"]
    assert next_url.startswith("?q=pasar&sort=newest&after=")
    assert 'rel="next"' in first.text and "?page=" not in first.text
    second = client.get(url("marketplace:search") + next_url)
    assert second.status_code == 200
    titles = [r.title for r in first.context["results"]] + [r.title for r in second.context["results"]]
    assert sorted(titles) == sorted(f"Pasar rakyat {n}" for n in range(1, 26))
    assert second.context["next_url"] == "" and 'rel="next"' not in second.text
    assert second.context["first_page_url"] == "?q=pasar&sort=newest"


def test_did_you_mean_links_to_the_corrected_search(client, market):
    response = client.get(url("marketplace:search"), {"q": "retribusu", "type": "challenge"})
    page = response.context["page"]
    assert page.suggestion == "retribusi"
    assert (
        'Did you mean <a href="?q=retribusi&amp;type=challenge" rel="nofollow">retribusi</a>?'
        in response.text
    )


def test_nothing_found_shows_an_empty_state(client, market):
    response = client.get(url("marketplace:search"), {"q": "zzzqqq xxyyzz", "sector": "kesehatan"})
    assert response.status_code == 200
    assert "Nothing matches your search." in response.text
    assert "Search again without filters" in response.text


def test_the_database_engine_says_it_is_basic_search(client, market):
    response = client.get(url("marketplace:search"), {"q": "pasar"})
    notice = "Search is in basic mode: results may be less precise."
    if market["engine"] == "database":
        assert notice in response.text
    else:
        assert notice not in response.text and "search service is unavailable" not in response.text


def test_the_page_answers_when_elasticsearch_is_down(client, settings):
    factories.challenge(title="Retribusi pasar nontunai")
    index_everything()
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    response = client.get(url("marketplace:search"), {"q": "pasar"})
    assert response.status_code == 200
    assert response.context["page"].degraded
    assert "The search service is unavailable, so these results come from the basic search" in response.text
    assert "Retribusi pasar nontunai" in response.text
    suggestions = client.get(url("marketplace:search_suggest"), {"q": "retri"})
    assert suggestions.status_code == 200 and suggestions.json()[0]["title"] == "Retribusi pasar nontunai"


def test_signed_in_users_get_a_save_form_and_anonymous_users_a_sign_in_link(client, market):
    response = client.get(url("marketplace:search"), {"q": "pasar", "sector": "perdagangan", "after": ""})
    assert "Sign in to get alerts" in response.text
    assert f'href="{url("account_login")}?next=' in response.text
    assert (
        url("marketplace:saved_search_create") not in response.text
        and 'name="frequency"' not in response.text
    )

    client.force_login(factories.UserFactory())
    response = client.get(url("marketplace:search"), {"q": "pasar", "sector": "perdagangan"})
    html = response.text
    assert f'action="{url("marketplace:saved_search_create")}"' in html
    assert 'name="query" value="q=pasar&amp;sector=perdagangan"' in html
    assert 'name="frequency"' in html


# Suggestions ------------------------------------------------------------------------------------


def test_suggest_returns_titles_urls_and_types(client, market):
    response = client.get(url("marketplace:search_suggest"), {"q": "retri"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert {
        "title": "Retribusi pasar nontunai",
        "url": f"/en/challenges/{market['levy'].slug}/",
        "type": "challenge",
    } in response.json()
    with translation.override("id"):
        organisations = client.get(reverse("marketplace:search_suggest"), {"q": "kopera"}).json()
    assert organisations == [
        {
            "title": market["coop"].name,
            "url": f"/organisations/{market['coop'].slug}/",
            "type": "organisation",
        }
    ]


def test_suggest_needs_two_characters(client):
    assert client.get(url("marketplace:search_suggest"), {"q": "r"}).json() == []
    assert client.get(url("marketplace:search_suggest")).json() == []


# Query counts -----------------------------------------------------------------------------------


def _search_with(client, numbers: range, django_assert_max_num_queries):
    for i in numbers:
        region = factories.region(f"Kabupaten Pasar {i}")
        sector = factories.SectorFactory(slug=f"sektor-pasar-{i}", name_en=f"Market sector {i}")
        factories.challenge(title=f"Pasar digital {i}", agency_obj=factories.agency(region), sector=sector)
        factories.organisation(name=f"Usaha Pasar {i}", region=region, sectors=[sector])
    index_everything()
    with django_assert_max_num_queries(MAX_PAGE_QUERIES) as captured:
        response = client.get(url("marketplace:search"), {"q": "pasar", "sort": "newest"})
    assert response.status_code == 200
    return len(captured), response


# The search itself (count, page, sectors of the hits, five facets), one query each for the
# sector and region names, the session and user, and the site settings of the footer.
MAX_PAGE_QUERIES = 15


def test_the_page_query_count_does_not_grow_with_results(client, django_assert_max_num_queries):
    client.force_login(factories.UserFactory())
    client.get(url("marketplace:search"))  # the site's settings row is created on first use
    few, response = _search_with(client, range(2), django_assert_max_num_queries)
    assert len(response.context["results"]) == 4
    more, response = _search_with(client, range(2, 10), django_assert_max_num_queries)
    assert len(response.context["results"]) == 20
    sectors = next(f for f in response.context["facets"] if f.name == "sector")
    assert sectors.buckets[0].label.startswith("Market sector")
    assert len(sectors.buckets) == 8 and len(sectors.more) == 2  # the rest folded in <details>
    assert more == few
    # A selected value stays in view even when it is not among the largest.
    response = client.get(url("marketplace:search"), {"q": "pasar", "sector": sectors.more[-1].value})
    sectors_now = next(f for f in response.context["facets"] if f.name == "sector")
    assert any(b.selected and b.value == sectors.more[-1].value for b in sectors_now.buckets)


def test_the_page_says_when_results_have_only_some_of_the_words(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        factories.challenge(title="Kanal pengaduan warga", summary="Satu pintu untuk keluhan.")
    response = client.get("/en/search/", {"q": "pengaduan masyarakat"})
    assert "Kanal pengaduan warga" in response.text
    assert "No result has all of your words; these have some of them." in response.text
    assert "No result has all of your words" not in client.get("/en/search/", {"q": "pengaduan warga"}).text
