"""Serve the product as production does next to a bare Django view and measure the public pages.

    make bench-web          # bench_data's database, both servers, wrk, a table and a summary line
    make bench-web-serve    # start the two servers and leave them running (PIDs in a file)
    make bench-web-stop     # stop them

The last line reads ``pages=N worst_ms=W worst_ratio=R max_queries=Q cached_ratio=C``: the
slowest page's milliseconds per request at one connection with the page cache off, the smallest
ratio of the bare view's time to a page's time, the most SQL queries any page runs (the more of
a running worker's request and the first request after a public write, "cold q"), and the
smallest ratio for the anonymous pages as production answers them (from the page cache)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import page_cache
from devtools import bench_web

STATIC_PAGES = [
    "/",
    "/challenges/",
    "/challenges/?q=pasar",
    "/projects/",
    "/transparency/",
    "/search/?q=pasar",
    "/api/v1/challenges/",
    "/api/v1/projects/",
    "/api/v1/organisations/",
    "/api/v1/ledger/",
]


def pages() -> list[str]:
    """The fixed pages plus one challenge, one public project and one organisation."""
    from django.apps import apps

    challenge = apps.get_model("challenges", "ChallengePage").objects.live().order_by("-pk").first()
    project = (
        apps.get_model("awards", "Award")
        .objects.filter(proposal__challenge__results_published_at__isnull=False)
        .order_by("-pk")
        .first()
    )
    organisation = apps.get_model("organisations", "Organisation").objects.order_by("-pk").first()
    found = list(STATIC_PAGES)
    if challenge:
        found.insert(2, challenge.url)
    if project:
        found.insert(5, f"/projects/{project.pk}/")
    if organisation:
        found.append(f"/organisations/{organisation.slug}/")
    return found


def query_count(client: Client, path: str) -> int:
    """The page's SQL queries, counted in this process (as the servers run it: DEBUG=0)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise CommandError(f"{path} answered {response.status_code} in process: queries not counted")
    return len(queries.captured_queries)


def query_counts(client: Client, path: str) -> tuple[int, int]:
    """The page's queries as a running worker makes it (after one request has filled what each
    process keeps: Wagtail's site roots, content types), and on the first request after a public
    write (a new page-cache generation: every remembered part made again). The request that fills
    them comes after a new generation too: one answered from kept parts alone (the home page's)
    would leave them to be counted as the page's own."""
    page_cache.forget_public_pages()
    client.get(path)
    warm = query_count(client, path)
    page_cache.forget_public_pages()
    return warm, query_count(client, path)


class Command(BaseCommand):
    help = "Public pages under wrk next to a bare Django view; prints a table and a summary line."

    def add_arguments(self, parser):
        parser.add_argument("--serve", action="store_true", help="start the servers and leave them running")
        parser.add_argument("--stop", action="store_true", help="stop servers left running")
        parser.add_argument("--seconds", type=int, default=5, help="wrk's duration per page and load")

    def handle(self, *args, serve: bool, stop: bool, seconds: int, **options):
        if stop:
            bench_web.stop_servers()
            return
        if "bench" not in connection.settings_dict["NAME"]:
            raise CommandError("Run it on the benchmark database (make bench-web).")
        already_running = bench_web.servers_running()
        bench_web.start_servers()
        # start_servers collected the static files; this process read the manifest before that.
        manifest = staticfiles_storage.load_manifest()
        staticfiles_storage.hashed_files, staticfiles_storage.manifest_hash = manifest
        if serve:
            self.stdout.write(
                f"product on 127.0.0.1:{bench_web.PRODUCT_PORT}, "
                f"bare view on 127.0.0.1:{bench_web.HELLO_PORT}, "
                f"product without its page cache on 127.0.0.1:{bench_web.UNCACHED_PORT}; "
                f"PIDs in {bench_web.PID_FILE}"
            )
            return
        try:
            self.measure(seconds)
        finally:
            if not already_running:
                bench_web.stop_servers()

    def measure(self, seconds: int) -> None:
        hello_url = f"http://127.0.0.1:{bench_web.HELLO_PORT}/"
        bench_web.wrk(hello_url, connections=1, seconds=1)
        hello = bench_web.wrk(hello_url, connections=1, seconds=seconds)
        hello_16 = bench_web.wrk(hello_url, connections=16, seconds=seconds)
        self.stdout.write(
            f"bare Django view: {hello.ms_per_request:.2f} ms per request at 1 connection, "
            f"{hello_16.requests_per_second:.0f} requests/s at 16"
        )
        self.stdout.write(
            f"{'page':50} {'ms (1 conn)':>11} {'hello ms':>8} {'× hello':>8} {'req/s (16)':>10}"
            f" {'queries':>8} {'status':>6} {'cold q':>6} {'cold ms':>8} {'cached ms':>9} {'× hello':>8}"
        )
        # Queries are counted in this process with the page cache off, as the uncached server runs.
        settings.PAGE_CACHE_SECONDS = 0
        client = Client()
        rows = []
        for path in pages():
            url = f"http://127.0.0.1:{bench_web.UNCACHED_PORT}{path}"
            status = bench_web.status_of(url)
            bench_web.wrk(url, connections=1, seconds=1)  # warm the workers' caches
            # The bare view again just before: the machine's pace drifts over a run (other
            # machines share its cores), so each ratio compares two neighbouring measurements.
            near_hello = bench_web.wrk(hello_url, connections=1, seconds=seconds)
            one = bench_web.wrk(url, connections=1, seconds=seconds)
            sixteen = bench_web.wrk(url, connections=16, seconds=seconds)
            queries, cold_queries = query_counts(client, path)
            cold = bench_web.cold_ms(url, page_cache.forget_public_pages)
            ratio = near_hello.ms_per_request / one.ms_per_request
            cached_url = f"http://127.0.0.1:{bench_web.PRODUCT_PORT}{path}"
            bench_web.wrk(cached_url, connections=1, seconds=1)  # the first request stores it
            cached = bench_web.wrk(cached_url, connections=1, seconds=seconds)
            cached_ratio = near_hello.ms_per_request / cached.ms_per_request
            rows.append((path, one, ratio, max(queries, cold_queries), cached_ratio, cold))
            self.stdout.write(
                f"{path[:50]:50} {one.ms_per_request:11.2f} {near_hello.ms_per_request:8.2f} {ratio:8.3f} "
                f"{sixteen.requests_per_second:10.0f} {queries:8d} {status:6d} {cold_queries:6d} {cold:8.2f} "
                f"{cached.ms_per_request:9.2f} {cached_ratio:8.3f}"
            )
        worst = max(rows, key=lambda row: row[1].ms_per_request)
        worst_ratio = min(row[2] for row in rows)
        cached_ratio = min(row[4] for row in rows)
        self.stdout.write(
            f"pages={len(rows)} worst_ms={worst[1].ms_per_request:.2f} worst_ratio={worst_ratio:.3f} "
            f"max_queries={max(row[3] for row in rows)} cached_ratio={cached_ratio:.3f} "
            f"worst_cold_ms={max(row[5] for row in rows):.2f}"
        )
