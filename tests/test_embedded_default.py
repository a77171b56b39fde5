"""`make run` serves the site on the embedded default (SQLite, no Redis, no Elasticsearch):
the suite itself runs on PostgreSQL, so this runs the same steps in a child process on a
fresh SQLite file and checks what a newcomer would open first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# It migrates and seeds a database of its own (a SQLite file, in a child process) for a minute
# or more: the mark keeps it out of the fast lane (`make test-fast` selects "not django_db");
# the test database it also gets is not used.
pytestmark = [pytest.mark.django_db, pytest.mark.long]

# What `make run` sees on a fresh machine: none of the services the suite configures.
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "ELASTICSEARCH_URL")

# Each page, the status it answers with, and a demo title it must show.
PAGES = {
    "/": "Antrean daring untuk puskesmas",
    "/challenges/": "Retribusi pasar nontunai",
    "/search/?q=puskesmaz": "Antrean daring untuk puskesmas",  # a typo, corrected
    "/search/?q=pembayaran&status=open&sort=amount": "Retribusi pasar nontunai",  # an affix
    # An English synonym; the English page shows the challenge's English title.
    "/en/search/?q=health+centre": "Online queueing for community health centres",
    # The funded projects, their year filter's choices included (read with SQL of its own on
    # PostgreSQL), in both languages.
    "/projects/": "Posyandu Digital: catat tumbuh kembang tanpa sinyal",
    "/en/projects/": "Digital Posyandu: recording child growth without signal",
    "/challenges/antrean-puskesmas-daring/": "Antrean daring untuk puskesmas",
    "/transparency/": "Antrean daring untuk puskesmas",
}
REQUESTS = """
import json
from django.test import Client
client = Client()
for path, title in json.loads(PAGES).items():
    response = client.get(path)
    print(json.dumps([path, response.status_code, title in response.content.decode()]))
api = client.get("/api/v1/search/?q=pasar")
print(json.dumps(["api", api.status_code, api.json()["count"]]))
"""


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_the_embedded_default_migrates_seeds_and_searches(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private-media"),
        DEBUG="1",
    )
    manage("migrate", "--noinput", "-v0", env=env)
    manage("seed_demo", env=env)
    manage("search_reindex", "--if-empty", env=env)
    script = f"PAGES = {json.dumps(json.dumps(PAGES))}\n{REQUESTS}"
    output = manage("shell", "-c", script, env=env)
    rows = [json.loads(line) for line in output.splitlines() if line.startswith("[")]
    answers = {row[0]: row[1:] for row in rows}
    for path in PAGES:
        assert answers[path] == [200, True], f"{path} did not show {PAGES[path]!r}: {answers.get(path)}"
    status, count = answers["api"]
    assert status == 200 and count >= 1, f"the search API found nothing for 'pasar' ({status}, {count})"
