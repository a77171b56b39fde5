"""Print how fast the public list pages answer and how many queries they run.

    python manage.py bench_pages --requests 30

Run it on the demo data (make run seeds it) or on a copy of production data."""

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

PATHS = [
    "/",
    "/challenges/",
    "/challenges/?q=pasar",
    "/challenges/?sector=kesehatan&sort=budget",
    "/projects/",
    "/transparency/",
    "/api/v1/challenges/",
    "/api/v1/ledger/",
    "/search/?q=antrean",
]


class Command(BaseCommand):
    help = "Benchmark the public list pages: median and 95th percentile time, queries and bytes per page."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=30)

    def handle(self, *args, requests, **options):
        from marketplace.awards.models import Award
        from marketplace.challenges.models import ChallengePage

        client = Client()
        paths = list(PATHS)
        challenge = ChallengePage.objects.live().order_by("pk").first()
        if challenge is not None:
            paths.append(f"/challenges/{challenge.slug}/")
        award = Award.objects.order_by("pk").first()
        if award is not None:
            paths.append(f"/projects/{award.pk}/")
        self.stdout.write(f"{'page':45} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'kB':>7}")
        for path in paths:
            client.get(path)  # warm caches
            timings = []
            for _ in range(requests):
                start = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - start) * 1000)
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            p95 = sorted(timings)[max(0, int(len(timings) * 0.95) - 1)]
            self.stdout.write(
                f"{path:45} {statistics.median(timings):10.1f} {p95:8.1f} "
                f"{len(queries.captured_queries):8d} {len(response.content) / 1024:7.1f}"
            )
