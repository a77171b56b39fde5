"""What a transactional test costs when it ends: its tables are emptied (Django's ``flush``) and
the data the migrations wrote is put back (``serialized_rollback``, tests/conftest.py). Both are
done here with plain SQL instead of Django's general means, for the suite's time.

- Emptying: Django truncates every table in one ``TRUNCATE``, and PostgreSQL makes new files for
  each table and each of its indexes: 1.3–2.6 s on this machine's ~140 tables, while they hold a
  few rows. Deleting those rows takes about 0.1 s.
- Refilling: Django saves each object of its JSON copy one by one (0.3–0.9 s). The tables that
  held rows after the migrations are copied once per session (``COPY … TO``) and copied back.

``session_replication_role = replica`` (the test databases are the superuser's) lets the rows go
and come back in any order and past the append-only triggers of the ledger and the audit trail,
as ``TRUNCATE`` does; it lasts until the end of the transaction (``SET LOCAL``)."""

from __future__ import annotations

from django.db import transaction
from django.db.backends.postgresql.creation import DatabaseCreation
from django.db.backends.postgresql.operations import DatabaseOperations

_truncate = DatabaseOperations.sql_flush
_deserialize = DatabaseCreation.deserialize_db_from_string
REPLICA = "SET LOCAL session_replication_role = replica"


def _delete_rows(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if not tables or reset_sequences:  # a sequence reset is what TRUNCATE … RESTART IDENTITY does
        return _truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    deletes = [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(t))};" for t in tables]
    return [f"{REPLICA};", *deletes]


class MigratedData:
    """The rows of every table that holds some right after the test database is set up, and the
    serialized copy Django took at the same moment (which this stands in for)."""

    def __init__(self, connection):
        self.serialized = connection._test_serialized_contents
        quote = connection.ops.quote_name
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        self.rows: dict[str, bytes] = {}
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")
                if not cursor.fetchone()[0]:
                    continue
                with cursor.cursor.copy(f"COPY {quote(table)} TO STDOUT (FORMAT binary)") as copy:
                    self.rows[table] = b"".join(bytes(chunk) for chunk in copy)

    def put_back(self, connection) -> None:
        quote = connection.ops.quote_name
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(REPLICA)
            for table, rows in self.rows.items():
                cursor.execute(f"DELETE FROM {quote(table)}")
                with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN (FORMAT binary)") as copy:
                    copy.write(rows)


def _put_back_migrated_data(self, data):
    kept = getattr(self.connection, "_migrated_data", None)
    if kept is None or data is not kept.serialized:
        return _deserialize(self, data)
    kept.put_back(self.connection)


def keep_migrated_data(connection) -> None:
    """Called once the test database is set up."""
    if getattr(connection, "_test_serialized_contents", None):
        connection._migrated_data = MigratedData(connection)


def use_plain_sql() -> None:
    DatabaseOperations.sql_flush = _delete_rows
    DatabaseCreation.deserialize_db_from_string = _put_back_migrated_data
