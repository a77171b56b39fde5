"""Serving private files (``core.storage``): they have no URL, so a view that has checked who is
asking hands them out through ``private_file_response``, always with the same headers."""

from __future__ import annotations

import io

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _


def private_file_response(
    file_field: FieldFile, *, download_name: str, content_type: str | None = None
) -> FileResponse:
    """A download of ``file_field`` named ``download_name``: always an attachment (never shown
    inline), never sniffed into another type, never kept by a shared cache or the browser.
    Without ``content_type`` it is served as ``application/octet-stream``. Raises Http404 when
    the field is empty or its file is gone from the storage. The caller checks permissions."""
    if not file_field:
        raise Http404
    try:
        handle = file_field.open("rb")
    except FileNotFoundError:
        raise Http404(_("This file is no longer available.")) from None
    return _download(handle, download_name=download_name, content_type=content_type)


def private_file_bytes(file_field: FieldFile) -> bytes:
    """The whole content of a private file, for a view that serves a changed copy of it
    (``private_copy_response``). Raises Http404 like ``private_file_response``."""
    if not file_field:
        raise Http404
    try:
        with file_field.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise Http404(_("This file is no longer available.")) from None


def private_copy_response(
    data: bytes, *, download_name: str, content_type: str | None = None
) -> FileResponse:
    """A download of ``data`` made from a private file, with the same headers as
    ``private_file_response``. The caller checks permissions."""
    return _download(io.BytesIO(data), download_name=download_name, content_type=content_type)


def _download(handle, *, download_name: str, content_type: str | None) -> FileResponse:
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
