"""Accounts as a person meets them: sign up, confirm the email address through the link in
the email, sign in by email (or the username the account was given), sign out, reset a
password, keep a profile."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache

from core.models import AuditEntry
from marketplace.organisations.models import Organisation, UserProfile
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits(cheap_passwords):
    """allauth counts attempts (sign-ups, links sent) in the cache: start each test afresh.
    Passwords are hashed cheaply here: what is tested is the flow, not the hasher."""
    cache.clear()
    yield
    cache.clear()


SIGNUP = {
    "full_name": "Sari Wulandari",
    "email": "sari@warung.id",
    "password1": "Tenun-Sumba-2026",
    "password2": "Tenun-Sumba-2026",
}


def link_in(email, fragment: str) -> str:
    """The path of the first link in an email that contains ``fragment``."""
    match = re.search(rf"https?://[^/\s]+(/\S*{fragment}\S*)", email.body)
    assert match, email.body
    return match.group(1)


def sign_up(client, capture, **changes):
    with capture(execute=True):
        return client.post("/accounts/signup/", SIGNUP | changes, follow=True)


def test_sign_up_sends_a_confirmation_link_and_the_link_signs_in(client, django_capture_on_commit_callbacks):
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert response.templates[0].name == "account/verification_sent.html"
    user = get_user_model().objects.get(email="sari@warung.id")
    assert not EmailAddress.objects.get(user=user).verified
    # The account's name comes from the person's name; the profile keeps the name as typed.
    assert user.username == "sari_wulandari"
    assert UserProfile.objects.get(user=user).full_name == "Sari Wulandari"

    (email,) = mail.outbox
    assert email.to == ["sari@warung.id"] and email.subject.startswith("[Pasar Tantangan Daerah]")
    confirm = link_in(email, "confirm-email/")
    assert client.get(confirm).status_code == 200  # a page with a button: nothing happens on GET
    assert not EmailAddress.objects.get(user=user).verified

    response = client.post(confirm, follow=True)
    assert response.context["user"] == user
    assert response.redirect_chain[-1][0] == "/workspace/"
    assert EmailAddress.objects.get(user=user).verified
    actions = set(AuditEntry.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert {"account.signed_up", "account.email_verified"} <= actions

    # Confirmed, they can act: register an organisation.
    response = client.post("/organisations/new/", {"name": "Warung Digital", "kind": "umkm"})
    assert response.status_code == 302
    assert Organisation.objects.filter(name="Warung Digital", memberships__user=user).exists()


def test_no_sign_in_before_the_address_is_confirmed(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    client.logout()
    response = client.post("/accounts/login/", {"login": "sari@warung.id", "password": SIGNUP["password1"]})
    # Sent back to "confirm your address" (a new link is sent, at most one every few minutes).
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"password2": "Lain-sekali-2026"}, "password2"),
        ({"email": "bukan-email"}, "email"),
        ({"password1": "12345678", "password2": "12345678"}, "password1"),
        ({"full_name": "   "}, "full_name"),
    ],
    ids=["passwords-differ", "bad-email", "weak-password", "no-name"],
)
def test_bad_sign_up_input_gets_a_message_and_creates_nothing(client, changes, field):
    response = client.post("/accounts/signup/", SIGNUP | changes)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'class="field-error"' in response.text
    assert not get_user_model().objects.filter(email="sari@warung.id").exists()
    assert not mail.outbox


def test_an_address_already_used_cannot_sign_up_again(client, django_capture_on_commit_callbacks):
    factories.UserFactory(email="sari@warung.id")
    response = sign_up(client, django_capture_on_commit_callbacks)
    # The page does not reveal that the address is known (no account enumeration); its owner is
    # told by email instead, and no second account is made.
    assert response.templates[0].name == "account/verification_sent.html"
    assert get_user_model().objects.filter(email__iexact="sari@warung.id").count() == 1
    (email,) = mail.outbox
    assert email.to == ["sari@warung.id"]


@pytest.mark.parametrize("login", ["sari", "sari@warung.id", "SARI@warung.id"])
def test_sign_in_by_username_or_email(client, login):
    user = factories.UserFactory(username="sari", email="sari@warung.id")
    response = client.post("/accounts/login/", {"login": login, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(
    ("path", "label", "button"),
    [
        ("/accounts/login/", "Email atau nama pengguna", "Masuk"),
        ("/en/accounts/login/", "Email or username", "Log in"),
    ],
)
def test_the_sign_in_field_says_what_to_type(client, path, label, button):
    page = client.get(path).content.decode()
    field = re.search(r'<label for="id_login"[^>]*>(.*?)</label>', page, re.S)
    assert field and field.group(1).strip().rstrip("*").strip() == label
    assert f'placeholder="{label}"' in page
    assert re.search(rf'<button type="submit" class="button">\s*{button}\s*</button>', page)


def test_wrong_password_is_refused_with_a_message(client):
    factories.UserFactory(username="sari")
    response = client.post("/accounts/login/", {"login": "sari", "password": "salah"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_sign_in_keeps_the_next_address(client):
    factories.UserFactory(username="sari")
    response = client.post(
        "/accounts/login/?next=/organisations/new/", {"login": "sari", "password": PASSWORD}
    )
    assert response["Location"] == "/organisations/new/"


def test_sign_out_by_post(client):
    client.force_login(factories.UserFactory())
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_an_unconfirmed_account_cannot_register_an_organisation(client):
    user = factories.UserFactory(verified_email=False)
    client.force_login(user)
    response = client.post("/organisations/new/", {"name": "Belum Konfirmasi", "kind": "startup"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Organisation.objects.filter(name="Belum Konfirmasi").exists()


def test_an_invalid_confirmation_link_says_so(client):
    response = client.get("/accounts/confirm-email/bukan-kunci/")
    assert response.status_code == 200 and response.context["confirmation"] is None
    assert 'role="alert"' in response.text


def test_password_reset_by_email(client, django_capture_on_commit_callbacks):
    user = factories.UserFactory(email="sari@warung.id")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "sari@warung.id"})
    assert response.status_code == 302
    (email,) = mail.outbox
    reset = client.get(link_in(email, "password/reset/key/"), follow=True)
    assert reset.status_code == 200
    form_url = reset.redirect_chain[-1][0]
    response = client.post(form_url, {"password1": "Baru-Sekali-2026", "password2": "Baru-Sekali-2026"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Baru-Sekali-2026")


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/en/accounts/login/"]
)
def test_account_pages_are_the_sites_own(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert 'class="site-header"' in response.text and 'class="form"' in response.text
    assert "<script" not in response.text


def test_account_pages_for_signed_in_users_render_in_the_site(client):
    client.force_login(factories.UserFactory())
    for path in ("/accounts/email/", "/accounts/password/change/", "/accounts/logout/"):
        response = client.get(path)
        assert response.status_code == 200 and 'class="site-header"' in response.text, path


# Profile --------------------------------------------------------------------------------------


def test_profile_is_edited_in_the_workspace(client):
    user = factories.UserFactory()
    client.force_login(user)
    assert client.get("/workspace/profile/").status_code == 200
    response = client.post(
        "/workspace/profile/",
        {"full_name": "Sari Wulandari", "phone": "0812-3456-7890", "preferred_language": "en"},
    )
    # The workspace opens in the language just chosen.
    assert response.status_code == 302 and response["Location"] == "/en/workspace/"
    profile = UserProfile.objects.get(user=user)
    assert (profile.full_name, profile.phone, profile.preferred_language) == (
        "Sari Wulandari",
        "081234567890",
        "en",
    )
    assert AuditEntry.objects.filter(action="profile.updated", object_id=str(user.pk)).exists()
    # Signing in later also opens the workspace in English.
    client.logout()
    response = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    assert response["Location"] == "/en/workspace/"


def test_a_bad_phone_number_gets_a_message_and_saves_nothing(client):
    user = factories.UserFactory()
    client.force_login(user)
    response = client.post(
        "/workspace/profile/", {"full_name": "Sari", "phone": "telepon saya", "preferred_language": "id"}
    )
    assert response.status_code == 200 and "phone" in response.context["form"].errors
    assert not UserProfile.objects.filter(user=user, full_name="Sari").exists()


def test_profile_is_only_for_signed_in_users(client):
    response = client.get("/workspace/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post("/workspace/profile/", {"full_name": "X", "phone": "", "preferred_language": "id"})
    assert response.status_code == 302 and not UserProfile.objects.exists()
