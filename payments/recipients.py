"""Where a payee is paid: its bank details (the manual rail, verified by an official after every
change) or its Stripe Express account (onboarding, and the account's status read from Stripe)."""

from __future__ import annotations

import datetime
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actors import Actor
from payments import ledger
from payments.errors import PaymentError
from payments.gateways import get_gateway, stripe_configured
from payments.interface import GatewayRefused, GatewayUnavailable, OnboardingRequest
from payments.models import Recipient

# Bank details ------------------------------------------------------------


def _bank_details(recipient: Recipient) -> dict:
    return {
        "rail": recipient.rail,
        "bank_name": recipient.bank_name,
        "account_holder": recipient.account_holder,
        "account_number": recipient.account_number_masked,
    }


def _locked_recipient(payee_reference: str) -> Recipient:
    """The payee's Recipient row, created if new, locked until the caller's transaction ends."""
    recipient, _created = Recipient.objects.select_for_update().get_or_create(payee_reference=payee_reference)
    return recipient


def recipient_set_bank_account(
    *, payee_reference: str, bank_name: str, account_holder: str, account_number: str, by: Actor = None
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
        recipient = _locked_recipient(payee_reference)
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
    *, payee_reference: str, by: Actor, changed_at_seen: datetime.datetime | None = None
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
    *, payee_reference: str, email: str, country: str, return_url: str, refresh_url: str, by: Actor = None
) -> str:
    """Create (once) the payee's Stripe Express account and return a fresh onboarding link.
    The rail does not change yet: the payee is paid through Stripe once it comes back from
    onboarding (``recipient_sync_stripe(activate=True)``). Raises PaymentError."""
    if not stripe_configured():
        raise PaymentError(_("Stripe payouts are not configured on this site."))
    recipient = Recipient.objects.filter(payee_reference=payee_reference).first()
    try:
        link = get_gateway(Recipient.Rail.STRIPE).create_onboarding_link(
            OnboardingRequest(
                email=email,
                country=country,
                return_url=return_url,
                refresh_url=refresh_url,
                existing_account_id=recipient.stripe_account_id if recipient else "",
            )
        )
    except GatewayUnavailable as exc:
        raise _stripe_unreachable() from exc
    except GatewayRefused as exc:
        raise PaymentError(_("Stripe refused: %(reason)s") % {"reason": exc.message}) from exc
    with transaction.atomic():
        recipient = _locked_recipient(payee_reference)
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


def recipient_sync_stripe(*, account_id: str, activate: bool = False, by: Actor = None) -> Recipient | None:
    """Read the connected account from Stripe (not from a webhook's copy, so events arriving
    late or twice change nothing) and keep ``payouts_enabled``/``details_submitted``. With
    ``activate`` (the owner came back from onboarding) a finished account becomes the rail
    the payee is paid through. None when no payee has this account. Raises PaymentError when
    Stripe cannot be reached."""
    recipient = Recipient.objects.filter(stripe_account_id=account_id).first()
    if recipient is None or not stripe_configured():
        return recipient
    try:
        account = get_gateway(Recipient.Rail.STRIPE).retrieve_account(account_id)
    except GatewayUnavailable as exc:
        raise _stripe_unreachable() from exc
    except GatewayRefused as exc:
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
