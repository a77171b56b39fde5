"""The notification centre: the header's unread count, the list, marking read, the email
preferences per kind and the one daily digest."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import messaging, notifications
from core.models import DigestSent, Notification, NotificationPreference
from marketplace.organisations.models import UserProfile
from tests import factories

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
LIST = "/workspace/notifications/"
PREFERENCES = "/workspace/notifications/preferences/"


def _tell(user, message: str, *, kind: str = Kind.PROPOSALS, url: str = "/workspace/", subject: str = ""):
    return messaging.notify(users=[user], kind=kind, message=message, url=url, email_subject=subject)[0]


def _prefer(user, **deliveries: str) -> None:
    notifications.preferences_set(user=user, deliveries=deliveries)


def _english(user) -> None:
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})


def _notification_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "core_notification" in q["sql"]]


# The header -----------------------------------------------------------------------------------


def test_the_header_shows_the_unread_count_with_one_query(client):
    user = factories.UserFactory()
    for n in range(3):
        _tell(user, f"Kabar {n}")
    notifications.notification_mark_read(user=user, pk=_tell(user, "Sudah dibaca").pk)
    _tell(factories.UserFactory(), "Kabar orang lain")
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/challenges/")
    page = response.content.decode()
    assert 'href="/workspace/notifications/"' in page
    assert '<span class="site-nav__count">3</span>' in page
    counted = _notification_queries(queries)
    assert len(counted) == 1 and "COUNT(" in counted[0]


def test_the_header_shows_no_count_when_all_is_read(client):
    user = factories.UserFactory()
    notifications.notification_mark_read(user=user, pk=_tell(user, "Kabar").pk)
    client.force_login(user)
    page = client.get("/challenges/").content.decode()
    assert 'href="/workspace/notifications/"' in page and "site-nav__count" not in page


def test_an_anonymous_page_has_no_notifications_queries_or_cookie(client):
    _tell(factories.UserFactory(), "Kabar pribadi")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/challenges/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "/workspace/notifications/" not in page and "Kabar pribadi" not in page
    assert not _notification_queries(queries)
    # No session: only the CSRF token the language switcher's form has always needed.
    assert set(response.cookies) <= {"csrftoken"}


# The list ---------------------------------------------------------------------------------------


def test_the_list_is_newest_first_paginated_with_unread_marked(client, django_assert_max_num_queries):
    user = factories.UserFactory()
    start = timezone.now() - datetime.timedelta(days=1)
    for n in range(45):
        row = _tell(user, f"Kabar nomor {n}", url="" if n % 2 else f"/challenges/?n={n}")
        Notification.objects.filter(pk=row.pk).update(created_at=start + datetime.timedelta(minutes=n))
    read = Notification.objects.get(user=user, message="Kabar nomor 43")
    notifications.notification_mark_read(user=user, pk=read.pk)
    _tell(factories.UserFactory(), "Kabar orang lain")
    client.force_login(user)
    # Session, user, header count, page count, the page's rows; the footer's site settings.
    with django_assert_max_num_queries(10):
        page = client.get(LIST).content.decode()
    assert page.count('class="notification ') + page.count('class="notification"') == 20
    assert page.index("Kabar nomor 44") < page.index("Kabar nomor 43") < page.index("Kabar nomor 42")
    assert "Kabar orang lain" not in page
    assert page.count("notification--unread") == 19  # number 43 is read
    assert f'href="/workspace/notifications/{read.pk}/open/"' not in page  # odd numbers have no link
    assert "Halaman 1 dari 3" in page
    with django_assert_max_num_queries(10):
        last = client.get(LIST + "?page=3").content.decode()
    assert "Kabar nomor 0" in last and "Kabar nomor 44" not in last


def test_an_empty_list_says_so_in_english_too(client):
    client.force_login(factories.UserFactory())
    assert "Anda belum punya notifikasi." in client.get(LIST).content.decode()
    assert "You have no notifications yet." in client.get("/en" + LIST).content.decode()


def test_marking_one_read_keeps_the_others_unread(client):
    user = factories.UserFactory()
    first, second = _tell(user, "Satu"), _tell(user, "Dua")
    client.force_login(user)
    response = client.post(f"{LIST}{first.pk}/read/", {"next": LIST + "?page=1"})
    assert response.status_code == 302 and response["Location"] == LIST + "?page=1"
    first.refresh_from_db(), second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert '<span class="site-nav__count">1</span>' in client.get(LIST).content.decode()


def test_mark_read_goes_nowhere_else_than_this_site(client):
    user = factories.UserFactory()
    row = _tell(user, "Satu")
    client.force_login(user)
    response = client.post(f"{LIST}{row.pk}/read/", {"next": "https://evil.example/"})
    assert response["Location"] == LIST


def test_marking_all_read(client):
    user, other = factories.UserFactory(), factories.UserFactory()
    for n in range(3):
        _tell(user, f"Kabar {n}")
    _tell(other, "Kabar orang lain")
    client.force_login(user)
    response = client.post(LIST + "read/", follow=True)
    assert "Semua notifikasi ditandai sudah dibaca." in response.content.decode()
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=other, read_at__isnull=True).count() == 1


def test_nobody_marks_or_opens_another_persons_notification(client):
    owner, intruder = factories.UserFactory(), factories.UserFactory()
    row = _tell(owner, "Rahasia", url="/workspace/")
    client.force_login(intruder)
    assert client.post(f"{LIST}{row.pk}/read/").status_code == 404
    assert client.get(f"{LIST}{row.pk}/open/").status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_opening_a_notification_marks_it_read_and_follows_its_link(client):
    user = factories.UserFactory()
    row = _tell(user, "Pertanyaan dijawab", url="/challenges/")
    client.force_login(user)
    response = client.get(f"{LIST}{row.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/challenges/"
    row.refresh_from_db()
    assert row.read_at is not None
    # In English the same link leads to the English page.
    again = _tell(user, "Lagi", url="/challenges/")
    assert client.get(f"/en{LIST}{again.pk}/open/")["Location"] == "/en/challenges/"


def test_a_link_off_the_site_is_not_followed(client):
    user = factories.UserFactory()
    row = _tell(user, "Aneh", url="//evil.example/")
    client.force_login(user)
    assert client.get(f"{LIST}{row.pk}/open/")["Location"] == LIST


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", LIST),
        ("get", PREFERENCES),
        ("post", PREFERENCES),
        ("post", LIST + "read/"),
        ("post", LIST + "{pk}/read/"),
        ("get", LIST + "{pk}/open/"),
    ],
)
def test_visitors_are_sent_to_sign_in_and_change_nothing(client, method, path):
    user = factories.UserFactory()
    row = _tell(user, "Kabar")
    response = getattr(client, method)(
        path.format(pk=row.pk), {"proposals": "off"} if method == "post" else {}
    )
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    row.refresh_from_db()
    assert row.read_at is None and not NotificationPreference.objects.exists()


@pytest.mark.parametrize("path", [LIST + "read/", LIST + "{pk}/read/"])
def test_marking_read_needs_a_post(client, path):
    user = factories.UserFactory()
    row = _tell(user, "Kabar")
    client.force_login(user)
    assert client.get(path.format(pk=row.pk)).status_code == 405
    row.refresh_from_db()
    assert row.read_at is None


# Preferences ----------------------------------------------------------------------------------


def test_the_preferences_page_offers_every_kind_instant_by_default(client):
    client.force_login(factories.UserFactory())
    page = client.get(PREFERENCES).content.decode()
    for kind in Kind.values:
        assert f'name="{kind}" value="instant" required id="id_{kind}_0" checked' in page
    english = client.get("/en" + PREFERENCES).content.decode()
    assert "Reminders of deadlines" in english and "In the daily digest" in english


def test_saving_preferences(client):
    user = factories.UserFactory()
    client.force_login(user)
    data = dict.fromkeys(Kind.values, "instant") | {"reviews": "digest", "questions": "off"}
    response = client.post(PREFERENCES, data, follow=True)
    assert "Pilihan notifikasi Anda tersimpan." in response.content.decode()
    expected = dict.fromkeys(Kind.values, "instant") | {"reviews": "digest", "questions": "off"}
    assert notifications.preferences_of(user) == expected
    page = response.content.decode()
    assert 'name="questions" value="off" required id="id_questions_2" checked' in page


def test_a_bad_choice_is_refused_in_the_users_language_and_changes_nothing(client):
    user = factories.UserFactory()
    _prefer(user, reviews="digest")
    client.force_login(user)
    data = dict.fromkeys(Kind.values, "instant") | {"reviews": "weekly"}
    data.pop("awards")
    page = client.post(PREFERENCES, data).content.decode()
    assert "Masukkan pilihan yang valid. weekly bukan salah satu" in page  # Django's, in Indonesian
    assert "Pilih cara menerima jenis notifikasi ini." in page
    assert notifications.preferences_of(user)["reviews"] == "digest"
    assert NotificationPreference.objects.filter(user=user).count() == 1


# What gets emailed ----------------------------------------------------------------------------


def test_preferences_decide_what_is_emailed_and_the_app_keeps_everything(django_capture_on_commit_callbacks):
    user = factories.UserFactory()
    _prefer(user, reviews="digest", questions="off")
    with django_capture_on_commit_callbacks(execute=True):
        _tell(user, "Usulan Anda diterima", kind=Kind.PROPOSALS, subject="Usulan diterima")
        _tell(user, "Ulasan baru ditugaskan", kind=Kind.REVIEWS, subject="Ulasan baru")
        _tell(user, "Pertanyaan dijawab", kind=Kind.QUESTIONS, subject="Pertanyaan dijawab")
    assert [m.subject for m in mail.outbox] == ["Usulan diterima"]
    states = dict(Notification.objects.filter(user=user).values_list("kind", "email_state"))
    assert states == {"proposals": "sent", "reviews": "digest", "questions": "off"}


def test_the_daily_digest_goes_out_once_a_day_in_the_recipients_language(django_capture_on_commit_callbacks):
    indonesian, english, instant = factories.UserFactory(), factories.UserFactory(), factories.UserFactory()
    _english(english)
    for user in (indonesian, english):
        _prefer(user, reviews="digest", awards="digest")
    morning = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        for user in (indonesian, english, instant):
            _tell(user, "Ulasan baru ditugaskan", kind=Kind.REVIEWS, url="/workspace/", subject="Ulasan")
            _tell(user, "Tahap 1 disetujui", kind=Kind.AWARDS, url="/projects/1/", subject="Tahap")
            _tell(user, "Catatan tanpa email", kind=Kind.AWARDS)
    mail.outbox.clear()  # the instant user's two emails

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.send_daily_digests(now=morning + datetime.timedelta(minutes=1)) == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {indonesian.email, english.email}
    id_mail, en_mail = by_address[indonesian.email], by_address[english.email]
    assert id_mail.subject == "Ringkasan harian Anda: 2 notifikasi"
    assert en_mail.subject == "Your daily summary: 2 notifications"
    assert "Ulasan baru ditugaskan" in en_mail.body and "Tahap 1 disetujui" in en_mail.body
    assert "Catatan tanpa email" not in en_mail.body
    assert "/en/projects/1/" in en_mail.body and "/en/projects/1/" not in id_mail.body
    assert "Awards and milestones:" in en_mail.body and "Penetapan pemenang dan tahapan:" in id_mail.body
    assert "/en/workspace/notifications/preferences/" in en_mail.body

    # The same day again, and a new item that day: nothing more until tomorrow.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _tell(english, "Ulasan kedua", kind=Kind.REVIEWS, subject="Ulasan")
        assert notifications.send_daily_digests(now=morning + datetime.timedelta(minutes=2)) == 0
    assert mail.outbox == []
    assert DigestSent.objects.filter(user=english).count() == 1

    tomorrow = morning + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.send_daily_digests(now=tomorrow) == 1
    assert [m.to for m in mail.outbox] == [[english.email]]
    assert "Ulasan kedua" in mail.outbox[0].body and "Tahap 1 disetujui" not in mail.outbox[0].body


def test_the_digest_task_runs_from_beat(django_capture_on_commit_callbacks, settings):
    from core import tasks

    assert (
        settings.CELERY_BEAT_SCHEDULE["send-notification-digests"]["task"]
        == "core.tasks.send_notification_digests"
    )
    user = factories.UserFactory()
    _prefer(user, payments="digest")
    with django_capture_on_commit_callbacks(execute=True):
        _tell(user, "Rekening diverifikasi", kind=Kind.PAYMENTS, subject="Rekening")
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_notification_digests.delay().get() == 1
        assert tasks.send_notification_digests.delay().get() == 0
    assert len(mail.outbox) == 1 and "Rekening diverifikasi" in mail.outbox[0].body


def test_a_notification_needs_a_known_kind():
    with pytest.raises(ValueError):
        messaging.notify(users=[factories.UserFactory()], kind="gossip", message="?")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_digest_runs_twice_on_a_real_worker_and_emails_once():
    from celery.contrib.testing.worker import start_worker

    from config.celery import app as celery_app
    from core import tasks

    user = factories.UserFactory()
    _prefer(user, payments="digest")
    _tell(user, "Rekening diverifikasi", kind=Kind.PAYMENTS, subject="Rekening")  # committed: no transaction
    assert mail.outbox == []
    celery_app.conf.task_always_eager = False
    try:
        # Queued before the worker starts, so it takes them in order: both digests, then the
        # email the first one queued on commit.
        tasks.send_notification_digests.delay()
        tasks.send_notification_digests.delay()
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            deadline = time.monotonic() + 30
            while not mail.outbox and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        celery_app.conf.task_always_eager = True
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "Rekening diverifikasi" in mail.outbox[0].body
    assert DigestSent.objects.filter(user=user).count() == 1
