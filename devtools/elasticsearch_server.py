"""Starts the Elasticsearch-compatible test server (PyPI noida-db) on a free port."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _binary() -> str:
    candidate = Path(sys.executable).with_name("noida-db")
    return str(candidate) if candidate.exists() else "noida-db"


def wait_until_answers(url: str, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return json.loads(response.read() or b"{}")
        except Exception as exc:  # noqa: BLE001 - keep polling until the deadline
            last_error = exc
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout}s: {last_error}")


@contextlib.contextmanager
def running_elasticsearch() -> Iterator[str]:
    data_dir = tempfile.mkdtemp(prefix="es-test-")
    port = free_port()
    started = subprocess.run(
        [
            _binary(),
            "up",
            "--only",
            "elasticsearch",
            "--elasticsearch-port",
            str(port),
            "--data-dir",
            data_dir,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if started.returncode != 0:
        raise RuntimeError(f"noida-db did not start: {started.stdout}\n{started.stderr}")
    url = f"http://127.0.0.1:{port}"
    _data_dirs[url] = data_dir
    try:
        wait_until_answers(url)
        yield url
    finally:
        stop_elasticsearch(url)
        shutil.rmtree(data_dir, ignore_errors=True)


_data_dirs: dict[str, str] = {}


def stop_elasticsearch(url: str) -> None:
    """Stop a server started by ``running_elasticsearch`` (tests of an outage call it early)."""
    data_dir = _data_dirs.pop(url, None)
    if data_dir:
        subprocess.run([_binary(), "down", "--data-dir", data_dir], capture_output=True, timeout=60)
