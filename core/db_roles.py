"""Least privilege in PostgreSQL: the owner role owns the schema and runs migrations; the
application's role owns nothing and may change only what it should.

The application's role gets SELECT, INSERT, UPDATE and DELETE on every table and the use of
every sequence, except on append-only tables (models with ``append_only = True``: the audit
trail, the ledger, the published chain heads), where it may only SELECT and INSERT. Owning
nothing, it cannot ``ALTER TABLE … DISABLE TRIGGER``, drop a trigger or truncate; not being a
superuser, it cannot ``SET session_replication_role``. Roles themselves are created by
scripts/db/roles.psql (compose's init script and `make test`)."""

from __future__ import annotations

from django.apps import apps
from django.db.backends.base.base import BaseDatabaseWrapper


def append_only_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if getattr(model, "append_only", False) and model._meta.managed
    )


def grant_app_role(*, connection: BaseDatabaseWrapper, app_role: str) -> None:
    """Idempotent; run as the owner after every migration (core's ``migrate``)."""
    if connection.vendor != "postgresql":
        return
    role = connection.ops.quote_name(app_role)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]
    statements += [
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {connection.ops.quote_name(table)} FROM {role}"
        for table in append_only_tables()
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
