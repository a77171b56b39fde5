"""`make run` serves the site on the embedded default (SQLite, no Redis, no Elasticsearch):
the suite itself runs on PostgreSQL, so this runs the same steps in a child process on a
fresh SQLite file and checks what a newcomer would open first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What `make run` sees on a fresh machine: none of the services the suite configures.
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "ELASTICSEARCH_URL")

REQUESTS = """
from django.test import Client
client = Client()
for path in ("/", "/challenges/", "/search/?q=puskesmaz", "/search/?q=pembayaran&status=open&sort=amount",
             "/en/search/?q=health+centre", "/api/v1/search/?q=pasar"):
    response = client.get(path)
    print(path, response.status_code, "Puskesmas" in response.content.decode() or "pasar" in
          response.content.decode().lower())
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
    output = manage("shell", "-c", REQUESTS, env=env)
    answers = dict(line.split(" ", 1) for line in output.splitlines() if line.startswith("/"))
    assert set(answers) == {
        "/",
        "/challenges/",
        "/search/?q=puskesmaz",
        "/search/?q=pembayaran&status=open&sort=amount",
        "/en/search/?q=health+centre",
        "/api/v1/search/?q=pasar",
    }
    for path, answer in answers.items():
        assert answer.startswith("200"), f"{path} answered {answer}"
    # The typo, the English synonym and the API each find the demo's documents.
    for path in ("/search/?q=puskesmaz", "/en/search/?q=health+centre", "/api/v1/search/?q=pasar"):
        assert answers[path] == "200 True", f"{path} found nothing: {answers[path]}"
