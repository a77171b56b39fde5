"""Wagtail's document form (settings.WAGTAILDOCS_DOCUMENT_FORM_BASE), with an office document
checked like every other upload of one (``core.archives``): editors publish these files to
everyone, so a ``.docx`` must be a real Word document with nothing executable inside."""

from __future__ import annotations

import os

from django.core.exceptions import ValidationError
from wagtail.documents.forms import BaseDocumentForm

from core import archives
from core.errors import DomainError


class DocumentForm(BaseDocumentForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None or "file" not in self.changed_data:
            return upload
        extension = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
        if extension in archives.OFFICE_EXTENSIONS:
            try:
                archives.office_document_kind(upload, extension)
            except DomainError as exc:
                raise ValidationError(exc.message) from None
        return upload
