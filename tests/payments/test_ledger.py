import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation

from payments import api as payments_api
from payments.errors import PaymentError
from payments.models import Disbursement, GatewayCall, Transaction
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


def test_allocation_is_recorded_once_per_idempotency_key(finance):
    fund = payments_api.fund_get_or_create(reference="challenge:1")
    for _ in range(3):  # a double-clicked or resubmitted form
        payments_api.allocation_record(
            fund=fund, amount=5_000_00, by=finance, description="APBD", idempotency_key="form-token-1"
        )
    assert Transaction.objects.count() == 1
    assert payments_api.fund_balance(fund=fund) == 5_000_00


def test_only_finance_officers_record_allocations():
    fund = payments_api.fund_get_or_create(reference="challenge:1")
    with pytest.raises(PaymentError):
        payments_api.allocation_record(
            fund=fund,
            amount=5_000_00,
            by=UserFactory(roles=["official"]),
            description="APBD",
            idempotency_key="x",
        )
    assert not Transaction.objects.exists()


@pytest.mark.parametrize("amount", [0, -5, 10.5, True])
def test_amounts_must_be_positive_integers(finance, amount):
    fund = payments_api.fund_get_or_create(reference="challenge:1")
    with pytest.raises(PaymentError):
        payments_api.allocation_record(
            fund=fund, amount=amount, by=finance, description="x", idempotency_key="k"
        )


def test_commitments_never_exceed_the_fund(finance):
    fund = payments_api.fund_get_or_create(reference="challenge:1")
    payments_api.allocation_record(
        fund=fund, amount=100_00, by=finance, description="APBD", idempotency_key="k"
    )
    payments_api.commitment_create(fund=fund, reference="award:1", amount=60_00, by=finance)
    with pytest.raises(PaymentError):
        payments_api.commitment_create(fund=fund, reference="award:2", amount=41_00, by=finance)
    assert payments_api.fund_available(fund=fund) == 40_00


def test_disbursements_never_exceed_the_commitment(finance):
    fund = payments_api.fund_get_or_create(reference="challenge:1")
    payments_api.allocation_record(
        fund=fund, amount=100_00, by=finance, description="APBD", idempotency_key="k"
    )
    commitment = payments_api.commitment_create(fund=fund, reference="award:1", amount=60_00, by=finance)
    payments_api.disbursement_create(
        commitment=commitment,
        reference="milestone:1",
        amount=50_00,
        payee_reference="organisation:1",
        requested_by=finance,
    )
    with pytest.raises(PaymentError, match="exceed"):
        payments_api.disbursement_create(
            commitment=commitment,
            reference="milestone:2",
            amount=11_00,
            payee_reference="organisation:1",
            requested_by=finance,
        )


def test_an_award_moves_its_money_from_the_fund_to_the_commitment(finance):
    fund = payments_api.fund_get_or_create(reference="challenge:1")
    payments_api.allocation_record(
        fund=fund, amount=100_00, by=finance, description="APBD", idempotency_key="k"
    )
    commitment = payments_api.commitment_create(fund=fund, reference="award:1", amount=60_00, by=finance)
    award = Transaction.objects.get(kind="award")
    assert award.idempotency_key == f"commitment:{commitment.pk}"
    assert sorted((e.account.kind, e.amount) for e in award.entries.all()) == [
        ("committed", 60_00),
        ("fund", -60_00),
    ]
    # The fund still holds it (promised, not paid): its balance is unchanged, what is left is not.
    assert payments_api.fund_balance(fund=fund) == 100_00
    assert payments_api.fund_outstanding_commitments(fund=fund) == 60_00


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_releases_pay_once(settings, tmp_path):
    """Two finance officers press release at the same moment: one release, one refusal; the
    payment is sent once and recorded once."""
    finance_a, finance_b, requester = (
        UserFactory(roles=["finance"]),
        UserFactory(roles=["finance"]),
        UserFactory(),
    )
    fund = payments_api.fund_get_or_create(reference="challenge:9")
    payments_api.allocation_record(
        fund=fund, amount=100_00, by=finance_a, description="APBD", idempotency_key="k"
    )
    commitment = payments_api.commitment_create(fund=fund, reference="award:9", amount=100_00, by=requester)
    disbursement = payments_api.disbursement_create(
        commitment=commitment,
        reference="milestone:9",
        amount=100_00,
        payee_reference="organisation:9",
        requested_by=requester,
    )
    payments_api.recipient_set_bank_account(
        payee_reference="organisation:9",
        bank_name="Bank NTT",
        account_holder="PT Uji",
        account_number="0012345678",
    )
    payments_api.recipient_verify_bank_account(
        payee_reference="organisation:9", by=UserFactory(roles=["official"])
    )
    settings.PRIVATE_MEDIA_ROOT = tmp_path  # for the transfer proof
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def release(user):
        translation.activate("en")  # a thread starts in the site's language
        barrier.wait()
        try:
            payments_api.disbursement_release(disbursement=disbursement, by=user)
            outcomes.append("released")
        except PaymentError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=release, args=(u,)) for u in (finance_a, finance_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["This disbursement has already been released.", "released"]
    assert GatewayCall.objects.count() == 1  # sent once (to the treasury)
    assert Disbursement.objects.get().status == Disbursement.Status.SENT
    payments_api.disbursement_record_paid(
        disbursement=disbursement,
        by=finance_b,
        bank_reference="SP2D-9",
        proof=SimpleUploadedFile("sp2d.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    assert Transaction.objects.filter(kind="disbursement", idempotency_key__endswith=":paid").count() == 1
    assert Disbursement.objects.get().status == Disbursement.Status.PAID
