import threading

import pytest
from django.db import connection

from payments import selectors, services
from payments.errors import PaymentError
from payments.models import Disbursement, GatewayCall, Transaction
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


@pytest.fixture
def finance():
    return UserFactory(roles=["finance"])


def test_allocation_is_recorded_once_per_idempotency_key(finance):
    fund = services.fund_get_or_create(reference="challenge:1")
    for _ in range(3):  # a double-clicked or resubmitted form
        services.allocation_record(
            fund=fund, amount=5_000_00, by=finance, description="APBD", idempotency_key="form-token-1"
        )
    assert Transaction.objects.count() == 1
    assert selectors.fund_balance(fund) == 5_000_00


def test_only_finance_officers_record_allocations():
    fund = services.fund_get_or_create(reference="challenge:1")
    with pytest.raises(PaymentError):
        services.allocation_record(
            fund=fund,
            amount=5_000_00,
            by=UserFactory(roles=["official"]),
            description="APBD",
            idempotency_key="x",
        )
    assert not Transaction.objects.exists()


@pytest.mark.parametrize("amount", [0, -5, 10.5, True])
def test_amounts_must_be_positive_integers(finance, amount):
    fund = services.fund_get_or_create(reference="challenge:1")
    with pytest.raises(PaymentError):
        services.allocation_record(fund=fund, amount=amount, by=finance, description="x", idempotency_key="k")


def test_commitments_never_exceed_the_fund(finance):
    fund = services.fund_get_or_create(reference="challenge:1")
    services.allocation_record(fund=fund, amount=100_00, by=finance, description="APBD", idempotency_key="k")
    services.commitment_create(fund=fund, reference="award:1", amount=60_00, by=finance)
    with pytest.raises(PaymentError):
        services.commitment_create(fund=fund, reference="award:2", amount=41_00, by=finance)
    assert selectors.fund_available(fund) == 40_00


def test_disbursements_never_exceed_the_commitment(finance):
    fund = services.fund_get_or_create(reference="challenge:1")
    services.allocation_record(fund=fund, amount=100_00, by=finance, description="APBD", idempotency_key="k")
    commitment = services.commitment_create(fund=fund, reference="award:1", amount=60_00, by=finance)
    services.disbursement_create(
        commitment=commitment,
        reference="milestone:1",
        amount=50_00,
        payee_reference="organisation:1",
        requested_by=finance,
    )
    with pytest.raises(PaymentError, match="exceed"):
        services.disbursement_create(
            commitment=commitment,
            reference="milestone:2",
            amount=11_00,
            payee_reference="organisation:1",
            requested_by=finance,
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_releases_pay_once():
    """Two finance officers press release at the same moment: one payment, one refusal."""
    finance_a, finance_b, requester = (
        UserFactory(roles=["finance"]),
        UserFactory(roles=["finance"]),
        UserFactory(),
    )
    fund = services.fund_get_or_create(reference="challenge:9")
    services.allocation_record(
        fund=fund, amount=100_00, by=finance_a, description="APBD", idempotency_key="k"
    )
    commitment = services.commitment_create(fund=fund, reference="award:9", amount=100_00, by=requester)
    disbursement = services.disbursement_create(
        commitment=commitment,
        reference="milestone:9",
        amount=100_00,
        payee_reference="organisation:9",
        requested_by=requester,
    )
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def release(user):
        barrier.wait()
        try:
            services.disbursement_release(disbursement=disbursement, by=user, bank_reference="SP2D-9")
            outcomes.append("paid")
        except PaymentError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=release, args=(u,)) for u in (finance_a, finance_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[1] == "paid" and outcomes.count("paid") == 1
    assert Transaction.objects.filter(kind="disbursement").count() == 1
    assert GatewayCall.objects.count() == 1
    assert Disbursement.objects.get().status == Disbursement.Status.PAID
