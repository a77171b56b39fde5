"""`make lighthouse`: Lighthouse (mobile) on the demo site served as production serves it.

Seeds the demo data into a SQLite file of its own (.lighthouse/demo.sqlite3, made once; delete it
to start again), collects the static files, serves the site with gunicorn and DEBUG=0 on
LIGHTHOUSE_PORT (default 8799), runs Lighthouse 12 (installed by the Makefile into .lighthouse/)
with Debian's Chromium on five pages, prints each category's score per page and exits 1 if any
score is below LIGHTHOUSE_MIN (default 95). Reports are left in .lighthouse/reports/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".lighthouse"
REPORTS = WORK / "reports"
LIGHTHOUSE = WORK / "node_modules" / ".bin" / "lighthouse"
PYTHON = sys.executable
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PORT = int(os.environ.get("LIGHTHOUSE_PORT", "8799"))
MINIMUM = int(os.environ.get("LIGHTHOUSE_MIN", "95"))
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")

ENV = {
    **os.environ,
    "DATABASE_URL": f"sqlite:///{WORK / 'demo.sqlite3'}",
    "SECRET_KEY": "lighthouse-only",
    "REDIS_URL": "",
    "CELERY_BROKER_URL": "",
    "CELERY_TASK_ALWAYS_EAGER": "1",
    "ELASTICSEARCH_URL": "",
    "STAFF_MFA_REQUIRED": "0",
    "LOG_LEVEL": "WARNING",
}
# Served as production serves it, but over plain HTTP on the loopback.
SERVE_ENV = {
    **ENV,
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
}


def manage(*args: str, env: dict | None = None) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env or {**ENV, "DEBUG": "1"},
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def pages() -> list[tuple[str, str]]:
    """Home, the challenge list, one challenge, one project, /transparency/."""
    found = manage(
        "shell",
        "-c",
        "from marketplace.challenges.models import ChallengePage; "
        "from marketplace.awards.models import Award; "
        "page = ChallengePage.objects.live().order_by('pk').first(); "
        "award = Award.objects.filter(proposal__challenge__results_published_at__isnull=False)"
        ".order_by('pk').first(); "
        "print(page.slug, award.pk)",
    ).split()
    slug, project = found[-2], found[-1]
    return [
        ("home", "/"),
        ("challenges", "/challenges/"),
        ("challenge", f"/challenges/{slug}/"),
        ("project", f"/projects/{project}/"),
        ("transparency", "/transparency/"),
    ]


def wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped before it answered")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within a minute")


def audit(name: str, url: str) -> dict[str, int]:
    report = REPORTS / f"{name}.json"
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ],
        cwd=ROOT,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
    )
    categories = json.loads(report.read_text())["categories"]
    return {key: round(categories[key]["score"] * 100) for key in CATEGORIES}


def main() -> int:
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: run `make lighthouse`.")
    REPORTS.mkdir(parents=True, exist_ok=True)
    manage("migrate", "--noinput")
    manage("seed_demo")
    manage("collectstatic", "--noinput", env=SERVE_ENV)
    targets = pages()
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", "2"],
        cwd=ROOT,
        env=SERVE_ENV,
    )
    try:
        base = f"http://127.0.0.1:{PORT}"
        wait_until_up(base + "/", server)
        print(f"| page | {' | '.join(CATEGORIES)} |")
        print(f"| --- |{' ---: |' * len(CATEGORIES)}")
        low = []
        for name, path in targets:
            scores = audit(name, base + path)
            print(f"| `{path}` | {' | '.join(str(scores[key]) for key in CATEGORIES)} |", flush=True)
            low += [f"{path} {key} {score}" for key, score in scores.items() if score < MINIMUM]
    finally:
        server.terminate()
        server.wait(timeout=30)
    if low:
        print(f"Below {MINIMUM}: " + "; ".join(low), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
