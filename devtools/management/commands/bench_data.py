"""Fill a dedicated PostgreSQL database to the benchmark's size (see devtools/bench_data.py).

    python manage.py bench_data                      # 10,000 challenges, 20,000 organisations,
                                                     # 100,000 proposals, 5,000 awards, 1,000,000 entries
    python manage.py bench_data --challenges 2000 …  # any other size

Loads the demo first when the database is empty, then copies its rows until each count reaches
its target; a database already at the sizes asked for is reused as it is. Refuses any database
whose name does not contain "bench"."""

from __future__ import annotations

import os
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from devtools import bench_data


class Command(BaseCommand):
    help = "Fill a dedicated *bench* PostgreSQL database to benchmark size (reused when it matches)."

    def add_arguments(self, parser):
        parser.add_argument("--challenges", type=int, default=10_000)
        parser.add_argument("--organisations", type=int, default=20_000)
        parser.add_argument("--proposals", type=int, default=100_000)
        parser.add_argument("--awards", type=int, default=5_000)
        parser.add_argument("--entries", type=int, default=1_000_000)
        parser.add_argument("--skip-search", action="store_true", help="do not rebuild the search copy")

    def handle(self, *args, skip_search: bool, **options):
        sizes = options
        name = connection.settings_dict["NAME"]
        if connection.vendor != "postgresql" or "bench" not in name:
            raise CommandError(f"Refusing to fill {name!r}: use a PostgreSQL database named *bench*.")
        target = bench_data.Sizes(**{field: sizes[field] for field in bench_data.Sizes.__dataclass_fields__})
        started = time.monotonic()
        if not bench_data.scalar("SELECT count(*) FROM challenges_challengepage"):
            self.stdout.write("empty database: seed_demo first")
            with open(os.devnull, "w") as quiet:
                call_command("seed_demo", force=True, stdout=quiet)
        before = bench_data.current_sizes()
        if all(getattr(before, f) >= getattr(target, f) for f in target.__dataclass_fields__):
            self.stdout.write(f"reused: {before}")
            return
        with transaction.atomic():
            reached = bench_data.fill(target, log=self.stdout.write)
        bench_data.vacuum_analyze()
        if not skip_search:
            self.stdout.write("search copy: search_reindex")
            call_command("search_reindex")
        self.stdout.write(f"filled in {time.monotonic() - started:.0f} s: {reached}")
