"""Parallel test workers (pytest-xdist, ``make test`` runs two): each worker gets a Redis
database of its own for the cache and the Celery broker, so one worker's ``cache.clear()`` or
queued task never reaches the other's. Loaded as a plugin (``-p tests.support.parallel`` in
pyproject.toml) because the environment must change before pytest-django reads the settings.

The rest is per worker already: pytest-django gives each worker its own PostgreSQL test
database (``test_marketplace_gw0``, ``…_gw1``), and the Elasticsearch and Stripe test servers
are started per worker on free ports."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

# Redis databases for workers gw0, gw1, …: 13 is the payments benchmark's (Makefile).
WORKER_DATABASES = (14, 15, 12, 11, 10, 9, 8, 7)
REDIS_VARIABLES = ("REDIS_URL", "CELERY_BROKER_URL")


def worker_number(worker: str) -> int:
    """``"gw3"`` → 3."""
    return int(worker.removeprefix("gw"))


def with_database(url: str, database: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _use_own_redis_database() -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    database = WORKER_DATABASES[worker_number(worker) % len(WORKER_DATABASES)]
    for variable in REDIS_VARIABLES:
        if os.environ.get(variable, "").startswith("redis://"):
            os.environ[variable] = with_database(os.environ[variable], database)


_use_own_redis_database()
