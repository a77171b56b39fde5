"""Private file storage: kept under PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT, and never given a
URL. Files are read only through views that check who is asking."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateMediaStorage(FileSystemStorage):
    def __init__(self) -> None:
        super().__init__()

    # Read the setting each time, so a test (or a deployment) can point it elsewhere.
    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a permission-checked view.")


def private_storage() -> PrivateMediaStorage:
    return PrivateMediaStorage()
