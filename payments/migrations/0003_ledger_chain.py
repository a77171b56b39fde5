"""Ledger transactions become hash-chained with their entries (core/chains.py): existing
transactions are chained in primary-key order here, with the append-only trigger of 0002 set
aside for the length of this migration's transaction only."""

from django.db import migrations, models

from core.chains import backfill
from payments.ledger import transaction_content


def chain_existing_transactions(apps, schema_editor):
    Transaction = apps.get_model("payments", "Transaction")
    alias = schema_editor.connection.alias
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE payments_transaction DISABLE TRIGGER payments_transaction_append_only", params=None
        )
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS payments_transaction_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS payments_transaction_no_delete")
    rows = (
        Transaction.objects.using(alias).order_by("pk").prefetch_related("entries").iterator(chunk_size=500)
    )
    for txn, prev_hash, current in backfill(rows, transaction_content):
        Transaction.objects.using(alias).filter(pk=txn.pk).update(
            chain_prev_hash=prev_hash, chain_hash=current
        )
    if vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE payments_transaction ENABLE TRIGGER payments_transaction_append_only", params=None
        )
    elif vendor == "sqlite":
        # SQLite rebuilt the table to add the columns, which dropped 0002's triggers: put both back.
        for operation in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS payments_transaction_no_{operation.lower()} "
                f"BEFORE {operation} ON payments_transaction BEGIN SELECT RAISE(ABORT, "
                f"'the ledger is append-only: {operation} on payments_transaction refused'); END;"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_ledger_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="transaction",
            name="chain_hash",
            field=models.CharField(db_default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="transaction",
            name="chain_prev_hash",
            field=models.CharField(db_default="", editable=False, max_length=64),
        ),
        migrations.RunPython(chain_existing_transactions, migrations.RunPython.noop),
    ]
