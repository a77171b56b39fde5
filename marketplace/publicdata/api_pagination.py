"""The public ledger's pages: a cursor (keyset), not page numbers. The ledger has a million
entries and grows with every payment; counting them for ``count`` and skipping to page N both
read every entry before the page, where a cursor reads the page and nothing else. A response
has ``next`` (the address of the following entries, null at the end), ``previous`` (always null:
follow ``next`` forwards, as in the search API) and ``results``."""

from __future__ import annotations

import base64
import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response


def encode_cursor(created_at: datetime.datetime, transaction_id: int, entry_id: int) -> str:
    raw = f"{created_at.isoformat()}|{transaction_id}|{entry_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[datetime.datetime, int, int]:
    """ValidationError (400) for anything that is not a cursor this API wrote."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        moment, transaction_id, entry_id = raw.split("|")
        created_at = datetime.datetime.fromisoformat(moment)
        ids = int(transaction_id), int(entry_id)
        if created_at.tzinfo is None or not all(0 < pk < 2**63 for pk in ids):
            raise ValueError(raw)
        return created_at, ids[0], ids[1]
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError({"after": [_("Not a cursor from this API; follow the “next” link.")]}) from exc


class LedgerCursorPagination(BasePagination):
    """Entries newest first (transaction time, transaction, then the entry's own order), the
    order of ``payments.api.public_ledger``; ``after`` continues after the entry it names."""

    page_size = 20
    query_param = "after"

    def paginate_queryset(self, queryset: QuerySet, request, view=None):
        self.request = request
        value = request.query_params.get(self.query_param)
        if value:
            created_at, transaction_id, entry_id = decode_cursor(value)
            queryset = queryset.filter(
                # The bound the index walks from; the rest breaks ties within one moment.
                Q(transaction__created_at__lte=created_at),
                Q(transaction__created_at__lt=created_at)
                | Q(transaction__created_at=created_at, transaction_id__lt=transaction_id)
                | Q(transaction__created_at=created_at, transaction_id=transaction_id, id__gt=entry_id),
            )
        rows = list(queryset[: self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        return self.page

    def next_link(self) -> str | None:
        if not self.has_next:
            return None
        last = self.page[-1]
        params = self.request.query_params.copy()
        params[self.query_param] = encode_cursor(last.transaction.created_at, last.transaction_id, last.pk)
        return self.request.build_absolute_uri(f"{self.request.path}?{params.urlencode()}")

    def get_paginated_response(self, data):
        return Response({"next": self.next_link(), "previous": None, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "Always null: follow `next` forwards.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.query_param,
                "required": False,
                "in": "query",
                "description": "The cursor in the previous response's `next` link.",
                "schema": {"type": "string"},
            }
        ]
