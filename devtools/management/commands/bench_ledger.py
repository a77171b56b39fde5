"""How fast balances are at a million ledger entries: fills a dedicated PostgreSQL database with
synthetic allocations spread over many funds (straight SQL: the point is the read side; the
funds' kept totals are then summed from the entries, as ``verify_fund_balances --rebuild``
does after a restore), then times the balance reads the pages use and prints the query plan of the
hottest one.

    make bench-ledger            # ENTRIES=1000000 FUNDS=200 by default

Refuses to run on a database whose name does not contain "bench"."""

from __future__ import annotations

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from payments import fund_balances, selectors
from payments.models import Entry, Fund

FILL_SQL = """
INSERT INTO payments_fund (reference, name, currency, created_at)
    SELECT 'bench:' || g, 'Dana bench ' || g, 'IDR', now() FROM generate_series(1, %(funds)s) g;
INSERT INTO payments_account (code, name, kind, fund_id, currency)
    SELECT 'fund:' || id || ':cash', 'Dana', 'fund', id, 'IDR' FROM payments_fund
    WHERE reference LIKE 'bench:%%';
INSERT INTO payments_account (code, name, kind, fund_id, currency)
    VALUES ('source:bench', 'APBD bench', 'budget_source', NULL, 'IDR');
INSERT INTO payments_transaction (kind, fund_id, description, reference, idempotency_key, created_at)
    SELECT 'allocation', f.id, 'bench', '', 'bench:' || g, now() - (g || ' seconds')::interval
    FROM generate_series(1, %(transactions)s) g
    JOIN (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM payments_fund
          WHERE reference LIKE 'bench:%%') f ON f.rn = (g %% %(funds)s) + 1;
INSERT INTO payments_entry (transaction_id, account_id, amount, currency)
    SELECT t.id, a.id, 100000, 'IDR' FROM payments_transaction t
    JOIN payments_account a ON a.fund_id = t.fund_id AND a.kind = 'fund'
    WHERE t.idempotency_key LIKE 'bench:%%';
INSERT INTO payments_entry (transaction_id, account_id, amount, currency)
    SELECT t.id, (SELECT id FROM payments_account WHERE code = 'source:bench'), -100000, 'IDR'
    FROM payments_transaction t WHERE t.idempotency_key LIKE 'bench:%%';
ANALYZE payments_entry;
ANALYZE payments_transaction;
ANALYZE payments_account;
"""


class Command(BaseCommand):
    help = "Time balance reads over a ledger of about a million entries (dedicated database)."

    def add_arguments(self, parser):
        parser.add_argument("--entries", type=int, default=1_000_000)
        parser.add_argument("--funds", type=int, default=200)
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args, entries: int, funds: int, repeat: int, **options):
        name = connection.settings_dict["NAME"]
        if connection.vendor != "postgresql" or "bench" not in name:
            raise CommandError(f"Refusing to fill {name!r}: use a PostgreSQL database named *bench*.")
        if not Entry.objects.filter(transaction__idempotency_key__startswith="bench:").exists():
            started = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute(FILL_SQL, {"funds": funds, "transactions": entries // 2})
            # The services keep each fund's totals with its entries; straight SQL has to sum them.
            fund_balances.rebuild()
            self.stdout.write(f"fill_seconds={time.monotonic() - started:.1f}")
        self.stdout.write(f"entries={Entry.objects.count()}")
        fund = Fund.objects.filter(reference="bench:1").get()
        self.stdout.write(
            f"entries_in_the_measured_fund={Entry.objects.filter(transaction__fund=fund).count()}"
        )
        reads = {
            "fund_available": lambda: selectors.fund_available(fund),
            "fund_balance": lambda: selectors.fund_balance(fund),
            "fund_figures": lambda: selectors.fund_figures([fund.reference]),
        }
        for label, read in reads.items():
            read()  # warm the cache the way a busy site has it
            timings = []
            for _ in range(repeat):
                started = time.perf_counter()
                read()
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
            self.stdout.write(f"{label}: p50={statistics.median(timings):.2f}ms p95={p95:.2f}ms")
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN (ANALYZE, COSTS OFF) SELECT COALESCE(SUM(e.amount), 0) FROM payments_entry e "
                "JOIN payments_account a ON a.id = e.account_id WHERE a.code = %s",
                [fund.cash_account_code],
            )
            plan = [row[0] for row in cursor.fetchall()]
        uses_index = any("entry_balance_idx" in line for line in plan)
        self.stdout.write(f"balance_plan_uses_entry_balance_idx={'yes' if uses_index else 'no'}")
        for line in plan:
            self.stdout.write(f"  {line}")
