"""PostgreSQL only:

- the title's own tsvector, with a GIN index: when more documents match than the database
  engine ranks exactly, those with the words in their title are ranked first
  (``engine_database._bounded_statement``); existing rows get it from ``stemmed_title``;
- the sectors and incentive kinds as lexemes (``facet_vector``: "sector:kesehatan",
  "incentive:grant");
- the full-text GIN index also holds the kind, the region (btree_gin) and those lexemes, so
  that a search of one kind, region, sector or incentive kind is answered by the index alone:
  the capped counts read no row. It replaces the index on the vector alone, which it serves as
  well."""

import django.contrib.postgres.search
from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "ALTER TABLE marketsearch_searchentry ALTER COLUMN title_vector SET STORAGE MAIN",
    "UPDATE marketsearch_searchentry "
    "SET title_vector = to_tsvector('simple'::regconfig, COALESCE(stemmed_title, ''))",
    "UPDATE marketsearch_searchentry SET facet_vector = array_to_tsvector(ARRAY("
    "SELECT 'sector:' || s FROM unnest(string_to_array(sectors, '|')) s WHERE s <> '' UNION "
    "SELECT 'incentive:' || i FROM unnest(string_to_array(incentives, '|')) i WHERE i <> ''))",
    "CREATE INDEX IF NOT EXISTS search_entry_title_fts ON marketsearch_searchentry USING gin (title_vector)",
    "CREATE INDEX IF NOT EXISTS search_entry_kind_region_fts ON marketsearch_searchentry "
    "USING gin (kind, region, facet_vector, vector)",
    "DROP INDEX IF EXISTS search_entry_fts",
]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS search_entry_fts ON marketsearch_searchentry USING gin (vector)",
    "DROP INDEX IF EXISTS search_entry_kind_region_fts",
    "DROP INDEX IF EXISTS search_entry_title_fts",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("marketsearch", "0002_postgresql_indexes_and_storage")]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="title_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="facet_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
