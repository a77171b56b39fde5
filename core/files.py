"""Serving private files (``core.storage``): they have no URL, so a view that has checked who is
asking hands them out through ``private_file_response``, always with the same headers."""

from __future__ import annotations

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
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name,
        content_type=content_type or "application/octet-stream",
    )
    instance = file_field.instance
    audit.record(
        actor=by,
        action="file.downloaded",
        object_type=instance._meta.label_lower,
        object_id=instance.pk,
        after={"field": file_field.field.name},
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
