"""Measure search quality: nDCG@10 and MRR over the judged queries (devtools/data/judgments.json).

    python manage.py search_eval [--judgments PATH] [--engine auto|database|elasticsearch] [--verbose]

Runs every judged query through ``search.query.search`` (the function the pages and the API
use), ten results each, against the data in the database (the demo data: ``seed_demo``).
``make search-eval`` builds everything from scratch and evaluates both engines."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from devtools import search_evaluation as evaluation
from search.query import search

K = 10


class Command(BaseCommand):
    help = "Compute nDCG@10 and MRR of the search over the judged queries of the demo data."

    def add_arguments(self, parser):
        parser.add_argument(
            "--judgments",
            default=str(evaluation.JUDGMENTS_FILE),
            help="The judgments file (default: devtools/data/judgments.json).",
        )
        parser.add_argument(
            "--engine",
            choices=("auto", "database", "elasticsearch"),
            default="auto",
            help="auto: whatever answers (Elasticsearch when ELASTICSEARCH_URL is set); database: "
            "the fallback, even when Elasticsearch is configured; elasticsearch: fail unless it answers.",
        )
        parser.add_argument(
            "--verbose", action="store_true", help="Print each query's nDCG@10, reciprocal rank and hits."
        )

    def handle(self, *args, judgments: str, engine: str, verbose: bool, **options):
        try:
            queries = evaluation.load_judgments(judgments)
        except evaluation.JudgmentsError as exc:
            raise CommandError(str(exc)) from exc
        if engine == "elasticsearch" and not settings.ELASTICSEARCH_URL:
            raise CommandError("--engine elasticsearch: ELASTICSEARCH_URL is not set.")
        if engine == "database":
            with override_settings(ELASTICSEARCH_URL=""):
                results, backends = self.run(queries)
        else:
            results, backends = self.run(queries)
        if engine == "elasticsearch" and backends != {"elasticsearch"}:
            raise CommandError(
                "Elasticsearch did not answer every query (answered by: "
                f"{', '.join(sorted(backends))}); no figures for it."
            )
        if verbose:
            self.report(results)
        backend = "+".join(sorted(backends)) or "none"
        self.stdout.write(
            f"engine={backend} queries={len(results)} "
            f"ndcg@{K}={evaluation.mean(r.ndcg for r in results):.3f} "
            f"mrr={evaluation.mean(r.rr for r in results):.3f}"
        )

    def run(self, queries: list[evaluation.JudgedQuery]):
        results: list[evaluation.QueryResult] = []
        backends: set[str] = set()
        for query in queries:
            page = search(query.params(size=K))
            backends.add(page.backend + ("-degraded" if page.degraded else ""))
            keys = [evaluation.document_key(hit.kind, hit.url, hit.title) for hit in page.hits]
            results.append(evaluation.score(query, keys, K))
        return results, backends

    def report(self, results: list[evaluation.QueryResult]) -> None:
        width = max(len(r.query.id) for r in results)
        for result in results:
            query = result.query
            self.stdout.write(
                f"{query.id:<{width}}  ndcg@{K}={result.ndcg:.3f}  rr={result.rr:.3f}  {query.describe()}"
            )
            if result.ndcg < 1.0:
                for rank, key in enumerate(result.keys, start=1):
                    grade = query.relevant.get(key, 0)
                    self.stdout.write(f"{'':<{width}}    {rank:>2}. [{grade}] {key}")
                for key in result.missing:
                    self.stdout.write(f"{'':<{width}}     -  [{query.relevant[key]}] {key}  (not found)")
        by_category: dict[str, list[evaluation.QueryResult]] = defaultdict(list)
        for result in results:
            by_category[result.query.category or "-"].append(result)
        self.stdout.write("")
        for category, group in sorted(by_category.items()):
            self.stdout.write(
                f"category={category} queries={len(group)} "
                f"ndcg@{K}={evaluation.mean(r.ndcg for r in group):.3f} "
                f"mrr={evaluation.mean(r.rr for r in group):.3f}"
            )
