"""PostgreSQL only: indexes for the database engine's sorts and facet counts, and the vector
kept in the row. SQLite (the embedded default) has no NULLS LAST or covering indexes and
does not need them at its size."""

from django.db import migrations

FORWARD = [
    # The sorts of engine_database.ORDER_SQL, walked in order when a search has no words.
    "CREATE INDEX IF NOT EXISTS search_entry_closes_first ON marketsearch_searchentry "
    "(closes_at ASC NULLS LAST, kind, object_id)",
    "CREATE INDEX IF NOT EXISTS search_entry_amount_first ON marketsearch_searchentry "
    "(amount DESC NULLS LAST, kind, object_id)",
    "CREATE INDEX IF NOT EXISTS search_entry_newest_first ON marketsearch_searchentry "
    "(date DESC NULLS LAST, kind, object_id)",
    # Everything the facets are counted by: a search without words counts from this index alone.
    "CREATE INDEX IF NOT EXISTS search_entry_facets ON marketsearch_searchentry "
    "(kind, region, sectors, incentives, opens_at, closes_at, decided) INCLUDE (agency, amount)",
    # Every search reads the vector of each matching row: keep it in the row (compressed when
    # the row is long). Out of line, each read costs a TOAST lookup (measured: 96,000 matches
    # of one word took 210 ms instead of 100 ms). Rows written before keep their layout until
    # ``search_reindex`` rewrites them.
    "ALTER TABLE marketsearch_searchentry ALTER COLUMN vector SET STORAGE MAIN",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_closes_first",
    "DROP INDEX IF EXISTS search_entry_amount_first",
    "DROP INDEX IF EXISTS search_entry_newest_first",
    "DROP INDEX IF EXISTS search_entry_facets",
    "ALTER TABLE marketsearch_searchentry ALTER COLUMN vector SET STORAGE EXTERNAL",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("marketsearch", "0004_facet_columns")]

    operations = [
        migrations.RemoveIndex(model_name="searchentry", name="search_entry_closes"),
        migrations.RemoveIndex(model_name="searchentry", name="search_entry_amount"),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
