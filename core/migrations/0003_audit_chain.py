"""The audit trail becomes append-only (a trigger, as the ledger's in payments 0002) and
hash-chained (core/chains.py): existing entries are chained in primary-key order here."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from core.chains import backfill
from core.models import audit_entry_content

APPEND_ONLY_TABLES = ("core_auditentry", "core_chainheadsnapshot")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION core_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the % table is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def chain_existing_entries(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    alias = schema_editor.connection.alias
    rows = AuditEntry.objects.using(alias).order_by("pk").iterator(chunk_size=1000)
    for entry, prev_hash, current in backfill(rows, audit_entry_content):
        AuditEntry.objects.using(alias).filter(pk=entry.pk).update(
            chain_prev_hash=prev_hash, chain_hash=current
        )


def append_only(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        for table in APPEND_ONLY_TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION core_append_only()",
                params=None,
            )
    elif vendor == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for operation in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'the {table} table is append-only: {operation} refused'); END;"
                )


def not_append_only(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in APPEND_ONLY_TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}", params=None)
        elif vendor == "sqlite":
            for operation in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS core_append_only()", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_roles'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='chain_hash',
            field=models.CharField(db_default='', editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='chain_prev_hash',
            field=models.CharField(db_default='', editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='actor',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.CreateModel(
            name='ChainHeadSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('chain', models.CharField(max_length=20)),
                ('taken_on', models.DateField()),
                ('head_id', models.BigIntegerField(null=True)),
                ('head_hash', models.CharField(max_length=64)),
                ('rows', models.PositiveBigIntegerField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['-taken_on', 'chain'],
                'constraints': [models.UniqueConstraint(fields=('chain', 'taken_on'), name='one_snapshot_per_chain_day')],
            },
        ),
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop),
        migrations.RunPython(append_only, not_append_only),
    ]
