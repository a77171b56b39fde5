"""Writes for money. Every function here is the only way its records change.

Rules kept here: amounts are positive integers in minor units; a transaction's entries sum
to zero; a fund never commits more than it holds (an award moves the money from the fund's
cash to its committed account); a commitment never pays out more than it promised. Money out
(the disbursement state machine) lives in ``payments.disbursements``; its services are
re-exported here for callers that know only this module."""

from __future__ import annotations

import datetime
import logging
import re

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from payments import disbursements, ledger, selectors
from payments.disbursements import (  # noqa: F401 - re-exported
    disbursement_cancel,
    disbursement_create,
    disbursement_record_paid,
    disbursement_release,
    disbursement_resend,
    disbursement_retry,
    disbursement_send,
)
from payments.errors import PaymentError
from payments.gateways import stripe_configured
from payments.interface import GatewayUnavailable
from payments.models import Account, Commitment, Disbursement, Fund, Recipient, Transaction
from payments.permissions import can_record_allocation

logger = logging.getLogger(__name__)


def fund_get_or_create(*, reference: str, name: str = "", currency: str = "IDR") -> Fund:
    fund, created = Fund.objects.get_or_create(
        reference=reference, defaults={"name": name, "currency": currency}
    )
    if created:
        ledger.fund_cash_account(fund)
    return fund


def allocation_record(
    *, fund: Fund, amount: int, by, description: str, reference: str = "", idempotency_key: str
) -> Transaction:
    """Record money from the regional budget (APBD) into a fund. Idempotent per key."""
    allowed, reason = can_record_allocation(by)
    if not allowed:
        raise PaymentError(reason)
    ledger.require_positive(amount)
    source = ledger.account(
        ledger.BUDGET_SOURCE_CODE, name="APBD (anggaran daerah)", kind=Account.Kind.BUDGET_SOURCE
    )
    with transaction.atomic():
        txn, created = ledger.post(
            kind=Transaction.Kind.ALLOCATION,
            fund=fund,
            by=by,
            reference=reference,
            description=description or _("Budget allocation"),
            idempotency_key=f"allocation:{idempotency_key}",
            legs=[(ledger.fund_cash_account(fund), amount), (source, -amount)],
        )
        if created:
            ledger.audit(
                actor=by,
                action="allocation.recorded",
                obj=txn,
                after={"amount": amount, "fund": fund.reference},
            )
    return txn


def commitment_create(*, fund: Fund, reference: str, amount: int, by) -> Commitment:
    """Promise ``amount`` of the fund to an award: the money moves from the fund's cash to its
    committed account (an AWARD transaction keyed ``commitment:<id>``). Raises PaymentError when
    the fund does not hold it available; nothing is written then."""
    ledger.require_positive(amount)
    with transaction.atomic():
        Fund.objects.select_for_update().get(pk=fund.pk)  # serialise commitments per fund
        available = selectors.fund_available(fund)
        if amount > available:
            raise PaymentError(
                _("The fund holds only %(available)s available; %(amount)s cannot be committed.")
                % {
                    "available": selectors.format_money(available, fund.currency),
                    "amount": selectors.format_money(amount, fund.currency),
                }
            )
        commitment = Commitment.objects.create(
            fund=fund, reference=reference, amount=amount, currency=fund.currency, created_by=by
        )
        disbursements.commitment_post(commitment, amount, by=by)
        ledger.audit(actor=by, action="commitment.created", obj=commitment, after={"amount": amount})
    return commitment


def commitment_release(*, commitment: Commitment, by, reason: str) -> Commitment:
    """Give a commitment's money back to the fund's cash (an award declined before anything was
    paid): a REVERSAL of what remains committed. Idempotent: releasing again changes nothing.
    Refused (PaymentError) while a payment against it exists that was not cancelled."""
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().select_related("fund").get(pk=commitment.pk)
        if locked.released_at is not None:
            return locked
        if locked.disbursements.exclude(status=Disbursement.Status.CANCELLED).exists():
            raise PaymentError(
                _("Payments were already made against this commitment; it cannot be released.")
            )
        award = Transaction.objects.filter(idempotency_key=disbursements.commitment_key(locked)).first()
        if award is not None:  # commitments made before they were ledger movements moved nothing
            fund = locked.fund
            committed = disbursements.committed_account(fund)
            # No payment is left, so what the award moved is all still committed.
            remaining = award.entries.filter(account=committed).aggregate(total=Sum("amount"))["total"] or 0
            if remaining > 0:
                ledger.post(
                    kind=Transaction.Kind.REVERSAL,
                    fund=fund,
                    by=by,
                    reverses=award,
                    reference=locked.reference,
                    description=f"Komitmen dilepas: {locked.reference}",
                    idempotency_key=f"{disbursements.commitment_key(locked)}:released",
                    legs=[(ledger.fund_cash_account(fund), remaining), (committed, -remaining)],
                )
        locked.released_at, locked.released_by, locked.release_reason = timezone.now(), by, reason[:255]
        locked.save(update_fields=["released_at", "released_by", "release_reason"])
        ledger.audit(actor=by, action="commitment.released", obj=locked, before={"amount": locked.amount})
    return locked


# Recipients: where a payee is paid ------------------------------------------------------------


def _bank_details(recipient: Recipient) -> dict:
    return {
        "rail": recipient.rail,
        "bank_name": recipient.bank_name,
        "account_holder": recipient.account_holder,
        "account_number": recipient.account_number_masked,
    }


def recipient_set_bank_account(
    *, payee_reference: str, bank_name: str, account_holder: str, account_number: str, by=None
) -> Recipient:
    """Choose the manual rail with these bank details. Only the last four digits of the number
    are kept (the full number stays with the treasury), so every save counts as a change: it
    sets ``bank_details_changed_at`` and the manual rail pays nothing until an official verifies
    the details again. Raises PaymentError on bad input; nothing is saved then."""
    bank_name, account_holder = bank_name.strip(), " ".join(account_holder.split())
    digits = re.sub(r"[\s.\-]", "", account_number or "")
    if not bank_name:
        raise PaymentError(_("Enter the name of the bank."))
    if not account_holder:
        raise PaymentError(_("Enter the account holder's name as the bank knows it."))
    if not digits.isdigit() or not 6 <= len(digits) <= 20:
        raise PaymentError(_("Enter the full bank account number: 6 to 20 digits."))
    with transaction.atomic():
        recipient, _created = Recipient.objects.select_for_update().get_or_create(
            payee_reference=payee_reference
        )
        before = _bank_details(recipient)
        recipient.rail = Recipient.Rail.MANUAL
        recipient.bank_name = bank_name[:100]
        recipient.account_holder = account_holder[:200]
        recipient.account_number_masked = "•••• " + digits[-4:]
        recipient.bank_details_changed_at = timezone.now()
        recipient.save()
        ledger.audit(
            actor=by,
            action="recipient.bank_details_changed",
            obj=recipient,
            before=before,
            after=_bank_details(recipient),
        )
    return recipient


def recipient_verify_bank_account(
    *, payee_reference: str, by, changed_at_seen: datetime.datetime | None = None
) -> Recipient:
    """An official confirms the payee's bank details (checked against its bank letter); the
    caller has checked that ``by`` may. ``changed_at_seen`` is the change the official looked
    at: details changed since are refused, so nobody verifies what they did not see.
    Idempotent; raises PaymentError when there is nothing to verify."""
    with transaction.atomic():
        recipient = Recipient.objects.select_for_update().filter(payee_reference=payee_reference).first()
        if recipient is None or not recipient.account_number_masked:
            raise PaymentError(_("There are no bank details to verify."))
        if changed_at_seen is not None and recipient.bank_details_changed_at != changed_at_seen:
            raise PaymentError(
                _("The bank details were changed while you were checking them; check the new ones.")
            )
        if recipient.bank_verified:
            return recipient
        recipient.bank_verified_at, recipient.bank_verified_by = timezone.now(), by
        recipient.save(update_fields=["bank_verified_at", "bank_verified_by"])
        ledger.audit(
            actor=by, action="recipient.bank_details_verified", obj=recipient, after=_bank_details(recipient)
        )
    return recipient


def _stripe_unreachable() -> PaymentError:
    return PaymentError(_("Stripe could not be reached. Nothing was changed; try again in a few minutes."))


def recipient_start_stripe_onboarding(
    *, payee_reference: str, email: str, country: str, return_url: str, refresh_url: str, by=None
) -> str:
    """Create (once) the payee's Stripe Express account and return a fresh onboarding link.
    The rail does not change yet: the payee is paid through Stripe once it comes back from
    onboarding (``recipient_sync_stripe(activate=True)``). Raises PaymentError."""
    if not stripe_configured():
        raise PaymentError(_("Stripe payouts are not configured on this site."))
    from payments.gateways.stripe.gateway import StripeRefused, create_onboarding_link

    recipient = Recipient.objects.filter(payee_reference=payee_reference).first()
    try:
        link = create_onboarding_link(
            email=email,
            country=country,
            return_url=return_url,
            refresh_url=refresh_url,
            existing_account_id=recipient.stripe_account_id if recipient else "",
        )
    except GatewayUnavailable as exc:
        raise _stripe_unreachable() from exc
    except StripeRefused as exc:
        raise PaymentError(_("Stripe refused: %(reason)s") % {"reason": exc.message}) from exc
    with transaction.atomic():
        recipient, _created = Recipient.objects.select_for_update().get_or_create(
            payee_reference=payee_reference
        )
        if recipient.stripe_account_id != link.account_id:
            before = {"stripe_account_id": recipient.stripe_account_id}
            recipient.stripe_account_id = link.account_id
            recipient.payouts_enabled = recipient.details_submitted = False
            recipient.save()
            ledger.audit(
                actor=by,
                action="recipient.stripe_account_created",
                obj=recipient,
                before=before,
                after={"stripe_account_id": link.account_id},
            )
    return link.url


def recipient_sync_stripe(*, account_id: str, activate: bool = False, by=None) -> Recipient | None:
    """Read the connected account from Stripe (not from a webhook's copy, so events arriving
    late or twice change nothing) and keep ``payouts_enabled``/``details_submitted``. With
    ``activate`` (the owner came back from onboarding) a finished account becomes the rail
    the payee is paid through. None when no payee has this account. Raises PaymentError when
    Stripe cannot be reached."""
    recipient = Recipient.objects.filter(stripe_account_id=account_id).first()
    if recipient is None or not stripe_configured():
        return recipient
    from payments.gateways.stripe.gateway import StripeRefused, retrieve_account

    try:
        account = retrieve_account(account_id)
    except GatewayUnavailable as exc:
        raise _stripe_unreachable() from exc
    except StripeRefused as exc:
        raise PaymentError(_("Stripe refused: %(reason)s") % {"reason": exc.message}) from exc
    with transaction.atomic():
        recipient = Recipient.objects.select_for_update().get(pk=recipient.pk)
        if recipient.stripe_account_id != account_id:
            return recipient  # the payee connected another account meanwhile
        before = {"rail": recipient.rail, "payouts_enabled": recipient.payouts_enabled}
        recipient.payouts_enabled = account.payouts_enabled
        recipient.details_submitted = account.details_submitted
        if activate and account.details_submitted:
            recipient.rail = Recipient.Rail.STRIPE
        after = {"rail": recipient.rail, "payouts_enabled": recipient.payouts_enabled}
        recipient.save(update_fields=["payouts_enabled", "details_submitted", "rail"])
        if before != after:
            ledger.audit(
                actor=by, action="recipient.stripe_status_changed", obj=recipient, before=before, after=after
            )
    return recipient
