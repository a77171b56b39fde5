"""Walk the audit trail's and the ledger's hash chains; name the first broken row of each.

Exit status 0 when every chain is intact, 1 otherwise. ``--against-snapshots`` also checks
that each published head (/transparency/, /api/v1/chain-heads/) is still in its chain."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core import chains
from core.models import ChainHeadSnapshot


class Command(BaseCommand):
    help = "Verify the audit and ledger hash chains; name the first broken row."

    def add_arguments(self, parser):
        parser.add_argument("--against-snapshots", action="store_true")

    def handle(self, *args, against_snapshots: bool = False, **options):
        broken = []
        for chain in sorted(chains.chains(), key=lambda chain: chain.name):
            checked, fault = chains.verify(chain)
            if fault is not None:
                broken.append(f"{chain.name}: broken at row {fault.pk} ({fault.reason})")
                self.stderr.write(broken[-1])
                continue
            _pk, head = chain.head()
            self.stdout.write(f"{chain.name}: intact, {checked} rows, head {head}")
            if against_snapshots:
                broken += self._check_snapshots(chain)
        if broken:
            raise CommandError("; ".join(broken), returncode=1)

    def _check_snapshots(self, chain) -> list[str]:
        faults = []
        hashes = dict(chain.model._default_manager.values_list("pk", "chain_hash"))
        for snapshot in ChainHeadSnapshot.objects.filter(chain=chain.name).order_by("taken_on"):
            if snapshot.head_id is None or hashes.get(snapshot.head_id) == snapshot.head_hash:
                continue
            faults.append(
                f"{chain.name}: the head published on {snapshot.taken_on} (row {snapshot.head_id}, "
                f"{snapshot.head_hash}) is no longer in the chain"
            )
            self.stderr.write(faults[-1])
        return faults
