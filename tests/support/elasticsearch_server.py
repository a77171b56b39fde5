"""The Elasticsearch-compatible test server lives in ``devtools`` (the benchmark and the search
evaluation start it too); the test suite imports it from here."""

from devtools.elasticsearch_server import (  # noqa: F401
    free_port,
    running_elasticsearch,
    stop_elasticsearch,
    wait_until_answers,
)
