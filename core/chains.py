"""Hash chains over append-only tables: the audit trail (here) and the ledger (payments).

Each chained row stores ``chain_prev_hash`` (the previous row's ``chain_hash``) and
``chain_hash`` = sha256 over a canonical JSON of ``{"prev": …, "row": <content>}``, where the
content is the row's own fields (see each chain's ``content``). Rows are chained in primary-key
order. A writer takes one transaction-level advisory lock before it reads the head and inserts,
so two writers never fork a chain (the lock is held until commit, so the next writer sees the
row). Changing, deleting or inserting a row behind the code's back breaks the chain at that row,
which ``manage.py verify_chains`` names; the heads published daily on /transparency/ and in the
API make a rewrite of the whole chain from that point detectable too.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, transaction
from django.db.models import OuterRef, Subquery

GENESIS = "0" * 64
# One lock for every chain: a transaction may append to both (a payment and its audit entry),
# and two locks taken in either order could deadlock.
ADVISORY_LOCK_KEY = 0x6D6B5F636861696E  # "mk_chain"


def _canonical(value: Any) -> Any:
    """What the database gives back for a value: JSON types only, integral floats as ints
    (PostgreSQL's jsonb turns 1e20 into an integer), datetimes as UTC ISO strings."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def json_roundtrip(value: Any) -> Any:
    """A JSONField value as it reads back from the database (tuples become lists, …)."""
    return None if value is None else json.loads(json.dumps(value))


def canonical_json(content: dict) -> str:
    return json.dumps(_canonical(content), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def row_hash(prev_hash: str, content: dict) -> str:
    return hashlib.sha256(canonical_json({"prev": prev_hash, "row": content}).encode()).hexdigest()


@dataclass(frozen=True)
class Chain:
    """A chained table: its model and how to read a saved row's content."""

    name: str
    model: type[models.Model]
    content: Callable[[Any], dict]
    # Rows prefetched with what ``content`` reads (e.g. a transaction's entries).
    prefetch: tuple[str, ...] = ()

    def head(self, *, using: str = "default") -> tuple[int | None, str]:
        last = (
            self.model._default_manager.using(using).order_by("-pk").values_list("pk", "chain_hash").first()
        )
        return (last[0], last[1]) if last else (None, GENESIS)

    def rows(self, *, using: str = "default") -> Iterator[Any]:
        queryset = self.model._default_manager.using(using).order_by("pk")
        if self.prefetch:
            return queryset.prefetch_related(*self.prefetch).iterator(chunk_size=500)
        return queryset.iterator(chunk_size=500)


_CHAINS: dict[str, Chain] = {}


def register(chain: Chain) -> None:
    _CHAINS[chain.name] = chain


def chains() -> list[Chain]:
    return list(_CHAINS.values())


def chain_named(name: str) -> Chain:
    return _CHAINS[name]


def lock_chains(using: str = "default") -> None:
    """Serialise appends to every chain until this transaction ends (PostgreSQL); SQLite
    already lets one writer at a time in."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def append(chain_name: str, build: Callable[[str], tuple[Any, dict]], *, using: str = "default"):
    """Lock, read the head, build the row with its content from the previous hash, insert it.
    ``build(prev_hash)`` returns the unsaved row and its content (the same dict ``content`` reads
    back from the saved row); the caller may save related rows afterwards in the same
    transaction. Returns the saved row."""
    chain = _CHAINS[chain_name]
    with transaction.atomic(using=using):
        lock_chains(using)
        _pk, prev_hash = chain.head(using=using)
        row, content = build(prev_hash)
        row.chain_prev_hash = prev_hash
        row.chain_hash = row_hash(prev_hash, content)
        row.save(using=using, force_insert=True)
    return row


@dataclass(frozen=True)
class Break:
    chain: str
    pk: int
    reason: str


def verify(chain: Chain, *, using: str = "default") -> tuple[int, Break | None]:
    """Walk the chain in order; returns (rows checked, the first broken row or None)."""
    expected_prev = GENESIS
    checked = 0
    for row in chain.rows(using=using):
        if row.chain_prev_hash != expected_prev:
            return checked, Break(chain.name, row.pk, "previous hash does not match the row before it")
        if row_hash(row.chain_prev_hash, chain.content(row)) != row.chain_hash:
            return checked, Break(chain.name, row.pk, "content does not match its hash")
        expected_prev = row.chain_hash
        checked += 1
    return checked, None


def backfill(rows: Iterable[Any], content: Callable[[Any], dict]) -> Iterator[tuple[Any, str, str]]:
    """For a migration: (row, prev_hash, hash) along existing rows in primary-key order."""
    prev_hash = GENESIS
    for row in rows:
        current = row_hash(prev_hash, content(row))
        yield row, prev_hash, current
        prev_hash = current


def snapshot_heads(*, on: datetime.date | None = None) -> list:
    """Store each chain's head for the day (idempotent: a day's snapshot is never replaced)."""
    from django.utils import timezone

    from core.models import ChainHeadSnapshot

    day = on or timezone.localdate()
    snapshots = []
    for chain in chains():
        with transaction.atomic():
            # Under the append lock, the head and the count describe the same rows.
            lock_chains()
            head_id, head_hash = chain.head()
            snapshot, _created = ChainHeadSnapshot.objects.get_or_create(
                chain=chain.name,
                taken_on=day,
                defaults={
                    "head_id": head_id,
                    "head_hash": head_hash,
                    "rows": chain.model._default_manager.count(),
                },
            )
        snapshots.append(snapshot)
    return snapshots


def latest_snapshots() -> list:
    """The newest published head of each chain, in chain-name order."""
    from core.models import ChainHeadSnapshot

    newest = ChainHeadSnapshot.objects.filter(chain=OuterRef("chain")).order_by("-taken_on").values("pk")[:1]
    return list(
        ChainHeadSnapshot.objects.filter(chain__in=list(_CHAINS), pk=Subquery(newest)).order_by("chain")
    )
