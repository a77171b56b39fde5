"""Money out: the disbursement state machine, its ledger postings and the rails, through the
public functions of payments (the HTTP edge is tests/finance/test_payouts.py; concurrency
is tests/payments/test_concurrency.py)."""

from __future__ import annotations

import json
import time

import pytest
import stripe
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q, Sum
from django.test import Client
from django.urls import reverse

from payments import api as payments_api
from payments import disbursement_workflow, tasks
from payments.errors import PaymentError
from payments.gateways.stripe.gateway import StripeGateway, client
from payments.interface import GatewayUnavailable
from payments.models import Account, Disbursement, Entry, GatewayCall, Recipient, Transaction, WebhookEvent
from tests.conftest import STRIPE_WEBHOOK_SECRET
from tests.factories import UserFactory
from tests.support.stripe_emulator import complete_onboarding

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages", "private_media")]

S = Disbursement.Status


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


# Helpers shared with test_concurrency.py -----------------------------------------------------------


def proof(name: str = "sp2d.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def verified_bank(payee: str, official=None) -> Recipient:
    payments_api.recipient_set_bank_account(
        payee_reference=payee, bank_name="Bank NTT", account_holder="PT Uji", account_number="0012-3456-78"
    )
    return payments_api.recipient_verify_bank_account(
        payee_reference=payee, by=official or UserFactory(roles=["official"])
    )


def pending_disbursement(
    *, amount: int = 100_00, held: int | None = None, payee: str = "organisation:9", key: str = "9"
) -> tuple[Disbursement, object]:
    """A fund holding ``held``, an award committing ``amount`` and one payment requested for it
    by an official; returns (disbursement, a finance officer who may release it)."""
    finance, official = UserFactory(roles=["finance"]), UserFactory(roles=["official"])
    fund = payments_api.fund_get_or_create(reference=f"challenge:{key}")
    payments_api.allocation_record(
        fund=fund, amount=held or amount, by=finance, description="APBD", idempotency_key=f"apbd-{key}"
    )
    commitment = payments_api.commitment_create(
        fund=fund, reference=f"award:{key}", amount=amount, by=official
    )
    disbursement = payments_api.disbursement_create(
        commitment=commitment,
        reference=f"milestone:{key}",
        amount=amount,
        payee_reference=payee,
        requested_by=official,
        description=f"Tahap {key}",
    )
    return disbursement, finance


def onboarded_stripe_recipient(emulator: str, payee: str = "organisation:9") -> Recipient:
    """A payee that connected a Stripe Express account and came back from onboarding."""
    payments_api.recipient_start_stripe_onboarding(
        payee_reference=payee,
        email="keuangan@startup.id",
        country="GB",
        return_url="http://testserver/back/",
        refresh_url="http://testserver/again/",
    )
    recipient = Recipient.objects.get(payee_reference=payee)
    complete_onboarding(emulator, recipient.stripe_account_id)
    return payments_api.recipient_sync_stripe(account_id=recipient.stripe_account_id, activate=True)


def transfers_to(recipient: Recipient) -> list:
    return client().v1.transfers.list(params={"destination": recipient.stripe_account_id}).data


def signed_event(payload: dict, secret: str = STRIPE_WEBHOOK_SECRET) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body.decode()}", secret)
    return body, f"t={timestamp},v1={signature}"


def post_event(http: Client, event_id: str, event_type: str, obj: dict):
    body, header = signed_event(
        {"id": event_id, "object": "event", "type": event_type, "data": {"object": obj}}
    )
    return http.post(
        reverse("payments:stripe_webhook"),
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )


def transfer_object(transfer_id: str) -> dict:
    return client().v1.transfers.retrieve(transfer_id).to_dict()


def balance(kind: str, fund=None) -> int:
    entries = Entry.objects.filter(account__kind=kind)
    if fund is not None:
        entries = entries.filter(Q(account__fund=fund) | Q(transaction__fund=fund))
    return entries.aggregate(total=Sum("amount"))["total"] or 0


def assert_books_balance() -> None:
    for txn in Transaction.objects.prefetch_related("entries"):
        assert sum(e.amount for e in txn.entries.all()) == 0, txn.idempotency_key


def paid_out(disbursement: Disbursement) -> int:
    """What the ledger says left the platform for this disbursement (as reconciliation reads it):
    the positive side of its ``disbursement:<d>…`` transactions, less their reversals."""
    keys = Q(idempotency_key=f"disbursement:{disbursement.pk}") | Q(
        idempotency_key__startswith=f"disbursement:{disbursement.pk}:"
    )
    forward = Transaction.objects.filter(keys, kind="disbursement")
    out = Entry.objects.filter(transaction__in=forward, amount__gt=0).aggregate(t=Sum("amount"))["t"] or 0
    back = (
        Entry.objects.filter(transaction__reverses__in=forward, amount__gt=0).aggregate(t=Sum("amount"))["t"]
        or 0
    )
    return out - back


def release_and_send(disbursement, finance, capture) -> Disbursement:
    with capture(execute=True):
        payments_api.disbursement_release(disbursement=disbursement, by=finance)
    disbursement.refresh_from_db()
    return disbursement


# The ledger through a manual payment ------------------------------------------------------------


def test_a_manual_payment_moves_through_the_ledger_and_is_paid_when_the_transfer_is_recorded(
    django_capture_on_commit_callbacks,
):
    disbursement, finance = pending_disbursement(amount=80_00, held=100_00)
    fund = disbursement.fund
    verified_bank("organisation:9")
    # The award moved the money from the fund's cash to its committed account.
    assert (balance(Account.Kind.FUND, fund), balance(Account.Kind.COMMITTED, fund)) == (20_00, 80_00)
    assert payments_api.fund_available(fund=fund) == 20_00 and payments_api.fund_balance(fund=fund) == 100_00

    with django_capture_on_commit_callbacks() as queued:
        released = payments_api.disbursement_release(disbursement=disbursement, by=finance)
    assert released.status == S.RELEASED and released.rail == "manual"
    assert (balance(Account.Kind.COMMITTED, fund), balance(Account.Kind.RECEIVABLE, fund)) == (0, 80_00)
    assert len(queued) == 1  # the send task, after commit

    queued[0]()  # the worker: the treasury has the instruction
    disbursement.refresh_from_db()
    assert disbursement.status == S.SENT and disbursement.attempts == 1
    assert GatewayCall.objects.get().idempotency_key == f"disbursement:{disbursement.pk}:attempt:1"
    assert paid_out(disbursement) == 0

    paid = payments_api.disbursement_record_paid(
        disbursement=disbursement, by=finance, bank_reference=" SP2D-00412/BUD ", proof=proof()
    )
    assert paid.status == S.PAID and paid.gateway_reference == "SP2D-00412/BUD" and paid.paid_at
    assert balance(Account.Kind.RECEIVABLE, fund) == 0 and balance(Account.Kind.GRANTS_PAID, fund) == 80_00
    assert paid_out(paid) == 80_00
    txn = Transaction.objects.get(idempotency_key=f"disbursement:{paid.pk}:attempt:1:paid")
    assert txn.reference == "SP2D-00412/BUD"
    assert payments_api.fund_figures(references=[fund.reference])[fund.reference] == {
        "received": 100_00,
        "committed": 80_00,
        "disbursed": 80_00,
    }
    assert (
        payments_api.fund_balance(fund=fund) == 20_00
        and payments_api.fund_outstanding_commitments(fund=fund) == 0
    )
    # The proof is kept privately: it has no address of its own.
    with pytest.raises(ValueError):
        paid.proof.url  # noqa: B018
    assert paid.proof.read().startswith(b"%PDF-")
    assert_books_balance()


def test_the_transfer_may_be_recorded_before_the_send_task_ran():
    disbursement, finance = pending_disbursement()
    verified_bank("organisation:9")
    payments_api.disbursement_release(disbursement=disbursement, by=finance)  # the task never ran
    paid = payments_api.disbursement_record_paid(
        disbursement=disbursement, by=finance, bank_reference="SP2D-1", proof=proof()
    )
    assert (paid.status, paid.attempts) == (S.PAID, 1)
    # The task arriving late changes nothing.
    tasks.send_disbursement(disbursement.pk)
    assert Disbursement.objects.get(pk=disbursement.pk).status == S.PAID
    assert GatewayCall.objects.count() == 1 and paid_out(paid) == 100_00


@pytest.mark.parametrize(
    ("bank_reference", "upload", "message"),
    [
        ("  ", proof(), "bank transfer reference"),
        ("SP2D-1", None, "Attach the transfer proof"),
        ("SP2D-1", proof("sp2d.pdf", b"MZ\x90\x00 an executable named .pdf"), "PDF or an image"),
        ("SP2D-1", proof("sp2d.pdf", b"<html><script>alert(1)</script></html>"), "PDF or an image"),
        ("SP2D-1", proof("kosong.pdf", b""), "empty"),
    ],
)
def test_recording_the_transfer_needs_a_reference_and_a_real_proof(bank_reference, upload, message):
    disbursement, finance = pending_disbursement()
    verified_bank("organisation:9")
    payments_api.disbursement_release(disbursement=disbursement, by=finance)
    with pytest.raises(PaymentError, match=message):
        payments_api.disbursement_record_paid(
            disbursement=disbursement, by=finance, bank_reference=bank_reference, proof=upload
        )
    disbursement.refresh_from_db()
    assert disbursement.status == S.RELEASED and not disbursement.proof
    assert paid_out(disbursement) == 0


def test_the_virus_scan_hook_is_asked_about_every_proof(settings):
    settings.PROPOSAL_ATTACHMENT_SCANNER = "tests.payments.test_disbursements.refuse_everything"
    disbursement, finance = pending_disbursement()
    verified_bank("organisation:9")
    payments_api.disbursement_release(disbursement=disbursement, by=finance)
    with pytest.raises(PaymentError, match="virus scan refused this file: EICAR"):
        payments_api.disbursement_record_paid(
            disbursement=disbursement, by=finance, bank_reference="SP2D-1", proof=proof()
        )
    assert Disbursement.objects.get(pk=disbursement.pk).status == S.RELEASED


def refuse_everything(upload) -> tuple[bool, str]:
    return False, "EICAR"


# Who may, and when -----------------------------------------------------------------------------


def test_four_eyes_hold_for_every_finance_action():
    disbursement, finance = pending_disbursement()
    verified_bank("organisation:9")
    approver = disbursement.requested_by
    approver.groups.add(finance.groups.get(name="finance"))
    with pytest.raises(PaymentError, match="approved the milestone may not also release"):
        payments_api.disbursement_release(disbursement=disbursement, by=approver)
    with pytest.raises(PaymentError, match="approved the milestone may not also handle"):
        payments_api.disbursement_cancel(disbursement=disbursement, by=approver, reason="Salah")
    payments_api.disbursement_release(disbursement=disbursement, by=finance)
    with pytest.raises(PaymentError, match="approved the milestone may not also handle"):
        payments_api.disbursement_record_paid(
            disbursement=disbursement, by=approver, bank_reference="SP2D-1", proof=proof()
        )
    with pytest.raises(PaymentError, match="Only a finance officer"):
        payments_api.disbursement_release(disbursement=disbursement, by=UserFactory(roles=["official"]))
    assert Disbursement.objects.get(pk=disbursement.pk).status == S.RELEASED


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        (S.RELEASED, "release", "already been released"),
        (S.PAID, "release", "already been released"),
        (S.FAILED, "release", "retry it or cancel it"),
        (S.PENDING, "record", "cannot be done while"),
        (S.PAID, "record", "already been recorded as paid"),
        (S.SENDING, "cancel", "being handed to its payment rail"),
        (S.PAID, "cancel", "cannot be done while"),
        (S.CANCELLED, "retry", "was cancelled"),
        (S.PENDING, "retry", "cannot be done while"),
    ],
)
def test_the_state_machine_refuses_what_the_state_does_not_allow(status, action, message):
    disbursement, finance = pending_disbursement()
    verified_bank("organisation:9")
    Disbursement.objects.filter(pk=disbursement.pk).update(status=status, rail="manual")
    before = (Transaction.objects.count(), GatewayCall.objects.count())
    calls = {
        "release": lambda: payments_api.disbursement_release(disbursement=disbursement, by=finance),
        "record": lambda: payments_api.disbursement_record_paid(
            disbursement=disbursement, by=finance, bank_reference="SP2D-1", proof=proof()
        ),
        "cancel": lambda: payments_api.disbursement_cancel(
            disbursement=disbursement, by=finance, reason="Salah"
        ),
        "retry": lambda: payments_api.disbursement_retry(disbursement=disbursement, by=finance),
    }
    with pytest.raises(PaymentError, match=message):
        calls[action]()
    assert Disbursement.objects.get(pk=disbursement.pk).status == status
    assert (Transaction.objects.count(), GatewayCall.objects.count()) == before


def test_every_transition_is_declared_once_with_its_actor():
    targets = {name: t.target for name, t in disbursement_workflow.TRANSITIONS.items()}
    assert targets == {
        "release": S.RELEASED,
        "send": S.SENDING,
        "accept": S.SENT,
        "refuse": S.FAILED,
        "confirm": S.PAID,
        "record_payment": S.PAID,
        "reverse": S.FAILED,
        "retry": S.RELEASED,
        "cancel": S.CANCELLED,
    }
    finance_actions = {
        n for n, t in disbursement_workflow.TRANSITIONS.items() if t.actor == disbursement_workflow.FINANCE
    }
    assert finance_actions == {"release", "record_payment", "retry", "cancel"}


# Bank details: the manual rail pays only to verified ones ---------------------------------------


def test_nothing_is_released_to_a_payee_without_payout_settings():
    disbursement, finance = pending_disbursement()
    with pytest.raises(PaymentError, match="has not set up how it receives payments"):
        payments_api.disbursement_release(disbursement=disbursement, by=finance)
    assert Disbursement.objects.get(pk=disbursement.pk).status == S.PENDING
    assert not Transaction.objects.filter(idempotency_key__startswith="payout:").exists()


def test_changed_bank_details_are_not_paid_until_an_official_verifies_them_again(
    django_capture_on_commit_callbacks,
):
    disbursement, finance = pending_disbursement()
    official = UserFactory(roles=["official"])
    payments_api.recipient_set_bank_account(
        payee_reference="organisation:9",
        bank_name="Bank NTT",
        account_holder="PT Uji",
        account_number="0012345678",
    )
    recipient = Recipient.objects.get()
    assert recipient.account_number_masked == "•••• 5678" and not recipient.bank_verified
    with pytest.raises(PaymentError, match="not verified them yet"):
        payments_api.disbursement_release(disbursement=disbursement, by=finance)

    payments_api.recipient_verify_bank_account(payee_reference="organisation:9", by=official)
    payments_api.disbursement_release(disbursement=disbursement, by=finance)

    # The details change after the release: the treasury's transfer cannot be recorded against them...
    payments_api.recipient_set_bank_account(
        payee_reference="organisation:9",
        bank_name="Bank Lain",
        account_holder="Orang Lain",
        account_number="99887766",
    )
    with pytest.raises(PaymentError, match="not verified them yet"):
        payments_api.disbursement_record_paid(
            disbursement=disbursement, by=finance, bank_reference="SP2D-1", proof=proof()
        )
    # ...and the send task refuses to hand it to the treasury.
    tasks.send_disbursement(disbursement.pk)
    disbursement.refresh_from_db()
    assert disbursement.status == S.FAILED and "not verified" in disbursement.failure_reason
    assert paid_out(disbursement) == 0

    # An official checks the new details; finance sends it again (attempt 1: nothing was sent before).
    changed_at = Recipient.objects.get().bank_details_changed_at
    payments_api.recipient_verify_bank_account(
        payee_reference="organisation:9", by=official, changed_at_seen=changed_at
    )
    with django_capture_on_commit_callbacks(execute=True):
        payments_api.disbursement_retry(disbursement=disbursement, by=finance)
    disbursement.refresh_from_db()
    assert disbursement.status == S.SENT
    payments_api.disbursement_record_paid(
        disbursement=disbursement, by=finance, bank_reference="SP2D-2", proof=proof()
    )
    assert paid_out(disbursement) == 100_00
    assert_books_balance()


def test_an_official_cannot_verify_details_changed_after_they_looked():
    payments_api.recipient_set_bank_account(
        payee_reference="organisation:9",
        bank_name="Bank NTT",
        account_holder="PT Uji",
        account_number="0012345678",
    )
    seen = Recipient.objects.get().bank_details_changed_at
    payments_api.recipient_set_bank_account(
        payee_reference="organisation:9",
        bank_name="Bank NTT",
        account_holder="PT Uji",
        account_number="0099999999",
    )
    with pytest.raises(PaymentError, match="changed while you were checking"):
        payments_api.recipient_verify_bank_account(
            payee_reference="organisation:9", by=UserFactory(roles=["official"]), changed_at_seen=seen
        )
    assert not Recipient.objects.get().bank_verified


@pytest.mark.parametrize(
    ("bank_name", "holder", "number", "message"),
    [
        ("", "PT Uji", "0012345678", "name of the bank"),
        ("Bank NTT", "  ", "0012345678", "account holder"),
        ("Bank NTT", "PT Uji", "12345", "6 to 20 digits"),
        ("Bank NTT", "PT Uji", "0012ABC678", "6 to 20 digits"),
        ("Bank NTT", "PT Uji", "1" * 21, "6 to 20 digits"),
    ],
)
def test_bad_bank_details_are_refused_and_nothing_is_saved(bank_name, holder, number, message):
    with pytest.raises(PaymentError, match=message):
        payments_api.recipient_set_bank_account(
            payee_reference="organisation:9",
            bank_name=bank_name,
            account_holder=holder,
            account_number=number,
        )
    assert not Recipient.objects.exists()


# Cancel and retry ---------------------------------------------------------------------------------


def test_cancelling_returns_the_money_to_the_commitment_and_needs_a_reason():
    disbursement, finance = pending_disbursement(amount=60_00, held=100_00)
    fund = disbursement.fund
    verified_bank("organisation:9")
    payments_api.disbursement_release(disbursement=disbursement, by=finance)
    with pytest.raises(PaymentError, match="Say why"):
        payments_api.disbursement_cancel(disbursement=disbursement, by=finance, reason="  ")
    cancelled = payments_api.disbursement_cancel(
        disbursement=disbursement, by=finance, reason="Rekening penerima ditutup"
    )
    assert cancelled.status == S.CANCELLED and cancelled.cancelled_reason == "Rekening penerima ditutup"
    assert (balance(Account.Kind.COMMITTED, fund), balance(Account.Kind.RECEIVABLE, fund)) == (60_00, 0)
    reversal = Transaction.objects.get(idempotency_key=f"payout:{disbursement.pk}:cancelled")
    assert (
        reversal.kind == "reversal"
        and reversal.reverses.idempotency_key == f"payout:{disbursement.pk}:released"
    )
    # The award's money is promised still: a new request for it may be made.
    again = payments_api.disbursement_create(
        commitment=disbursement.commitment,
        reference="milestone:9:2",
        amount=60_00,
        payee_reference="organisation:9",
        requested_by=disbursement.requested_by,
    )
    assert again.status == S.PENDING
    assert payments_api.fund_available(fund=fund) == 40_00
    assert_books_balance()


def test_a_manual_transfer_the_treasury_did_not_make_can_be_cancelled_but_not_a_stripe_one(
    django_capture_on_commit_callbacks,
):
    disbursement, finance = pending_disbursement(amount=60_00, held=100_00)
    fund = disbursement.fund
    verified_bank("organisation:9")
    with django_capture_on_commit_callbacks(execute=True):
        payments_api.disbursement_release(disbursement=disbursement, by=finance)
    disbursement.refresh_from_db()
    assert (disbursement.status, disbursement.rail) == (S.SENT, "manual")  # with the treasury
    assert "cancel" in disbursement_workflow.allowed_transitions(disbursement, finance)
    payments_api.disbursement_cancel(
        disbursement=disbursement, by=finance, reason="Bank mengembalikan transfer"
    )
    disbursement.refresh_from_db()
    assert disbursement.status == S.CANCELLED
    assert (balance(Account.Kind.COMMITTED, fund), balance(Account.Kind.RECEIVABLE, fund)) == (60_00, 0)
    assert_books_balance()

    # A Stripe transfer that exists is never cancelled here: only Stripe can reverse it.
    Disbursement.objects.filter(pk=disbursement.pk).update(status=S.SENT, rail="stripe")
    stripe_sent = Disbursement.objects.get(pk=disbursement.pk)
    assert "cancel" not in disbursement_workflow.allowed_transitions(stripe_sent, finance)
    with pytest.raises(PaymentError, match="only Stripe can reverse it"):
        payments_api.disbursement_cancel(disbursement=stripe_sent, by=finance, reason="Salah")
    assert Disbursement.objects.get(pk=disbursement.pk).status == S.SENT


def test_a_commitment_is_released_only_when_no_payment_stands_against_it():
    disbursement, finance = pending_disbursement(amount=60_00, held=100_00)
    commitment, fund = disbursement.commitment, disbursement.fund
    with pytest.raises(PaymentError, match="cannot be released"):
        payments_api.commitment_release(commitment=commitment, by=finance, reason="Ditolak")
    payments_api.disbursement_cancel(disbursement=disbursement, by=finance, reason="Penerima menolak")
    payments_api.commitment_release(commitment=commitment, by=finance, reason="Penerima menolak")
    payments_api.commitment_release(commitment=commitment, by=finance, reason="lagi")  # idempotent
    assert balance(Account.Kind.COMMITTED, fund) == 0 and balance(Account.Kind.FUND, fund) == 100_00
    reversal = Transaction.objects.get(idempotency_key=f"commitment:{commitment.pk}:released")
    assert reversal.reverses.kind == "award"
    assert payments_api.fund_available(fund=fund) == 100_00
    assert payments_api.fund_figures(references=[fund.reference])[fund.reference]["committed"] == 0


def test_a_stripe_payment_is_sent_then_confirmed_by_the_signed_webhook(
    stripe_emulator, django_capture_on_commit_callbacks
):
    disbursement, finance = pending_disbursement(amount=200_000_00, held=900_000_00)
    fund = disbursement.fund
    recipient = onboarded_stripe_recipient(stripe_emulator)
    assert (recipient.rail, recipient.payouts_enabled) == ("stripe", True)

    sent = release_and_send(disbursement, finance, django_capture_on_commit_callbacks)
    assert sent.status == S.SENT and sent.gateway_reference.startswith("tr_")
    [transfer] = transfers_to(recipient)
    assert (transfer.amount, transfer.currency, transfer.transfer_group) == (
        200_000_00,
        "idr",
        fund.reference,
    )
    assert transfer.metadata["idempotency_key"] == f"disbursement:{sent.pk}:attempt:1"
    # In Stripe's hands: the money waits in the clearing account until Stripe confirms.
    assert balance(Account.Kind.CLEARING, fund) == 200_000_00 and paid_out(sent) == 0

    http = Client()
    for event_id in ("evt_created", "evt_created"):  # a replayed event changes nothing
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                post_event(http, event_id, "transfer.created", transfer_object(transfer.id)).status_code
                == 200
            )
    with django_capture_on_commit_callbacks(execute=True):  # the same news by another event
        post_event(http, "evt_updated", "transfer.updated", transfer_object(transfer.id))
    sent.refresh_from_db()
    assert sent.status == S.PAID and paid_out(sent) == 200_000_00
    assert balance(Account.Kind.CLEARING, fund) == 0
    assert (
        Transaction.objects.get(idempotency_key=f"disbursement:{sent.pk}:attempt:1:paid").reference
        == transfer.id
    )
    assert WebhookEvent.objects.filter(status="processed").count() == 2
    assert_books_balance()


def test_a_reversed_transfer_fails_the_payment_with_a_reversal_and_the_retry_pays_once_more(
    stripe_emulator, django_capture_on_commit_callbacks
):
    disbursement, finance = pending_disbursement(amount=50_000_00)
    recipient = onboarded_stripe_recipient(stripe_emulator)
    sent = release_and_send(disbursement, finance, django_capture_on_commit_callbacks)
    http = Client()
    with django_capture_on_commit_callbacks(execute=True):
        post_event(http, "evt_1", "transfer.created", transfer_object(sent.gateway_reference))
    client().v1.transfers.reversals.create(sent.gateway_reference)  # the platform takes it back
    for event_id in ("evt_2", "evt_2", "evt_3"):  # replayed, and delivered twice under two ids
        with django_capture_on_commit_callbacks(execute=True):
            post_event(http, event_id, "transfer.reversed", transfer_object(sent.gateway_reference))
    failed = Disbursement.objects.get(pk=sent.pk)
    assert failed.status == S.FAILED and "reversed" in failed.failure_reason
    assert paid_out(failed) == 0
    assert balance(Account.Kind.RECEIVABLE, failed.fund) == 50_000_00  # owed to the grantee again
    assert Transaction.objects.filter(kind="reversal").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        payments_api.disbursement_retry(disbursement=failed, by=finance)
    retried = Disbursement.objects.get(pk=sent.pk)
    assert (retried.status, retried.attempts) == (S.SENT, 2)
    assert retried.gateway_reference != sent.gateway_reference
    tasks.confirm_sent_disbursements(older_than_seconds=0)  # its webhook is lost: the sweep asks Stripe
    retried.refresh_from_db()
    assert retried.status == S.PAID and paid_out(retried) == 50_000_00
    assert len(transfers_to(recipient)) == 2  # the reversed one and the one that stands
    assert_books_balance()


def test_events_arriving_out_of_order_settle_the_same(stripe_emulator, django_capture_on_commit_callbacks):
    """The reversal arrives before the transfer's own event: paid and reversed; the late
    transfer.created changes nothing."""
    disbursement, finance = pending_disbursement()
    onboarded_stripe_recipient(stripe_emulator)
    sent = release_and_send(disbursement, finance, django_capture_on_commit_callbacks)
    client().v1.transfers.reversals.create(sent.gateway_reference)
    http = Client()
    with django_capture_on_commit_callbacks(execute=True):
        post_event(http, "evt_reversed", "transfer.reversed", transfer_object(sent.gateway_reference))
    with django_capture_on_commit_callbacks(execute=True):
        post_event(http, "evt_created", "transfer.created", transfer_object(sent.gateway_reference))
    sent.refresh_from_db()
    assert sent.status == S.FAILED and paid_out(sent) == 0
    assert balance(Account.Kind.CLEARING) == 0 and balance(Account.Kind.RECEIVABLE) == 100_00
    assert_books_balance()


def test_a_partial_reversal_is_left_to_finance_and_changes_no_state(
    stripe_emulator, django_capture_on_commit_callbacks
):
    disbursement, finance = pending_disbursement(amount=100_00)
    onboarded_stripe_recipient(stripe_emulator)
    sent = release_and_send(disbursement, finance, django_capture_on_commit_callbacks)
    tasks.confirm_sent_disbursements(older_than_seconds=0)
    client().v1.transfers.reversals.create(sent.gateway_reference, params={"amount": 40_00})
    with django_capture_on_commit_callbacks(execute=True):
        post_event(Client(), "evt_partial", "transfer.reversed", transfer_object(sent.gateway_reference))
    sent.refresh_from_db()
    assert sent.status == S.PAID and paid_out(sent) == 100_00
    assert WebhookEvent.objects.get(event_id="evt_partial").status == "processed"


def test_stripe_refusing_a_transfer_fails_it_and_the_retry_uses_a_new_attempt(
    stripe_emulator, django_capture_on_commit_callbacks
):
    disbursement, finance = pending_disbursement()
    recipient = onboarded_stripe_recipient(stripe_emulator)
    # Our copy says the account can receive; the account at Stripe is not onboarded (a stale copy).
    stale = client().v1.accounts.create(params={"type": "express", "country": "GB"})
    Recipient.objects.filter(pk=recipient.pk).update(stripe_account_id=stale.id)

    failed = release_and_send(disbursement, finance, django_capture_on_commit_callbacks)
    assert failed.status == S.FAILED and "capabilities" in failed.failure_reason
    assert paid_out(failed) == 0 and GatewayCall.objects.get().succeeded is False

    complete_onboarding(stripe_emulator, stale.id)
    with django_capture_on_commit_callbacks(execute=True):
        payments_api.disbursement_retry(disbursement=failed, by=finance)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (S.SENT, 2)
    assert list(GatewayCall.objects.order_by("pk").values_list("idempotency_key", flat=True)) == [
        f"disbursement:{failed.pk}:attempt:1",
        f"disbursement:{failed.pk}:attempt:2",
    ]


def test_each_run_of_the_send_task_repeats_the_same_key_until_stripe_answers(stripe_emulator, monkeypatch):
    """Timeouts and 5xx answers leave the payment sending; every retry of the task repeats the
    call under the same idempotency key, and one transfer results. (The retries with backoff on
    a real worker: tests/payments/test_concurrency.py.)"""
    options = tasks.send_disbursement
    assert GatewayUnavailable in options.autoretry_for and options.retry_backoff and options.max_retries >= 5
    disbursement, finance = pending_disbursement()
    recipient = onboarded_stripe_recipient(stripe_emulator)
    real_send, keys = StripeGateway.send_transfer, []

    def flaky(self, request):
        keys.append(request.idempotency_key)
        if len(keys) == 1:
            real_send(self, request)  # Stripe made the transfer, then the answer was lost...
            raise GatewayUnavailable("read timed out")
        if len(keys) == 2:
            raise GatewayUnavailable("502 Bad Gateway")  # ...then Stripe had a bad minute
        return real_send(self, request)

    monkeypatch.setattr(StripeGateway, "send_transfer", flaky)
    payments_api.disbursement_release(disbursement=disbursement, by=finance)
    for _run in range(2):
        with pytest.raises(GatewayUnavailable):
            payments_api.disbursement_send(disbursement_id=disbursement.pk)
        assert Disbursement.objects.get(pk=disbursement.pk).status == S.SENDING
    sent = payments_api.disbursement_send(disbursement_id=disbursement.pk)
    assert sent.status == S.SENT and sent.attempts == 1
    assert keys == [f"disbursement:{sent.pk}:attempt:1"] * 3
    assert len(transfers_to(recipient)) == 1 and GatewayCall.objects.count() == 1


def test_a_500_from_stripe_is_unavailable_not_a_refusal(settings, stripe_emulator):
    """A real HTTP 500 (a tiny server standing in for Stripe) leaves the payment sending."""
    import http.server
    import threading

    class Broken(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error": {"type": "api_error", "message": "boom"}}')

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Broken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        disbursement, finance = pending_disbursement()
        onboarded_stripe_recipient(stripe_emulator)
        payments_api.disbursement_release(disbursement=disbursement, by=finance)
        settings.STRIPE_API_BASE = f"http://127.0.0.1:{server.server_address[1]}"
        with pytest.raises(GatewayUnavailable):
            payments_api.disbursement_send(disbursement_id=disbursement.pk)
    finally:
        server.shutdown()
    disbursement.refresh_from_db()
    assert disbursement.status == S.SENDING and GatewayCall.objects.get().succeeded is None

    settings.STRIPE_API_BASE = stripe_emulator
    tasks.resend_stuck_disbursements(older_than_seconds=0)
    disbursement.refresh_from_db()
    assert disbursement.status == S.SENT


def test_a_call_older_than_stripes_key_memory_is_looked_up_not_repeated(
    stripe_emulator, monkeypatch, django_capture_on_commit_callbacks
):
    """Stripe forgets idempotency keys after 24 hours: a call found unanswered after that is
    looked up by the key in the transfer's metadata instead of being made again."""
    import datetime

    disbursement, finance = pending_disbursement()
    recipient = onboarded_stripe_recipient(stripe_emulator)
    sent = release_and_send(disbursement, finance, django_capture_on_commit_callbacks)
    transfer_id = sent.gateway_reference
    # A day later the row is found sending: the answer of the call was lost.
    Disbursement.objects.filter(pk=sent.pk).update(status=S.SENDING, gateway_reference="")
    GatewayCall.objects.update(created_at=sent.released_at - datetime.timedelta(days=1))

    def must_not_send(self, request):
        raise AssertionError("a call older than the key's memory was repeated")

    monkeypatch.setattr(StripeGateway, "send_transfer", must_not_send)
    payments_api.disbursement_resend(disbursement=sent)
    sent.refresh_from_db()
    assert sent.status == S.SENT and sent.gateway_reference == transfer_id
    assert len(transfers_to(recipient)) == 1


def test_account_updated_webhook_keeps_the_payout_capability(
    stripe_emulator, django_capture_on_commit_callbacks
):
    payments_api.recipient_start_stripe_onboarding(
        payee_reference="organisation:9",
        email="a@startup.id",
        country="GB",
        return_url="http://t/",
        refresh_url="http://t/",
    )
    recipient = Recipient.objects.get()
    assert recipient.rail == "manual" and not recipient.payouts_enabled  # not paid through Stripe yet
    account = complete_onboarding(stripe_emulator, recipient.stripe_account_id)
    stale_copy = {**account, "payouts_enabled": False}  # a late event carries an old state
    with django_capture_on_commit_callbacks(execute=True):
        post_event(Client(), "evt_acct", "account.updated", stale_copy)
    recipient.refresh_from_db()
    # Read from Stripe, not from the event: the old copy does not win.
    assert (recipient.payouts_enabled, recipient.details_submitted) == (True, True)
    assert recipient.rail == "manual"  # the owner switches when they come back from Stripe
