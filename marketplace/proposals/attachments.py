"""Proposal attachments: private storage, type detection by content, the virus-scan hook and
safe display names. Nothing here trusts what the uploader called the file."""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core import archives
from core.errors import DomainError


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT, with no public URL.
    The root is read on each use so tests and deployments can point it elsewhere."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a permission-checked view.")


def attachment_path(instance, filename: str) -> str:
    """``filename`` is already random (see ``random_name``); group files per proposal."""
    return f"proposals/{instance.proposal_id}/{filename}"


def random_name(extension: str) -> str:
    return f"{uuid.uuid4().hex}.{extension}"


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str


PDF = FileKind("pdf", "application/pdf")
PNG = FileKind("png", "image/png")
JPEG = FileKind("jpg", "image/jpeg")
GIF = FileKind("gif", "image/gif")
WEBP = FileKind("webp", "image/webp")
# Word, Excel and PowerPoint 97-2003 share one container; the name only picks among them.
OLE_KINDS = {
    "doc": FileKind("doc", "application/msword"),
    "xls": FileKind("xls", "application/vnd.ms-excel"),
    "ppt": FileKind("ppt", "application/vnd.ms-powerpoint"),
}
DOCX = FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
PPTX = FileKind("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation")
ODF_KINDS = {
    "application/vnd.oasis.opendocument.text": FileKind("odt", "application/vnd.oasis.opendocument.text"),
    "application/vnd.oasis.opendocument.spreadsheet": FileKind(
        "ods", "application/vnd.oasis.opendocument.spreadsheet"
    ),
    "application/vnd.oasis.opendocument.presentation": FileKind(
        "odp", "application/vnd.oasis.opendocument.presentation"
    ),
}
OFFICE_ARCHIVE_KINDS = {
    "docx": DOCX,
    "xlsx": XLSX,
    "pptx": PPTX,
    **{kind.extension: kind for kind in ODF_KINDS.values()},
}


def detect_kind(fileobj, original_name: str = "", *, field: str = "file") -> FileKind | None:
    """The kind of an accepted file, judged by its bytes; None for anything else
    (executables, scripts, HTML...). A ZIP archive must be a valid office document of the
    format its name claims (``core.archives``); DomainError on ``field`` says why it is not."""
    extension = os.path.splitext(original_name)[1].lower().lstrip(".")
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE_KINDS.get(extension, OLE_KINDS["doc"])
    if head.startswith(b"PK\x03\x04"):
        return OFFICE_ARCHIVE_KINDS[archives.office_document_kind(fileobj, extension, field=field)]
    return None


_UNSAFE = re.compile(r"[^\w .,()\-]+")


def display_name(original: str, kind: FileKind) -> str:
    """A name safe to show and to offer on download: no path, no control characters, no
    markup, at most 100 characters, ending in the extension of the detected kind."""
    base = os.path.basename(str(original).replace("\\", "/"))
    base = unicodedata.normalize("NFKC", base)
    stem = os.path.splitext(base)[0]
    stem = _UNSAFE.sub("_", stem).strip(" ._") or "lampiran"
    return f"{stem[:90]}.{kind.extension}"


def accept_everything(upload) -> tuple[bool, str]:
    """The default virus-scan hook: it scans nothing and accepts every file.

    Point settings.PROPOSAL_ATTACHMENT_SCANNER at a real scanner (for example one that
    streams the file to clamd) in production. A scanner takes the uploaded file and returns
    ``(clean, reason)``; ``reason`` is shown to the uploader when ``clean`` is False."""
    return True, ""


def scan(upload) -> tuple[bool, str]:
    scanner = import_string(settings.PROPOSAL_ATTACHMENT_SCANNER)
    upload.seek(0)
    try:
        return scanner(upload)
    finally:
        upload.seek(0)


def check_upload(upload, *, field: str = "file") -> FileKind:
    """The checks every uploaded document passes: not empty, within
    settings.PROPOSAL_ATTACHMENT_MAX_BYTES, a known kind by its content, and clean by the
    virus-scan hook. Returns the detected kind; raises DomainError with the reason."""
    limit = settings.PROPOSAL_ATTACHMENT_MAX_BYTES
    if not upload.size:
        raise DomainError(_("The file is empty."), field=field)
    if upload.size > limit:
        raise DomainError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            field=field,
        )
    kind = detect_kind(upload, upload.name or "", field=field)
    if kind is None:
        raise DomainError(
            _(
                "Only PDF files, images (PNG, JPEG, GIF, WebP) and office documents (Word, Excel, "
                "PowerPoint, OpenDocument) can be attached; this file is none of them."
            ),
            field=field,
        )
    clean, reason = scan(upload)
    if not clean:
        raise DomainError(_("The virus scan refused this file: %(reason)s") % {"reason": reason}, field=field)
    return kind
