"""The database itself refuses to change or delete ledger rows: corrections are new
transactions, never edits (a trigger, so no code path, shell or admin can bypass it)."""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION payments_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payments_entry_append_only BEFORE UPDATE OR DELETE ON payments_entry
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_append_only();
CREATE TRIGGER payments_transaction_append_only BEFORE UPDATE OR DELETE ON payments_transaction
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_append_only();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS payments_entry_append_only ON payments_entry;
DROP TRIGGER IF EXISTS payments_transaction_append_only ON payments_transaction;
DROP FUNCTION IF EXISTS payments_ledger_append_only();
"""
SQLITE_TABLES = ("payments_entry", "payments_transaction")


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for table in SQLITE_TABLES:
            for operation in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: {operation} on {table} refused'); END;"
                )


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)
    elif vendor == "sqlite":
        for table in SQLITE_TABLES:
            for operation in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
