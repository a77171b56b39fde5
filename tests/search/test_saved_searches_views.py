"""Saved searches: saving from /search/, the list, changing alerts, deleting; each view refused
to those who may not use it (anonymous: sign in first; another user: not found)."""

from __future__ import annotations

import pytest
from django.utils import translation

from search.models import SavedSearch
from search.query import encode_cursor
from tests import factories
from tests.search.test_search_page import index_everything, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger():
    return factories.UserFactory()


@pytest.fixture
def saved(owner):
    factories.SectorFactory(slug="perdagangan")
    return SavedSearch.objects.create(
        user=owner,
        name="Pasar digital",
        params={"q": ["pasar"], "sector": ["perdagangan"]},
        frequency="instant",
    )


def login_redirect(response, path: str) -> bool:
    return (
        response.status_code == 302
        and response["Location"].startswith("/accounts/login/")
        and (f"next={path}" in response["Location"].replace("%2F", "/"))
    )


# Saving ------------------------------------------------------------------------------------------


def test_a_signed_in_user_saves_the_search_without_the_cursor(client, owner):
    factories.SectorFactory(slug="perdagangan")
    client.force_login(owner)
    query = f"q=pasar&sector=perdagangan&type=challenge&type=project&after={encode_cursor([20])}&utm=x"
    response = client.post(
        url("marketplace:saved_search_create"), {"name": "Pasar", "frequency": "daily", "query": query}
    )
    assert response.status_code == 302 and response["Location"] == url("marketplace:saved_search_list")
    saved = SavedSearch.objects.get(user=owner)
    assert saved.name == "Pasar" and saved.frequency == "daily"
    assert saved.params == {"q": ["pasar"], "type": ["challenge", "project"], "sector": ["perdagangan"]}


def test_the_save_form_on_the_page_posts_what_the_page_searched(client, owner):
    factories.challenge(title="Retribusi pasar nontunai")
    index_everything()
    client.force_login(owner)
    page = client.get(url("marketplace:search"), {"q": "pasar", "type": "challenge", "budget_min": "1000"})
    form = page.context["save_form"]
    response = client.post(
        url("marketplace:saved_search_create"),
        {"name": form.initial["name"], "frequency": "instant", "query": form.initial["query"]},
    )
    assert response.status_code == 302
    saved = SavedSearch.objects.get(user=owner)
    assert saved.params == {"q": ["pasar"], "type": ["challenge"], "budget_min": ["1000"]}
    # Running it again gives the same search.
    again = client.get(url("marketplace:saved_search_list"))
    assert f'href="{url("marketplace:search")}?q=pasar&amp;type=challenge&amp;budget_min=1000"' in again.text


def test_an_empty_or_broken_search_is_not_saved_and_the_name_is_kept(client, owner):
    client.force_login(owner)
    response = client.post(
        url("marketplace:saved_search_create"), {"name": "Semua", "frequency": "instant", "query": ""}
    )
    assert response.status_code == 200 and not SavedSearch.objects.exists()
    response = client.post(
        url("marketplace:saved_search_create"),
        {"name": "Semua", "frequency": "instant", "query": "sort=amount"},
    )
    assert response.status_code == 200 and not SavedSearch.objects.exists()
    assert "Type some words or choose a filter before saving a search." in response.text
    assert 'value="Semua"' in response.text
    response = client.post(
        url("marketplace:saved_search_create"),
        {"name": "", "frequency": "weekly", "query": "q=pasar&budget_min=banyak"},
    )
    assert response.status_code == 200 and not SavedSearch.objects.exists()
    errors = response.context["form"].errors
    assert set(errors) == {"name", "frequency", "query"}


def test_saving_is_refused_in_indonesian_on_the_indonesian_page(client, owner):
    client.force_login(owner)
    with translation.override("id"):
        response = client.post(
            url("marketplace:saved_search_create").removeprefix("/en"),
            {"name": "", "frequency": "instant", "query": "q=pasar"},
        )
        assert response.status_code == 200
        assert 'lang="id"' in response.text
        from django.utils.translation import gettext

        assert gettext("This field is required.") in response.text


def test_a_user_keeps_at_most_fifty_saved_searches(client, owner):
    SavedSearch.objects.bulk_create(
        SavedSearch(user=owner, name=f"S{n}", params={"q": ["x"]}) for n in range(50)
    )
    client.force_login(owner)
    response = client.post(
        url("marketplace:saved_search_create"),
        {"name": "Satu lagi", "frequency": "instant", "query": "q=pasar"},
    )
    assert response.status_code == 200
    assert "You can keep at most 50 saved searches. Delete one first." in response.text
    assert SavedSearch.objects.filter(user=owner).count() == 50


def test_anonymous_users_are_sent_to_sign_in_and_nothing_is_saved(client):
    path = url("marketplace:saved_search_create")
    response = client.post(path, {"name": "Pasar", "frequency": "instant", "query": "q=pasar"})
    assert login_redirect(response, path)
    assert not SavedSearch.objects.exists()
    assert login_redirect(client.get(path), path)


# The list ----------------------------------------------------------------------------------------


def test_the_list_shows_only_the_users_own_searches(client, owner, stranger, saved):
    SavedSearch.objects.create(user=stranger, name="Rahasia orang lain", params={"q": ["puskesmas"]})
    client.force_login(owner)
    response = client.get(url("marketplace:saved_search_list"))
    assert response.status_code == 200
    html = response.text
    assert "Pasar digital" in html and "Rahasia orang lain" not in html
    assert f'href="{url("marketplace:search")}?q=pasar&amp;sector=perdagangan"' in html
    assert f'action="{url("marketplace:saved_search_update", pk=saved.pk)}"' in html
    assert f'action="{url("marketplace:saved_search_delete", pk=saved.pk)}"' in html


def test_the_list_needs_sign_in(client, saved):
    path = url("marketplace:saved_search_list")
    assert login_redirect(client.get(path), path)


def test_the_list_query_count_does_not_grow(client, owner, django_assert_max_num_queries):
    client.force_login(owner)
    client.get(url("marketplace:saved_search_list"))  # the site's settings row is created on first use
    for n in range(2):
        SavedSearch.objects.create(user=owner, name=f"Cari {n}", params={"q": [f"kata{n}"]})
    with django_assert_max_num_queries(6) as few:
        client.get(url("marketplace:saved_search_list"))
    for n in range(2, 30):
        SavedSearch.objects.create(user=owner, name=f"Cari {n}", params={"q": [f"kata{n}"]})
    with django_assert_max_num_queries(6) as many:
        response = client.get(url("marketplace:saved_search_list"))
    assert len(response.context["rows"]) == 30
    assert len(many) == len(few)


# Changing alerts and deleting --------------------------------------------------------------------


def test_the_owner_changes_the_frequency(client, owner, saved):
    client.force_login(owner)
    response = client.post(
        url("marketplace:saved_search_update", pk=saved.pk), {f"s{saved.pk}-frequency": "daily"}
    )
    assert response.status_code == 302 and response["Location"] == url("marketplace:saved_search_list")
    saved.refresh_from_db()
    assert saved.frequency == "daily"


def test_a_bad_frequency_changes_nothing(client, owner, saved):
    client.force_login(owner)
    response = client.post(
        url("marketplace:saved_search_update", pk=saved.pk), {f"s{saved.pk}-frequency": "hourly"}, follow=True
    )
    assert "Choose how often you want alerts." in response.text
    saved.refresh_from_db()
    assert saved.frequency == "instant"


def test_another_user_cannot_change_or_delete_it(client, stranger, saved):
    client.force_login(stranger)
    response = client.post(
        url("marketplace:saved_search_update", pk=saved.pk), {f"s{saved.pk}-frequency": "daily"}
    )
    assert response.status_code == 404
    assert client.post(url("marketplace:saved_search_delete", pk=saved.pk)).status_code == 404
    saved.refresh_from_db()
    assert saved.frequency == "instant"


def test_anonymous_users_cannot_change_or_delete_it(client, saved):
    path = url("marketplace:saved_search_update", pk=saved.pk)
    assert login_redirect(client.post(path, {f"s{saved.pk}-frequency": "daily"}), path)
    path = url("marketplace:saved_search_delete", pk=saved.pk)
    assert login_redirect(client.post(path), path)
    saved.refresh_from_db()
    assert saved.frequency == "instant"


def test_the_owner_deletes_it(client, owner, saved):
    client.force_login(owner)
    assert client.get(url("marketplace:saved_search_delete", pk=saved.pk)).status_code == 405
    response = client.post(url("marketplace:saved_search_delete", pk=saved.pk), follow=True)
    assert response.status_code == 200
    assert "Saved search “Pasar digital” deleted." in response.text
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()


# The workspace ------------------------------------------------------------------------------------


def test_the_workspace_lists_the_users_saved_searches(client, owner, stranger, saved):
    SavedSearch.objects.create(user=stranger, name="Rahasia orang lain", params={"q": ["puskesmas"]})
    client.force_login(owner)
    response = client.get(url("marketplace:workspace_proposals"))
    assert response.status_code == 200
    html = response.text
    assert 'id="saved-searches"' in html
    assert f'<a href="{url("marketplace:search")}?q=pasar&amp;sector=perdagangan">Pasar digital</a>' in html
    assert "Rahasia orang lain" not in html
    assert f'href="{url("marketplace:saved_search_list")}"' in html


def test_the_workspace_invites_to_save_a_search_when_there_is_none(client, owner):
    client.force_login(owner)
    html = client.get(url("marketplace:workspace_proposals")).text
    assert "Save a search to hear about new challenges that match it." in html
