"""Proposal attachments: recognised by their bytes, size-limited, scanned, stored privately
(``proposals.attachments``)."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actors import Person
from core.errors import DomainError, require
from marketplace.proposals import attachments
from marketplace.proposals import permissions as proposals_permissions
from marketplace.proposals.models import (
    Proposal,
    ProposalAttachment,
)
from marketplace.proposals.services.common import _lock, _must_be_editable

MAX_ATTACHMENTS = 20


# Attachments -----------------------------------------------------------------------------


def proposal_attachment_add(*, proposal: Proposal, by: Person, upload) -> ProposalAttachment:
    """Attach a PDF, image or office document. The type is judged by the file's content, the
    size by settings.PROPOSAL_ATTACHMENT_MAX_BYTES, and the virus-scan hook
    (settings.PROPOSAL_ATTACHMENT_SCANNER) sees every file. Stored under a random name."""
    require(proposals_permissions.can_edit_proposal(by, proposal))
    _must_be_editable(proposal)
    kind = attachments.check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        locked = _lock(proposal)
        _must_be_editable(locked)
        if locked.attachments.filter(removed_at__isnull=True).count() >= MAX_ATTACHMENTS:
            raise DomainError(
                _("A proposal can have at most %(n)d attachments; remove one first.")
                % {"n": MAX_ATTACHMENTS},
                field="file",
            )
        attachment = ProposalAttachment(
            proposal=locked,
            display_name=attachments.display_name(upload.name or "", kind),
            content_type=kind.content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=by,
        )
        attachment.file.save(attachments.random_name(kind.extension), upload, save=False)
        stored = attachment.file.name
        assert stored is not None  # just saved
        try:
            attachment.save()
            audit.record(
                actor=by,
                action="proposal.attachment_added",
                object_type="proposals.proposal",
                object_id=locked.pk,
                after={
                    "attachment": attachment.pk,
                    "name": attachment.display_name,
                    "sha256": attachment.sha256,
                },
            )
        except Exception:
            attachment.file.storage.delete(stored)
            raise
    return attachment


def proposal_attachment_remove(*, attachment: ProposalAttachment, by: Person) -> None:
    """Remove an attachment while the proposal is editable. A file that a submitted version
    lists is kept on disk (hidden from the draft) so that version stays whole."""
    proposal = attachment.proposal
    require(proposals_permissions.can_edit_proposal(by, proposal))
    with transaction.atomic():
        locked = _lock(proposal)
        _must_be_editable(locked)
        if locked.versions.exists():
            ProposalAttachment.objects.filter(pk=attachment.pk).update(removed_at=timezone.now())
        else:
            name = attachment.file.name
            assert name is not None  # an attachment always has its file
            ProposalAttachment.objects.filter(pk=attachment.pk).delete()
            storage = attachment.file.storage
            transaction.on_commit(lambda: storage.delete(name))
        audit.record(
            actor=by,
            action="proposal.attachment_removed",
            object_type="proposals.proposal",
            object_id=locked.pk,
            after={"attachment": attachment.pk, "name": attachment.display_name},
        )
