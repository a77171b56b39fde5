"""Refunds of sponsor contributions: asked for by a finance officer, sent to Stripe with a key
derived from our own row, and brought in line with what Stripe reports (its webhooks).

A refund is a new REFUND transaction that names the contribution's transaction it reverses; a
refund that fails after it was recorded is reversed in turn. The ledger is never edited."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.actors import Actor, Person
from payments import ledger, receipts, selectors, webhooks
from payments.contribution_services import (
    REFUNDABLE,
    Rail,
    post_sponsor_money,
    received_key,
    require_finance_not_sponsor,
    status_after_refunds,
)
from payments.errors import PaymentError
from payments.gateways import get_gateway, stripe_configured
from payments.interface import GatewayRefused, GatewayUnavailable, RefundRequest
from payments.models import Contribution, Fund, Refund, Transaction, WebhookEvent

logger = logging.getLogger(__name__)


# Refunds ------------------------------------------------------------------------------------


def refundable_amount(contribution: Contribution) -> int:
    """What may still be refunded: the amount less what was refunded or is being refunded."""
    if contribution.status not in REFUNDABLE:
        return 0
    pending = contribution.refunds.filter(status=Refund.Status.PENDING).aggregate(
        total=Coalesce(Sum("amount"), 0)
    )["total"]
    return contribution.amount - contribution.refunded_amount - pending


def contribution_refund(
    *,
    contribution: Contribution,
    amount: int,
    reason: str,
    by: Person,
    idempotency_key: str,
    bank_reference: str = "",
) -> Refund:
    """A finance officer gives money back (full or partial). ``idempotency_key`` identifies the
    request (a token in the form): sending it again returns the same refund, and finishes it
    if Stripe could not be reached the first time. Card contributions are refunded through
    Stripe; a pledge's refund is the treasury's bank transfer, recorded with its reference.
    Raises PaymentError when refused; a refused request stores nothing."""
    require_finance_not_sponsor(by, contribution, _("Only a finance officer may refund a contribution."))
    token = (idempotency_key or "").strip()
    if not token or len(token) > 64:
        raise PaymentError(_("The form has expired. Open it again."))
    key = f"contribution:{contribution.pk}:refund:{token}"
    existing = Refund.objects.filter(idempotency_key=key).select_related("contribution__fund").first()
    if existing is not None:
        if existing.status == Refund.Status.PENDING and existing.contribution.rail == Rail.STRIPE:
            return _refund_send(existing, by=by)
        return existing
    ledger.require_positive(amount)
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(_("Give the reason for the refund."))
    bank_reference = (bank_reference or "").strip()
    with transaction.atomic():
        # The fund first (as commitments lock it), then the contribution.
        fund = Fund.objects.select_for_update().get(pk=contribution.fund_id)
        locked = (
            Contribution.objects.select_for_update(of=("self",))
            .select_related("fund")
            .get(pk=contribution.pk)
        )
        if locked.status not in REFUNDABLE:
            raise PaymentError(_("Only money that was received can be refunded."))
        remaining = refundable_amount(locked)
        if amount > remaining:
            raise PaymentError(
                _("At most %(remaining)s of this contribution can still be refunded.")
                % {"remaining": selectors.format_money(remaining, locked.currency)}
            )
        available = selectors.fund_available(fund)
        if amount > available:
            raise PaymentError(
                _(
                    "The fund holds only %(available)s that is not promised to winners; "
                    "a larger refund would break those promises."
                )
                % {"available": selectors.format_money(max(available, 0), fund.currency)}
            )
        if locked.rail == Rail.PLEDGE and not bank_reference:
            raise PaymentError(_("Enter the reference of the treasury's refund transfer."))
        if locked.rail == Rail.STRIPE and not locked.gateway_reference:
            raise PaymentError(_("This card payment has no Stripe reference; it cannot be refunded here."))
        try:
            with transaction.atomic():
                refund = Refund.objects.create(
                    contribution=locked,
                    amount=amount,
                    reason=reason[:255],
                    idempotency_key=key,
                    requested_by=by,
                )
        except IntegrityError:
            # The same request, sent twice at once: the other one is handling it.
            return Refund.objects.get(idempotency_key=key)
        ledger.audit(
            actor=by, action="refund.requested", obj=refund, after={"amount": amount, "reason": reason}
        )
        if locked.rail == Rail.PLEDGE:
            refund.gateway_reference = bank_reference[:100]
            refund.save(update_fields=["gateway_reference"])
            _refund_done(refund, locked, by=by)
            return refund
    return _refund_send(refund, by=by)


def _refund_send(refund: Refund, *, by: Actor) -> Refund:
    """Ask Stripe for the refund, outside any lock. The key makes a resend safe."""
    if not stripe_configured():
        raise PaymentError(
            _("Card refunds need Stripe, which is not configured right now. The refund request is kept.")
        )
    contribution = refund.contribution
    try:
        result = get_gateway(Rail.STRIPE).create_refund(
            RefundRequest(
                payment_id=contribution.gateway_reference,
                amount=refund.amount,
                metadata={"refund": str(refund.pk), "contribution": str(contribution.pk)},
                idempotency_key=refund.idempotency_key,
            )
        )
    except GatewayUnavailable as exc:
        logger.warning("Stripe unavailable for refund %s: %s", refund.pk, exc)
        raise PaymentError(
            _(
                "Stripe could not be reached. The refund request is saved; send it again later. "
                "Nothing will be refunded twice."
            )
        ) from exc
    except GatewayRefused as exc:
        refund_apply_gateway_status(refund=refund, gateway_id="", status="failed", by=by, reason=exc.message)
        raise PaymentError(_("Stripe refused the refund: %(reason)s") % {"reason": exc.message}) from exc
    return refund_apply_gateway_status(refund=refund, gateway_id=result.id, status=result.status, by=by)


def refund_apply_gateway_status(
    *, refund: Refund, gateway_id: str, status: str, by: Actor = None, reason: str = ""
) -> Refund:
    """Bring our refund in line with Stripe's: "pending" or "succeeded" (the money left our
    Stripe balance) records it; "failed" or "canceled" marks it failed, reversing it in the
    ledger if it was recorded; "requires_action" waits. Idempotent; a failed refund stays
    failed (Stripe's failed and canceled are final)."""
    with transaction.atomic():
        contribution = (
            Contribution.objects.select_for_update(of=("self",))
            .select_related("fund")
            .get(pk=refund.contribution_id)
        )
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        if gateway_id and not locked.gateway_reference:
            locked.gateway_reference = gateway_id
            locked.save(update_fields=["gateway_reference"])
        if status in ("pending", "succeeded"):
            _refund_done(locked, contribution, by=by)
        elif status in ("failed", "canceled"):
            _refund_undone(locked, contribution, by=by, reason=reason or status)
    return locked


def refunded_key(refund: Refund) -> str:
    """The key of the ledger transaction that gave the refund's money back."""
    return f"refund:{refund.pk}"


def _add_refunded(contribution: Contribution, amount: int) -> None:
    """Count ``amount`` more (or, negative, less) as refunded, and the status that follows."""
    contribution.refunded_amount = F("refunded_amount") + amount
    contribution.save(update_fields=["refunded_amount"])
    contribution.refresh_from_db(fields=["refunded_amount"])
    contribution.status = status_after_refunds(contribution)
    contribution.save(update_fields=["status"])


def _refund_done(refund: Refund, contribution: Contribution, *, by: Actor) -> None:
    """With both rows locked. Money went back: a REFUND transaction reversing the contribution's."""
    if refund.status != Refund.Status.PENDING:
        return
    post_sponsor_money(
        contribution,
        kind=Transaction.Kind.REFUND,
        text=gettext_noop("Refund of a sponsor contribution"),
        amount=-refund.amount,
        idempotency_key=refunded_key(refund),
        by=by,
        reference=refund.gateway_reference,
        reverses=Transaction.objects.get(idempotency_key=received_key(contribution)),
    )
    refund.status = Refund.Status.SUCCEEDED
    refund.save(update_fields=["status"])
    before = contribution.status
    _add_refunded(contribution, refund.amount)
    ledger.audit(
        actor=by,
        action="refund.succeeded",
        obj=refund,
        before={"contribution_status": before},
        after={
            "amount": refund.amount,
            "reference": refund.gateway_reference,
            "contribution_status": contribution.status,
        },
    )
    receipts.queue_receipt(contribution_id=contribution.pk, refund_id=refund.pk)


def _refund_undone(refund: Refund, contribution: Contribution, *, by: Actor, reason: str) -> None:
    """With both rows locked. The refund did not happen (Stripe refused, or it failed later)."""
    if refund.status == Refund.Status.FAILED:
        return
    if refund.status == Refund.Status.SUCCEEDED:
        post_sponsor_money(
            contribution,
            kind=Transaction.Kind.REVERSAL,
            text=gettext_noop("Failed refund returned to the fund"),
            amount=refund.amount,
            idempotency_key=f"{refunded_key(refund)}:failed",
            by=by,
            reference=refund.gateway_reference,
            reverses=Transaction.objects.get(idempotency_key=refunded_key(refund)),
        )
        _add_refunded(contribution, -refund.amount)
    before = refund.status
    refund.status = Refund.Status.FAILED
    refund.save(update_fields=["status"])
    ledger.audit(
        actor=by, action="refund.failed", obj=refund, before={"status": before}, after={"reason": reason}
    )


def refund_resend_pending() -> int:
    """For a periodic task: card refunds left pending because Stripe could not be reached are
    sent again with the same key. Returns how many were finished."""
    finished = 0
    pending = Refund.objects.filter(
        status=Refund.Status.PENDING, contribution__rail=Rail.STRIPE, gateway_reference=""
    ).select_related("contribution__fund", "requested_by")
    for refund in pending:
        try:
            _refund_send(refund, by=refund.requested_by)
        except PaymentError:
            continue
        finished += 1
    return finished


def _reconcile_refund(data: dict) -> None:
    """One Stripe refund object, from a webhook: matched by its id or by our id in its
    metadata (when the answer to the create call was lost)."""
    refund = Refund.objects.filter(gateway_reference=data.get("id", "")).exclude(gateway_reference="").first()
    if refund is None:
        pk = str((data.get("metadata") or {}).get("refund", ""))
        if pk.isdigit():
            refund = Refund.objects.filter(
                pk=int(pk),
                contribution__rail=Rail.STRIPE,
                contribution__gateway_reference=data.get("payment_intent") or "",
            ).first()
    if refund is None:
        contribution = Contribution.objects.filter(
            rail=Rail.STRIPE, gateway_reference=data.get("payment_intent") or "~"
        ).first()
        if contribution is not None:
            # Made outside the site (the Stripe dashboard): the reconciliation report shows the
            # difference; a finance officer records it as a correction.
            logger.warning("Refund %s of contribution %s was not made here", data.get("id"), contribution.pk)
            ledger.audit(
                actor=None,
                action="refund.unknown",
                obj=contribution,
                after={"refund": data.get("id"), "amount": data.get("amount")},
            )
        return
    refund_apply_gateway_status(
        refund=refund,
        gateway_id=data.get("id", ""),
        status=data.get("status") or "",
        reason=data.get("failure_reason") or "",
    )


@webhooks.handles("refund.created", "refund.updated", "refund.failed", "charge.refund.updated")
def _on_refund_event(event: WebhookEvent) -> None:
    _reconcile_refund(event.body["data"]["object"])


@webhooks.handles("charge.refunded")
def _on_charge_refunded(event: WebhookEvent) -> None:
    charge = event.body["data"]["object"]
    refunds = (charge.get("refunds") or {}).get("data")
    if refunds is None and charge.get("payment_intent") and stripe_configured():
        # Current API versions no longer embed the refunds in the charge: ask for them.
        refunds = [info.raw for info in get_gateway(Rail.STRIPE).list_refunds(charge["payment_intent"])]
    for data in refunds or []:
        data.setdefault("payment_intent", charge.get("payment_intent"))
        _reconcile_refund(data)
