"""Where a page's time goes: its queries (slowest first, with their plans) and a pyinstrument
profile, made in process as production makes it (page cache off; remembered parts as configured).

    python manage.py profile_page /challenges/ [--explain 3] [--requests 5] [--profile] [--cold]

On the benchmark database: ``make profile-page PAGE=/challenges/`` (bench_data's database,
``DEBUG=0``). ``--cold`` starts a new page-cache generation before each measured request, so the
remembered parts are made again, as on the first request after a public write."""

from __future__ import annotations

import statistics
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.page_cache import forget_public_pages


class Command(BaseCommand):
    help = "A page's time, its queries (with EXPLAIN ANALYZE of the slowest) and a pyinstrument profile."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--requests", type=int, default=5, help="timed requests after one warm-up")
        parser.add_argument("--explain", type=int, default=0, help="EXPLAIN ANALYZE the N slowest queries")
        parser.add_argument("--profile", action="store_true", help="a pyinstrument profile of the requests")
        parser.add_argument(
            "--cold",
            action="store_true",
            help="forget the remembered parts before each measured request (a new generation)",
        )

    def handle(self, *args, path: str, requests: int, explain: int, profile: bool, cold: bool, **options):
        settings.PAGE_CACHE_SECONDS = 0  # the page is made each time; remembered parts stay as set
        self.cold = cold
        if cold and not settings.DATA_CACHE_SECONDS:
            self.stderr.write("DATA_CACHE_SECONDS is 0: nothing is remembered, every request is cold")
        # DEBUG=0 serves static files through the manifest, which a fresh checkout has not made yet.
        call_command("collectstatic", interactive=False, verbosity=0)
        client = Client()
        first = client.get(path)
        if first.status_code != 200:
            raise CommandError(f"{path} answered {first.status_code}")
        self._forget()
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        queries = captured.captured_queries
        self.stdout.write(
            f"{len(queries)} queries, {sum(float(q['time']) for q in queries) * 1000:.1f} ms of SQL"
        )
        for query in queries:
            self.stdout.write(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
        self._explain(sorted(queries, key=lambda q: -float(q["time"]))[:explain])
        timings = self._time(client, path, requests, profile)
        self.stdout.write(
            f"{path}: median {statistics.median(timings):.1f} ms, fastest {min(timings):.1f} ms "
            f"over {len(timings)} {'cold' if cold else 'warm'} requests"
        )

    def _forget(self) -> None:
        """With ``--cold``, a new generation: the next request makes the remembered parts again."""
        if self.cold:
            forget_public_pages()

    def _explain(self, slowest: list[dict]) -> None:
        with connection.cursor() as cursor:
            for query in slowest:
                self.stdout.write(f"\n-- {float(query['time']) * 1000:.1f} ms: {query['sql'][:300]}")
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                self.stdout.write("\n".join(row[0] for row in cursor.fetchall()))

    def _time(self, client: Client, path: str, requests: int, profile: bool) -> list[float]:
        timings = []
        for _ in range(max(requests, 1)):
            self._forget()
            started = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        if profile:  # separately, so that the profiler's own cost is not in the timings
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(max(requests, 1)):
                    self._forget()
                    client.get(path)
            self.stdout.write(profiler.output_text(unicode=False, color=False))
        return timings
