"""Saved searches are written through search.services: the limit per user, the owner alone
changes or deletes one, and a refused change leaves everything as it was."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext

from core.errors import DomainError
from search import services
from search.models import SavedSearch
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_saved_search_keeps_its_name_query_and_alerts():
    user = factories.UserFactory()
    saved = services.saved_search_create(
        user=user, name="Pasar digital", params={"q": ["pasar"]}, frequency="daily"
    )
    stored = SavedSearch.objects.get(pk=saved.pk)
    assert (stored.user, stored.name, stored.params, stored.frequency) == (
        user,
        "Pasar digital",
        {"q": ["pasar"]},
        "daily",
    )


def test_the_fifty_first_saved_search_is_refused_and_nothing_is_saved():
    user = factories.UserFactory()
    SavedSearch.objects.bulk_create(
        SavedSearch(user=user, name=f"S{n}", params={"q": ["x"]}) for n in range(50)
    )
    with translation.override("id"):
        limit = gettext("You can keep at most %(count)d saved searches. Delete one first.") % {"count": 50}
    with pytest.raises(DomainError) as refused:
        services.saved_search_create(user=user, name="Satu lagi", params={"q": ["y"]}, frequency="instant")
    assert refused.value.message == limit
    assert SavedSearch.objects.filter(user=user).count() == 50


def test_an_unknown_alert_frequency_is_refused():
    user = factories.UserFactory()
    with pytest.raises(DomainError) as refused:
        services.saved_search_create(user=user, name="Pasar", params={"q": ["pasar"]}, frequency="hourly")
    assert refused.value.field == "frequency"
    assert not SavedSearch.objects.filter(user=user).exists()


def test_only_the_owner_changes_or_deletes_a_saved_search():
    owner, stranger = factories.UserFactory(), factories.UserFactory()
    saved = services.saved_search_create(
        user=owner, name="Pasar", params={"q": ["pasar"]}, frequency="instant"
    )
    with pytest.raises(DomainError):
        services.saved_search_change_frequency(saved_search=saved, frequency="daily", by=stranger)
    with pytest.raises(DomainError):
        services.saved_search_delete(saved_search=saved, by=stranger)
    assert SavedSearch.objects.get(pk=saved.pk).frequency == "instant"

    services.saved_search_change_frequency(saved_search=saved, frequency="daily", by=owner)
    assert SavedSearch.objects.get(pk=saved.pk).frequency == "daily"
    services.saved_search_delete(saved_search=saved, by=owner)
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_at_once_cannot_pass_the_limit():
    user = factories.UserFactory()
    SavedSearch.objects.bulk_create(
        SavedSearch(user=user, name=f"S{n}", params={"q": ["x"]}) for n in range(49)
    )
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def save(name: str) -> None:
        start.wait()
        try:
            services.saved_search_create(user=user, name=name, params={"q": [name]}, frequency="instant")
            outcomes.append("saved")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(name,)) for name in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "saved"]
    assert SavedSearch.objects.filter(user=user).count() == 50
