"""Fixtures of the search tests (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["database", "elasticsearch"])
def engine(request):
    """Run the test on each engine, the database and Elasticsearch (started when first needed);
    data written after this fixture reaches both."""
    if request.param == "elasticsearch":
        request.getfixturevalue("elasticsearch")
    return request.param
