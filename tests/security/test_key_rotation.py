"""Rotating SECRET_KEY does not break what users hold: a password-reset link emailed before the
rotation still works while the old key is listed in SECRET_KEY_FALLBACKS (docs/security.md:
rotate the keys), and stops working once it is dropped."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
OLD, NEW = "old-key-" + "o" * 50, "new-key-" + "n" * 50


def _reset_link(client, capture) -> str:
    with capture(execute=True):
        client.post("/accounts/password/reset/", {"email": "sari@warung.id"})
    (email,) = mail.outbox
    return re.search(r"https?://[^/\s]+(/\S*password/reset/key/\S*)", email.body).group(1)


def _opens_the_password_form(client, link: str) -> bool:
    response = client.get(link, follow=True)
    return response.status_code == 200 and "password1" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("fallbacks", "still_works"), [([OLD], True), ([], False)])
def test_a_reset_link_survives_a_key_rotation_while_the_old_key_is_a_fallback(
    client, settings, django_capture_on_commit_callbacks, fallbacks, still_works
):
    cache.clear()
    factories.UserFactory(email="sari@warung.id")
    settings.SECRET_KEY = OLD
    link = _reset_link(client, django_capture_on_commit_callbacks)

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, fallbacks

    assert _opens_the_password_form(client, link) is still_works


def test_the_fallback_keys_are_read_from_the_environment():
    env = {**os.environ, "SECRET_KEY": NEW, "SECRET_KEY_FALLBACKS": f"{OLD},older-key", "DEBUG": "1"}
    probe = "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {probe}"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str([OLD, "older-key"])
