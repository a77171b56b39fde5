"""Sending a released disbursement through its rail, and what the rail reports back (its webhook
handlers are registered here). Every provider call carries the key
``disbursement:<d>:attempt:<n>`` (a unique ``GatewayCall``) and is made outside any lock or
transaction; a call whose answer was lost is repeated with the same key."""

from __future__ import annotations

import dataclasses
import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payments import ledger, recipients
from payments.disbursement_workflow import (
    STRIPE,
    S,
    lock_disbursement,
    pay,
    payable_rail,
    payee_recipient,
    perform,
    refuse,
    reverse_payment,
)
from payments.errors import PaymentError
from payments.gateways import get_gateway
from payments.interface import TransferRequest, TransferResult
from payments.models import Disbursement, GatewayCall, Recipient, WebhookEvent
from payments.postings import description_of, post_sent
from payments.webhooks import handles

logger = logging.getLogger(__name__)

# Stripe keeps idempotency keys for 24 hours; a call older than this is looked up, not repeated.
IDEMPOTENCY_WINDOW = datetime.timedelta(hours=20)


# Sending ----------------------------------------------------------------------------------------


def _new_request(disbursement: Disbursement, recipient: Recipient) -> TransferRequest:
    key = disbursement.idempotency_key
    return TransferRequest(
        amount=disbursement.amount,
        currency=disbursement.currency,
        idempotency_key=key,
        transfer_group=disbursement.fund.reference,
        description=description_of(disbursement),
        destination=recipient.stripe_account_id
        if disbursement.rail == STRIPE
        else recipient.account_number_masked,
        metadata={
            "disbursement": str(disbursement.pk),
            "attempt": str(disbursement.attempts),
            "reference": disbursement.reference,
            "idempotency_key": key,
        },
    )


def _stored_request(call: GatewayCall) -> TransferRequest:
    """The first call's request, exactly: a repeat with other parameters would be refused by
    the provider (and could pay someone else)."""
    fields = {f.name for f in dataclasses.fields(TransferRequest)}
    return TransferRequest(**{k: v for k, v in (call.request or {}).items() if k in fields})


def _claim(pk: int) -> tuple[Disbursement, GatewayCall, TransferRequest] | None:
    """RELEASED → SENDING with a new attempt and its GatewayCall, or the call in flight of a
    disbursement left SENDING; None when there is nothing to send."""
    with transaction.atomic():
        locked = lock_disbursement(pk)
        if locked.status == S.SENDING:
            call = locked.gateway_calls.filter(idempotency_key=locked.idempotency_key).first()
            if call is None:  # the call is written with the state, so this cannot be
                raise PaymentError(f"disbursement {pk} is sending without a gateway call")
            return locked, call, _stored_request(call)
        if locked.status != S.RELEASED:
            return None
        recipient = payee_recipient(locked.payee_reference)
        try:
            rail = payable_rail(recipient)
            if rail != locked.rail:
                raise PaymentError(
                    _("The grantee changed how it is paid after the release; retry to pay it the new way.")
                )
        except PaymentError as exc:
            refuse(locked, reason=exc.message)
            return None
        assert recipient is not None  # payable_rail refuses a payee without payout settings
        locked.attempts += 1
        perform(locked, "send", extra={"attempt": locked.attempts})
        locked.save(update_fields=["status", "attempts"])
        request = _new_request(locked, recipient)
        call = GatewayCall.objects.create(
            disbursement=locked,
            gateway=locked.rail,
            idempotency_key=request.idempotency_key,
            request=dataclasses.asdict(request),
        )
        return locked, call, request


def disbursement_send(*, disbursement_id: int) -> Disbursement:
    """Hand a RELEASED disbursement to its rail, or finish one left SENDING (a worker that
    crashed, timed out or lost the answer) by repeating its call with the same idempotency key.
    Safe to run any number of times, in turn or at once: whatever happens, the provider makes
    one transfer per attempt and the ledger records it once. Raises GatewayUnavailable when the
    provider could not be reached (the disbursement stays SENDING; the caller retries)."""
    claimed = _claim(disbursement_id)
    if claimed is None:
        return Disbursement.objects.get(pk=disbursement_id)
    disbursement, call, request = claimed
    gateway = get_gateway(disbursement.rail)
    result: TransferResult | None = None
    if timezone.now() - call.created_at > IDEMPOTENCY_WINDOW:
        result = gateway.find_transfer(request)
    if result is None:
        # Outside any transaction and lock: a slow provider holds nothing up.
        result = gateway.send_transfer(request)
    return record_send_result(
        disbursement_id=disbursement.pk, call=call, attempt=disbursement.attempts, result=result
    )


def record_send_result(
    *, disbursement_id: int, call: GatewayCall, attempt: int, result: TransferResult
) -> Disbursement:
    """SENDING → SENT (accepted) or FAILED (refused), once: whoever comes second (a repeated
    call, a webhook that was faster) finds the state already moved and changes nothing."""
    with transaction.atomic():
        locked = lock_disbursement(disbursement_id)
        GatewayCall.objects.filter(pk=call.pk).update(
            response=result.raw or {"error": result.error}, succeeded=result.succeeded
        )
        if locked.status != S.SENDING or locked.attempts != attempt:
            return locked
        if result.succeeded:
            locked.gateway_reference = result.reference[:100]
            perform(locked, "accept", extra={"reference": result.reference, "attempt": attempt})
            locked.save(update_fields=["status", "gateway_reference"])
            post_sent(locked)
        else:
            refuse(locked, reason=result.error or _("The payment provider refused the transfer."))
    return locked


def disbursement_resend(*, disbursement: Disbursement) -> Disbursement:
    """Finish a disbursement left SENDING (same call, same key). Anything else is left alone."""
    if Disbursement.objects.filter(pk=disbursement.pk, status=S.SENDING).exists():
        return disbursement_send(disbursement_id=disbursement.pk)
    return Disbursement.objects.get(pk=disbursement.pk)


def disbursements_to_send(*, older_than: datetime.timedelta) -> list[int]:
    """RELEASED ones whose send task never ran (a broker outage) and SENDING ones whose call
    was interrupted, untouched for ``older_than``."""
    cutoff = timezone.now() - older_than
    released = Disbursement.objects.filter(status=S.RELEASED, released_at__lte=cutoff)
    sending = Disbursement.objects.filter(status=S.SENDING).exclude(gateway_calls__created_at__gt=cutoff)
    return sorted(set(released.values_list("pk", flat=True)) | set(sending.values_list("pk", flat=True)))


# What the provider reports ----------------------------------------------------------------------


def _for_transfer(transfer) -> Disbursement | None:
    """The disbursement a provider transfer pays, locked: by the reference we recorded, else by
    the metadata we sent (a worker that crashed before recording it)."""
    found = Disbursement.objects.filter(gateway_reference=transfer.id, rail=STRIPE).values_list(
        "pk", flat=True
    )
    pk = found[0] if found else None
    if pk is None and str(transfer.metadata.get("disbursement", "")).isdigit():
        pk = int(transfer.metadata["disbursement"])
    if pk is None:
        return None
    try:
        return lock_disbursement(pk)
    except Disbursement.DoesNotExist:
        return None


def _matches(disbursement: Disbursement, transfer) -> bool:
    return transfer.amount == disbursement.amount and transfer.currency == disbursement.currency.upper()


def _accept_if_in_flight(disbursement: Disbursement, transfer) -> None:
    """The transfer of the attempt in flight exists although no worker recorded it yet."""
    if (
        disbursement.status == S.SENDING
        and disbursement.rail == STRIPE
        and transfer.metadata.get("idempotency_key") == disbursement.idempotency_key
        and _matches(disbursement, transfer)
    ):
        disbursement.gateway_reference = transfer.id
        perform(disbursement, "accept", extra={"reference": transfer.id, "attempt": disbursement.attempts})
        disbursement.save(update_fields=["status", "gateway_reference"])
        post_sent(disbursement)
        disbursement.gateway_calls.filter(
            idempotency_key=disbursement.idempotency_key, response__isnull=True
        ).update(response={"id": transfer.id, "seen_in": "webhook"}, succeeded=True)


def disbursement_confirm(*, transfer) -> Disbursement | None:
    """The provider reports the transfer (``transfer.created``/``transfer.updated``, or the
    sweep's look-up): SENT → PAID; a transfer already fully reversed is paid and reversed.
    Idempotent and order-proof; None when the transfer pays none of ours."""
    with transaction.atomic():
        disbursement = _for_transfer(transfer)
        if disbursement is None:
            return None
        _accept_if_in_flight(disbursement, transfer)
        if disbursement.status != S.SENT or disbursement.gateway_reference != transfer.id:
            return disbursement
        if not _matches(disbursement, transfer):
            logger.error("Transfer %s does not match disbursement %s", transfer.id, disbursement.pk)
            return disbursement
        pay(disbursement, name="confirm", reference=transfer.id)
        if transfer.fully_reversed:
            reverse_payment(disbursement, reason=_("The transfer was reversed at Stripe."))
    return disbursement


def disbursement_reversed(*, transfer, reason: str = "") -> Disbursement | None:
    """The provider took a transfer back (``transfer.reversed``): PAID → FAILED with a reversal
    in the ledger (a transfer still waiting for its confirmation is confirmed first). A partial
    reversal is left to the finance officers (reconciliation reports it). Idempotent."""
    reason = reason or _("The transfer was reversed at Stripe.")
    with transaction.atomic():
        disbursement = _for_transfer(transfer)
        if disbursement is None:
            return None
        _accept_if_in_flight(disbursement, transfer)
        if disbursement.gateway_reference != transfer.id:
            return disbursement  # an earlier attempt's transfer: that attempt was settled already
        if not transfer.fully_reversed:
            ledger.audit(
                actor=None,
                action="disbursement.partly_reversed",
                obj=disbursement,
                after={"reversed": transfer.amount_reversed, "transfer": transfer.id},
            )
            return disbursement
        if disbursement.status == S.SENT:
            pay(disbursement, name="confirm", reference=transfer.id)
        if disbursement.status == S.PAID:
            reverse_payment(disbursement, reason=reason)
    return disbursement


def disbursement_check_at_gateway(*, disbursement: Disbursement) -> Disbursement:
    """A Stripe disbursement SENT for a while (its webhook lost): ask Stripe and settle it."""
    if disbursement.status != S.SENT or disbursement.rail != STRIPE or not disbursement.gateway_reference:
        return disbursement
    transfer = get_gateway(STRIPE).retrieve_transfer(disbursement.gateway_reference)
    if transfer is None:
        logger.error(
            "Disbursement %s: transfer %s not found", disbursement.pk, disbursement.gateway_reference
        )
        return disbursement
    return disbursement_confirm(transfer=transfer) or disbursement


# Webhooks ---------------------------------------------------------------------------------------


@handles("transfer.created", "transfer.updated")
def _transfer_reported(event: WebhookEvent) -> None:
    gateway = get_gateway(event.provider)
    disbursement_confirm(transfer=gateway.transfer_from_event(event.body["data"]["object"]))


@handles("transfer.reversed")
def _transfer_reversed(event: WebhookEvent) -> None:
    gateway = get_gateway(event.provider)
    disbursement_reversed(transfer=gateway.transfer_from_event(event.body["data"]["object"]))


@handles("account.updated")
def _account_updated(event: WebhookEvent) -> None:
    account = event.body.get("data", {}).get("object") or {}
    account_id = account.get("id") or event.body.get("account") or ""
    if account_id:
        recipients.recipient_sync_stripe(account_id=account_id)
