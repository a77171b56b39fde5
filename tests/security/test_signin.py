"""One way in (issue 13, items 2, 5 and 18): the admin's sign-in is the site's, with its limits;
sign-in keeps working when Redis is down; sign-up reveals no account; sign-ins, failures and
private downloads are audited."""

from __future__ import annotations

import socket

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.models import AuditEntry
from marketplace.organisations.services import organisations as organisations_services
from tests import factories
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOO_MANY_ATTEMPTS = "Terlalu banyak percobaan masuk yang gagal. Coba lagi nanti."
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fresh_limits(cheap_passwords):
    """Rate-limit counters live in the cache (Redis): each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def admin_login(client, user, password=PASSWORD):
    return client.post("/admin/login/", {"username": user.username, "password": password})


def site_login(client, login, password=PASSWORD, next_url=""):
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": login, "password": password})


# 2. /admin/login/ is not a side door -------------------------------------------------------------


def test_fifty_wrong_passwords_at_the_admin_door_then_the_right_one_signs_nobody_in(client):
    official = UserFactory(roles=["official"], is_staff=True)
    for _ in range(50):
        admin_login(client, official, password="salah-sekali")
    response = admin_login(client, official)
    assert signed_in_user_id(client) is None
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_the_admin_sign_in_sends_to_the_site_sign_in_with_next(client):
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fpages%2F"
    # Another site as "next" is dropped, not followed after sign-in.
    response = client.get("/admin/login/?next=https://jahat.example/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert client.get("/admin/", follow=True).redirect_chain == [
        ("/admin/login/?next=/admin/", 302),
        ("/accounts/login/?next=%2Fadmin%2F", 302),
    ]
    assert client.get("/admin/password_reset/").url == "/accounts/password/reset/"


def test_staff_reach_the_admin_through_the_site_sign_in(client):
    official = UserFactory(roles=["official"], is_staff=True)
    response = site_login(client, official.username, next_url="/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_applicant_gets_no_session_from_the_admin_sign_in(client):
    applicant = UserFactory()
    admin_login(client, applicant)
    assert signed_in_user_id(client) is None
    # Signed in through the site, the admin is refused outright (no loop between sign-in pages).
    site_login(client, applicant.username)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403 and len(response.redirect_chain) == 1


def test_the_admin_sign_in_does_not_skip_the_email_confirmation(client):
    unconfirmed = UserFactory(roles=["official"], is_staff=True, verified_email=False)
    admin_login(client, unconfirmed)
    assert signed_in_user_id(client) is None
    # The site's sign-in asks to confirm the address first.
    response = site_login(client, unconfirmed.username)
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert signed_in_user_id(client) is None


def test_a_user_locked_out_of_the_site_sign_in_is_locked_out_of_the_admin(client):
    official = UserFactory(roles=["official"], is_staff=True)
    for _ in range(5):
        site_login(client, official.username, password="salah-sekali")
    response = site_login(client, official.username)
    assert TOO_MANY_ATTEMPTS in response.text and signed_in_user_id(client) is None

    admin_login(client, official)
    assert signed_in_user_id(client) is None


# 5. Redis down: sign-in still works, with a local limit, and /healthz says so ---------------------


@pytest.fixture
def redis_unreachable(settings):
    """The configured cache, pointed at a port where nothing listens (a real unreachable Redis)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower(), "the test session runs with REDIS_URL"
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{port}/0"},
    }
    yield


def test_sign_in_works_while_redis_is_down(client, redis_unreachable):
    user = UserFactory()
    response = site_login(client, user.username)
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    assert signed_in_user_id(client) == str(user.pk)


def test_sign_up_and_password_reset_work_while_redis_is_down(client, redis_unreachable):
    response = client.post(
        "/accounts/signup/",
        {
            "full_name": "Tani Maju",
            "email": "tani@example.id",
            "password1": "kopi-sumba-2026!",
            "password2": "kopi-sumba-2026!",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert get_user_model().objects.filter(email="tani@example.id").exists()

    UserFactory(email="lupa@example.id")
    mail.outbox.clear()
    response = client.post("/accounts/password/reset/", {"email": "lupa@example.id"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"


def test_the_sign_in_limit_holds_per_process_while_redis_is_down(client, redis_unreachable):
    user = UserFactory()
    for _ in range(5):
        site_login(client, user.username, password="salah-sekali")
    response = site_login(client, user.username)
    assert response.status_code == 200 and TOO_MANY_ATTEMPTS in response.text
    assert signed_in_user_id(client) is None


def test_healthz_shows_the_cache_outage(client, redis_unreachable):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200  # the site still answers
    assert body["status"] == "degraded"
    assert body["cache"]["ok"] is False and body["cache"]["fallback"] == "local memory"


def test_healthz_shows_the_cache_reachable(client):
    body = client.get("/healthz").json()
    assert body["cache"] == {"ok": True, "backend": "redis"}


# 18. Sign-up does not reveal which usernames exist -----------------------------------------------


def sign_up_page(client, django_capture_on_commit_callbacks, **fields):
    form = {"full_name": "Sari", "password1": "Tenun-Sumba-2026", "password2": "Tenun-Sumba-2026"}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/accounts/signup/", form | fields, follow=True)


def test_sign_up_answers_alike_whether_or_not_a_username_is_taken(client, django_capture_on_commit_callbacks):
    UserFactory(username="sari", email="sari@lama.id")
    # Whatever a visitor sends as "username" (the field there used to be), a taken name and a
    # free one get the same page: there is no username to choose, and nothing says "taken".
    capture = django_capture_on_commit_callbacks
    taken = sign_up_page(client, capture, username="sari", email="baru1@warung.id")
    free = sign_up_page(Client(), capture, username="bebas", email="baru2@warung.id")
    assert [r.templates[0].name for r in (taken, free)] == ["account/verification_sent.html"] * 2
    assert "sudah" not in taken.text.lower() and "username" not in taken.text.lower()
    assert 'name="username"' not in client.get("/accounts/signup/").text
    # Both accounts exist, the first with a name of its own (the taken one is left alone).
    new = get_user_model().objects.get(email="baru1@warung.id")
    assert new.username != "sari" and new.username.startswith("sari")


def test_sign_up_with_a_known_address_answers_as_with_a_new_one(client, django_capture_on_commit_callbacks):
    UserFactory(username="sari", email="sari@lama.id")
    response = sign_up_page(client, django_capture_on_commit_callbacks, email="sari@lama.id")
    assert response.templates[0].name == "account/verification_sent.html"
    assert get_user_model().objects.filter(email__iexact="sari@lama.id").count() == 1
    (email,) = mail.outbox  # its owner is told by email, not the visitor on the page
    assert email.to == ["sari@lama.id"]


# 18. The audit trail of sign-ins and private downloads --------------------------------------------------


def test_a_sign_in_and_a_failed_one_are_audited_without_what_was_typed(client):
    user = UserFactory(email="sari@example.id")
    site_login(client, "sari@example.id", password="salah-sekali")
    failed = AuditEntry.objects.get(action="account.sign_in_failed")
    assert failed.actor is None and failed.object_id == str(user.pk)
    assert "sari" not in repr((failed.before, failed.after)) and "salah" not in repr(
        (failed.before, failed.after)
    )

    site_login(client, "orang-tak-dikenal", password="salah-sekali")
    unknown = AuditEntry.objects.filter(action="account.sign_in_failed").latest("pk")
    assert unknown.object_id == "" and "tak-dikenal" not in repr((unknown.before, unknown.after))

    site_login(client, user.username)
    signed_in = AuditEntry.objects.get(action="account.signed_in")
    assert signed_in.actor == user and signed_in.object_id == str(user.pk)
    assert signed_in.after == {"mfa": False} and signed_in.ip_address == "127.0.0.1"


def test_a_private_download_is_audited(client, private_media):
    owner = UserFactory()
    organisation = factories.organisation(owner, name="Kopi Digital Sumba")
    document = organisations_services.document_upload(
        organisation=organisation,
        by=owner,
        kind="nib",
        file=SimpleUploadedFile("nib.pdf", PDF, content_type="application/pdf"),
    )
    client.force_login(owner)
    response = client.get(f"/organisations/{organisation.slug}/documents/{document.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    entry = AuditEntry.objects.get(action="file.downloaded")
    assert entry.actor == owner
    assert (entry.object_type, entry.object_id) == ("organisations.verificationdocument", str(document.pk))
