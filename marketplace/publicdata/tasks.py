"""Open-data tasks: thin, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from marketplace.publicdata.ocds import bulk


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=3)
def write_ocds_bulk() -> dict[str, int]:
    """The daily OCDS bulk files (beat: ``write-ocds-bulk``)."""
    return bulk.write_bulk()
