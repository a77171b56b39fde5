"""Search quality for both engines, on two sets of judgments (``make search-eval``):

- **tuned-on**: ``devtools/data/judgments.json`` over the demo data. The synonyms and thresholds
  were tuned on these queries, so their figures say how well the tuning fits, not how good
  search is.
- **held-out**: ``devtools/data/judgments_heldout.json`` over the evaluation corpus
  (``devtools/eval_corpus.py``), written before any run against them. These are the
  measurement.

Expects a database with the demo data (the Makefile target drops, migrates and seeds its own
database first). Rebuilds the database copy and evaluates the database engine; starts the
Elasticsearch test server (as the test suite does), indexes every kind into it and evaluates
Elasticsearch; then replaces the database copy with the evaluation corpus, indexes the corpus
under indices of its own, and evaluates both engines on the held-out set. Ends with one line
per set and engine. Pass ``--verbose`` for the per-query figures."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

HELDOUT_FILE = ROOT / "devtools" / "data" / "judgments_heldout.json"


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command, get_commands

    from devtools import eval_corpus
    from devtools.elasticsearch_server import running_elasticsearch
    from search import api as search

    verbose = "--verbose" in argv
    tuned = next((a.split("=", 1)[1] for a in argv if a.startswith("--judgments=")), None)
    heldout = next((a.split("=", 1)[1] for a in argv if a.startswith("--heldout=")), str(HELDOUT_FILE))
    summary: list[str] = []

    def evaluate(label: str, engine: str, judgments: str | None) -> None:
        out = io.StringIO()
        options = {"verbose": verbose, **({"judgments": judgments} if judgments else {})}
        call_command("search_eval", engine=engine, stdout=out, **options)
        print(out.getvalue(), end="", flush=True)
        summary.append(f"set={label:<9} {out.getvalue().strip().splitlines()[-1]}")

    print("== tuned-on: devtools/data/judgments.json over the demo data ==", flush=True)
    settings.ELASTICSEARCH_URL = ""
    copied = search.rebuild_database_copy()
    print(f"Database copy rebuilt: {copied} documents.", flush=True)
    evaluate("tuned-on", "database", tuned)

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
        evaluate("tuned-on", "elasticsearch", tuned)

        print("== held-out: devtools/data/judgments_heldout.json over the evaluation corpus ==", flush=True)
        settings.ELASTICSEARCH_URL = ""
        print(f"Database copy replaced by the evaluation corpus: {eval_corpus.load_database()} documents.")
        evaluate("held-out", "database", heldout)
        settings.ELASTICSEARCH_URL = url
        settings.SEARCH_INDEX_PREFIX = f"{settings.SEARCH_INDEX_PREFIX}-heldout"
        print(f"Elasticsearch: {eval_corpus.load_elasticsearch(search.es_client())} documents indexed.")
        evaluate("held-out", "elasticsearch", heldout)

    print("\n== summary (held-out is the measurement; tuned-on is what the tuning was fitted to) ==")
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
