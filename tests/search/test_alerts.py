"""Saved-search alerts: a newly published challenge that matches a saved search is told to its
owner exactly once (instant: notification and email; daily: one digest), against both engines."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import translation

from core.models import Notification
from marketplace.publicdata import search_documents
from search import alerts, indexing, tasks_alerts
from search.models import SavedSearch, SavedSearchMatch
from tests import factories

pytestmark = pytest.mark.django_db


def _path(slug: str) -> str:
    with translation.override("id"):
        return reverse("marketplace:challenge_detail", kwargs={"slug": slug})


def _saved(user, q: str, frequency: str = "instant", **params) -> SavedSearch:
    query = {"q": [q], **{k: [v] for k, v in params.items()}}
    return SavedSearch.objects.create(user=user, name=f"Cari {q}", params=query, frequency=frequency)


@pytest.fixture
def people():
    return {
        "instant": factories.UserFactory(),  # "pasar", told at once
        "daily": factories.UserFactory(),  # "pembayaran digital", once a day
        "other": factories.UserFactory(),  # "nelayan": nothing published matches
    }


@pytest.fixture
def searches(people):
    return {
        "instant": _saved(people["instant"], "pasar", status="open"),
        "daily": _saved(people["daily"], "pembayaran digital", frequency="daily"),
        "other": _saved(people["other"], "nelayan"),
    }


@pytest.fixture
def published(searches):
    """Published after the searches were saved: two market challenges and a health one."""
    pages = {
        "levy": factories.challenge(
            title="Retribusi pasar nontunai", summary="Pembayaran digital retribusi di pasar tradisional."
        ),
        "fish": factories.challenge(title="Pasar ikan higienis", summary="Penataan pasar ikan kota."),
        "queue": factories.challenge(title="Antrean puskesmas daring", summary="Pendaftaran pasien daring."),
    }
    indexing.refresh("challenge", [p.pk for p in pages.values()])
    return pages


def _notifications(user) -> list[str]:
    return sorted(Notification.objects.filter(user=user).values_list("url", flat=True))


def _emails_to(user) -> list:
    return [m for m in mail.outbox if user.email in m.to]


def test_an_instant_alert_fires_once_per_new_matching_challenge(
    engine, people, searches, published, django_capture_on_commit_callbacks
):
    ids = [p.pk for p in published.values()]
    with django_capture_on_commit_callbacks(execute=True):
        alerts.match_new_challenges(ids)
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.match_new_challenges(ids) == 0  # run again: nothing new
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.sweep() == 0  # and the sweep after it

    # One notification and one email per matching challenge, none for the health challenge.
    assert _notifications(people["instant"]) == sorted(
        [_path(published["levy"].slug), _path(published["fish"].slug)]
    )
    emails = _emails_to(people["instant"])
    assert len(emails) == 2
    with translation.override("id"):  # the alert speaks the site's language
        subject = translation.gettext("New challenge: %(title)s")
    assert {m.subject for m in emails} == {
        subject % {"title": "Retribusi pasar nontunai"},
        subject % {"title": "Pasar ikan higienis"},
    }
    assert any(_path(published["levy"].slug) in m.body for m in emails)
    # A saved search nothing matches tells nothing.
    assert _notifications(people["other"]) == [] and _emails_to(people["other"]) == []
    assert SavedSearchMatch.objects.filter(saved_search=searches["instant"]).count() == 2


def test_a_daily_alert_waits_for_the_digest_then_sends_one_email(
    engine, people, searches, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alerts.match_new_challenges([p.pk for p in published.values()])
    # Matched ("pembayaran" only in the levy challenge), not told yet.
    [match] = SavedSearchMatch.objects.filter(saved_search=searches["daily"])
    assert match.challenge_id == published["levy"].pk and match.notified_at is None
    assert _notifications(people["daily"]) == [] and _emails_to(people["daily"]) == []

    more = factories.challenge(title="Pembayaran digital parkir", summary="Parkir nontunai.")
    indexing.refresh("challenge", [more.pk])
    with django_capture_on_commit_callbacks(execute=True):
        alerts.match_new_challenges([more.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.send_daily_digests() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.send_daily_digests() == 0  # told once

    [email] = _emails_to(people["daily"])
    assert "Retribusi pasar nontunai" in email.body and "Pembayaran digital parkir" in email.body
    assert _path(more.slug) in email.body
    assert len(_notifications(people["daily"])) == 1
    assert not SavedSearchMatch.objects.filter(notified_at__isnull=True).exists()
    searches["daily"].refresh_from_db()
    assert searches["daily"].last_digest_at is not None
    # The instant user's alerts were sent already: the digest does not repeat them.
    assert len(_emails_to(people["instant"])) == 2


def test_the_sweep_catches_a_challenge_whose_task_was_lost(engine, people, searches):
    # Published, but the on-commit callbacks never ran: no alert task, no indexing either.
    page = factories.challenge(title="Pasar malam tertib", summary="Penataan pedagang pasar malam.")
    assert SavedSearchMatch.objects.count() == 0

    tasks_alerts.sweep_saved_searches()
    tasks_alerts.sweep_saved_searches()

    assert _notifications(people["instant"]) == [_path(page.slug)]


def test_publishing_queues_the_alert_after_commit(
    engine, people, searches, django_capture_on_commit_callbacks
):
    search_documents.connect()
    with django_capture_on_commit_callbacks(execute=True):
        page = factories.challenge(title="Revitalisasi pasar rakyat", summary="Pasar rakyat yang bersih.")
    assert _notifications(people["instant"]) == [_path(page.slug)]
    assert len(_emails_to(people["instant"])) == 1
    with django_capture_on_commit_callbacks(execute=True):  # edited and published again
        page.save_revision().publish()
    assert _notifications(people["instant"]) == [_path(page.slug)]


def test_challenges_published_before_the_search_was_saved_are_not_told(people):
    page = factories.challenge(title="Pasar lama", summary="Sudah lama terbit.")
    indexing.refresh("challenge", [page.pk])
    _saved(people["instant"], "pasar")
    assert alerts.match_new_challenges([page.pk]) == 0
    assert _notifications(people["instant"]) == []


def test_filters_of_the_saved_search_apply(people):
    region = factories.region("Kota Kendari")
    elsewhere = factories.region("Kota Sorong")
    _saved(people["instant"], "pasar", region=region.slug)
    here = factories.challenge(agency_obj=factories.agency(region), title="Pasar Kendari")
    there = factories.challenge(agency_obj=factories.agency(elsewhere), title="Pasar Sorong")
    indexing.refresh("challenge", [here.pk, there.pk])
    assert alerts.match_new_challenges([here.pk, there.pk]) == 1
    assert _notifications(people["instant"]) == [_path(here.slug)]


def test_a_search_for_organisations_only_never_alerts(people):
    SavedSearch.objects.create(
        user=people["instant"], name="Mitra", params={"q": ["pasar"], "type": ["organisation"]}
    )
    page = factories.challenge(title="Pasar baru")
    indexing.refresh("challenge", [page.pk])
    assert alerts.match_new_challenges([page.pk]) == 0


def test_saved_searches_are_read_by_the_search_pages_form(people):
    region = factories.region("Kota Kendari")
    saved = SavedSearch(
        user=people["instant"],
        params={
            "q": ["pasar"],
            "status": ["open"],
            "region": [region.slug],
            "budget_min": ["1000000"],
            "closes_before": ["2031-01-31"],
            "after": ["whatever"],
        },
    )
    params = alerts.saved_search_params(saved)
    assert (params.q, params.status, params.region, params.types) == (
        "pasar",
        "open",
        region.slug,
        ("challenge",),
    )
    assert params.amount_min == 1_000_000_00  # rupiah on the page, minor units in the search
    assert str(params.closes_before) == "2031-01-31" and params.after == ""
    # What is no longer valid drops out; the rest still applies.
    sloppy = SavedSearch(user=people["instant"], params={"q": ["pasar"], "status": ["nonsense"]})
    assert alerts.saved_search_params(sloppy).status == "" and alerts.saved_search_params(sloppy).q == "pasar"
    projects_only = SavedSearch(user=people["instant"], params={"type": ["project"]})
    assert alerts.saved_search_params(projects_only) is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_matching_at_once_tell_each_user_once():
    user = factories.UserFactory()
    _saved(user, "pasar")
    page = factories.challenge(title="Pasar apung", summary="Pasar di atas air.")
    indexing.refresh("challenge", [page.pk])
    # Publishing may have matched already (when the alert receiver is connected, the commit
    # queues the task at once here): start the race from nothing.
    SavedSearchMatch.objects.all().delete()
    Notification.objects.all().delete()
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(alerts.match_new_challenges([page.pk]))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(results) == [0, 1]
    assert Notification.objects.filter(user=user).count() == 1
