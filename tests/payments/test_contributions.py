"""Money in: sponsor contributions by card (Stripe emulator) or bank transfer pledge, refunds,
receipts, and the webhooks that decide when a contribution counts."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import uuid

import pytest
import stripe
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from payments import api as payments_api
from payments.errors import PaymentError
from payments.gateways.stripe.gateway import client as stripe_client
from payments.models import Contribution, Entry, Refund, Transaction, WebhookEvent
from tests import factories
from tests.conftest import STRIPE_WEBHOOK_SECRET
from tests.factories import UserFactory
from tests.support.stripe_emulator import register_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages", "stripe_outage_forgotten")]

UNREACHABLE = "http://127.0.0.1:9"  # nothing listens there: a real connection failure


@pytest.fixture
def fund():
    return payments_api.fund_get_or_create(reference="challenge:901", name="Sampah pintar Kota Uji")


def _create(fund, sponsor, amount=2_500_000_00, **fields):
    values = {"sponsor_name": "PT Maju Bersama", "email": "csr@maju.co.id", "public": True}
    values.update(fields)
    return payments_api.contribution_create(fund=fund, by=sponsor, amount=amount, **values)


def _signed(payload: dict, secret: str = STRIPE_WEBHOOK_SECRET) -> tuple[bytes, str]:
    """Signed the way Stripe signs: HMAC-SHA256 of "<timestamp>.<body>"."""
    body = json.dumps(payload).encode()
    timestamp = int(time.time())
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={signature}"


def _deliver(client, capture, event_type: str, obj: dict, event_id: str | None = None):
    payload = {
        "id": event_id or f"evt_{uuid.uuid4().hex[:16]}",
        "object": "event",
        "type": event_type,
        "data": {"object": obj},
    }
    body, header = _signed(payload)
    with capture(execute=True):
        response = client.post(
            reverse("payments:stripe_webhook"),
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": header},
        )
    assert response.status_code == 200
    return payload


def _intent(contribution) -> dict:
    return stripe_client().v1.payment_intents.retrieve(contribution.gateway_reference).to_dict()


def _pay(contribution, payment_method="pm_card_visa") -> dict:
    """What Stripe.js does in the sponsor's browser when the Payment Element is submitted."""
    stripe_client().v1.payment_intents.confirm(
        contribution.gateway_reference, params={"payment_method": payment_method}
    )
    return _intent(contribution)


def _legs(key: str) -> dict[str, int]:
    return {e.account.code: e.amount for e in Entry.objects.filter(transaction__idempotency_key=key)}


def _card_contribution(fund, sponsor, **fields):
    contribution = _create(fund, sponsor, **fields)
    payments_api.contribution_payment_intent(contribution=contribution)
    return Contribution.objects.get(pk=contribution.pk)


# Pledges: the rail without Stripe ------------------------------------------------------------


def test_without_stripe_a_contribution_is_a_pending_pledge_and_moves_no_money(fund, sponsor):
    contribution = _create(fund, sponsor)

    assert (contribution.rail, contribution.status) == ("pledge", "pending")
    assert contribution.sponsor == sponsor and contribution.currency == "IDR"
    assert payments_api.transfer_note(contribution=contribution) == "PTD-901-0001"
    assert not Transaction.objects.exists()
    assert payments_api.fund_balance(fund=fund) == 0


def test_a_finance_officer_confirms_a_pledge_against_the_bank_statement(
    fund, sponsor, finance, django_capture_on_commit_callbacks
):
    contribution = _create(fund, sponsor)

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = payments_api.pledge_confirm(
            contribution=contribution, by=finance, bank_reference=" BNI-7781 "
        )

    assert confirmed.status == "succeeded"
    assert (confirmed.bank_reference, confirmed.confirmed_by) == ("BNI-7781", finance)
    assert re.fullmatch(rf"KW-\d{{4}}-{confirmed.pk:06d}", confirmed.receipt_number)
    txn = Transaction.objects.get(idempotency_key=f"contribution:{contribution.pk}")
    assert (txn.kind, txn.reference, txn.created_by) == ("contribution", "BNI-7781", finance)
    assert _legs(txn.idempotency_key) == {
        fund.cash_account_code: 2_500_000_00,
        "source:sponsors": -2_500_000_00,
    }
    assert payments_api.fund_balance(fund=fund) == 2_500_000_00
    # The receipt, by email, to the address given for it.
    [receipt] = mail.outbox
    assert receipt.to == ["csr@maju.co.id"]
    assert confirmed.receipt_number in receipt.subject
    assert "Rp 2.500.000" in receipt.body
    assert f"/workspace/contributions/{contribution.pk}/receipt/" in receipt.body

    # The same confirmation sent twice changes nothing; another statement line is refused.
    payments_api.pledge_confirm(contribution=contribution, by=finance, bank_reference="BNI-7781")
    with pytest.raises(PaymentError, match="already been confirmed"):
        payments_api.pledge_confirm(contribution=contribution, by=finance, bank_reference="BNI-9999")
    assert Transaction.objects.count() == 1 and len(mail.outbox) == 1


def test_one_bank_statement_line_confirms_one_pledge(fund, sponsor, finance):
    first, second = _create(fund, sponsor), _create(fund, sponsor)
    payments_api.pledge_confirm(contribution=first, by=finance, bank_reference="MANDIRI-1")
    with pytest.raises(PaymentError, match="already confirmed another pledge"):
        payments_api.pledge_confirm(contribution=second, by=finance, bank_reference="mandiri-1")
    assert Contribution.objects.get(pk=second.pk).status == "pending"


@pytest.mark.parametrize("role", [None, "sponsor", "official", "reviewer"])
def test_only_a_finance_officer_confirms_a_pledge(fund, sponsor, role):
    contribution = _create(fund, sponsor)
    with pytest.raises(PaymentError, match="finance officer"):
        payments_api.pledge_confirm(
            contribution=contribution, by=UserFactory(roles=[role] if role else []), bank_reference="X-1"
        )
    assert Contribution.objects.get(pk=contribution.pk).status == "pending"
    assert not Transaction.objects.exists()


def test_a_finance_officer_may_not_confirm_their_own_pledge(fund, finance):
    contribution = _create(fund, finance)
    with pytest.raises(PaymentError, match="their own contribution"):
        payments_api.pledge_confirm(contribution=contribution, by=finance, bank_reference="X-1")
    assert not Transaction.objects.exists()


def test_a_cancelled_pledge_may_still_be_confirmed_when_the_money_turns_up(fund, sponsor, finance):
    contribution = _create(fund, sponsor)
    with pytest.raises(PaymentError, match="reason"):
        payments_api.pledge_cancel(contribution=contribution, by=finance, reason=" ")
    cancelled = payments_api.pledge_cancel(contribution=contribution, by=finance, reason="Tidak ada transfer")
    assert (cancelled.status, cancelled.failure_reason) == ("canceled", "Tidak ada transfer")

    late = payments_api.pledge_confirm(contribution=contribution, by=finance, bank_reference="BRI-5")
    assert late.status == "succeeded" and late.failure_reason == ""
    assert payments_api.fund_balance(fund=fund) == 2_500_000_00


@pytest.mark.parametrize(
    "amount, fields, message",
    [
        (0, {}, "greater than zero"),
        (-5_000_000, {}, "greater than zero"),
        (12.5, {}, "greater than zero"),
        (10_000_50, {}, "whole rupiah"),
        (9_999_00, {}, "smallest contribution is Rp 10.000"),
        (10**18, {}, "at most"),
        (50_000_00, {"sponsor_name": "  "}, "name"),
        (50_000_00, {"email": "not-an-address"}, "valid email"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(fund, sponsor, amount, fields, message):
    with pytest.raises(PaymentError, match=message):
        _create(fund, sponsor, amount=amount, **fields)
    assert not Contribution.objects.exists()


def test_a_visitor_who_is_not_signed_in_cannot_contribute(fund):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PaymentError, match="Sign in"):
        _create(fund, AnonymousUser())
    assert not Contribution.objects.exists()


def test_card_payment_cannot_be_chosen_without_stripe(fund, sponsor):
    assert payments_api.available_rails() == ["pledge"]
    with pytest.raises(PaymentError, match="not available"):
        _create(fund, sponsor, rail="stripe")
    assert not Contribution.objects.exists()


# Card payments through Stripe ------------------------------------------------------------------


def test_a_card_contribution_makes_one_payment_intent_in_idr_for_the_fund(stripe_emulator, fund, sponsor):
    contribution = _create(fund, sponsor, amount=1_250_000_00)
    assert contribution.rail == "stripe" and contribution.gateway_reference == ""

    first = payments_api.contribution_payment_intent(contribution=contribution)
    again = payments_api.contribution_payment_intent(
        contribution=Contribution.objects.get(pk=contribution.pk)
    )

    assert first.id == again.id and first.client_secret.startswith(first.id)
    intent = _intent(Contribution.objects.get(pk=contribution.pk))
    assert (intent["amount"], intent["currency"], intent["transfer_group"]) == (
        1_250_000_00,
        "idr",
        "challenge:901",
    )
    assert intent["metadata"] == {
        "contribution": str(contribution.pk),
        "fund": "challenge:901",
        "challenge": "Sampah pintar Kota Uji",
        "sponsor": "PT Maju Bersama",
        "sponsor_user": str(sponsor.pk),
    }
    # Created, not paid: nothing counts yet.
    assert Contribution.objects.get(pk=contribution.pk).status == "pending"
    assert not Transaction.objects.exists()


def test_card_payments_above_the_ceiling_go_by_bank_transfer(stripe_emulator, fund, sponsor):
    with pytest.raises(PaymentError, match="bank transfer"):
        _create(fund, sponsor, amount=payments_api.MAX_CARD_AMOUNT + 100)
    pledge = _create(fund, sponsor, amount=payments_api.MAX_CARD_AMOUNT + 100, rail="pledge")
    assert pledge.rail == "pledge"


def test_the_contribution_counts_only_when_the_succeeded_webhook_arrives(
    client, django_capture_on_commit_callbacks, stripe_emulator, fund, sponsor
):
    contribution = _card_contribution(fund, sponsor)
    paid = _pay(contribution)
    assert paid["status"] == "succeeded"
    # Paid at Stripe, but no webhook yet: nothing counts.
    assert Contribution.objects.get(pk=contribution.pk).status == "pending"
    assert not Transaction.objects.exists()

    event = _deliver(client, django_capture_on_commit_callbacks, "payment_intent.succeeded", paid)

    counted = Contribution.objects.get(pk=contribution.pk)
    assert counted.status == "succeeded" and counted.receipt_number
    txn = Transaction.objects.get(idempotency_key=f"contribution:{contribution.pk}")
    assert (txn.kind, txn.reference, txn.fund) == ("contribution", paid["id"], fund)
    assert _legs(txn.idempotency_key) == {
        fund.cash_account_code: 2_500_000_00,
        "source:sponsors": -2_500_000_00,
    }
    # Only named publicly because the sponsor asked to be.
    assert "PT Maju Bersama" in txn.description
    assert len(mail.outbox) == 1 and counted.receipt_number in mail.outbox[0].subject
    # The fee Stripe kept (the emulator's 2.9 % + Rp 2.000) is the operator's, not the fund's.
    fee = Transaction.objects.get(kind="fee")
    assert (fee.fund, fee.reference.startswith("txn_")) == (fund, True)
    assert _legs(fee.idempotency_key) == {"fees:stripe": 74_500_00, "operator:fees": -74_500_00}

    # The same event replayed, the same news under another event id, and late bad news: harmless.
    _deliver(
        client, django_capture_on_commit_callbacks, "payment_intent.succeeded", paid, event_id=event["id"]
    )
    _deliver(client, django_capture_on_commit_callbacks, "payment_intent.succeeded", paid)
    _deliver(client, django_capture_on_commit_callbacks, "payment_intent.payment_failed", paid)
    _deliver(client, django_capture_on_commit_callbacks, "payment_intent.canceled", paid)
    after = Contribution.objects.get(pk=contribution.pk)
    assert (after.status, after.succeeded_at, after.receipt_number) == (
        "succeeded",
        counted.succeeded_at,
        counted.receipt_number,
    )
    assert Transaction.objects.count() == 2 and len(mail.outbox) == 1
    assert WebhookEvent.objects.filter(status="processed").count() == 4


def test_an_anonymous_sponsor_is_not_named_in_the_public_ledger(
    client, django_capture_on_commit_callbacks, stripe_emulator, fund, sponsor
):
    contribution = _card_contribution(fund, sponsor, public=False, sponsor_name="Budi Santoso")
    _deliver(client, django_capture_on_commit_callbacks, "payment_intent.succeeded", _pay(contribution))
    txn = Transaction.objects.get(kind="contribution")
    with translation.override(settings.LANGUAGE_CODE):
        anonymous = translation.gettext("anonymous sponsor")
    assert "Budi" not in txn.description and anonymous in txn.description


def test_a_declined_card_is_shown_and_another_card_may_still_pay(
    client, django_capture_on_commit_callbacks, stripe_emulator, fund, sponsor
):
    contribution = _card_contribution(fund, sponsor)
    # The emulator charges pm_card_visa_chargeDeclined (it declines that card only when attached to
    # a customer); pm_card_chargeCustomerFail is declined at the charge, as on Stripe.
    with pytest.raises(stripe.CardError):
        _pay(contribution, "pm_card_chargeCustomerFail")
    declined = _intent(contribution)
    _deliver(client, django_capture_on_commit_callbacks, "payment_intent.payment_failed", declined)

    failed = Contribution.objects.get(pk=contribution.pk)
    assert (failed.status, failed.failure_reason) == ("failed", "Your card was declined.")
    assert not Transaction.objects.exists()

    _deliver(client, django_capture_on_commit_callbacks, "payment_intent.succeeded", _pay(contribution))
    assert Contribution.objects.get(pk=contribution.pk).status == "succeeded"
    assert Transaction.objects.filter(kind="contribution").count() == 1


def test_a_cancelled_payment_intent_is_shown_to_the_sponsor(
    client, django_capture_on_commit_callbacks, stripe_emulator, fund, sponsor
):
    contribution = _card_contribution(fund, sponsor)
    stripe_client().v1.payment_intents.cancel(contribution.gateway_reference)
    # The emulator sends no payment_intent.canceled event: this one is signed here, as Stripe would.
    intent = _intent(contribution) | {"cancellation_reason": "abandoned"}
    _deliver(client, django_capture_on_commit_callbacks, "payment_intent.canceled", intent)
    cancelled = Contribution.objects.get(pk=contribution.pk)
    assert (cancelled.status, cancelled.failure_reason) == ("canceled", "abandoned")


def test_events_about_someone_elses_payment_or_a_different_amount_change_nothing(
    client, django_capture_on_commit_callbacks, stripe_emulator, fund, sponsor
):
    contribution = _card_contribution(fund, sponsor)
    stranger = stripe_client().v1.payment_intents.create(params={"amount": 5_000_00, "currency": "idr"})
    _deliver(client, django_capture_on_commit_callbacks, "payment_intent.succeeded", stranger.to_dict())
    tampered = _pay(contribution) | {"amount": 1_000_00, "amount_received": 1_000_00}
    _deliver(client, django_capture_on_commit_callbacks, "payment_intent.succeeded", tampered)

    assert Contribution.objects.get(pk=contribution.pk).status == "pending"
    assert not Transaction.objects.exists()
    assert WebhookEvent.objects.filter(status="processed").count() == 2


def test_a_lost_answer_is_matched_by_the_contribution_id_in_the_metadata(
    client, django_capture_on_commit_callbacks, stripe_emulator, fund, sponsor
):
    contribution = _card_contribution(fund, sponsor)
    paid = _pay(contribution)
    Contribution.objects.filter(pk=contribution.pk).update(gateway_reference="")  # the id never got stored
    _deliver(client, django_capture_on_commit_callbacks, "payment_intent.succeeded", paid)
    found = Contribution.objects.get(pk=contribution.pk)
    assert (found.status, found.gateway_reference) == ("succeeded", paid["id"])


def test_when_stripe_is_down_the_contribution_is_kept_and_nothing_is_charged_twice(
    settings, stripe_emulator, fund, sponsor
):
    contribution = _create(fund, sponsor)
    settings.STRIPE_API_BASE = UNREACHABLE
    with pytest.raises(PaymentError, match="unavailable right now"):
        payments_api.contribution_payment_intent(contribution=contribution)
    kept = Contribution.objects.get(pk=contribution.pk)
    assert (kept.status, kept.gateway_reference, kept.amount) == ("pending", "", 2_500_000_00)
    assert payments_api.card_payments_unavailable()

    settings.STRIPE_API_BASE = stripe_emulator  # Stripe is back: the same key, one PaymentIntent
    first = payments_api.contribution_payment_intent(contribution=kept)
    second = payments_api.contribution_payment_intent(contribution=Contribution.objects.get(pk=kept.pk))
    assert first.id == second.id
    assert not payments_api.card_payments_unavailable()
    listed = stripe_client().v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
    assert [pi.id for pi in listed if pi.metadata.to_dict().get("contribution") == str(kept.pk)] == [first.id]


def test_the_sponsor_may_pay_by_bank_transfer_instead_and_the_card_can_no_longer_be_used(
    client, django_capture_on_commit_callbacks, stripe_emulator, fund, sponsor
):
    contribution = _card_contribution(fund, sponsor)
    with pytest.raises(PaymentError, match="Only the sponsor"):
        payments_api.contribution_switch_to_pledge(contribution=contribution, by=UserFactory())

    switched = payments_api.contribution_switch_to_pledge(contribution=contribution, by=sponsor)

    assert (switched.rail, switched.status) == ("pledge", "pending")
    assert _intent(contribution)["status"] == "canceled"
    # Stripe's news about the cancelled card payment no longer concerns the pledge.
    _deliver(client, django_capture_on_commit_callbacks, "payment_intent.canceled", _intent(contribution))
    assert Contribution.objects.get(pk=contribution.pk).status == "pending"


def test_a_paid_card_contribution_cannot_be_switched_to_a_bank_transfer(stripe_emulator, fund, sponsor):
    contribution = _card_contribution(fund, sponsor)
    _pay(contribution)  # paid; the webhook is still on its way
    with pytest.raises(PaymentError, match="already under way"):
        payments_api.contribution_switch_to_pledge(contribution=contribution, by=sponsor)
    assert Contribution.objects.get(pk=contribution.pk).rail == "stripe"


# Refunds --------------------------------------------------------------------------------------


@pytest.fixture
def paid_by_card(client, django_capture_on_commit_callbacks, stripe_emulator, fund, sponsor):
    contribution = _card_contribution(fund, sponsor)
    _deliver(client, django_capture_on_commit_callbacks, "payment_intent.succeeded", _pay(contribution))
    mail.outbox.clear()
    return Contribution.objects.get(pk=contribution.pk)


def _stripe_refunds(contribution) -> list[tuple[str, int]]:
    listed = stripe_client().v1.refunds.list(params={"payment_intent": contribution.gateway_reference}).data
    return sorted((r.id, r.amount) for r in listed)


def test_a_partial_card_refund_goes_through_stripe_and_reverses_the_ledger(
    django_capture_on_commit_callbacks, paid_by_card, finance, fund
):
    with django_capture_on_commit_callbacks(execute=True):
        refund = payments_api.contribution_refund(
            contribution=paid_by_card,
            amount=500_000_00,
            reason="Salah nominal",
            by=finance,
            idempotency_key="t1",
        )

    assert (refund.status, refund.amount) == ("succeeded", 500_000_00)
    assert _stripe_refunds(paid_by_card) == [(refund.gateway_reference, 500_000_00)]
    txn = Transaction.objects.get(idempotency_key=f"refund:{refund.pk}")
    assert txn.kind == "refund" and txn.reference == refund.gateway_reference
    assert txn.reverses == Transaction.objects.get(idempotency_key=f"contribution:{paid_by_card.pk}")
    assert _legs(txn.idempotency_key) == {fund.cash_account_code: -500_000_00, "source:sponsors": 500_000_00}
    contribution = Contribution.objects.get(pk=paid_by_card.pk)
    assert (contribution.status, contribution.refunded_amount) == ("partially_refunded", 500_000_00)
    assert payments_api.fund_balance(fund=fund) == 2_000_000_00
    [notice] = mail.outbox
    assert "Rp 500.000" in notice.body and "Salah nominal" in notice.body


def test_a_refund_request_sent_twice_refunds_once(paid_by_card, finance):
    for _ in range(3):  # a double click, then a reload of the result
        payments_api.contribution_refund(
            contribution=paid_by_card,
            amount=100_000_00,
            reason="Dobel",
            by=finance,
            idempotency_key="same-form",
        )
    assert Refund.objects.count() == 1
    assert len(_stripe_refunds(paid_by_card)) == 1
    assert Transaction.objects.filter(kind="refund").count() == 1


def test_refunds_never_exceed_what_remains(paid_by_card, finance):
    payments_api.contribution_refund(
        contribution=paid_by_card, amount=2_000_000_00, reason="Sebagian", by=finance, idempotency_key="a"
    )
    with pytest.raises(PaymentError, match=r"At most Rp 500\.000"):
        payments_api.contribution_refund(
            contribution=paid_by_card, amount=500_001_00, reason="Lebih", by=finance, idempotency_key="b"
        )
    rest = payments_api.contribution_refund(
        contribution=paid_by_card, amount=500_000_00, reason="Sisanya", by=finance, idempotency_key="c"
    )
    contribution = Contribution.objects.get(pk=paid_by_card.pk)
    assert rest.status == "succeeded"
    assert (contribution.status, contribution.refunded_amount) == ("refunded", 2_500_000_00)
    with pytest.raises(PaymentError, match="received"):
        payments_api.contribution_refund(
            contribution=contribution, amount=100_00, reason="Lagi", by=finance, idempotency_key="d"
        )
    assert Refund.objects.count() == 2
    assert sum(amount for _id, amount in _stripe_refunds(paid_by_card)) == 2_500_000_00


@pytest.mark.parametrize(
    "reason, key, message", [("", "k", "reason"), ("Alasan", "", "expired"), ("Alasan", "x" * 65, "expired")]
)
def test_a_refund_needs_a_reason_and_a_form_token(paid_by_card, finance, reason, key, message):
    with pytest.raises(PaymentError, match=message):
        payments_api.contribution_refund(
            contribution=paid_by_card, amount=100_000_00, reason=reason, by=finance, idempotency_key=key
        )
    assert not Refund.objects.exists() and _stripe_refunds(paid_by_card) == []


def test_a_refund_never_takes_money_promised_to_winners(paid_by_card, finance, fund):
    payments_api.commitment_create(fund=fund, reference="award:901", amount=2_000_000_00, by=finance)
    with pytest.raises(PaymentError, match=r"only Rp 500\.000 that is not promised"):
        payments_api.contribution_refund(
            contribution=paid_by_card, amount=600_000_00, reason="Batal", by=finance, idempotency_key="k"
        )
    assert not Refund.objects.exists()
    assert payments_api.fund_available(fund=fund) == 500_000_00


@pytest.mark.parametrize("role", ["sponsor", "official", "reviewer", None])
def test_only_a_finance_officer_refunds(paid_by_card, role):
    with pytest.raises(PaymentError, match="finance officer"):
        payments_api.contribution_refund(
            contribution=paid_by_card,
            amount=100_000_00,
            reason="x",
            by=UserFactory(roles=[role] if role else []),
            idempotency_key="k",
        )
    assert not Refund.objects.exists()


def test_when_stripe_is_down_the_refund_waits_and_is_sent_once_later(
    settings, paid_by_card, finance, stripe_emulator
):
    settings.STRIPE_API_BASE = UNREACHABLE
    with pytest.raises(PaymentError, match="could not be reached"):
        payments_api.contribution_refund(
            contribution=paid_by_card, amount=300_000_00, reason="Batal", by=finance, idempotency_key="k"
        )
    waiting = Refund.objects.get()
    assert waiting.status == "pending" and not Transaction.objects.filter(kind="refund").exists()
    # What is being refunded is no longer refundable by someone else meanwhile.
    assert (
        payments_api.refundable_amount(contribution=Contribution.objects.get(pk=paid_by_card.pk))
        == 2_200_000_00
    )

    settings.STRIPE_API_BASE = stripe_emulator
    assert payments_api.refund_resend_pending() == 1
    payments_api.contribution_refund(  # the officer also sends the form again: still once
        contribution=paid_by_card, amount=300_000_00, reason="Batal", by=finance, idempotency_key="k"
    )
    assert Refund.objects.get().status == "succeeded"
    assert len(_stripe_refunds(paid_by_card)) == 1
    assert Transaction.objects.filter(kind="refund").count() == 1


def test_a_refund_that_fails_later_at_stripe_is_put_back_in_the_fund(
    client, django_capture_on_commit_callbacks, paid_by_card, finance, fund
):
    refund = payments_api.contribution_refund(
        contribution=paid_by_card, amount=2_500_000_00, reason="Batal", by=finance, idempotency_key="k"
    )
    assert Contribution.objects.get(pk=paid_by_card.pk).status == "refunded"
    stripe_refund = stripe_client().v1.refunds.retrieve(refund.gateway_reference).to_dict()
    failed = stripe_refund | {"status": "failed", "failure_reason": "expired_or_canceled_card"}

    for _ in range(2):  # a replay under a new event id
        _deliver(client, django_capture_on_commit_callbacks, "refund.updated", failed)
    # An older "succeeded" arriving late does not undo the failure.
    _deliver(client, django_capture_on_commit_callbacks, "refund.updated", stripe_refund)

    assert Refund.objects.get().status == "failed"
    contribution = Contribution.objects.get(pk=paid_by_card.pk)
    assert (contribution.status, contribution.refunded_amount) == ("succeeded", 0)
    reversal = Transaction.objects.get(kind="reversal")
    assert reversal.reverses == Transaction.objects.get(kind="refund")
    assert payments_api.fund_balance(fund=fund) == 2_500_000_00


def test_charge_refunded_finishes_a_refund_whose_answer_was_lost(
    client, django_capture_on_commit_callbacks, settings, paid_by_card, finance, stripe_emulator
):
    # The refund is requested while Stripe is unreachable; Stripe made it after all (another
    # worker, or the answer was lost): the charge.refunded webhook brings the news.
    settings.STRIPE_API_BASE = UNREACHABLE
    with pytest.raises(PaymentError):
        payments_api.contribution_refund(
            contribution=paid_by_card, amount=400_000_00, reason="Batal", by=finance, idempotency_key="k"
        )
    settings.STRIPE_API_BASE = stripe_emulator
    waiting = Refund.objects.get()
    made = stripe_client().v1.refunds.create(
        params={
            "payment_intent": paid_by_card.gateway_reference,
            "amount": 400_000_00,
            "metadata": {"refund": str(waiting.pk), "contribution": str(paid_by_card.pk)},
        },
        options={"idempotency_key": waiting.idempotency_key},
    )
    charge = stripe_client().v1.charges.retrieve(made.charge).to_dict()
    assert charge["refunds"]["data"]

    _deliver(client, django_capture_on_commit_callbacks, "charge.refunded", charge)
    _deliver(client, django_capture_on_commit_callbacks, "charge.refunded", charge)

    finished = Refund.objects.get()
    assert (finished.status, finished.gateway_reference) == ("succeeded", made.id)
    assert Contribution.objects.get(pk=paid_by_card.pk).refunded_amount == 400_000_00
    assert Transaction.objects.filter(kind="refund").count() == 1
    # Sent again by the sweep: the same key, no second refund.
    assert payments_api.refund_resend_pending() == 0
    assert len(_stripe_refunds(paid_by_card)) == 1


def test_a_pledge_refund_is_the_treasurys_transfer_recorded_with_its_reference(fund, sponsor, finance):
    contribution = _create(fund, sponsor)
    payments_api.pledge_confirm(contribution=contribution, by=finance, bank_reference="BNI-1")
    with pytest.raises(PaymentError, match="refund transfer"):
        payments_api.contribution_refund(
            contribution=contribution, amount=100_000_00, reason="Batal", by=finance, idempotency_key="k"
        )
    refund = payments_api.contribution_refund(
        contribution=contribution,
        amount=100_000_00,
        reason="Batal",
        by=finance,
        idempotency_key="k2",
        bank_reference="SP2D-77",
    )
    assert (refund.status, refund.gateway_reference) == ("succeeded", "SP2D-77")
    assert Transaction.objects.get(kind="refund").reference == "SP2D-77"
    assert Contribution.objects.get(pk=contribution.pk).status == "partially_refunded"
    assert payments_api.fund_balance(fund=fund) == 2_400_000_00


# Reads -------------------------------------------------------------------------------------------


def test_the_public_list_names_only_those_who_asked_and_counts_what_remains(
    fund, finance, django_assert_max_num_queries
):
    named = _create(fund, UserFactory(), amount=3_000_000_00, sponsor_name="PT Terbuka", public=True)
    hidden = _create(fund, UserFactory(), amount=1_000_000_00, sponsor_name="Ibu Rahasia", public=False)
    refunded = _create(fund, UserFactory(), amount=500_000_00, sponsor_name="PT Batal", public=True)
    _create(fund, UserFactory(), amount=700_000_00, sponsor_name="PT Belum", public=True)  # still a pledge
    for index, contribution in enumerate([named, hidden, refunded]):
        payments_api.pledge_confirm(contribution=contribution, by=finance, bank_reference=f"B-{index}")
    payments_api.contribution_refund(
        contribution=named,
        amount=1_000_000_00,
        reason="Sebagian",
        by=finance,
        idempotency_key="a",
        bank_reference="R1",
    )
    payments_api.contribution_refund(
        contribution=refunded,
        amount=500_000_00,
        reason="Semua",
        by=finance,
        idempotency_key="b",
        bank_reference="R2",
    )

    with django_assert_max_num_queries(2):
        sponsors = payments_api.fund_sponsors(fund_reference="challenge:901")

    assert (sponsors.total, sponsors.count) == (3_000_000_00, 2)
    assert [(row.name, row.amount) for row in sponsors.rows] == [
        ("PT Terbuka", 2_000_000_00),
        (None, 1_000_000_00),
    ]


# The webhook signed by the emulator itself, received by the running site -----------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_emulators_signed_webhooks_reach_the_site(live_server, stripe_emulator, settings):
    """Stripe (the emulator) signs and sends payment_intent.succeeded and .payment_failed to the
    site served by live_server; the paid contribution counts, the declined one says so."""
    webhook_id = f"moneyin-{uuid.uuid4().hex[:8]}"
    register_webhook(
        stripe_emulator,
        f"{live_server.url}{reverse('payments:stripe_webhook')}",
        STRIPE_WEBHOOK_SECRET,
        webhook_id=webhook_id,
        events=["payment_intent.succeeded", "payment_intent.payment_failed"],
    )
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET
    try:
        challenge = factories.challenge(title="Air bersih desa")
        fund = payments_api.fund_get_or_create(reference=f"challenge:{challenge.pk}", name=challenge.title)
        sponsor = UserFactory()
        paid = _card_contribution(fund, sponsor, amount=750_000_00)
        declined = _card_contribution(fund, sponsor, amount=100_000_00, public=False)
        _pay(paid)
        with pytest.raises(stripe.CardError):
            _pay(declined, "pm_card_chargeCustomerFail")

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            statuses = dict(Contribution.objects.values_list("pk", "status"))
            if statuses == {paid.pk: "succeeded", declined.pk: "failed"}:
                break
            time.sleep(0.2)
        assert statuses == {paid.pk: "succeeded", declined.pk: "failed"}

        # Only ours: an event of an earlier test may arrive here too, and is ignored.
        ours = [paid.gateway_reference, declined.gateway_reference]
        events = WebhookEvent.objects.filter(body__data__object__id__in=ours).order_by("type")
        assert [(e.type, e.status) for e in events] == [
            ("payment_intent.payment_failed", "processed"),
            ("payment_intent.succeeded", "processed"),
        ]
        assert payments_api.fund_balance(fund=fund) == 750_000_00
        assert Transaction.objects.get(kind="contribution").reference == paid.gateway_reference
        assert Contribution.objects.get(pk=declined.pk).failure_reason == "Your card was declined."
        assert any(Contribution.objects.get(pk=paid.pk).receipt_number in m.subject for m in mail.outbox)
    finally:
        # Stop sending this session's later events to a server that is about to stop.
        register_webhook(
            stripe_emulator, "http://127.0.0.1:9/", "off", webhook_id=webhook_id, events=["none"]
        )
