"""The database refuses to change or delete ledger rows, whatever code (or shell) asks:
corrections are new transactions."""

import pytest
from django.db import IntegrityError, connection, transaction

from payments import api as payments_api
from payments.models import Entry, Transaction
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def allocation():
    finance = factories.UserFactory(roles=["finance"])
    fund = payments_api.fund_get_or_create(reference="challenge:append-only")
    return payments_api.allocation_record(
        fund=fund,
        amount=5_000_000_00,
        by=finance,
        description="APBD",
        reference="DPA-1",
        idempotency_key="a1",
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda txn: Entry.objects.filter(transaction=txn).update(amount=1),
        lambda txn: Entry.objects.filter(transaction=txn).delete(),
        lambda txn: Transaction.objects.filter(pk=txn.pk).update(description="diubah"),
        # Past the ORM's own PROTECT check, straight to the database.
        lambda txn: Transaction.objects.filter(pk=txn.pk)._raw_delete(using="default"),
    ],
    ids=["update entry", "delete entry", "update transaction", "delete transaction"],
)
def test_the_database_refuses_edits_and_deletes(allocation, change):
    before = sorted(Entry.objects.values_list("pk", "account_id", "amount"))
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        change(allocation)
    assert sorted(Entry.objects.values_list("pk", "account_id", "amount")) == before
    assert Transaction.objects.get(pk=allocation.pk).description == allocation.description


def test_raw_sql_cannot_bypass_it(allocation):
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE payments_entry SET amount = amount * 2")
    assert sum(Entry.objects.filter(transaction=allocation).values_list("amount", flat=True)) == 0
