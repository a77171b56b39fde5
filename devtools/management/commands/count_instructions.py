"""CPU instructions per warm request of each page, counted by valgrind (``apt-get install valgrind``).

    python manage.py count_instructions / /transparency/ [--requests 50]

Milliseconds on a shared machine move by 10–30 % from run to run; the instructions a request runs
are the same each time, whatever else the machine does, so a change to a page's own work is seen
even when it is a few per cent. Each page is asked for in a process of its own under
``valgrind --tool=callgrind`` with counting off: its address is asked for 30 times to warm what
each process keeps, then counted over ``--requests`` more. The requests go to the WSGI
application as gunicorn would send them (no test client), with the settings of the environment:
run it with the benchmark's (``DEBUG=0``, Redis) on a database with data, as docs/performance.md
says. Nothing is measured over the network, so the page cache's front is left out (its
``PAGE_CACHE_SECONDS`` is set to 0): this is what a page costs when it has to be made."""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

WARM_REQUESTS = 30
COLLECTED = re.compile(r"Collected : (\d+)")


def _environ(path: str) -> dict:
    address, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": address,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }


def _ask(application, path: str) -> str:
    statuses: list[str] = []
    body = application(_environ(path), lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    if hasattr(body, "close"):
        body.close()
    return statuses[0]


class Command(BaseCommand):
    help = "CPU instructions per warm request of each page (valgrind's callgrind), in millions."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--requests", type=int, default=50, help="requests counted per page")
        parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, paths: list[str], requests: int, child: bool, **options):
        if child:
            self._serve_counted(paths[0], requests)
            return
        if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
            raise CommandError("valgrind is not installed: apt-get install -y valgrind")
        for path in paths:
            millions = self._count(path, requests) / requests / 1e6
            self.stdout.write(f"{path:50} {millions:8.3f} M instructions per request")

    def _count(self, path: str, requests: int) -> int:
        """The child warms up, says "ready" and waits; counting is turned on from here, the child
        makes its requests, says "done" and waits again while counting is turned off."""
        with tempfile.TemporaryDirectory() as folder:
            log = Path(folder, "valgrind.log")
            command = [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={Path(folder, 'callgrind.out')}",
                f"--log-file={log}",
                sys.executable,
                str(Path(settings.BASE_DIR, "manage.py")),
                "count_instructions",
                "--child",
                "--requests",
                str(requests),
                path,
            ]
            environment = {**os.environ, "PAGE_CACHE_SECONDS": "0"}
            with subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment, text=True
            ) as process:
                for said, switch in (("ready", "on"), ("done", "off")):
                    line = process.stdout.readline().strip()  # type: ignore[union-attr]
                    if line != said:
                        process.kill()
                        raise CommandError(f"{path}: the counted process said {line!r}, not {said!r}")
                    subprocess.run(
                        ["callgrind_control", "-i", switch, str(process.pid)], check=True, capture_output=True
                    )
                    process.stdin.write("go\n")  # type: ignore[union-attr]
                    process.stdin.flush()  # type: ignore[union-attr]
            found = COLLECTED.search(log.read_text())
        if process.returncode or not found:
            raise CommandError(f"{path}: valgrind ended with {process.returncode} and no count")
        return int(found.group(1))

    def _serve_counted(self, path: str, requests: int) -> None:
        from django.core.wsgi import get_wsgi_application

        application = get_wsgi_application()
        for _ in range(WARM_REQUESTS):
            status = _ask(application, path)
        if not status.startswith("200"):
            raise CommandError(f"{path} answered {status}")
        self._say_and_wait("ready")
        for _ in range(requests):
            _ask(application, path)
        self._say_and_wait("done")

    def _say_and_wait(self, word: str) -> None:
        self.stdout.write(word)
        self.stdout.flush()
        sys.stdin.readline()
