"""Search quality for both engines over the demo data (``make search-eval``).

Expects a database with the demo data (the Makefile target drops, migrates and seeds
``marketplace_search_eval`` first). Rebuilds the database copy and evaluates the database
engine; then starts the Elasticsearch test server (as the test suite does), indexes every
kind into it and evaluates Elasticsearch. Pass ``--verbose`` for the per-query figures."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command, get_commands

    from devtools.elasticsearch_server import running_elasticsearch
    from search import api as search

    verbose = "--verbose" in argv
    judgments = next((a.split("=", 1)[1] for a in argv if a.startswith("--judgments=")), None)
    options = {"verbose": verbose, **({"judgments": judgments} if judgments else {})}

    settings.ELASTICSEARCH_URL = ""
    copied = search.rebuild_database_copy()
    print(f"Database copy rebuilt: {copied} documents.", flush=True)
    call_command("search_eval", engine="database", **options)

    print("Starting the Elasticsearch test server…", flush=True)
    with running_elasticsearch() as url:
        settings.ELASTICSEARCH_URL = url
        os.environ["ELASTICSEARCH_URL"] = url
        if "search_reindex" in get_commands():
            call_command("search_reindex", stdout=io.StringIO())
        else:
            for kind in search.kinds():
                search.reindex(kind)
        print("Elasticsearch index built.", flush=True)
        call_command("search_eval", engine="elasticsearch", **options)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
