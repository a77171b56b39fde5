"""Serving private files (``core.storage``): they have no URL, so a view that has checked who is
asking hands them out through ``private_file_response``, always with the same headers."""

from __future__ import annotations

import io

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from core import audit
from core.actors import Visitor


def private_file_response(
    file_field: FieldFile, *, download_name: str, by: Visitor, content_type: str | None = None
) -> FileResponse:
    """A download of ``file_field`` named ``download_name``: always an attachment (never shown
    inline), never sniffed into another type, never kept by a shared cache or the browser.
    Without ``content_type`` it is served as ``application/octet-stream``. Raises Http404 when
    the field is empty or its file is gone from the storage. The caller checks permissions;
    every download served is written to the audit trail as ``file.downloaded`` by ``by``, on
    the record that holds the file."""
    if not file_field:
        raise Http404
    try:
        handle = file_field.open("rb")
    except FileNotFoundError:
        raise Http404(_("This file is no longer available.")) from None
    response = _download(handle, download_name=download_name, content_type=content_type)
    _record_download(file_field, by=by)
    return response


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
    data: bytes, *, source: FieldFile, download_name: str, by: Visitor, content_type: str | None = None
) -> FileResponse:
    """A download of ``data`` made from the private file ``source``, with the same headers as
    ``private_file_response`` and the same audit entry (marked as a copy). The caller checks
    permissions."""
    response = _download(io.BytesIO(data), download_name=download_name, content_type=content_type)
    _record_download(source, by=by, copy=True)
    return response


def _record_download(file_field: FieldFile, *, by: Visitor, copy: bool = False) -> None:
    instance = file_field.instance
    after: dict = {"field": file_field.field.name}
    if copy:
        after["copy"] = True
    audit.record(
        actor=by,
        action="file.downloaded",
        object_type=instance._meta.label_lower,
        object_id=instance.pk,
        after=after,
    )


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
