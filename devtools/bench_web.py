"""`make bench-web`: the public pages served as in production (gunicorn, DEBUG=0, PostgreSQL,
Redis cache) next to a bare Django view, measured with wrk at one and at sixteen connections.

The product listens on 127.0.0.1:8300 as production runs it (anonymous pages from the page
cache), the bare view (devtools/hello_site.py) on 127.0.0.1:8301, and the product with its page
cache off on 127.0.0.1:8302 (what every page costs when it has to be made); their PIDs are kept
in PID_FILE so that `make bench-web-serve` can leave them running for other tools and
`make bench-web-stop` can stop them."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PRODUCT_PORT = 8300
HELLO_PORT = 8301
UNCACHED_PORT = 8302
PID_FILE = Path(os.environ.get("BENCH_WEB_PID_FILE", "/tmp/marketplace-bench-web.pids"))
WORKERS = "2"


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    mean_latency_ms: float

    @property
    def ms_per_request(self) -> float:
        return 1000.0 / self.requests_per_second if self.requests_per_second else float("inf")


def product_environment(**overrides: str) -> dict[str, str]:
    """The product as production runs it, on the benchmark's database (from the environment)."""
    environment = dict(os.environ)
    environment.pop("PAGE_CACHE_SECONDS", None)
    environment.update(
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        LOG_LEVEL="WARNING",
        STAFF_MFA_REQUIRED="0",
    )
    environment.update(overrides)
    return environment


def start_servers() -> None:
    """Start the three servers (sync workers, as the comparison is per request) and wait for them."""
    if servers_running():
        return
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=product_environment(),
        check=True,
    )
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    common = ["--workers", WORKERS, "--worker-class", "sync", "--log-level", "warning", "--daemon"]
    pids = []
    servers = (
        ("config.wsgi:application", PRODUCT_PORT, {}),
        ("devtools.hello_site:application", HELLO_PORT, {}),
        ("config.wsgi:application", UNCACHED_PORT, {"PAGE_CACHE_SECONDS": "0"}),
    )
    for module, port, overrides in servers:
        pid_path = PID_FILE.with_suffix(f".{port}")
        subprocess.run(
            [gunicorn, module, "--bind", f"127.0.0.1:{port}", "--pid", str(pid_path), *common],
            env=product_environment(**overrides),
            check=True,
        )
        pids.append(pid_path)
    for port in (PRODUCT_PORT, HELLO_PORT, UNCACHED_PORT):
        wait_until_answering(f"http://127.0.0.1:{port}/")
    PID_FILE.write_text("\n".join(p.read_text().strip() for p in pids) + "\n")


def wait_until_answering(url: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def servers_running() -> bool:
    if not PID_FILE.exists():
        return False
    try:
        for pid in PID_FILE.read_text().split():
            os.kill(int(pid), 0)
    except (OSError, ValueError):
        return False
    return True


def stop_servers() -> None:
    if PID_FILE.exists():
        for pid in PID_FILE.read_text().split():
            with contextlib.suppress(OSError, ValueError):
                os.kill(int(pid), signal.SIGTERM)
        PID_FILE.unlink()


WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_LATENCY = re.compile(r"Latency\s+([\d.]+)(us|ms|s)")


def wrk(url: str, *, connections: int, seconds: int) -> Load:
    threads = min(connections, 2)
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = WRK_RATE.search(output)
    latency = WRK_LATENCY.search(output)
    if not rate or not latency:
        raise RuntimeError(f"wrk printed no figures for {url}:\n{output}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[latency.group(2)]
    return Load(float(rate.group(1)), float(latency.group(1)) * scale)


def cold_ms(url: str, forget, requests: int = 7) -> float:
    """The median time of one request made right after ``forget()`` (a public write: every
    remembered value and kept part is made again), one connection each, as a reader meets it."""
    timings = []
    for _ in range(requests):
        forget()
        started = time.perf_counter()
        urllib.request.urlopen(url, timeout=120).read()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def status_of(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=120).status
    except urllib.error.HTTPError as error:
        return error.code
