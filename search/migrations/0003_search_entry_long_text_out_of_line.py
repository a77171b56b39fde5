"""PostgreSQL only: keep the long columns of the database copy out of line, so the rows the
fallback scans for filters, facets and sorting are narrow (about 2.4 kB to a few hundred
bytes: the table then fits in shared buffers at 100,000 documents)."""

from django.db import migrations

LONG_COLUMNS = ("vector", "stemmed", "stemmed_title", "snippet")


def _apply(storage: str, target: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in LONG_COLUMNS:
            schema_editor.execute(
                f"ALTER TABLE marketsearch_searchentry ALTER COLUMN {column} SET STORAGE {storage}"
            )
        schema_editor.execute(f"ALTER TABLE marketsearch_searchentry SET (toast_tuple_target = {target})")

    return run


class Migration(migrations.Migration):
    dependencies = [("marketsearch", "0002_postgresql_search_indexes")]

    operations = [migrations.RunPython(_apply("EXTERNAL", 256), _apply("EXTENDED", 2032))]
