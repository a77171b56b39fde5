"""Time /transparency/ and its downloads in process (``Client``), with their query counts.

    python manage.py bench_transparency --requests 5

Run it with ``DEBUG=0`` on the demo data or on bench-data's database (``make bench-data``); it
only reads. Prints, per address, the median and slowest time, the queries and the size."""

from __future__ import annotations

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

PAGES = [
    "/transparency/",
    "/transparency/?page=2",
    "/transparency/?year={year}",
    "/transparency/?region={region}",
]
DOWNLOADS = [
    "/transparency/download/by-region.csv",
    "/transparency/download/challenges.csv",
    "/transparency/download/challenges.xlsx",
]


class Command(BaseCommand):
    help = "Benchmark /transparency/ and its downloads: median and worst ms, queries, kB."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=5)
        parser.add_argument("--download-requests", type=int, default=1)
        parser.add_argument("--no-downloads", action="store_true")

    def handle(self, *args, requests: int, download_requests: int, no_downloads: bool, **options):
        from marketplace.challenges.models import ChallengePage, RegionPage

        region = RegionPage.objects.live().order_by("title").first()
        challenge = ChallengePage.objects.live().order_by("-opens_at").first()
        values = {
            "region": region.slug if region else "",
            "year": challenge.opens_at.year if challenge else 2026,
        }
        client = Client()
        self.stdout.write(f"{'address':45} {'median ms':>10} {'max ms':>9} {'queries':>8} {'kB':>9}")
        plan = [(path, requests) for path in PAGES]
        if not no_downloads:
            plan += [(path, download_requests) for path in DOWNLOADS]
        for template, count in plan:
            path = template.format(**values)
            timings = []
            for attempt in range(count + 1):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(path)
                    body = b"".join(response.streaming_content) if response.streaming else response.content
                    elapsed = (time.perf_counter() - start) * 1000
                if attempt or count == 1:  # the first request warms caches, unless it is the only one
                    timings.append(elapsed)
                if count == 1:
                    break
            self.stdout.write(
                f"{path:45} {statistics.median(timings):10.1f} {max(timings):9.1f} "
                f"{len(queries.captured_queries):8d} {len(body) / 1024:9.1f}"
            )
