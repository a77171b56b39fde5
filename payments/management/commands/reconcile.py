"""Compare the ledger with its records and the gateway now, and print the differences."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from payments import api as payments_api


class Command(BaseCommand):
    help = (
        "Reconcile the ledger with contributions, refunds and disbursements and, when Stripe is "
        "configured, with Stripe's payment intents, refunds and transfers since the previous run. "
        "Stores the run (finance officers are told of differences) and prints each difference."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="compare everything, not only what changed since the last run"
        )
        parser.add_argument(
            "--settle-seconds",
            type=int,
            default=int(payments_api.RECONCILIATION_SETTLE.total_seconds()),
            help="leave objects younger than this to the next run (their webhooks may be on the way)",
        )

    def handle(self, *args, full: bool, settle_seconds: int, **options):
        result = payments_api.reconcile(full=full, settle=datetime.timedelta(seconds=max(settle_seconds, 0)))
        run = result.run
        if "stripe" in result.rails:
            self.stdout.write(
                "Compared: the ledger, its records and Stripe (payment intents, refunds, transfers)."
            )
        else:
            self.stdout.write(
                "Compared: the manual rail only (Stripe is not configured): ledger balance, confirmed "
                "pledges, refunds and paid disbursements against their ledger transactions."
            )
        since = run.since.isoformat() if run.since else "the beginning"
        self.stdout.write(f"Run {run.pk}: changes since {since}.")
        for name, count in sorted(result.compared.items()):
            self.stdout.write(f"  {name}: {count} compared")
        for difference in run.differences:
            self.stdout.write(
                f"- [{difference['code']}] {payments_api.describe_difference(difference=difference)}"
            )
        if run.error:
            raise CommandError(f"Incomplete: {run.error}")
        count = len(run.differences)
        style = self.style.SUCCESS if not count else self.style.WARNING
        self.stdout.write(style(f"{count} difference{'s' if count != 1 else ''}."))
