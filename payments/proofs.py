"""Transfer proofs (the SP2D scan or the bank receipt a finance officer uploads): judged by their
bytes, within the size limit, and passed through the site's virus scan."""

from __future__ import annotations

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from payments import configuration
from payments.errors import PaymentError

# Kinds --------------------------------------------------------------------------------

PROOF_KINDS = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
}


def proof_kind(fileobj) -> tuple[str, str] | None:
    """(content type, extension) judged by the bytes, never by the name; None otherwise."""
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(0)
    for magic, kind in PROOF_KINDS.items():
        if head.startswith(magic):
            return kind
    return None


def check_proof(upload) -> str:
    """The checks every upload passes (settings.PROPOSAL_ATTACHMENT_MAX_BYTES and the site's
    virus scan, registered through ``payments.api.configure``), for a PDF or an image. Returns
    the content type; raises PaymentError with the reason."""
    limit = settings.PROPOSAL_ATTACHMENT_MAX_BYTES
    if not upload.size:
        raise PaymentError(_("The file is empty."))
    if upload.size > limit:
        raise PaymentError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    kind = proof_kind(upload)
    if kind is None:
        raise PaymentError(
            _("The transfer proof must be a PDF or an image (PNG or JPEG); this file is neither.")
        )
    upload.seek(0)
    try:
        clean, reason = configuration.scan_file(upload)
    finally:
        upload.seek(0)
    if not clean:
        raise PaymentError(_("The virus scan refused this file: %(reason)s") % {"reason": reason})
    return kind[0]
