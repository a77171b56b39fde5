"""How a transactional test's tables are emptied when it ends (Django's ``flush``).

Django truncates every table in one ``TRUNCATE``. PostgreSQL makes new files for each truncated
table and each of its indexes, which takes 1.3–2.6 s on this machine's ~140 tables, after every
transactional test, while the tables hold a few rows. Deleting those rows takes about 0.2 s.
``session_replication_role = replica`` (the test databases are the superuser's) lets the deletes
run in any order and past the append-only triggers of the ledger and the audit trail, as
``TRUNCATE`` does; it lasts until the end of the flush's transaction (``SET LOCAL``)."""

from __future__ import annotations

from django.db.backends.postgresql.operations import DatabaseOperations

_truncate = DatabaseOperations.sql_flush


def _delete_rows(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if not tables or reset_sequences:  # a sequence reset is what TRUNCATE … RESTART IDENTITY does
        return _truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    deletes = [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(t))};" for t in tables]
    return ["SET LOCAL session_replication_role = replica;", *deletes]


def empty_tables_by_deleting_rows() -> None:
    DatabaseOperations.sql_flush = _delete_rows
