"""The API answers as its schema says: schemathesis generates requests from /api/v1/schema/ and
sends them to the application (in-process, through WSGI) over the demo's data, a bounded number per
operation. No answer may be a server error or fall outside the schema (status code, content type,
body)."""

import io
import os

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.module_data import rolled_back_after_module

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Per operation (ten of them). Enough to reach every parameter with valid and odd values, few
# enough that the run stays well under a minute on two cores; SCHEMATHESIS_EXAMPLES=500 (and
# SCHEMATHESIS_RANDOM=1 for new inputs each run) for a longer hunt.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
RANDOM = os.environ.get("SCHEMATHESIS_RANDOM") == "1"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with rolled_back_after_module(
        django_db_blocker, MEDIA_ROOT=media / "public", PRIVATE_MEDIA_ROOT=media / "private"
    ):
        call_command("seed_demo", force=True, stdout=io.StringIO())
        yield


@pytest.fixture
def keep_the_test_connection():
    """The real WSGI handler closes the database connection after each request, and with it the
    test's transaction; Django's own test client keeps it open the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Loaded when the module is collected (the schema needs no database): one test per operation.
# (``schemathesis.pytest.from_fixture`` would load it per test, but does not work with pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@pytest.mark.long
@pytest.mark.usefixtures("demo", "keep_the_test_connection")
@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_api_answers_as_its_schema_says(case):
    case.call_and_validate(checks=CHECKS)
