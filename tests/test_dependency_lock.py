"""The locks install exactly what requirements*.txt ask for, every package with its hashes.

`make run`, `make test`, CI and the Docker image install from requirements.lock /
requirements-dev.lock with pip's --require-hashes; a pin changed in requirements*.txt without
`make lock` would otherwise be silently ignored."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[_name(match.group(1))] = match.group(2)
    return pins


def _locked(path: Path) -> dict[str, tuple[str, int]]:
    """Package → (version, number of hashes)."""
    locked: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = _name(match.group(1))
            locked[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = locked[current]
            locked[current] = (version, hashes + 1)
    return locked


@pytest.mark.parametrize(
    ("requirements", "lock"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_the_lock_holds_every_pin_at_its_version_with_hashes(requirements, lock):
    locked = _locked(ROOT / lock)
    wanted = _pins(ROOT / requirements)
    if requirements == "requirements-dev.txt":
        wanted |= _pins(ROOT / "requirements.txt")

    assert {name: locked.get(name, ("missing", 0))[0] for name in wanted} == wanted
    assert [name for name, (_version, hashes) in locked.items() if hashes == 0] == []


def test_the_dev_lock_agrees_with_the_runtime_lock():
    runtime, dev = _locked(ROOT / "requirements.lock"), _locked(ROOT / "requirements-dev.lock")
    assert {name: dev.get(name, ("missing", 0))[0] for name in runtime} == {
        name: version for name, (version, _hashes) in runtime.items()
    }
