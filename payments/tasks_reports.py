"""Scheduled reports on the money (registered through CELERY_IMPORTS: Celery's autodiscovery
only imports ``tasks`` modules)."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model

from payments import reconciliation


@shared_task(ignore_result=True)
def reconcile_with_gateway(user_id: int | None = None) -> int:
    """Beat (and the finance officers' "run now"): compare the ledger with its records and the
    gateway since the previous run. Read-only apart from the run it stores; safe to run twice."""
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return reconciliation.reconcile(by=by).run.pk
