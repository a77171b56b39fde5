"""The daily bulk files: every public release in one release package, every record in one record
package, as ``releases.json`` and ``records.json`` (and gzipped copies) under ``OCDS_BULK_ROOT``.
Each file is written beside its final name and renamed into place, so a reader never sees half a
file. A package is dated by its latest release, so the same data always gives the same bytes."""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from marketplace.publicdata.ocds import packages

FILES = ("releases.json", "records.json", "releases.json.gz", "records.json.gz")


def bulk_root() -> Path:
    return Path(str(settings.OCDS_BULK_ROOT))


def bulk_url(name: str, base_url: str | None = None) -> str:
    base = (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/")
    return base + reverse("api-ocds-bulk", kwargs={"name": name})


def write_bulk(base_url: str | None = None) -> dict[str, int]:
    """Write the files; returns how many releases and records they hold."""
    base = (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/")
    by_ocid: dict[str, list[dict]] = {}
    after = 0
    while True:
        page = packages.releases_page(base_url=base, after=after)
        by_ocid.update(page.releases)
        if page.next_after is None:
            break
        after = page.next_after
    releases = [release for group in by_ocid.values() for release in group]
    release_package = packages.release_package(releases, uri=bulk_url("releases.json", base))
    record_package = packages.record_package(by_ocid, uri=bulk_url("records.json", base))
    root = bulk_root()
    root.mkdir(parents=True, exist_ok=True)
    for name, package in (("releases.json", release_package), ("records.json", record_package)):
        data = json.dumps(package, ensure_ascii=False, separators=(",", ":")).encode()
        _write(root / name, data)
        _write(root / f"{name}.gz", gzip.compress(data, mtime=0))
    return {"releases": len(releases), "records": len(by_ocid)}


def _write(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
