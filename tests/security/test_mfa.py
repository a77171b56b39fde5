"""Staff use a second factor (issue 13, item 10): officials, agency heads, finance officers and
reviewers without an authenticator app reach neither the workspace nor the admin; with one they
do, after entering its code at sign-in; a recovery code works once; applicants are not asked.

The rest of the suite runs with the requirement off (tests/conftest.py); here it is on, as in
production, and the codes are computed with the TOTP algorithm (RFC 6238) from the secret the
setup page shows, as an authenticator app does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.core.checks import run_checks

from core.models import AuditEntry
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SET_UP_MFA = "siapkan autentikasi dua faktor"
SETUP_URL = "/accounts/2fa/totp/activate/"


@pytest.fixture(autouse=True)
def _mfa_required(settings, cheap_passwords):
    settings.STAFF_MFA_REQUIRED = True
    cache.clear()  # rate limits and used codes live in the cache
    yield
    cache.clear()


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238: HMAC-SHA1 of the 30-second counter, dynamically truncated to 6 digits."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def sign_in(client, user, next_url=""):
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": user.username, "password": PASSWORD})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def confirm_password(client, response):
    """allauth asks for the password again before an authenticator is added."""
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]
    page = client.get(response["Location"])
    assert page.status_code == 200 and "site.css" in page.text  # the site's own shell
    return client.post(response["Location"], {"password": PASSWORD})


@pytest.mark.parametrize("role", ["official", "agency_head", "finance", "reviewer"])
def test_staff_without_mfa_reach_neither_the_workspace_nor_the_admin(client, role):
    user = UserFactory(roles=[role], is_staff=True)
    sign_in(client, user)
    for path, setup in (
        ("/workspace/", SETUP_URL),
        ("/en/workspace/", "/en" + SETUP_URL),
        ("/admin/", SETUP_URL),
        ("/admin/pages/", SETUP_URL),
    ):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == setup, path
    page = client.get("/workspace/", follow=True)
    assert SET_UP_MFA in page.text  # the message, in Indonesian
    assert '<link rel="stylesheet"' in page.text and "site.css" in page.text


def test_the_message_is_in_english_on_the_english_site(client):
    user = UserFactory(roles=["official"])
    sign_in(client, user)
    page = client.get("/en/workspace/", follow=True)
    assert "set up two-factor authentication" in page.text


def test_staff_set_up_an_authenticator_app_and_then_reach_the_workspace(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(roles=["official"], is_staff=True)
    sign_in(client, user)
    response = confirm_password(client, client.get(SETUP_URL))
    assert response.status_code == 302 and response["Location"] == SETUP_URL
    page = client.get(SETUP_URL)
    assert page.status_code == 200 and "site.css" in page.text
    secret = re.search(r'id="authenticator_secret" type="text" value="([A-Z2-7]+)"', page.text)[1]

    wrong = client.post(SETUP_URL, {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200 and "Kode salah." in wrong.text
    assert not Authenticator.objects.filter(user=user).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SETUP_URL, {"code": totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/recovery-codes/"
    codes_page = client.get("/accounts/2fa/recovery-codes/")
    assert codes_page.status_code == 200 and 'id="recovery_codes"' in codes_page.text
    assert client.get("/workspace/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(action="account.mfa_added", actor=user, object_id=str(user.pk)).exists()


@pytest.fixture
def enrolled_official():
    user = UserFactory(roles=["official"], is_staff=True)
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).generate_codes()
    return user, secret, codes


def test_enrolled_staff_enter_the_code_at_sign_in_then_reach_workspace_and_admin(client, enrolled_official):
    user, secret, _codes = enrolled_official
    response = sign_in(client, user, next_url="/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert not signed_in(client)
    assert client.get("/workspace/").status_code == 302  # to the sign-in, not yet signed in

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "12345"})
    assert wrong.status_code == 200 and "Kode salah." in wrong.text and not signed_in(client)
    assert AuditEntry.objects.filter(action="account.mfa_failed", object_id=str(user.pk)).exists()

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/workspace/").status_code == 200
    entry = AuditEntry.objects.get(action="account.signed_in")
    assert entry.actor == user and entry.after == {"mfa": True}


def test_a_recovery_code_works_once(client, enrolled_official):
    user, _secret, codes = enrolled_official
    sign_in(client, user)
    response = client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    assert client.get("/workspace/").status_code == 200

    client.post("/accounts/logout/")
    sign_in(client, user)
    again = client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert again.status_code == 200 and "Kode salah." in again.text
    assert not signed_in(client)
    # Another unused code still works.
    response = client.post("/accounts/2fa/authenticate/", {"code": codes[1]})
    assert response.status_code == 302 and signed_in(client)


def test_an_applicant_is_not_asked_for_a_second_factor(client):
    applicant = UserFactory()
    response = sign_in(client, applicant)
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    assert client.get("/workspace/").status_code == 200


def test_check_deploy_flags_the_requirement_switched_off(settings):
    assert "organisations.W001" not in {m.id for m in run_checks(include_deployment_checks=True)}
    settings.STAFF_MFA_REQUIRED = False
    assert "organisations.W001" in {m.id for m in run_checks(include_deployment_checks=True)}
