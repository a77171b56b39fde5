"""PostgreSQL only: a GIN index for full-text search over the stemmed text and trigram
indexes for typo correction and title similarity. SQLite (the embedded default) has none of
these and searches with simpler matching."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS search_entry_fts ON marketsearch_searchentry USING gin (vector)",
    "CREATE INDEX IF NOT EXISTS search_term_trgm ON marketsearch_searchterm USING gin (word gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS search_entry_title_trgm ON marketsearch_searchentry "
    "USING gin (title gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_fts",
    "DROP INDEX IF EXISTS search_term_trgm",
    "DROP INDEX IF EXISTS search_entry_title_trgm",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("marketsearch", "0001_search_copy_and_saved_searches")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
