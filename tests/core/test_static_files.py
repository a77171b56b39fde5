"""Production serves its static files itself (WhiteNoise's manifest storage): each page names a
file by its content's hash, which browsers and proxies keep for a year and receive compressed,
so a phone on a weak signal fetches the style sheet once per release. Production settings are
read when the process starts (``DEBUG=0``), so this runs in a child process that collects the
files into a folder of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

SCRIPT = """
import json, sys
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

with override_settings(STATIC_ROOT=sys.argv[-1]):
    call_command("collectstatic", "--noinput", verbosity=0)
    client = Client()  # its handler, and so WhiteNoise, is made now, over the collected files
    hashed_url = static("css/site.css")
    hashed = client.get(hashed_url, secure=True, HTTP_ACCEPT_ENCODING="gzip")
    plain = client.get("/static/css/site.css", secure=True)
    print(json.dumps({
        "hashed_url": hashed_url,
        "hashed": [hashed.status_code, hashed["Cache-Control"], hashed.get("Content-Encoding", "")],
        "plain": [plain.status_code, plain["Cache-Control"]],
    }))
"""


def test_static_files_have_hashed_names_kept_a_year_and_are_sent_compressed(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "STATICFILES_BACKEND"}
    env.update(DEBUG="0", SECRET_KEY="static-files-test", ALLOWED_HOSTS="testserver")
    result = subprocess.run(
        [sys.executable, "-c", _RUN, SCRIPT, str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout.strip().splitlines()[-1])

    assert served["hashed_url"].startswith("/static/css/site.")
    assert served["hashed_url"] != "/static/css/site.css"
    status, cache_control, encoding = served["hashed"]
    assert status == 200
    assert "immutable" in cache_control and "max-age=315360000" in cache_control
    assert encoding == "gzip"
    # The unhashed name may change with a release: kept briefly only.
    status, cache_control = served["plain"]
    assert status == 200
    assert "immutable" not in cache_control


# Sets Django up with the production settings the environment gives, then runs the script.
_RUN = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, os.getcwd())
import django
django.setup()
exec(sys.argv[1])
"""
