"""The one module the rest of the project calls for money.

Writes (services) take keyword-only arguments and the acting user as ``by``; they raise
``PaymentError`` (its ``message`` is safe to show) and never leave money half moved. Reads return
querysets already shaped for their page, or plain records. Provider trouble never escapes as a
provider's exception: a gateway that cannot be reached becomes a ``PaymentError`` saying that
nothing was changed (or ``GatewayUnavailable`` for a task, which retries).

payments knows no page of the site: a site registers what payments needs of it (the receipt
page, the virus scan of uploads) with ``configure`` and learns what happened from
``payments.signals``.

Behind this module: ``funds`` (allocations, commitments), ``recipients`` (where a payee is
paid), ``disbursement_workflow`` and ``disbursement_sending`` (money out), ``contribution_services``
and ``refunds`` (money in), ``reconciliation`` and ``statements`` (reports), and every provider
behind ``payments.interface`` (``payments.gateways``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet

from core.actors import Actor, Person, Visitor
from payments import (
    configuration,
    contribution_selectors,
    contribution_services,
    disbursement_sending,
    disbursement_workflow,
    funds,
    proofs,
    recipients,
    reconciliation,
    reconciliation_labels,
    refunds,
    selectors,
    statements,
    webhooks,
)
from payments.configuration import FileScanner, ReceiptUrl
from payments.contribution_selectors import FundSponsors, PublicContribution
from payments.errors import PaymentError
from payments.gateways import gateway_configured
from payments.interface import GatewayUnavailable, PaymentIntentInfo
from payments.models import (
    Commitment,
    Contribution,
    Disbursement,
    Entry,
    Fund,
    Recipient,
    ReconciliationRun,
    Refund,
    Transaction,
    WebhookEvent,
)
from payments.permissions import FINANCE_GROUP, is_finance_officer
from payments.reconciliation import ReconciliationResult
from payments.statements import Statement

__all__ = [
    "FINANCE_GROUP",
    "is_finance_officer",
    "FileScanner",
    "FundSponsors",
    "GatewayUnavailable",
    "PaymentError",
    "PaymentIntentInfo",
    "PublicContribution",
    "ReceiptUrl",
    "ReconciliationResult",
    "Statement",
]

MIN_AMOUNT = contribution_services.MIN_AMOUNT
MAX_CARD_AMOUNT = contribution_services.MAX_CARD_AMOUNT
# Objects younger than this are left to the next reconciliation run (a webhook may be on its way).
RECONCILIATION_SETTLE = reconciliation.SETTLE
# Contribution statuses of money that reached the fund (whatever was refunded later).
RECEIVED = contribution_services.RECEIVED


# The site -------------------------------------------------------------------------------------


def configure(*, scan_file: FileScanner | None = None, receipt_url: ReceiptUrl | None = None) -> None:
    """Register the site's virus scan for uploaded transfer proofs (``(clean, reason)`` for a
    file) and the absolute address of a contribution's receipt page (for the receipt email).
    Called once from the site's AppConfig.ready; an argument left out keeps its hook."""
    configuration.configure(scan_file=scan_file, receipt_url=receipt_url)


def stripe_configured() -> bool:
    """Card payments and Stripe payouts are offered (Stripe's keys are set)."""
    return gateway_configured("stripe")


def format_money(amount: int, currency: str = "IDR") -> str:
    """Rupiah in Indonesian style: Rp 1.500.000, or Rp 1.500.000,50 when there are sen.
    (Positional: a formatter used in templates, not a service.)"""
    return selectors.format_money(amount, currency)


# Funds and the ledger -------------------------------------------------------------------------


def fund_get_or_create(*, reference: str, name: str = "", currency: str = "IDR") -> Fund:
    """The fund of ``reference`` (e.g. "challenge:7"), created with its cash account if new."""
    return funds.fund_get_or_create(reference=reference, name=name, currency=currency)


def allocation_record(
    *, fund: Fund, amount: int, by: Actor, description: str, reference: str = "", idempotency_key: str
) -> Transaction:
    """Money from the regional budget into a fund, by a finance officer. Idempotent per key."""
    return funds.allocation_record(
        fund=fund,
        amount=amount,
        by=by,
        description=description,
        reference=reference,
        idempotency_key=idempotency_key,
    )


def commitment_create(
    *, fund: Fund, reference: str, amount: int, by: Person, disclosed: bool = True
) -> Commitment:
    """Promise ``amount`` of the fund to an award; PaymentError when the fund lacks it. With
    ``disclosed=False`` nothing public shows it until ``commitments_disclose``."""
    return funds.commitment_create(fund=fund, reference=reference, amount=amount, by=by, disclosed=disclosed)


def commitments_disclose(*, references: list[str]) -> int:
    """Show these commitments in the public ledger and figures from now on."""
    return funds.commitments_disclose(references=references)


def commitment_release(*, commitment: Commitment, by: Actor, reason: str) -> Commitment:
    """Give an unpaid commitment back to the fund. Idempotent; PaymentError once paid against."""
    return funds.commitment_release(commitment=commitment, by=by, reason=reason)


def fund_balance(*, fund: Fund) -> int:
    return selectors.fund_balance(fund)


def fund_available(*, fund: Fund) -> int:
    """What may still be committed."""
    return selectors.fund_available(fund)


def fund_outstanding_commitments(*, fund: Fund) -> int:
    return selectors.fund_outstanding_commitments(fund)


def fund_figures(*, references: list[str], public: bool = False) -> dict[str, dict[str, int]]:
    """Per fund reference: ``received``, ``committed`` and ``disbursed``. Four queries. With
    ``public``, commitments not yet disclosed are left out."""
    return selectors.fund_figures(references, public=public)


def disbursed_by_reference(*, references: list[str]) -> dict[str, int]:
    """Per commitment reference: what was paid out."""
    return selectors.disbursed_by_reference(references)


def total_disbursed() -> int:
    return selectors.total_disbursed()


def public_ledger() -> QuerySet[Entry]:
    """Every entry, newest first, as the public ledger shows it (no personal data, no commitment
    before it is disclosed)."""
    return selectors.public_ledger()


# Where a payee is paid ------------------------------------------------------------------------


def recipient_set_bank_account(
    *, payee_reference: str, bank_name: str, account_holder: str, account_number: str, by: Actor = None
) -> Recipient:
    """The manual rail with these bank details, unverified until an official checks them."""
    return recipients.recipient_set_bank_account(
        payee_reference=payee_reference,
        bank_name=bank_name,
        account_holder=account_holder,
        account_number=account_number,
        by=by,
    )


def recipient_verify_bank_account(
    *, payee_reference: str, by: Actor, changed_at_seen: datetime.datetime | None = None
) -> Recipient:
    return recipients.recipient_verify_bank_account(
        payee_reference=payee_reference, by=by, changed_at_seen=changed_at_seen
    )


def recipient_start_stripe_onboarding(
    *, payee_reference: str, email: str, country: str, return_url: str, refresh_url: str, by: Actor = None
) -> str:
    """The URL of a fresh Stripe onboarding link for the payee's (reused) Express account."""
    return recipients.recipient_start_stripe_onboarding(
        payee_reference=payee_reference,
        email=email,
        country=country,
        return_url=return_url,
        refresh_url=refresh_url,
        by=by,
    )


def recipient_sync_stripe(*, account_id: str, activate: bool = False, by: Actor = None) -> Recipient | None:
    return recipients.recipient_sync_stripe(account_id=account_id, activate=activate, by=by)


def recipient_for(*, payee_reference: str) -> Recipient | None:
    return selectors.recipient_for(payee_reference)


def recipients_for(*, payee_references: list[str]) -> dict[str, Recipient]:
    return selectors.recipients_for(payee_references)


def recipients_awaiting_verification(*, payee_references: list[str] | None = None) -> QuerySet[Recipient]:
    return selectors.recipients_awaiting_verification(payee_references)


def payable_rail(*, recipient: Recipient | None) -> str:
    """The rail the payee can be paid through now; PaymentError saying why not otherwise."""
    return disbursement_workflow.payable_rail(recipient)


# Money out ------------------------------------------------------------------------------------


def disbursement_create(
    *,
    commitment: Commitment,
    reference: str,
    amount: int,
    payee_reference: str,
    requested_by: Person,
    description: str = "",
) -> Disbursement:
    """A payment requested against a commitment (PENDING). Idempotent per ``reference``."""
    return disbursement_workflow.disbursement_create(
        commitment=commitment,
        reference=reference,
        amount=amount,
        payee_reference=payee_reference,
        requested_by=requested_by,
        description=description,
    )


def disbursement_release(*, disbursement: Disbursement, by: Actor) -> Disbursement:
    """Four eyes; the payment is sent through its rail after commit."""
    return disbursement_workflow.disbursement_release(disbursement=disbursement, by=by)


def disbursement_retry(*, disbursement: Disbursement, by: Actor) -> Disbursement:
    return disbursement_workflow.disbursement_retry(disbursement=disbursement, by=by)


def disbursement_cancel(*, disbursement: Disbursement, by: Actor, reason: str) -> Disbursement:
    return disbursement_workflow.disbursement_cancel(disbursement=disbursement, by=by, reason=reason)


def disbursement_record_paid(
    *, disbursement: Disbursement, by: Actor, bank_reference: str, proof: File
) -> Disbursement:
    """Manual rail: the treasury's reference and the transfer proof make it paid."""
    return disbursement_workflow.disbursement_record_paid(
        disbursement=disbursement, by=by, bank_reference=bank_reference, proof=proof
    )


def disbursement_send(*, disbursement_id: int) -> Disbursement:
    """For tasks: hand a released disbursement to its rail (raises GatewayUnavailable)."""
    return disbursement_sending.disbursement_send(disbursement_id=disbursement_id)


def disbursement_resend(*, disbursement: Disbursement) -> Disbursement:
    return disbursement_sending.disbursement_resend(disbursement=disbursement)


def disbursement_actions(*, disbursement: Disbursement, user: Visitor) -> set[str]:
    """The finance actions ``user`` may take on the disbursement now (for the page's buttons)."""
    return disbursement_workflow.allowed_transitions(disbursement, user)


def disbursement_detail(*, pk: int) -> Disbursement:
    """Raises Disbursement.DoesNotExist."""
    return selectors.disbursement_detail(pk)


def disbursements_open(*, limit: int = 200) -> list[Disbursement]:
    return selectors.disbursements_open(limit)


def disbursements_for_payees(*, payee_references: list[str], limit: int = 100) -> QuerySet[Disbursement]:
    return selectors.disbursements_for_payees(payee_references, limit)


def check_proof(*, upload: File) -> str:
    """A transfer proof's content type; PaymentError when the file may not be kept."""
    return proofs.check_proof(upload)


def proof_kind(*, fileobj: Any) -> tuple[str, str] | None:
    """(content type, extension) of a stored proof, judged by its bytes."""
    return proofs.proof_kind(fileobj)


# Money in -------------------------------------------------------------------------------------


def available_rails() -> list[str]:
    return contribution_services.available_rails()


def card_payments_unavailable() -> bool:
    return contribution_services.card_payments_unavailable()


def check_amount(*, amount: int, rail: str, currency: str = "IDR") -> None:
    contribution_services.check_amount(amount, rail=rail, currency=currency)


def transfer_note(*, contribution: Contribution) -> str:
    return contribution_services.transfer_note(contribution)


def contribution_create(
    *,
    fund: Fund,
    by: Visitor,
    sponsor_name: str,
    email: str,
    public: bool,
    amount: int,
    rail: str = "",
    idempotency_key: str = "",
) -> Contribution:
    """``idempotency_key``: the form's one-time token; the same key returns the first contribution."""
    return contribution_services.contribution_create(
        fund=fund,
        by=by,
        sponsor_name=sponsor_name,
        email=email,
        public=public,
        amount=amount,
        rail=rail,
        idempotency_key=idempotency_key,
    )


def contribution_payment_intent(*, contribution: Contribution) -> PaymentIntentInfo:
    return contribution_services.contribution_payment_intent(contribution=contribution)


def contribution_switch_to_pledge(*, contribution: Contribution, by: Visitor) -> Contribution:
    return contribution_services.contribution_switch_to_pledge(contribution=contribution, by=by)


def pledge_confirm(*, contribution: Contribution, by: Actor, bank_reference: str) -> Contribution:
    return contribution_services.pledge_confirm(
        contribution=contribution, by=by, bank_reference=bank_reference
    )


def pledge_cancel(*, contribution: Contribution, by: Actor, reason: str) -> Contribution:
    return contribution_services.pledge_cancel(contribution=contribution, by=by, reason=reason)


def contribution_refund(
    *,
    contribution: Contribution,
    amount: int,
    reason: str,
    by: Person,
    idempotency_key: str,
    bank_reference: str = "",
) -> Refund:
    """Money back to a sponsor (card: through Stripe; pledge: the treasury's transfer, recorded
    with its reference). The same ``idempotency_key`` returns the same refund."""
    return refunds.contribution_refund(
        contribution=contribution,
        amount=amount,
        reason=reason,
        by=by,
        idempotency_key=idempotency_key,
        bank_reference=bank_reference,
    )


def refundable_amount(*, contribution: Contribution) -> int:
    return refunds.refundable_amount(contribution)


def refund_resend_pending() -> int:
    return refunds.refund_resend_pending()


def fund_sponsors(*, fund_reference: str, limit: int = 50) -> FundSponsors:
    return contribution_selectors.fund_sponsors(fund_reference, limit=limit)


def contributions_of(*, user: Visitor) -> QuerySet[Contribution]:
    return contribution_selectors.contributions_of(user)


def contribution_for_page(*, pk: int) -> Contribution:
    """Raises Contribution.DoesNotExist."""
    return contribution_selectors.contribution_for_page(pk)


def pledges_awaiting_confirmation() -> QuerySet[Contribution]:
    return contribution_selectors.pledges_awaiting_confirmation()


def contributions_received() -> QuerySet[Contribution]:
    return contribution_selectors.contributions_received()


def refunds_pending() -> QuerySet[Refund]:
    return contribution_selectors.refunds_pending()


# Reports --------------------------------------------------------------------------------------


def reconcile(
    *, by: Actor = None, settle: datetime.timedelta = RECONCILIATION_SETTLE, full: bool = False
) -> ReconciliationResult:
    return reconciliation.reconcile(by=by, settle=settle, full=full)


def reconcile_later(*, by: Actor) -> None:
    """Queue a reconciliation run after commit (the finance officers' "run now")."""
    from payments import tasks_reports

    user_id = by.pk if by is not None else None
    transaction.on_commit(lambda: tasks_reports.reconcile_with_gateway.delay(user_id=user_id), robust=True)


def last_reconciliation() -> ReconciliationRun | None:
    return reconciliation.last_run()


def failed_webhook_events() -> QuerySet[WebhookEvent]:
    """Provider events refused as malformed or given up after ``WEBHOOK_MAX_ATTEMPTS`` failed
    attempts, newest first: nothing retries them, a finance officer looks into each."""
    return webhooks.failed_webhook_events()


def describe_difference(*, difference: dict[str, Any]) -> str:
    """One sentence, in the active language, for a stored difference."""
    return reconciliation_labels.describe(difference)


def difference_object_label(*, name: str) -> str:
    return reconciliation_labels.object_label(name)


def statement_zone() -> datetime.tzinfo:
    return statements.default_zone()


def statement_month_bounds(
    *, year: int, month: int, zone: datetime.tzinfo
) -> tuple[datetime.datetime, datetime.datetime]:
    return statements.month_bounds(year, month, zone)


def statement_months(
    *, funds: list[Fund], zone: datetime.tzinfo | None = None
) -> dict[int, list[datetime.date]]:
    """Per fund id: the months (first day) with at least one transaction, newest first."""
    return statements.statement_months(funds, zone=zone)


def fund_statement(*, fund: Fund, year: int, month: int, zone: datetime.tzinfo | None = None) -> Statement:
    return statements.fund_statement(fund=fund, year=year, month=month, zone=zone)


def statement_csv(*, statement: Statement) -> bytes:
    return statements.statement_csv(statement)


def statement_pdf(*, statement: Statement) -> bytes:
    return statements.statement_pdf(statement)
