"""Private files of payments (transfer proofs): under PRIVATE_MEDIA_ROOT, never given a URL,
read only through permission-checked views."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivatePaymentStorage(FileSystemStorage):
    # Read the setting each time, so a test (or a deployment) can point it elsewhere.
    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL.")


def private_storage() -> PrivatePaymentStorage:
    return PrivatePaymentStorage()
