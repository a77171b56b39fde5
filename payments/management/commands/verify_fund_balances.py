"""Prove that every fund's kept totals (FundBalance) equal the sums of its ledger entries.

python manage.py verify_fund_balances            # exit 1 and list the funds that differ
python manage.py verify_fund_balances --rebuild  # set the totals from the entries (after a restore)
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from payments import fund_balances


class Command(BaseCommand):
    help = "Check that each fund's kept totals equal the sums of its ledger entries."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="set the kept totals from the entries")

    def handle(self, *args, rebuild: bool, **options):
        if rebuild:
            with transaction.atomic():
                count = fund_balances.rebuild()
            self.stdout.write(f"{count} fund totals set from the ledger's entries.")
        differing = fund_balances.mismatches()
        for fund_id, (kept, summed) in sorted(differing.items()):
            self.stdout.write(f"fund {fund_id}: kept {kept} but the entries sum to {summed}")
        if differing:
            raise CommandError(f"{len(differing)} fund(s) whose kept totals differ from their entries.")
        self.stdout.write("Every fund's kept totals equal the sums of its entries.")
