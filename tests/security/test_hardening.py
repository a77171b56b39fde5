"""Security issue, items 9, 10 (headers), 13 and 17: request limits, CSP and HTTPS settings, bad
input, malformed webhooks. Each test failed on the code before the change that it guards.

The compose side of item 9 (the nginx proxy, its limits, gthread workers) is checked in
tests/test_docker_compose.py; here is Django's own refusal of what the proxy would refuse."""

from __future__ import annotations

import json
import os
import re
import secrets
import string
import subprocess
import sys
import time
from pathlib import Path

import pytest
import stripe
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import sync_playwright

from core.money import RupiahField
from payments import api as payments_api
from payments import tasks
from payments.models import Transaction, WebhookEvent
from tests import factories
from tests.conftest import STRIPE_WEBHOOK_SECRET
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _indonesian():
    """A request leaves its language active in the thread (LocaleMiddleware), and ``reverse``
    follows it: each test starts in the default language, Indonesian."""
    with translation.override("id"):
        yield


# --- 13. Bad input: NUL bytes and implausible amounts ---------------------------------------


def test_a_nul_byte_in_an_api_filter_is_a_400_with_a_message(client):
    response = client.get("/api/v1/ledger/?kind=%00")
    assert response.status_code == 400
    assert "karakter NUL" in response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [("/challenges/?q=air%00bersih", "karakter NUL"), ("/en/challenges/?q=air%00bersih", "NUL character")],
)
def test_a_nul_byte_in_a_public_page_query_is_a_400_in_the_reader_language(client, url, expected):
    response = client.get(url)
    assert response.status_code == 400
    assert expected in response.content.decode()


def test_a_nul_byte_in_form_data_is_a_400_and_changes_nothing(client, finance, challenge):
    client.force_login(finance)
    response = client.post(
        reverse("marketplace:fund_allocate", kwargs={"slug": challenge.slug}),
        {
            "amount": "15.000.000",
            "reference": "DPA-2026\x00",
            "description": "APBD",
            "idempotency_key": "nul-1",
        },
    )
    assert response.status_code == 400
    assert "karakter NUL" in response.content.decode()
    assert not Transaction.objects.exists()


@pytest.mark.parametrize(
    "amount",
    [
        "Rp 90.000.000.000.000.000",  # Rp 90 kuadriliun: fitted in bigint, was accepted
        "Rp 100.000.000.000.000.000",  # past bigint: was a 500
    ],
)
def test_an_implausible_allocation_is_refused_with_a_message(client, finance, challenge, amount):
    client.force_login(finance)
    response = client.post(
        reverse("marketplace:fund_allocate", kwargs={"slug": challenge.slug}),
        {"amount": amount, "reference": "DPA-2026", "description": "APBD", "idempotency_key": "big-1"},
    )
    assert response.status_code == 200
    assert "antara Rp 1 dan Rp 1.000.000.000.000" in response.content.decode()
    assert not Transaction.objects.exists()


def test_the_ceiling_is_a_setting(client, settings, finance, challenge):
    settings.MONEY_MAX_RUPIAH = 5_000_000_000
    client.force_login(finance)
    response = client.post(
        reverse("marketplace:fund_allocate", kwargs={"slug": challenge.slug}),
        {"amount": "Rp 6.000.000.000", "reference": "DPA", "description": "", "idempotency_key": "k"},
    )
    assert "antara Rp 1 dan Rp 5.000.000.000" in response.content.decode()
    assert not Transaction.objects.exists()


def test_the_money_field_refuses_past_the_ceiling_in_english(english_messages):
    field = RupiahField()
    assert field.clean("Rp 1.000.000.000.000") == 1_000_000_000_000_00
    with pytest.raises(Exception, match=r"between Rp 1 and Rp 1\.000\.000\.000\.000"):
        field.clean("Rp 1.000.000.000.001")


def test_no_service_writes_an_amount_past_the_ceiling(finance, english_messages):
    fund = payments_api.fund_get_or_create(reference="challenge:900", name="Uji")
    with pytest.raises(payments_api.PaymentError, match="at most"):
        payments_api.allocation_record(
            fund=fund, amount=10**19, by=finance, description="APBD", idempotency_key="overflow"
        )
    assert not Transaction.objects.exists()


# --- 9. Request size: Django refuses a body larger than any upload before reading it ---------


def test_an_oversized_anonymous_body_is_refused_before_it_is_read(client, settings):
    url = reverse("account_signup")
    too_big = settings.REQUEST_BODY_MAX_BYTES + 1
    response = client.post(url, {"file": SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * too_big)})
    assert response.status_code == 413
    assert "terlalu besar" in response.content.decode()
    assert "11 MB" in response.content.decode()


def test_the_largest_upload_still_fits(settings):
    assert settings.REQUEST_BODY_MAX_BYTES > settings.PROPOSAL_ATTACHMENT_MAX_BYTES
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.REQUEST_BODY_MAX_BYTES
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= settings.REQUEST_BODY_MAX_BYTES


def test_a_large_form_body_without_files_is_refused_by_django(client, finance, challenge):
    client.force_login(finance)
    response = client.post(
        reverse("marketplace:fund_allocate", kwargs={"slug": challenge.slug}),
        {"amount": "1.000", "reference": "DPA", "description": "x" * 3_000_000, "idempotency_key": "k"},
    )
    assert response.status_code == 400
    assert not Transaction.objects.exists()


# --- 10. Content Security Policy, HSTS and the HTTPS redirect ---------------------------------


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    assert header, "no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style([^>]*)>", re.IGNORECASE)


def _assert_strict(response):
    assert response.status_code == 200
    policy = _policy(response)
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"]
    assert "'self'" in policy["script-src"]
    html = response.content.decode()
    nonces = [source for source in policy["script-src"] if source.startswith("'nonce-")]
    for attributes in INLINE_SCRIPT.findall(html) + INLINE_STYLE.findall(html):
        assert nonces, "an inline script or style, but no nonce in the policy"
        assert f'nonce="{nonces[0][7:-1]}"' in attributes, attributes
    assert ' style="' not in html, "an inline style attribute, which the policy blocks"


@pytest.fixture
def public_pages(challenge):
    return ["/", "/en/", "/challenges/", f"/challenges/{challenge.slug}/", "/search/?q=air", "/transparency/"]


def test_public_pages_carry_a_strict_policy(client, public_pages):
    for url in public_pages:
        _assert_strict(client.get(url))


@pytest.mark.parametrize("role", ["finance", "official", "applicant"])
def test_the_workspace_carries_a_strict_policy(client, challenge, official, finance, role):
    user = {"finance": finance, "official": official, "applicant": factories.applicant()}[role]
    client.force_login(user)
    _assert_strict(client.get("/workspace/"))


def test_the_wagtail_admin_has_its_own_policy(client, challenge, official):
    client.force_login(official)
    response = client.get("/admin/")
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]


def test_each_policy_is_the_one_django_csp_builds_however_often_it_is_sent(client, official):
    """The middleware keeps the site's and the admin's policies once made: each stays the one
    django-csp builds, whichever is asked for first, and a page with a nonce gets a new one."""
    from csp.utils import build_policy
    from django.conf import settings

    site, admin = build_policy(), build_policy(config=dict(settings.CSP_ADMIN_DIRECTIVES))
    assert site != admin
    for _ in range(2):
        assert client.get("/challenges/").headers["Content-Security-Policy"] == site
    nonces = {_policy(client.get("/api/v1/docs/"))["script-src"][-1] for _ in range(2)}
    assert len(nonces) == 2 and all(nonce.startswith("'nonce-") for nonce in nonces)
    client.force_login(official)
    for _ in range(2):
        assert client.get("/admin/").headers["Content-Security-Policy"] == admin
        assert client.get("/workspace/").headers["Content-Security-Policy"] == site


def _deploy_check(**extra) -> subprocess.CompletedProcess:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "0",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
        "ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/marketplace"),
        **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_check_deploy_is_silent_with_production_settings():
    result = _deploy_check()
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_still_warns_when_https_is_turned_off():
    """The settings are read from the environment: turning HTTPS off is seen, not hidden."""
    result = _deploy_check(SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")
    output = result.stdout + result.stderr
    assert "security.W004" in output and "security.W008" in output


def test_production_answers_with_hsts_and_redirects_plain_http(settings, client, challenge):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    assert client.get("/challenges/").status_code == 301
    response = client.get("/challenges/", secure=True)
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert client.get("/healthz").status_code in (200, 503), "the plain-HTTP healthcheck is not redirected"


# --- 17. Signed but malformed webhooks ---------------------------------------------------------


def _signed(payload) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(
        f"{timestamp}.{body.decode()}", STRIPE_WEBHOOK_SECRET
    )
    return body, f"t={timestamp},v1={signature}"


def _post_webhook(client, payload):
    body, header = _signed(payload)
    return client.post(
        reverse("payments:stripe_webhook"),
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )


MALFORMED = {
    "no id": {"object": "event", "type": "transfer.created", "data": {"object": {"id": "tr_1"}}},
    "a JSON list": [{"id": "evt_1", "type": "transfer.created"}],
    "no data": {"id": "evt_nodata", "object": "event", "type": "transfer.created"},
    "data without object": {"id": "evt_noobj", "type": "transfer.created", "data": {}},
}


@pytest.mark.parametrize("payload", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_signed_malformed_webhook_is_a_400_stored_as_failed(
    client, stripe_emulator, django_capture_on_commit_callbacks, payload
):
    for _ in range(2):  # a replay stores nothing more
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = _post_webhook(client, payload)
        assert response.status_code == 400
        assert not callbacks, "a malformed event was queued for processing"
    event = WebhookEvent.objects.get()
    assert event.status == WebhookEvent.Status.FAILED
    assert event.error
    tasks.process_pending_webhook_events()
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.FAILED


def test_a_poison_event_is_retried_a_limited_number_of_times(
    client, settings, stripe_emulator, django_capture_on_commit_callbacks
):
    """A well-formed event whose transfer has no id: its handler fails every time."""
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    payload = {"id": "evt_poison", "type": "transfer.created", "data": {"object": {"object": "transfer"}}}
    with django_capture_on_commit_callbacks(execute=False):
        assert _post_webhook(client, payload).status_code == 200
    for _ in range(5):  # the beat sweep, once a minute
        tasks.process_pending_webhook_events()
    event = WebhookEvent.objects.get(event_id="evt_poison")
    assert event.status == WebhookEvent.Status.FAILED
    assert event.attempts == 3
    assert event.error


# --- 17. Finance officers see the failed events; no one else does ------------------------------


@pytest.fixture
def failed_event(client, stripe_emulator):
    _post_webhook(client, MALFORMED["no data"])
    return WebhookEvent.objects.get()


FAILED_LIST = "/workspace/finance/webhooks/failed/"


def test_finance_officers_see_failed_webhook_events(client, finance, failed_event):
    client.force_login(finance)
    response = client.get(FAILED_LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "evt_nodata" in html and "no data.object" in html
    assert FAILED_LIST in client.get("/workspace/").content.decode()


@pytest.mark.parametrize("role", ["applicant", "official", "agency_head", "reviewer", "sponsor"])
def test_other_roles_may_not_see_failed_webhook_events(client, failed_event, role):
    user = factories.applicant() if role == "applicant" else factories.UserFactory(roles=[role])
    client.force_login(user)
    response = client.get(FAILED_LIST)
    assert response.status_code == 403
    assert "evt_nodata" not in response.content.decode()
    assert FAILED_LIST not in client.get("/workspace/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(failed_event):
    response = Client().get(FAILED_LIST)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- 10. Nothing the site needs is blocked by the policy, in a real browser ---------------------

# Collects the browser's own report of each blocked script, style, image or connection.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_page_is_broken_by_the_policy_in_chromium(live_server, official):
    challenge = factories.challenge(officials=[official], slug="air-bersih", title="Air bersih desa")
    client = Client()
    client.force_login(official)
    pages = ["/", f"/challenges/{challenge.slug}/", "/search/?q=air", "/workspace/", "/admin/"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        context = browser.new_context(locale="id-ID")
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        errors: list[str] = []

        def console(message):
            # Also the icon the browser asks for on its own (/favicon.ico) must be there.
            if message.type == "error":
                errors.append(f"{message.text} ({message.location.get('url')})")

        page.on("console", console)
        page.on("pageerror", lambda error: errors.append(str(error)))
        for path in pages:
            response = page.goto(f"{live_server.url}{path}", wait_until="networkidle")
            assert response is not None and response.status == 200, path
            assert "Content-Security-Policy" in {name.title() for name in response.headers}, path
            if path == "/search/?q=air":
                page.locator("#search-q").fill("air bers")  # the autocomplete fetches
                page.wait_for_timeout(800)
            violations = page.evaluate("window.__cspViolations")
            assert not violations, f"{path}: {violations}"
            assert not errors, f"{path}: {errors}"
        browser.close()
