"""Reconciliation: the ledger against its records (both rails) and against Stripe (the emulator
started by the test session), both ways; the stored run, the command and the scheduled task."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from config.celery import app as celery_app
from payments import api as payments_api
from payments import (
    contribution_services,
    disbursement_sending,
    gateway_balance,
    ledger,
    reconciliation,
    signals,
)
from payments.gateways.stripe.gateway import client as stripe_client
from payments.models import (
    Account,
    Contribution,
    Disbursement,
    Entry,
    Recipient,
    ReconciliationRun,
    Transaction,
)
from tests.support.stripe_emulator import complete_onboarding, reset

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages", "private_media")]


NOW = datetime.timedelta(0)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def fund(people):
    fund = payments_api.fund_get_or_create(reference="challenge:77", name="Antrean puskesmas daring")
    payments_api.allocation_record(
        fund=fund,
        amount=900_000_000_00,
        by=people["finance"],
        description="APBD 2026",
        idempotency_key="apbd",
    )
    return fund


def codes(run: ReconciliationRun) -> list[tuple[str, str]]:
    return sorted((d["code"], d["object"]) for d in run.differences)


def requested(fund, people, *, amount=100_000_000_00, key="1", payee="organisation:1") -> Disbursement:
    commitment = payments_api.commitment_create(
        fund=fund, reference=f"award:{key}", amount=amount, by=people["official"]
    )
    return payments_api.disbursement_create(
        commitment=commitment,
        reference=f"milestone:{key}",
        amount=amount,
        payee_reference=payee,
        requested_by=people["official"],
        description=f"Tahap {key}",
    )


def paid_manually(fund, people, capture, *, key="1", amount=100_000_000_00) -> Disbursement:
    payee = f"organisation:{key}"
    payments_api.recipient_set_bank_account(
        payee_reference=payee, bank_name="Bank NTT", account_holder="PT Uji", account_number="0012345678"
    )
    payments_api.recipient_verify_bank_account(payee_reference=payee, by=people["official"])
    disbursement = requested(fund, people, amount=amount, key=key, payee=payee)
    with capture(execute=True):
        payments_api.disbursement_release(disbursement=disbursement, by=people["finance"])
    return payments_api.disbursement_record_paid(
        disbursement=Disbursement.objects.get(pk=disbursement.pk),
        by=people["finance"],
        bank_reference=f"SP2D-{key}",
        proof=SimpleUploadedFile("sp2d.pdf", PDF, content_type="application/pdf"),
    )


def confirmed_pledge(fund, people, *, amount=50_000_000_00, reference="BNI-1") -> Contribution:
    contribution = payments_api.contribution_create(
        fund=fund,
        by=people["sponsor"],
        sponsor_name="PT Mitra",
        email="csr@mitra.example.id",
        public=False,
        amount=amount,
        rail=Contribution.Rail.PLEDGE,
    )
    return payments_api.pledge_confirm(
        contribution=contribution, by=people["finance"], bank_reference=reference
    )


# The ledger against its records (the manual rail) ----------------------------------------------


def test_books_that_agree_report_nothing_and_the_next_run_starts_where_this_one_did(
    fund, people, django_capture_on_commit_callbacks
):
    paid_manually(fund, people, django_capture_on_commit_callbacks)
    pledge = confirmed_pledge(fund, people)
    payments_api.contribution_refund(
        contribution=pledge,
        amount=10_000_000_00,
        reason="Kelebihan transfer",
        by=people["finance2"],
        idempotency_key="r1",
        bank_reference="SP2D-R1",
    )

    first = payments_api.reconcile(settle=NOW)

    assert first.differences == [] and first.run.error == ""
    assert first.rails == ["manual"]
    assert first.compared["disbursements"] == 1 and first.compared["contributions"] == 1
    assert first.compared["refunds"] == 1 and first.compared["transactions"] >= 6
    assert first.run.since is None and first.run.finished_at is not None
    second = payments_api.reconcile(settle=NOW)
    assert second.run.since == first.run.started_at
    assert payments_api.last_reconciliation() == second.run


def test_a_paid_disbursement_missing_from_the_ledger_is_reported(fund, people):
    disbursement = requested(fund, people)
    # Code that marked it paid without posting (what reconciliation exists to catch).
    Disbursement.objects.filter(pk=disbursement.pk).update(
        status=Disbursement.Status.PAID, paid_at=timezone.now(), gateway_reference="SP2D-9"
    )

    run = payments_api.reconcile(settle=NOW).run

    [difference] = run.differences
    assert difference | {"id": None} == {
        "code": "ledger_missing",
        "object": "disbursement",
        "id": None,
        "currency": "IDR",
        "expected": 100_000_000_00,
        "actual": 0,
        "local_status": "paid",
    }
    assert difference["id"] == disbursement.pk
    text = payments_api.describe_difference(difference=difference)
    assert f"Disbursement {disbursement.pk}" in text and "no ledger transaction" in text


def test_a_ledger_payment_of_a_disbursement_that_was_not_paid_is_reported(fund, people):
    disbursement = requested(fund, people)
    grants = ledger.account(ledger.GRANTS_PAID_CODE, name="Hibah", kind=Account.Kind.GRANTS_PAID)
    ledger.post(
        kind=Transaction.Kind.DISBURSEMENT,
        fund=fund,
        description="salah catat",
        idempotency_key=f"disbursement:{disbursement.pk}:attempt:1:paid",
        legs=[(grants, 5_000_00), (ledger.fund_cash_account(fund), -5_000_00)],
    )

    run = payments_api.reconcile(settle=NOW).run

    assert codes(run) == [("ledger_unexpected", "disbursement")]
    assert run.differences[0]["actual"] == 5_000_00 and run.differences[0]["local_status"] == "pending"
    assert "Rp 5.000" in payments_api.describe_difference(difference=run.differences[0])


def test_an_unbalanced_transaction_is_reported(fund):
    # Past ledger.post, which refuses it: straight into the tables.
    txn = Transaction.objects.create(kind="correction", fund=fund, description="rusak", idempotency_key="bad")
    Entry.objects.create(transaction=txn, account=ledger.fund_cash_account(fund), amount=7_00)

    run = payments_api.reconcile(settle=NOW).run

    assert codes(run) == [("unbalanced_transaction", "transaction")]
    assert run.differences[0]["id"] == txn.pk and run.differences[0]["actual"] == 7_00


def test_a_received_pledge_missing_from_the_ledger_and_a_wrong_refund_total_are_reported(fund, people):
    pledge = confirmed_pledge(fund, people)
    payments_api.contribution_refund(
        contribution=pledge,
        amount=1_000_000_00,
        reason="Kelebihan",
        by=people["finance2"],
        idempotency_key="r1",
        bank_reference="SP2D-R1",
    )
    Contribution.objects.filter(pk=pledge.pk).update(refunded_amount=2_000_000_00)
    unrecorded = payments_api.contribution_create(
        fund=fund,
        by=people["sponsor"],
        sponsor_name="CV Lain",
        email="lain@example.id",
        public=True,
        amount=20_000_000_00,
        rail=Contribution.Rail.PLEDGE,
    )
    Contribution.objects.filter(pk=unrecorded.pk).update(
        status=Contribution.Status.SUCCEEDED, succeeded_at=timezone.now()
    )

    run = payments_api.reconcile(settle=NOW).run

    assert codes(run) == [
        ("ledger_missing", "contribution"),
        ("reference_missing", "contribution"),
        ("refund_total", "contribution"),
    ]
    total = next(d for d in run.differences if d["code"] == "refund_total")
    assert (total["id"], total["expected"], total["actual"]) == (pledge.pk, 2_000_000_00, 1_000_000_00)


def test_a_run_compares_only_what_changed_since_the_previous_one(fund, people, monkeypatch):
    payments_api.reconcile(settle=NOW)
    monkeypatch.setattr(reconciliation, "OVERLAP", datetime.timedelta(0))
    disbursement = requested(fund, people)
    # Paid (without its ledger transaction) long before the previous run.
    Disbursement.objects.filter(pk=disbursement.pk).update(
        status=Disbursement.Status.PAID,
        paid_at=timezone.now() - datetime.timedelta(days=3),
        gateway_reference="X",
    )

    assert payments_api.reconcile(settle=NOW).differences == []
    assert codes(payments_api.reconcile(settle=NOW, full=True).run) == [("ledger_missing", "disbursement")]


def test_objects_younger_than_the_settle_time_wait_for_the_next_run(fund, people):
    disbursement = requested(fund, people)
    Disbursement.objects.filter(pk=disbursement.pk).update(
        status=Disbursement.Status.PAID, paid_at=timezone.now(), gateway_reference="X"
    )
    assert payments_api.reconcile().differences == []  # five minutes: its webhook may be on the way
    assert len(payments_api.reconcile(settle=NOW).differences) == 1


def test_the_finished_signal_carries_the_run_after_commit(fund, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, run, **kwargs):
        received.append(run)

    signals.reconciliation_finished.connect(listener, dispatch_uid="test-listener")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = payments_api.reconcile(settle=NOW)
            assert received == []
    finally:
        signals.reconciliation_finished.disconnect(dispatch_uid="test-listener")
    assert received == [result.run]


def test_the_command_says_what_it_compared_and_prints_each_difference(fund, people):
    disbursement = requested(fund, people)
    Disbursement.objects.filter(pk=disbursement.pk).update(
        status=Disbursement.Status.PAID, paid_at=timezone.now(), gateway_reference="X"
    )
    out = io.StringIO()

    call_command("reconcile", "--settle-seconds=0", stdout=out)

    printed = out.getvalue()
    assert "manual rail only (Stripe is not configured)" in printed
    assert f"[ledger_missing] Disbursement {disbursement.pk}" in printed
    assert printed.rstrip().endswith("1 difference.")
    assert ReconciliationRun.objects.count() == 1


def test_the_scheduled_task_is_registered_and_stores_a_run(settings, people):
    assert settings.CELERY_BEAT_SCHEDULE["reconcile-with-gateway"]["task"] == (
        "payments.tasks_reports.reconcile_with_gateway"
    )
    celery_app.loader.import_default_modules()  # what a worker does at start (CELERY_IMPORTS)
    task = celery_app.tasks["payments.tasks_reports.reconcile_with_gateway"]

    run_id = task.delay(user_id=people["finance"].pk).get()

    run = ReconciliationRun.objects.get(pk=run_id)
    assert run.triggered_by == people["finance"] and run.finished_at


# Against Stripe ----------------------------------------------------------------------------------


@pytest.fixture
def stripe(stripe_emulator):
    """Stripe configured, on an emulator emptied of other tests' objects."""
    reset(stripe_emulator)
    return stripe_emulator


def onboarded(stripe_url, payee: str) -> Recipient:
    payments_api.recipient_start_stripe_onboarding(
        payee_reference=payee,
        email="keuangan@startup.id",
        country="GB",
        return_url="http://testserver/back/",
        refresh_url="http://testserver/again/",
    )
    recipient = Recipient.objects.get(payee_reference=payee)
    complete_onboarding(stripe_url, recipient.stripe_account_id)
    return payments_api.recipient_sync_stripe(account_id=recipient.stripe_account_id, activate=True)


def paid_through_stripe(fund, people, stripe_url, capture, *, key="s1") -> Disbursement:
    from payments.gateways.stripe.gateway import retrieve_transfer

    payee = f"organisation:{key}"
    onboarded(stripe_url, payee)
    disbursement = requested(fund, people, amount=25_000_000_00, key=key, payee=payee)
    with capture(execute=True):
        payments_api.disbursement_release(disbursement=disbursement, by=people["finance"])
    sent = Disbursement.objects.get(pk=disbursement.pk)
    assert sent.status == Disbursement.Status.SENT, sent.failure_reason
    # What the transfer.created webhook does.
    disbursement_sending.disbursement_confirm(transfer=retrieve_transfer(sent.gateway_reference))
    paid = Disbursement.objects.get(pk=disbursement.pk)
    assert paid.status == Disbursement.Status.PAID
    return paid


def paid_by_card(fund, people, *, amount=30_000_000_00, record=True, fee=True) -> Contribution:
    contribution = payments_api.contribution_create(
        fund=fund,
        by=people["sponsor"],
        sponsor_name="PT Kartu",
        email="kartu@example.id",
        public=True,
        amount=amount,
        rail=Contribution.Rail.STRIPE,
    )
    payments_api.contribution_payment_intent(contribution=contribution)
    contribution.refresh_from_db()
    intent = stripe_client().v1.payment_intents.confirm(
        contribution.gateway_reference, params={"payment_method": "pm_card_visa"}
    )
    if record:  # what the payment_intent.succeeded webhook does: the payment, then Stripe's fee
        recorded = contribution_services.contribution_record_payment(intent=intent.to_dict())
        if fee and recorded is not None:
            gateway_balance.contribution_record_fee(contribution=recorded)
    return Contribution.objects.get(pk=contribution.pk)


def test_stripe_objects_that_match_the_records_report_nothing(
    stripe, fund, people, django_capture_on_commit_callbacks
):
    paid_through_stripe(fund, people, stripe, django_capture_on_commit_callbacks)
    contribution = paid_by_card(fund, people)
    with django_capture_on_commit_callbacks(execute=True):
        payments_api.contribution_refund(
            contribution=contribution,
            amount=5_000_000_00,
            reason="Salah",
            by=people["finance2"],
            idempotency_key="t",
        )
    paid_manually(fund, people, django_capture_on_commit_callbacks, key="m1")

    result = payments_api.reconcile(settle=NOW)

    assert result.differences == [] and result.run.error == ""
    assert result.rails == ["manual", "stripe"]
    assert (result.compared["payment_intents"], result.compared["refunds_at_gateway"]) == (1, 1)
    assert result.compared["transfers"] == 1


def test_a_second_transfer_for_one_disbursement_is_a_double_payment(
    stripe, fund, people, django_capture_on_commit_callbacks
):
    paid = paid_through_stripe(fund, people, stripe, django_capture_on_commit_callbacks)
    recipient = Recipient.objects.get(payee_reference=paid.payee_reference)
    # A bug that sent it again under another key.
    stripe_client().v1.transfers.create(
        params={
            "amount": paid.amount,
            "currency": "idr",
            "destination": recipient.stripe_account_id,
            "metadata": {"disbursement": str(paid.pk), "idempotency_key": "another"},
        }
    )

    run = payments_api.reconcile(settle=NOW).run

    assert ("duplicate_transfer", "disbursement") in codes(run)
    duplicate = next(d for d in run.differences if d["code"] == "duplicate_transfer")
    assert duplicate["id"] == paid.pk and duplicate["actual"] == 2 * paid.amount
    assert "more than once" in payments_api.describe_difference(difference=duplicate)


def test_objects_at_stripe_unknown_here_are_reported(
    stripe, fund, people, django_capture_on_commit_callbacks
):
    paid = paid_through_stripe(fund, people, stripe, django_capture_on_commit_callbacks)
    contribution = paid_by_card(fund, people)
    api = stripe_client().v1
    # A payment, a refund and a transfer made in the Stripe dashboard, not through the site.
    api.payment_intents.create(
        params={"amount": 1_000_00, "currency": "idr", "payment_method": "pm_card_visa", "confirm": True}
    )
    api.refunds.create(params={"payment_intent": contribution.gateway_reference, "amount": 2_000_00})
    api.transfers.create(
        params={
            "amount": 3_000_00,
            "currency": "idr",
            "destination": Recipient.objects.get(payee_reference=paid.payee_reference).stripe_account_id,
        }
    )

    run = payments_api.reconcile(settle=NOW).run

    assert codes(run) == [
        ("gateway_unknown", "payment_intent"),
        ("gateway_unknown", "stripe_refund"),
        ("gateway_unknown", "transfer"),
    ]
    assert sorted(d["actual"] for d in run.differences) == [1_000_00, 2_000_00, 3_000_00]


def test_a_payment_stripe_took_but_the_site_never_counted_is_reported(stripe, fund, people):
    contribution = paid_by_card(fund, people, record=False)  # the webhook never arrived

    run = payments_api.reconcile(settle=NOW).run

    assert codes(run) == [("status_mismatch", "contribution")]
    assert (
        run.differences[0]["local_status"] == "pending"
        and run.differences[0]["gateway_status"] == "succeeded"
    )
    assert run.differences[0]["gateway_id"] == contribution.gateway_reference


def test_records_naming_objects_stripe_does_not_have_are_reported(
    stripe, fund, people, django_capture_on_commit_callbacks
):
    paid = paid_through_stripe(fund, people, stripe, django_capture_on_commit_callbacks)
    contribution = paid_by_card(fund, people)
    reset(stripe)  # Stripe forgot them (another account's keys, a restored database...)

    run = payments_api.reconcile(settle=NOW).run

    assert codes(run) == [("gateway_missing", "contribution"), ("gateway_missing", "disbursement")]
    assert {d["gateway_id"] for d in run.differences} == {
        contribution.gateway_reference,
        paid.gateway_reference,
    }


def test_a_partial_reversal_at_stripe_missing_from_the_ledger_is_reported(
    stripe, fund, people, django_capture_on_commit_callbacks
):
    paid = paid_through_stripe(fund, people, stripe, django_capture_on_commit_callbacks)
    stripe_client().v1.transfers.reversals.create(paid.gateway_reference, params={"amount": 1_000_000_00})

    run = payments_api.reconcile(settle=NOW).run

    assert codes(run) == [("reversal_not_in_ledger", "disbursement")]
    assert (run.differences[0]["expected"], run.differences[0]["actual"]) == (0, 1_000_000_00)


def test_when_stripe_cannot_be_reached_the_run_says_so_and_the_ledger_is_still_compared(
    stripe, settings, fund, people
):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    disbursement = requested(fund, people)
    Disbursement.objects.filter(pk=disbursement.pk).update(
        status=Disbursement.Status.PAID, paid_at=timezone.now(), gateway_reference="X"
    )

    run = payments_api.reconcile(settle=NOW).run

    assert "could not be reached" in run.error
    assert codes(run) == [("ledger_missing", "disbursement")]
    with pytest.raises(CommandError, match="Incomplete"):
        call_command("reconcile", "--settle-seconds=0", stdout=io.StringIO())


def test_a_card_payment_switched_to_a_bank_transfer_is_no_difference(stripe, fund, people):
    contribution = payments_api.contribution_create(
        fund=fund,
        by=people["sponsor"],
        sponsor_name="PT Pindah",
        email="pindah@example.id",
        public=False,
        amount=15_000_000_00,
        rail=Contribution.Rail.STRIPE,
    )
    payments_api.contribution_payment_intent(contribution=contribution)
    switched = payments_api.contribution_switch_to_pledge(
        contribution=Contribution.objects.get(pk=contribution.pk), by=people["sponsor"]
    )
    payments_api.pledge_confirm(contribution=switched, by=people["finance"], bank_reference="BCA-77")

    result = payments_api.reconcile(settle=NOW)

    assert result.differences == [] and result.compared["payment_intents"] == 1
