"""Each ledger transaction names the award commitment it belongs to, and each fund keeps its
running totals (FundBalance). Both are filled here from what the ledger already holds: the
commitment from the keys the movements were written with, the totals from the entries. Filling
the new column is the one write to existing ledger rows, so the append-only trigger is lifted
for it and put back in the same migration; the chain hash does not cover the column."""

import django.db.models.deletion
from django.db import migrations, models

PAYOUT_PREFIXES = ("payout:", "disbursement:")


def commitment_of(kind: str, key: str, disbursement_commitment: dict[int, int]) -> int | None:
    if kind == "award" and key.startswith("commitment:"):
        return int(key.split(":")[1])
    for prefix in PAYOUT_PREFIXES:
        if key.startswith(prefix):
            return disbursement_commitment.get(int(key.split(":")[1]))
    return None


def fill(apps, schema_editor):
    from payments import fund_balances

    Transaction = apps.get_model("payments", "Transaction")
    Disbursement = apps.get_model("payments", "Disbursement")
    Entry = apps.get_model("payments", "Entry")
    FundBalance = apps.get_model("payments", "FundBalance")
    disbursement_commitment = dict(Disbursement.objects.values_list("pk", "commitment_id"))
    found: dict[int, int] = {}
    rows = Transaction.objects.order_by("pk").values_list("pk", "kind", "idempotency_key", "reverses_id")
    for pk, kind, key, reverses_id in rows.iterator(chunk_size=10_000):
        commitment = commitment_of(kind, key, disbursement_commitment)
        if commitment is None and reverses_id is not None:
            commitment = found.get(reverses_id)
        if commitment is not None:
            found[pk] = commitment
    if found:
        with ledger_writable(schema_editor):
            for pk, commitment in found.items():
                Transaction.objects.filter(pk=pk).update(commitment_id=commitment)
    FundBalance.objects.bulk_create(
        FundBalance(fund_id=fund_id, **totals) for fund_id, totals in fund_balances.sums(Entry.objects.all()).items()
    )


class ledger_writable:
    """Lifts the append-only trigger on transactions for the length of the block."""

    def __init__(self, schema_editor):
        self.schema_editor = schema_editor
        self.vendor = schema_editor.connection.vendor

    def __enter__(self):
        if self.vendor == "postgresql":
            self.schema_editor.execute(
                "ALTER TABLE payments_transaction DISABLE TRIGGER payments_transaction_append_only"
            )
        elif self.vendor == "sqlite":
            self.schema_editor.execute("DROP TRIGGER IF EXISTS payments_transaction_no_update")

    def __exit__(self, *exc):
        if self.vendor == "postgresql":
            self.schema_editor.execute(
                "ALTER TABLE payments_transaction ENABLE TRIGGER payments_transaction_append_only"
            )
        elif self.vendor == "sqlite":
            self.schema_editor.execute(
                "CREATE TRIGGER payments_transaction_no_update BEFORE UPDATE ON payments_transaction "
                "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: UPDATE on payments_transaction "
                "refused'); END;"
            )


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0007_balance_transactions_fees_payouts'),
    ]

    operations = [
        migrations.CreateModel(
            name='FundBalance',
            fields=[
                ('fund', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='balance', serialize=False, to='payments.fund')),
                ('allocated', models.BigIntegerField(default=0)),
                ('sponsored', models.BigIntegerField(default=0)),
                ('returned', models.BigIntegerField(default=0)),
                ('awarded', models.BigIntegerField(default=0)),
                ('paid', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name='transaction',
            name='commitment',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='transactions', to='payments.commitment'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
