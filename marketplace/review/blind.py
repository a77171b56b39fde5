"""Blind review copies of attachments: a PDF's document metadata (author, creator, title, XMP)
often names the organisation or the person who wrote it, so a reviewer in a blind review gets
a copy without it. The copy is made on the fly at each download rather than cached: an
attachment is at most settings.PROPOSAL_ATTACHMENT_MAX_BYTES, reviewers open each a few times,
and no second file has to follow the original when it is removed."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import DictionaryObject

logger = logging.getLogger(__name__)

# Dictionary entries that carry who made a document rather than what it shows: XMP streams (on
# the catalogue, pages, images), applications' private data, comment authors.
_IDENTIFYING_KEYS = ("/Metadata", "/PieceInfo")


class UnreadablePdf(Exception):
    """The PDF could not be read, so its metadata could not be removed."""


def pdf_without_metadata(data: bytes) -> bytes:
    """A copy of the PDF ``data`` with its document information (``/Info``: author, creator,
    producer, title, dates), every XMP metadata stream, applications' private data and comment
    authors removed; pages, text and images unchanged. Raises UnreadablePdf when pypdf cannot
    read it (damaged, or encrypted with a password)."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadablePdf("encrypted")
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        # pypdf has no public walk over every object; the writer's own list is the complete one.
        for obj in writer._objects:
            if not isinstance(obj, DictionaryObject):
                continue
            for key in _IDENTIFYING_KEYS:
                obj.pop(key, None)
            if obj.get("/Type") == "/Annot" and obj.get("/Subtype") != "/Widget":
                obj.pop("/T", None)  # a comment's author (on a form field it is the field's name)
        # What is no longer referenced (the XMP streams) is left out of the copy.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
    except UnreadablePdf:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        logger.warning("A PDF could not be read to remove its metadata: %r", exc)
        raise UnreadablePdf(str(exc)) from exc
    return out.getvalue()
