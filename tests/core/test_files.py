"""Every private download answers the same way, whichever view checked who may have it."""

import pytest
from django.http import Http404

from core.files import private_file_response
from marketplace.awards.models import MilestoneEvidence


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "laporan.pdf").write_bytes(b"%PDF-1.4 rahasia")
    return tmp_path


@pytest.mark.django_db  # every download served is written to the audit trail
def test_a_private_file_is_an_attachment_never_sniffed_nor_cached(private_root):
    field = MilestoneEvidence(file="evidence/laporan.pdf").file

    response = private_file_response(
        field, download_name="laporan tahap 1.pdf", by=None, content_type="application/pdf"
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="laporan tahap 1.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 rahasia"
    response.file_to_stream.close()


@pytest.mark.django_db
def test_without_a_known_type_it_is_served_as_bytes(private_root):
    field = MilestoneEvidence(file="evidence/laporan.pdf").file

    response = private_file_response(field, download_name="laporan.pdf", by=None)

    assert response["Content-Type"] == "application/octet-stream"
    # The file only: a response's own close() tells Django the request finished, which touches
    # the database this test has no access to.
    response.file_to_stream.close()


@pytest.mark.parametrize("name", ["", "evidence/hilang.pdf"])
def test_an_empty_field_or_a_file_gone_from_storage_is_not_found(private_root, name):
    with pytest.raises(Http404):
        private_file_response(MilestoneEvidence(file=name).file, download_name="x.pdf", by=None)
