"""Public uploads are served by the site itself (no separate web server needed); nothing
outside MEDIA_ROOT, such as the private verification documents, is reachable that way."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    logos = settings.MEDIA_ROOT / "organisations" / "logos"
    logos.mkdir(parents=True)
    (logos / "koperasi.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    settings.PRIVATE_MEDIA_ROOT.mkdir()
    (settings.PRIVATE_MEDIA_ROOT / "nib.pdf").write_bytes(b"%PDF-1.4 rahasia")
    return settings


def test_a_logo_is_served_without_debug_and_cached(media):
    response = Client().get("/media/organisations/logos/koperasi.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=604800"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "path",
    [
        "/media/../private-media/nib.pdf",
        "/media/%2e%2e/private-media/nib.pdf",
        "/media/organisations/logos/",
        "/media/tidak-ada.png",
    ],
)
def test_private_files_and_missing_paths_are_not_found(media, path):
    assert Client().get(path).status_code == 404


def test_only_reading_is_allowed(media):
    assert Client().post("/media/organisations/logos/koperasi.png").status_code == 405
