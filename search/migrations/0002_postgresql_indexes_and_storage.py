"""PostgreSQL only; SQLite (the embedded default) has none of these and searches with simpler
matching at its size.

- Full text and typos: a GIN index over the stemmed vector, trigram indexes for typo
  correction and title similarity.
- Sorts and facets: the sorts of ``engine_database.ORDER_SQL`` are walked in index order when a
  search has no words; every facet column in one covering index, so a search without words
  counts from the index alone.
- Row layout: the long text columns live out of line, so the rows the fallback scans for
  filters, facets and sorting stay narrow (the table fits in shared buffers at 100,000
  documents); the vector, read for every matching row, stays in the row (out of line, 96,000
  matches of one word took 210 ms instead of 100 ms); the columns every matching row is
  filtered and counted by stay in the row uncompressed."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS search_entry_fts ON marketsearch_searchentry USING gin (vector)",
    "CREATE INDEX IF NOT EXISTS search_term_trgm ON marketsearch_searchterm USING gin (word gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS search_entry_title_trgm ON marketsearch_searchentry "
    "USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS search_entry_closes_first ON marketsearch_searchentry "
    "(closes_at ASC NULLS LAST, kind, object_id)",
    "CREATE INDEX IF NOT EXISTS search_entry_amount_first ON marketsearch_searchentry "
    "(amount DESC NULLS LAST, kind, object_id)",
    "CREATE INDEX IF NOT EXISTS search_entry_newest_first ON marketsearch_searchentry "
    "(date DESC NULLS LAST, kind, object_id)",
    "CREATE INDEX IF NOT EXISTS search_entry_facets ON marketsearch_searchentry "
    "(kind, region, sectors, incentives, opens_at, closes_at, decided) INCLUDE (agency, amount)",
    *(
        f"ALTER TABLE marketsearch_searchentry ALTER COLUMN {column} SET STORAGE EXTERNAL"
        for column in ("stemmed", "stemmed_title", "snippet")
    ),
    "ALTER TABLE marketsearch_searchentry ALTER COLUMN vector SET STORAGE MAIN",
    "ALTER TABLE marketsearch_searchentry SET (toast_tuple_target = 256)",
    *(
        f"ALTER TABLE marketsearch_searchentry ALTER COLUMN {column} SET STORAGE PLAIN"
        for column in ("kind", "region", "decided", "sectors", "incentives")
    ),
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_fts",
    "DROP INDEX IF EXISTS search_term_trgm",
    "DROP INDEX IF EXISTS search_entry_title_trgm",
    "DROP INDEX IF EXISTS search_entry_closes_first",
    "DROP INDEX IF EXISTS search_entry_amount_first",
    "DROP INDEX IF EXISTS search_entry_newest_first",
    "DROP INDEX IF EXISTS search_entry_facets",
    "ALTER TABLE marketsearch_searchentry SET (toast_tuple_target = 2032)",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("marketsearch", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
