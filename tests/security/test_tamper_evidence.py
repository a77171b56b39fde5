"""Issue 13, item 8: least privilege and tamper evidence.

The application's database role (``marketplace_app``, created by scripts/db/roles.psql, which
`make test` runs) may not change or erase the audit trail or the ledger, nor switch off the
trigger that guards them. Audit entries and ledger transactions are hash-chained:
``manage.py verify_chains`` names the first row changed behind the code's back, and the heads
published daily on /transparency/ and /api/v1/chain-heads/ are the latest snapshot.

The test session itself connects as the superuser, which owns the test database's tables
(pytest-django creates the database and empties it by TRUNCATE after transactional tests, both
of which the application's role must not be able to do); the tests about the role open their
own connections as that role, with the grants ``manage.py migrate`` gives it in production.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, ProgrammingError, close_old_connections, connection, transaction
from django.utils import timezone

from core import audit, chains
from core.db_roles import grant_app_role
from core.models import AuditEntry, ChainHeadSnapshot
from core.tasks import snapshot_chain_heads
from payments import api as payments_api
from payments.models import Entry, Transaction
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
APP_ROLE = os.environ.get("TEST_DATABASE_APP_ROLE", "marketplace_app")
APP_PASSWORD = os.environ.get("TEST_DATABASE_APP_PASSWORD", "")


@pytest.fixture(scope="session")
def app_role(django_db_setup, django_db_blocker):
    """The two roles (idempotent, as `make test` creates them) and, in the test database, the
    grants `manage.py migrate` gives the application's role after migrating."""
    settings_dict = connection.settings_dict
    psql = shutil.which("psql")
    if psql is None:
        pytest.fail("psql is needed to create the database roles (apt-get install postgresql-client)")
    subprocess.run(
        [
            psql,
            "-h",
            settings_dict["HOST"] or "127.0.0.1",
            "-p",
            str(settings_dict["PORT"] or 5432),
            "-U",
            settings_dict["USER"],
            "-d",
            "postgres",
            "-q",
            "-v",
            "owner=marketplace_owner",
            "-v",
            "owner_password=",
            "-v",
            f"app={APP_ROLE}",
            "-v",
            f"app_password={APP_PASSWORD}",
            "-v",
            "dbname=",
            "-f",
            str(ROOT / "scripts" / "db" / "roles.psql"),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""},
    )
    with django_db_blocker.unblock():
        grant_app_role(connection=connection, app_role=APP_ROLE)
    return APP_ROLE


def connect_as_app_role() -> psycopg.Connection:
    settings_dict = connection.settings_dict
    return psycopg.connect(
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        dbname=settings_dict["NAME"],
        user=APP_ROLE,
        password=APP_PASSWORD or None,
        autocommit=True,
    )


def allocation(key: str, amount: int = 5_000_000_00) -> Transaction:
    finance = factories.UserFactory(roles=["finance"])
    fund = payments_api.fund_get_or_create(reference=f"challenge:{key}")
    return payments_api.allocation_record(
        fund=fund, amount=amount, by=finance, description="APBD", reference="DPA-1", idempotency_key=key
    )


def some_history() -> tuple[list[AuditEntry], list[Transaction]]:
    entries = [
        audit.record(actor=None, action="test.step", object_type="tests.thing", object_id=n, after={"n": n})
        for n in range(3)
    ]
    return entries, [allocation("tamper-1"), allocation("tamper-2", 7_000_000_00)]


def trail() -> list[tuple]:
    return list(AuditEntry.objects.order_by("pk").values_list("pk", "action", "after", "chain_hash"))


def ledger_rows() -> list[tuple]:
    return sorted(Entry.objects.values_list("pk", "transaction_id", "amount")) + sorted(
        Transaction.objects.values_list("pk", "description", "chain_hash")
    )


def verify_chains() -> str:
    call_command("verify_chains", stdout=(out := _Capture()), stderr=_Capture())
    return out.text


class _Capture:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


# --- The application's role cannot rewrite history ---------------------------------------


REFUSED_AS_APP_ROLE = {
    "update audit": "UPDATE core_auditentry SET action = 'erased'",
    "delete audit": "DELETE FROM core_auditentry",
    "truncate audit": "TRUNCATE core_auditentry",
    "disable audit trigger": "ALTER TABLE core_auditentry DISABLE TRIGGER ALL",
    "drop audit trigger": "DROP TRIGGER core_auditentry_append_only ON core_auditentry",
    "update transaction": "UPDATE payments_transaction SET description = 'diubah'",
    "update entry": "UPDATE payments_entry SET amount = amount * 2",
    "delete entry": "DELETE FROM payments_entry",
    "truncate ledger": "TRUNCATE payments_entry, payments_transaction CASCADE",
    "disable ledger trigger": (
        "ALTER TABLE payments_transaction DISABLE TRIGGER payments_transaction_append_only"
    ),
    "session_replication_role": "SET session_replication_role = replica",
    "update published head": "UPDATE core_chainheadsnapshot SET head_hash = 'x'",
}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("statement", REFUSED_AS_APP_ROLE.values(), ids=REFUSED_AS_APP_ROLE.keys())
def test_the_application_role_cannot_change_the_trail_or_the_ledger(app_role, statement):
    some_history()
    snapshot_chain_heads.apply()
    trail_before, ledger_before = trail(), ledger_rows()

    with connect_as_app_role() as app, pytest.raises(psycopg.errors.InsufficientPrivilege):
        app.execute(statement)

    assert trail() == trail_before
    assert ledger_rows() == ledger_before
    assert "audit: intact" in verify_chains()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_application_role_owns_nothing_and_is_no_superuser(app_role):
    with connect_as_app_role() as app:
        owned = app.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = %s",
            [app_role],
        ).fetchone()[0]
        superuser, bypass_rls = app.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
    assert owned == 0
    assert (superuser, bypass_rls) == (False, False)


@pytest.fixture
def as_app_role(app_role):
    """The application itself, connected as its role (as production runs it)."""
    connection.close()
    original = connection.settings_dict["USER"], connection.settings_dict.get("PASSWORD")
    connection.settings_dict.update(USER=app_role, PASSWORD=APP_PASSWORD)
    yield app_role
    connection.close()
    connection.settings_dict.update(USER=original[0], PASSWORD=original[1])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_application_works_as_its_role_but_cannot_edit_the_trail(as_app_role):
    entries, transactions = some_history()
    user = factories.UserFactory()
    user.first_name = "Ganti"
    user.save()  # an ordinary table: updates are the app's business

    with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
        AuditEntry.objects.filter(pk=entries[0].pk).update(action="erased")
    with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
        Transaction.objects.filter(pk=transactions[0].pk).update(description="diubah")

    assert AuditEntry.objects.get(pk=entries[0].pk).action == "test.step"
    assert "ledger: intact" in verify_chains()


# --- The audit trail is append-only, like the ledger, for everyone ------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        lambda entry: AuditEntry.objects.filter(pk=entry.pk).update(action="erased"),
        lambda entry: AuditEntry.objects.filter(pk=entry.pk)._raw_delete(using="default"),
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_edits_and_deletes_of_audit_entries(change):
    entry = audit.record(actor=None, action="test.step", object_type="tests.thing", object_id=1)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        change(entry)
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.step"


# --- verify_chains ------------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_chains_passes_on_a_clean_trail_and_ledger():
    entries, transactions = some_history()
    out = verify_chains()
    last = AuditEntry.objects.order_by("pk").last()
    assert f"audit: intact, {AuditEntry.objects.count()} rows, head {last.chain_hash}" in out
    assert f"ledger: intact, {len(transactions)} rows, head {transactions[-1].chain_hash}" in out
    assert entries[1].chain_prev_hash == entries[0].chain_hash
    assert transactions[1].chain_prev_hash == transactions[0].chain_hash


def as_owner_bypassing_the_trigger(table: str, statement: str, params=()) -> None:
    """What someone with the owner's (or a superuser's) access could do."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(statement, params)
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


@pytest.mark.django_db
def test_verify_chains_names_an_audit_entry_edited_by_the_owner():
    entries, _transactions = some_history()
    as_owner_bypassing_the_trigger(
        "core_auditentry", "UPDATE core_auditentry SET after = '{\"n\": 99}' WHERE id = %s", [entries[1].pk]
    )
    with pytest.raises(CommandError, match=rf"audit: broken at row {entries[1].pk} \(content"):
        verify_chains()


@pytest.mark.django_db
def test_verify_chains_names_the_row_after_a_deleted_ledger_transaction():
    _entries, (_first, second) = some_history()
    third = allocation("tamper-3", 9_000_000_00)
    as_owner_bypassing_the_trigger(
        "payments_entry", "DELETE FROM payments_entry WHERE transaction_id = %s", [second.pk]
    )
    as_owner_bypassing_the_trigger(
        "payments_transaction", "DELETE FROM payments_transaction WHERE id = %s", [second.pk]
    )
    with pytest.raises(CommandError, match=rf"ledger: broken at row {third.pk} \(previous hash"):
        verify_chains()


@pytest.mark.django_db
def test_verify_chains_notices_a_changed_ledger_entry():
    _entries, transactions = some_history()
    as_owner_bypassing_the_trigger(
        "payments_entry",
        "UPDATE payments_entry SET amount = amount * 2 WHERE transaction_id = %s",
        [transactions[0].pk],
    )
    with pytest.raises(CommandError, match=rf"ledger: broken at row {transactions[0].pk} "):
        verify_chains()


@pytest.mark.django_db
def test_a_rewritten_chain_no_longer_contains_the_published_head():
    """Rehashing every row after an edit passes the chain walk, but not the published head."""
    entries, _transactions = some_history()
    snapshot_chain_heads.apply()
    as_owner_bypassing_the_trigger(
        "core_auditentry", "UPDATE core_auditentry SET action = 'rewritten' WHERE id = %s", [entries[2].pk]
    )
    rows = AuditEntry.objects.order_by("pk")
    for row, prev_hash, current in chains.backfill(rows, AuditEntry.chain_content):
        as_owner_bypassing_the_trigger(
            "core_auditentry",
            "UPDATE core_auditentry SET chain_prev_hash = %s, chain_hash = %s WHERE id = %s",
            [prev_hash, current, row.pk],
        )
    assert "audit: intact" in verify_chains()
    with pytest.raises(CommandError, match=r"audit: the head published on .* is no longer in the chain"):
        call_command("verify_chains", "--against-snapshots", stdout=_Capture(), stderr=_Capture())


# --- Published heads ----------------------------------------------------------------------


@pytest.mark.django_db
def test_transparency_page_and_api_show_the_latest_snapshot(client, settings):
    entries, transactions = some_history()
    yesterday = timezone.localdate() - timedelta(days=1)
    ChainHeadSnapshot.objects.create(chain="audit", taken_on=yesterday, head_id=1, head_hash="a" * 64, rows=1)
    snapshot_chain_heads.apply()
    # Written after the snapshot: the published head stays the snapshot's until tomorrow.
    audit.record(actor=None, action="test.later", object_type="tests.thing", object_id=9)

    assert "snapshot-chain-heads" in settings.CELERY_BEAT_SCHEDULE
    page = client.get("/transparency/").content.decode()
    api = client.get("/api/v1/chain-heads/").json()

    expected = {
        "audit": AuditEntry.objects.exclude(action="test.later").order_by("pk").last().chain_hash,
        "ledger": transactions[-1].chain_hash,
    }
    assert {row["chain"]: row["head_hash"] for row in api} == expected
    assert {row["chain"]: row["taken_on"] for row in api} == dict.fromkeys(
        expected, timezone.localdate().isoformat()
    )
    for chain, head in expected.items():
        assert f'data-chain="{chain}">{head}</code>' in page
    assert "a" * 64 not in page
    assert "Bukti keutuhan catatan" in page


@pytest.mark.django_db
def test_snapshots_are_taken_once_a_day_and_never_replaced():
    some_history()
    first = snapshot_chain_heads.apply().get()
    audit.record(actor=None, action="test.later", object_type="tests.thing", object_id=9)
    assert snapshot_chain_heads.apply().get() == first
    assert ChainHeadSnapshot.objects.count() == 2
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ChainHeadSnapshot.objects.update(head_hash="b" * 64)


# --- Concurrent writers -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_do_not_fork_the_chains():
    finance = factories.UserFactory(roles=["finance"])
    fund = payments_api.fund_get_or_create(reference="challenge:concurrent")
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            for round_ in range(5):
                with transaction.atomic():
                    audit.record(
                        actor=None, action="test.concurrent", object_type="t", object_id=f"{n}-{round_}"
                    )
                payments_api.allocation_record(
                    fund=fund,
                    amount=1_000_00,
                    by=finance,
                    description="APBD",
                    reference=f"{n}",
                    idempotency_key=f"concurrent-{n}-{round_}",
                )
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    audit_prev = list(AuditEntry.objects.values_list("chain_prev_hash", flat=True))
    ledger_prev = list(Transaction.objects.values_list("chain_prev_hash", flat=True))
    assert AuditEntry.objects.filter(action="test.concurrent").count() == 40
    assert len(set(audit_prev)) == len(audit_prev), "two entries follow the same row"
    assert len(ledger_prev) == 40 and len(set(ledger_prev)) == 40, "two transactions follow the same row"
    out = verify_chains()
    assert "audit: intact" in out and "ledger: intact, 40 rows" in out
