"""Fixtures of the payments tests (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def people():
    """Two finance officers, an official and a sponsor."""
    from tests.factories import UserFactory

    return {
        "finance": UserFactory(roles=["finance"]),
        "finance2": UserFactory(roles=["finance"]),
        "official": UserFactory(roles=["official"]),
        "sponsor": UserFactory(roles=["sponsor"]),
    }
