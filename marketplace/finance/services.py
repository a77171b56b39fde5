"""Payouts: where an organisation is paid (its owners choose Stripe Connect or a bank transfer by
the regional treasury), the officials' verification of bank details, and the finance officers'
handling of milestone payments. The money rules live in ``payments``; this module knows
organisations, regions and people: it checks who may act, tells those who must know, and turns
PaymentError into DomainError."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import audit, messaging
from core.actors import Person
from core.errors import DomainError, require, require_text
from core.references import ORGANISATION, organisation_reference, parse_reference
from marketplace.challenges.services.funds import payment_rules
from marketplace.finance import permissions
from marketplace.finance.models import TreasuryAccount
from marketplace.organisations.models.organisations import Membership, Organisation
from payments import api as payments_api
from payments.models import Disbursement, Recipient


def payee_reference(organisation: Organisation) -> str:
    return organisation_reference(organisation.pk)


def organisation_for_payee(payee_reference_: str) -> Organisation | None:
    pk = parse_reference(payee_reference_, ORGANISATION)
    if pk is None:
        return None
    return Organisation.objects.filter(pk=pk).first()


def _owners(organisation: Organisation) -> QuerySet[Person]:
    return get_user_model().objects.filter(
        memberships__organisation=organisation, memberships__role=Membership.Role.OWNER
    )


def _region_officials(organisation: Organisation) -> QuerySet[Person]:
    if organisation.region_id is None:
        return get_user_model().objects.none()  # they find it in their workspace
    return (
        get_user_model()
        .objects.filter(agencies__region_id=organisation.region_id, groups__name="official")
        .distinct()
    )


# An owner's payout settings -----------------------------------------------------------------------


def organisation_bank_details_set(
    *, organisation: Organisation, by: Person, bank_name: str, account_holder: str, account_number: str
) -> Recipient:
    """An owner chooses the bank transfer by the regional treasury, with these details (only the
    last four digits of the number are kept). Every save counts as a change: nothing is paid to
    the details until an official of the region verifies them. The other owners and the
    region's officials are told. Refused (DomainError) otherwise; nothing is saved then."""
    require(permissions.can_manage_payouts(by, organisation))
    with transaction.atomic(), payment_rules():
        recipient = payments_api.recipient_set_bank_account(
            payee_reference=payee_reference(organisation),
            bank_name=bank_name,
            account_holder=account_holder,
            account_number=account_number,
            by=by,
        )
        with translation.override(settings.LANGUAGE_CODE):
            to_owners = _(
                "The bank details of %(organisation)s were changed by %(name)s. If you did not expect "
                "this, tell the agency at once: nothing is paid to them until an official verifies them."
            ) % {"organisation": organisation.name, "name": by.get_full_name() or by.get_username()}
            to_officials = _("The bank details of %(organisation)s were changed; please verify them.") % {
                "organisation": organisation.name
            }
        messaging.notify(
            kind=messaging.Kind.PAYMENTS,
            users=_owners(organisation).exclude(pk=by.pk),
            message=to_owners,
            url=reverse("marketplace:organisation_payouts", kwargs={"slug": organisation.slug}),
            email_subject=to_owners[:120],
        )
        messaging.notify(
            kind=messaging.Kind.PAYMENTS,
            users=_region_officials(organisation).exclude(memberships__organisation=organisation),
            message=to_officials,
            url=reverse("marketplace:organisation_bank_verify", kwargs={"slug": organisation.slug}),
        )
    return recipient


def organisation_connect_stripe(
    *, organisation: Organisation, by: Person, return_url: str, refresh_url: str
) -> str:
    """An owner connects a Stripe Express account (created once); returns Stripe's onboarding
    URL. The organisation is paid through Stripe once the owner comes back having finished."""
    require(permissions.can_manage_payouts(by, organisation))
    with payment_rules():
        return payments_api.recipient_start_stripe_onboarding(
            payee_reference=payee_reference(organisation),
            email=by.email,
            country="ID",
            return_url=return_url,
            refresh_url=refresh_url,
            by=by,
        )


def organisation_stripe_returned(*, organisation: Organisation, by: Person) -> Recipient | None:
    """The owner came back from Stripe's onboarding: read the account's state from Stripe and,
    when onboarding is finished, pay the organisation through Stripe from now on."""
    require(permissions.can_manage_payouts(by, organisation))
    recipient = Recipient.objects.filter(payee_reference=payee_reference(organisation)).first()
    if recipient is None or not recipient.stripe_account_id:
        return recipient
    with payment_rules():
        return payments_api.recipient_sync_stripe(
            account_id=recipient.stripe_account_id, activate=True, by=by
        )


def organisation_bank_details_verify(
    *, organisation: Organisation, by: Person, changed_at_seen: datetime.datetime | None
) -> Recipient:
    """An official of the organisation's region (not a member) confirms its bank details, as
    they stood at ``changed_at_seen``. Idempotent; DomainError when refused."""
    require(permissions.can_verify_bank_details(by, organisation))
    with transaction.atomic(), payment_rules():
        recipient = payments_api.recipient_verify_bank_account(
            payee_reference=payee_reference(organisation), by=by, changed_at_seen=changed_at_seen
        )
        with translation.override(settings.LANGUAGE_CODE):
            message = _(
                "The bank details of %(organisation)s were verified; payments can be made to them."
            ) % {"organisation": organisation.name}
        messaging.notify(
            kind=messaging.Kind.PAYMENTS,
            users=_owners(organisation),
            message=message,
            url=reverse("marketplace:organisation_payouts", kwargs={"slug": organisation.slug}),
        )
    return recipient


# Finance officers and milestone payments ----------------------------------------------------------


def disbursement_record_paid(
    *, disbursement: Disbursement, by: Person, bank_reference: str, proof
) -> Disbursement:
    """Manual rail: the treasury paid; the finance officer records its reference and proof."""
    require(permissions.can_handle_payments(by))
    with payment_rules():
        return payments_api.disbursement_record_paid(
            disbursement=disbursement, by=by, bank_reference=bank_reference, proof=proof
        )


def disbursement_retry(*, disbursement: Disbursement, by: Person) -> Disbursement:
    require(permissions.can_handle_payments(by))
    with payment_rules():
        return payments_api.disbursement_retry(disbursement=disbursement, by=by)


def disbursement_cancel(*, disbursement: Disbursement, by: Person, reason: str) -> Disbursement:
    require(permissions.can_handle_payments(by))
    with payment_rules(field="reason"):
        return payments_api.disbursement_cancel(disbursement=disbursement, by=by, reason=reason)


# The regional treasury account (RKUD) -----------------------------------------------------------

ACCOUNT_NUMBER_SEPARATORS = str.maketrans("", "", " -.")


def treasury_account_save(
    *, region, by: Person, bank_name: str, account_number: str, account_holder: str
) -> TreasuryAccount:
    """Enter or change the account sponsors transfer pledges to in ``region``. Only the region's
    finance officers; the account number keeps its digits only (spaces, dots and dashes are
    dropped). Every change is audited with the account before and after. Raises DomainError on
    bad input; nothing is changed then."""
    require(permissions.can_edit_treasury_account(by, region))
    bank_name = require_text(bank_name, field="bank_name", empty=_("Enter the bank."), max_length=100)
    account_holder = require_text(
        account_holder, field="account_holder", empty=_("Enter the account holder."), max_length=200
    )
    digits = (account_number or "").strip().translate(ACCOUNT_NUMBER_SEPARATORS)
    if not digits.isdigit() or not 6 <= len(digits) <= 20:
        raise DomainError(
            _("Enter the account number: 6 to 20 digits (spaces and dashes are left out)."),
            field="account_number",
        )
    with transaction.atomic():
        account = TreasuryAccount.objects.select_for_update().filter(region=region).first()
        before = _treasury_fields(account) if account else None
        account = account or TreasuryAccount(region=region)
        account.bank_name, account.account_number, account.account_holder = bank_name, digits, account_holder
        after = _treasury_fields(account)
        if before == after:
            return account
        account.updated_at = timezone.now()
        account.updated_by = by
        account.save()
        audit.record_object(
            actor=by, obj=account, action="treasury_account.saved", before=before, after=after
        )
    return account


def _treasury_fields(account: TreasuryAccount) -> dict:
    return {
        "region": account.region_id,
        "bank_name": account.bank_name,
        "account_number": account.account_number,
        "account_holder": account.account_holder,
    }
