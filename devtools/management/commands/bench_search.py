"""How fast search is at scale: loads N synthetic documents (``devtools.search_benchmark``) into each
engine through the real indexing functions, then times a fixed mix of faceted queries through
``search.query.search`` and prints, per engine, a last line

    engine=<elasticsearch|database> docs=N index_rate=R/s p50=X.Xms p95=Y.Yms

    make bench-search                      # DOCS=100000, both engines, own Elasticsearch
    manage.py bench_search --docs 300 --engine database

The database engine's load replaces the whole database copy (SearchEntry, facet values and
vocabulary), so the command refuses a database whose name contains neither "bench" nor the
test prefix. Elasticsearch documents go to indices of their own (prefix ``bench-search``).

The Elasticsearch test server (noida-db) is far slower than a real cluster on large indices
(seconds per query at 10,000 documents), so its query phase has a time budget
(``--es-budget``): the fixed mix runs in order until the budget is spent, and the report says
how many of the queries ran. Its client waits ``--es-timeout`` seconds instead of the site's
3 s, so a slow answer is timed rather than replaced by the database fallback."""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from unittest import mock

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from elasticsearch import Elasticsearch

from devtools import search_benchmark as benchmark
from search import connection as search_connection
from search import indexing
from search.documents import SearchDocument
from search.models import SearchEntry, SearchTerm
from search.query import SearchPage, SearchParams, search
from search.text import stem_word

ENGINES = ("elasticsearch", "database")
DATABASE_BATCH = 5000
INDEX_PREFIX = "bench-search"


@dataclass
class Timing:
    ms: float
    params: SearchParams
    page: SearchPage | None  # None: the engine failed (timeout, error, or a degraded answer)


class Command(BaseCommand):
    help = "Bulk indexing throughput and faceted query latency of both search engines."

    def add_arguments(self, parser):
        parser.add_argument("--docs", type=int, default=100_000, help="Synthetic documents (all kinds).")
        parser.add_argument("--engine", choices=[*ENGINES, "both"], default="both")
        parser.add_argument("--queries", type=int, default=200, help="Timed queries per engine.")
        parser.add_argument("--warmup", type=int, default=20, help="Untimed queries first (another mix).")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--start-elasticsearch",
            action="store_true",
            help="Start the Elasticsearch test server (devtools) instead of ELASTICSEARCH_URL.",
        )
        parser.add_argument(
            "--es-budget",
            type=float,
            default=300,
            help="Seconds for the Elasticsearch query phase, warm-up included (0: no limit).",
        )
        parser.add_argument("--es-warmup", type=int, default=2, help="Untimed Elasticsearch queries first.")
        parser.add_argument(
            "--es-timeout", type=float, default=120, help="Elasticsearch request timeout (s)."
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Database engine: query the copy already loaded when it holds --docs documents "
            "(no load, so no index_rate: for trying query changes).",
        )
        parser.add_argument(
            "--explain",
            type=int,
            default=0,
            metavar="K",
            help="Database engine: EXPLAIN ANALYZE the slowest SQL statement of the K slowest queries.",
        )

    def handle(self, *args, docs: int, engine: str, queries: int, warmup: int, seed: int, **options):
        engines = ENGINES if engine == "both" else (engine,)
        if docs < 1 or queries < 1:
            raise CommandError("--docs and --queries must be positive.")
        if "database" in engines:
            self._check_database()
        self.stdout.write(f"machine: {os.cpu_count()} CPUs, load average {_load()}")
        started = time.perf_counter()
        corpus = benchmark.documents(docs, seed)
        counts = " ".join(f"{kind}={len(items)}" for kind, items in corpus.items())
        self.stdout.write(f"generated {docs} documents ({counts}) in {time.perf_counter() - started:.1f}s")
        mix = benchmark.queries(queries, seed)
        for name in engines:
            if name == "elasticsearch":
                with self._elasticsearch(options["start_elasticsearch"], options["es_timeout"]) as client:
                    seconds = self._load_elasticsearch(client, corpus)
                    warm = benchmark.queries(options["es_warmup"], seed + 1)
                    timings = self._time(name, mix, warm, budget=options["es_budget"])
            else:
                with override_settings(ELASTICSEARCH_URL=""):
                    reuse = options["reuse"] and SearchEntry.objects.count() == docs
                    seconds = 0.0 if reuse else self._load_database(corpus)
                    if reuse:
                        self.stdout.write(f"[database] reusing the {docs} documents loaded before")
                    timings = self._time(name, mix, benchmark.queries(warmup, seed + 1), budget=0)
                    if options["explain"]:
                        self._explain(sorted(timings, key=lambda t: t.ms, reverse=True)[: options["explain"]])
            self._report(name, docs, seconds, timings, len(mix))

    # Set-up ------------------------------------------------------------------------------------

    def _check_database(self) -> None:
        name = connection.settings_dict["NAME"] or ""
        if "bench" not in name and not name.startswith("test_"):
            raise CommandError(
                f"Refusing to replace the search copy in {name!r}: use a database named *bench* "
                "(make bench-search creates marketplace_bench_search)."
            )

    @contextlib.contextmanager
    def _elasticsearch(self, start: bool, timeout: float) -> Iterator[Elasticsearch]:
        with contextlib.ExitStack() as stack:
            if start:
                try:
                    from devtools.elasticsearch_server import running_elasticsearch
                except ImportError as exc:  # a deployment without the developer tools
                    raise CommandError(f"--start-elasticsearch needs devtools: {exc}") from exc
                self.stdout.write("starting the Elasticsearch test server…")
                url = stack.enter_context(running_elasticsearch())
                self.stdout.write(f"elasticsearch at {url}")
            elif settings.ELASTICSEARCH_URL:
                url = settings.ELASTICSEARCH_URL
            else:
                raise CommandError("No Elasticsearch: set ELASTICSEARCH_URL or pass --start-elasticsearch.")
            stack.enter_context(override_settings(ELASTICSEARCH_URL=url, SEARCH_INDEX_PREFIX=INDEX_PREFIX))
            client = Elasticsearch(url, request_timeout=timeout, max_retries=0)
            # search() asks search.connection for its client: this one waits longer than the site's.
            stack.enter_context(mock.patch.object(search_connection, "es_client", lambda: client))
            yield client

    # Loading -----------------------------------------------------------------------------------

    def _load_elasticsearch(self, client: Elasticsearch, corpus: dict[str, list[SearchDocument]]) -> float:
        total = sum(len(items) for items in corpus.values())
        self.stdout.write(f"[elasticsearch] loading {total} documents (bulk_index_documents per kind)…")
        stem_word.cache_clear()  # as in a fresh process: the stemmer's cost is part of the load
        seconds = 0.0
        for kind in benchmark.KINDS:
            docs = corpus.get(kind, [])
            began = time.perf_counter()
            report = self._progress("elasticsearch", kind)
            indexing.bulk_index_documents(client, kind, iter(docs), len(docs), report)
            seconds += time.perf_counter() - began
        self.stdout.write(f"[elasticsearch] loaded in {seconds:.1f}s ({total / seconds:.0f}/s)")
        self._measure_stemmer(corpus, seconds)
        return seconds

    def _measure_stemmer(self, corpus: dict[str, list[SearchDocument]], load_seconds: float) -> None:
        """The Python stemming share of the load: ``stemmed()`` over every document, once with
        an empty word cache (as the load had it) and once warm."""
        docs = [doc for items in corpus.values() for doc in items]
        stem_word.cache_clear()
        began = time.perf_counter()
        for doc in docs:
            doc.stemmed()
        cold = time.perf_counter() - began
        info = stem_word.cache_info()
        began = time.perf_counter()
        for doc in docs:
            doc.stemmed()
        warm = time.perf_counter() - began
        share = cold / load_seconds * 100 if load_seconds else 0.0
        self.stdout.write(
            f"[elasticsearch] stemmer: stem_rate={len(docs) / cold:.0f}/s with an empty cache "
            f"({cold:.1f}s, {share:.0f}% of the load), {len(docs) / warm:.0f}/s warm; "
            f"word cache hits={info.hits} misses={info.misses} size={info.currsize}/{info.maxsize} "
            f"hit_ratio={info.hits / max(1, info.hits + info.misses):.3f}"
        )

    def _load_database(self, corpus: dict[str, list[SearchDocument]]) -> float:
        total = sum(len(items) for items in corpus.values())
        self.stdout.write(
            f"[database] loading {total} documents (load_database_entries, {DATABASE_BATCH} a batch)…"
        )
        with transaction.atomic():
            SearchEntry.objects.all().delete()
            SearchTerm.objects.all().delete()
        stem_word.cache_clear()
        docs = [doc for kind in benchmark.KINDS for doc in corpus.get(kind, [])]
        report = self._progress("database", "all")
        began = time.perf_counter()
        # What rebuild_database_copy does over every kind: the entries batch by batch, the
        # vocabulary counted along the way and written once at the end.
        batches = (docs[start : start + DATABASE_BATCH] for start in range(0, len(docs), DATABASE_BATCH))
        counts = indexing.load_database_entries(batches, lambda done: report(done, len(docs))).counts
        entries = time.perf_counter() - began
        indexing.replace_vocabulary(counts)
        seconds = time.perf_counter() - began
        self.stdout.write(
            f"[database] loaded in {seconds:.1f}s ({total / seconds:.0f}/s): entries {entries:.1f}s, "
            f"vocabulary {seconds - entries:.1f}s ({SearchTerm.objects.count()} words)"
        )
        began = time.perf_counter()
        # Autovacuum does this shortly after such a load, and the planner needs the statistics.
        # VACUUM cannot run inside a transaction (a test wraps the command in one).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in (SearchEntry, SearchTerm):
                cursor.execute(f"{command} {model._meta.db_table}")
        self.stdout.write(
            f"[database] {command.lower()} {time.perf_counter() - began:.1f}s (not in index_rate)"
        )
        return seconds

    def _progress(self, name: str, kind: str) -> Callable[[int, int], None]:
        state = {"tenth": -1}

        def report(done: int, total: int) -> None:
            tenth = done * 10 // total if total else 10
            if tenth != state["tenth"]:
                state["tenth"] = tenth
                self.stdout.write(f"[{name}] {kind}: {done}/{total}")

        return report

    # Queries -----------------------------------------------------------------------------------

    def _time(
        self, name: str, mix: list[SearchParams], warm: list[SearchParams], budget: float
    ) -> list[Timing]:
        began = time.perf_counter()
        for params in warm:
            self._search(name, params)
        timings: list[Timing] = []
        for number, params in enumerate(mix, start=1):
            if budget and time.perf_counter() - began > budget:
                self.stdout.write(
                    f"[{name}] time budget of {budget:.0f}s spent after {len(timings)}/{len(mix)} queries"
                )
                break
            started = time.perf_counter()
            page = self._search(name, params)
            timings.append(Timing((time.perf_counter() - started) * 1000, params, page))
            if number % 50 == 0 or number == len(mix) or name == "elasticsearch" and number % 5 == 0:
                self.stdout.write(f"[{name}] {number}/{len(mix)} queries")
        return timings

    def _search(self, name: str, params: SearchParams) -> SearchPage | None:
        try:
            page = search(params)
        except Exception as exc:  # noqa: BLE001 - a failed query is counted, the run goes on
            self.stdout.write(f"[{name}] failed: {benchmark.describe(params)}: {exc!r}")
            return None
        if page.backend != name or page.degraded:
            self.stdout.write(f"[{name}] answered by {page.backend} (degraded): {benchmark.describe(params)}")
            return None
        return page

    def _report(self, name: str, docs: int, seconds: float, timings: list[Timing], planned: int) -> None:
        index_rate = docs / seconds if seconds else 0.0
        values = sorted(t.ms for t in timings)
        answered = [t for t in timings if t.page is not None]
        self.stdout.write(
            f"[{name}] {len(timings)}/{planned} queries timed, {len(timings) - len(answered)} failed "
            f"(their time counts), load average {_load()}"
        )
        if answered:
            self.stdout.write(
                f"[{name}] mean={statistics.fmean(values):.1f}ms, median total hits="
                f"{statistics.median(t.page.total for t in answered):.0f}, "
                f"queries without hits={sum(1 for t in answered if t.page.total == 0)}"
            )
        groups: dict[str, list[float]] = {}
        for timing in timings:
            params = timing.params
            filters = len(params.active_filters()) + (
                params.amount_min is not None or params.amount_max is not None
            )
            groups.setdefault(("text" if params.q else "browse") + f"+{filters}filters", []).append(timing.ms)
            groups.setdefault(f"sort={params.sort}", []).append(timing.ms)
        for label in sorted(groups):
            ordered = sorted(groups[label])
            self.stdout.write(
                f"[{name}]   {label:<16} n={len(ordered):<3} p50={benchmark.percentile(ordered, 0.5):.1f}ms "
                f"p95={benchmark.percentile(ordered, 0.95):.1f}ms"
            )
        self.stdout.write(f"[{name}] slowest:")
        for timing in sorted(timings, key=lambda t: t.ms, reverse=True)[:5]:
            total = timing.page.total if timing.page else "failed"
            self.stdout.write(
                f"[{name}]   {timing.ms:8.1f}ms total={total:<6} {benchmark.describe(timing.params)}"
            )
        p50, p95 = benchmark.percentile(values, 0.50), benchmark.percentile(values, 0.95)
        self.stdout.write(f"[{name}] p50={p50:.1f}ms p95={p95:.1f}ms max={values[-1] if values else 0:.1f}ms")
        self.stdout.write(
            f"engine={name} docs={docs} index_rate={index_rate:.0f}/s p50={p50:.1f}ms p95={p95:.1f}ms"
        )

    # Profiling ---------------------------------------------------------------------------------

    def _explain(self, slowest: list[Timing]) -> None:
        """Run each slow query again, capture its SQL and show where the time goes."""
        for timing in slowest:
            self.stdout.write(f"[database] explain {timing.ms:.1f}ms {benchmark.describe(timing.params)}")
            with CaptureQueriesContext(connection) as captured:
                search(timing.params)
            statements = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)
            for query in statements:
                self.stdout.write(f"[database]   {float(query['time']) * 1000:7.1f}ms {query['sql'][:400]}")
            slowest = statements[0]["sql"] if statements else ""
            if not slowest.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            # Replayed in its transaction, after the statements before it (the SET LOCALs the
            # engine gives the planner), so that the plan shown is the plan that ran.
            with transaction.atomic(), connection.cursor() as cursor:
                for query in captured.captured_queries:
                    sql = query["sql"]
                    if sql == slowest:
                        break
                    if sql.lstrip().upper().startswith(("SET", "SELECT", "WITH")):
                        cursor.execute(sql)
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest)
                for (line,) in cursor.fetchall():
                    self.stdout.write(f"[database]     {line}")


def _load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"
