"""Indonesian legal identifiers and the checks on uploaded files.

NIB (Nomor Induk Berusaha, issued by OSS) has 13 digits. NPWP (tax number) has 15 digits,
usually written 99.999.999.9-999.999, or 16 digits in the new form (the NIK of a person, or
a 0 followed by the old 15 digits). Both are stored as digits only and checked by format."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s.\-]")
NPWP_WRITTEN = re.compile(r"^\d{2}\.\d{3}\.\d{3}\.\d-\d{3}\.\d{3}$")


def digits_only(value: str) -> str:
    """``01.234.567.8-901.000`` → ``012345678901000``; anything else is left for the validator."""
    return _SEPARATORS.sub("", value or "")


def validate_nib(value: str) -> None:
    if not re.fullmatch(r"\d{13}", value or ""):
        raise ValidationError(
            _("An NIB has exactly 13 digits, for example 1234567890123."), code="invalid_nib"
        )


def validate_npwp(value: str) -> None:
    if not re.fullmatch(r"\d{15}|\d{16}", value or ""):
        raise ValidationError(
            _("An NPWP has 15 digits (written 99.999.999.9-999.999) or, in the new form, 16 digits."),
            code="invalid_npwp",
        )


def format_npwp(value: str) -> str:
    """The familiar written form for 15 digits; 16-digit numbers are shown as they are."""
    if len(value) == 15 and value.isdigit():
        return f"{value[:2]}.{value[2:5]}.{value[5:8]}.{value[8]}-{value[9:12]}.{value[12:]}"
    return value


def current_year() -> int:
    return timezone.localdate().year


def validate_not_future_year(value: int) -> None:
    if value is not None and value > current_year():
        raise ValidationError(_("The founding year cannot be in the future."), code="future_year")


# Uploaded files ---------------------------------------------------------------------------

LOGO_MAX_BYTES = 1024 * 1024
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# The type is read from the content, never from the name the browser sent.
DOCUMENT_SIGNATURES = {b"%PDF-": "pdf", b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}
DOCUMENT_CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def logo_extension(file) -> str:
    """The logo's real type by its content; raises ValidationError for anything else."""
    from PIL import Image, UnidentifiedImageError

    if file.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo may be at most 1 MB."), code="logo_too_large")
    try:
        file.seek(0)
        with Image.open(file) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError(_("The logo must be a PNG, JPEG or WebP image."), code="logo_type") from exc
    finally:
        file.seek(0)
    if kind not in LOGO_FORMATS:
        raise ValidationError(_("The logo must be a PNG, JPEG or WebP image."), code="logo_type")
    return LOGO_FORMATS[kind]


def document_extension(file) -> str:
    """A verification document's real type by its content (PDF, PNG or JPEG)."""
    if file.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(_("A document may be at most 10 MB."), code="document_too_large")
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for signature, extension in DOCUMENT_SIGNATURES.items():
        if head.startswith(signature):
            return extension
    raise ValidationError(_("Upload a PDF, PNG or JPEG file."), code="document_type")
