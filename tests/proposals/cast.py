"""The cast every proposals module's scene starts from: what tests/proposals/conftest.py hands
to the tests as ``official``, ``region``, ``challenge`` and ``owner``. A module's ``Scene`` adds
its own people and objects to it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Cast:
    official: object
    region: object
    challenge: object
    owner: object
