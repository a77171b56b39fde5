"""Several small reads in one statement.

A page that shows a handful of short lists about one object (a challenge's beneficiaries, SDGs,
sectors, sponsors and attachments) would read each with a query of its own. ``rows_together``
reads them all in one: each queryset's rows become a JSON array in one column of one row, in the
queryset's own order. The rows come back as dicts of JSON values (a date as its ISO text), for
building the few fields a page needs (``instances``)."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def rows_together(**querysets: QuerySet) -> dict[str, list[dict]]:
    """Each ``values()`` queryset's rows, read in one statement (PostgreSQL; elsewhere one query
    each). Name every column (``values("id", logo=F("sponsor__logo_id"))``): the rows' keys are
    the columns' names."""
    if connection.vendor != "postgresql":
        return {name: [dict(row) for row in queryset] for name, queryset in querysets.items()}
    columns: list[str] = []
    params: list[Any] = []
    for queryset in querysets.values():
        sql, values = queryset.query.sql_with_params()
        # json_agg keeps the order of the rows the inner query sorted.
        columns.append(f"(SELECT COALESCE(json_agg(row_to_json(r)), '[]') FROM ({sql}) r)")
        params.extend(values)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns), params)
        found = cursor.fetchone()
    return {
        name: json.loads(value) if isinstance(value, str) else value
        for name, value in zip(querysets, found, strict=True)
    }


def instances(model: type[M], rows: list[dict]) -> list[M]:
    """Instances of ``model`` from ``rows_together``'s rows (field attnames as keys), built as
    the ORM builds what it reads (``Model.from_db``: no default is computed, so none queries);
    a field a row lacks is deferred."""
    names = [field.attname for field in model._meta.concrete_fields]
    built = []
    for row in rows:
        present = [name for name in names if name in row]
        built.append(model.from_db("default", present, [row[name] for name in present]))
    return built
