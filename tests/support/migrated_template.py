"""The migrated test database, made once for a set of migrations and copied for each worker.

Migrating an empty database takes about 40 s of CPU on a 2-core machine, and each test worker
used to do it for itself on every run. The migrated database is kept as a PostgreSQL template
named after a digest of every migration file and of the locks (so a new migration, or a new
Wagtail, makes a new one), and each worker's test database is a copy of it (``CREATE DATABASE
… TEMPLATE``, about a second). Django's own set-up then finds the database there
(``keepdb``), runs ``migrate`` over it (nothing to apply) and serializes its contents as
before."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "marketplace_migrated_"
SKIPPED = {".venv", ".git", "node_modules", "staticfiles", "media"}
LOCK = "marketplace-migrated-template"


def migrations_digest() -> str:
    files = sorted(
        path
        for top in ROOT.iterdir()
        if top.is_dir() and top.name not in SKIPPED
        for path in top.glob("**/migrations/*.py")
    )
    digest = hashlib.sha256()
    for path in [*files, ROOT / "requirements.lock", ROOT / "requirements-dev.lock"]:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _server():
    """A connection to the server's maintenance database, outside any test database."""
    database = settings.DATABASES["default"]
    return psycopg.connect(
        dbname="postgres",
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        autocommit=True,
    )


def copy_migrated_database(test_name: str) -> None:
    """Make ``test_name`` a copy of the migrated template, migrating the template first if no
    template of these migrations exists (one worker does it; the other waits for it)."""
    template = PREFIX + migrations_digest()
    with _server() as server:
        server.execute("SELECT pg_advisory_lock(hashtext(%s))", [LOCK])
        try:
            if not server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone():
                _make_template(server, template)
            server.execute(f'DROP DATABASE IF EXISTS "{test_name}"')
            server.execute(f'CREATE DATABASE "{test_name}" TEMPLATE "{template}"')
        finally:
            server.execute("SELECT pg_advisory_unlock(hashtext(%s))", [LOCK])


def _make_template(server, template: str) -> None:
    stale = server.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [PREFIX + "%"]).fetchall()
    for (name,) in stale:  # other migrations' templates, and a half-made one
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
    building = f"{template}_building"
    server.execute(f'CREATE DATABASE "{building}"')
    # As Django's test set-up migrates (``run_syncdb``), in a process of its own on that database.
    url = urlsplit(os.environ["DATABASE_URL"])
    env = {**os.environ, "DATABASE_URL": urlunsplit(url._replace(path=f"/{building}"))}
    command = [sys.executable, "manage.py", "migrate", "--noinput", "--run-syncdb", "-v0"]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    server.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
