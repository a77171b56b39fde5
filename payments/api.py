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
behind ``payments.interface`` (``payments.gateways``). A service whose keyword-only signature is
already the public one is exported as it is (``allocation_record = funds.allocation_record``, its
docstring says what the caller may rely on); the functions written out here give a positional
helper the keyword-only form, or add what the inner module does not know."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet

from core.actors import Actor, Visitor
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
from payments.configuration import FileScanner, PaymentConflict, ReceiptUrl, ReferenceLabels
from payments.contribution_selectors import FundSponsors, PublicContribution
from payments.errors import PaymentError
from payments.gateways import gateway_configured
from payments.interface import GatewayUnavailable, PaymentIntentInfo
from payments.models import (
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


def configure(
    *,
    scan_file: FileScanner | None = None,
    receipt_url: ReceiptUrl | None = None,
    payment_conflict: PaymentConflict | None = None,
    reference_labels: ReferenceLabels | None = None,
) -> None:
    """Register the site's virus scan for uploaded transfer proofs (``(clean, reason)`` for a
    file), the absolute address of a contribution's receipt page (for the receipt email) and its
    conflict-of-interest rule for finance officers (why a person may not release or handle a
    payment, or ""; checked with the four eyes) and the names of its references for the documents
    people read (``reference_labels``: a list of references -> {reference: name}). Called once
    from the site's AppConfig.ready; an argument left out keeps its hook."""
    configuration.configure(
        scan_file=scan_file,
        receipt_url=receipt_url,
        payment_conflict=payment_conflict,
        reference_labels=reference_labels,
    )


def stripe_configured() -> bool:
    """Card payments and Stripe payouts are offered (Stripe's keys are set)."""
    return gateway_configured("stripe")


def format_money(amount: int, currency: str = "IDR") -> str:
    """Rupiah in Indonesian style: Rp 1.500.000, or Rp 1.500.000,50 when there are sen.
    (Positional: a formatter used in templates, not a service.)"""
    return selectors.format_money(amount, currency)


# Funds and the ledger -------------------------------------------------------------------------


fund_get_or_create = funds.fund_get_or_create
allocation_record = funds.allocation_record
commitment_create = funds.commitment_create
commitments_disclose = funds.commitments_disclose
commitment_release = funds.commitment_release


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


def fund_figures_rows(*, references: list[str], public: bool = False) -> QuerySet[Fund, Any]:
    """``fund_figures`` as rows (a ``values()`` queryset, one statement), for a page that reads
    them together with its own rows; ``fund_figures_of(row)`` gives each row's figures."""
    return selectors.fund_figures_rows(references, public=public)


fund_figures_of = selectors.fund_figures_of


def disbursed_by_reference(*, references: list[str]) -> dict[str, int]:
    """Per commitment reference: what was paid out."""
    return selectors.disbursed_by_reference(references)


def budget_allocations(*, references: list[str]) -> dict[str, list[Transaction]]:
    """Per fund reference: its budget allocations, oldest first, each with ``amount`` (minor
    units), ``created_at`` and ``reference`` (e.g. the DPA number). One query."""
    return selectors.budget_allocations(references)


def total_disbursed() -> int:
    return selectors.total_disbursed()


def public_disbursements() -> QuerySet[Entry]:
    """The ledger entries whose ``amount`` adds up to ``total_disbursed``, for a page that sums
    them in a statement of its own."""
    return selectors.public_disbursements()


PublicPayout = selectors.PublicPayout


def public_payouts(*, disbursement_ids: list[int]) -> dict[int, PublicPayout]:
    """Per disbursement id, the paid ones only: amount, date paid and rail (``rail_label`` in
    plain words), nothing about the payee's account or who released it. One query."""
    return selectors.public_payouts(disbursement_ids)


def public_ledger() -> QuerySet[Entry]:
    """Every entry, newest first, as the public ledger shows it (no personal data, no commitment
    before it is disclosed)."""
    return selectors.public_ledger()


def public_fund_totals(*, references: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Per fund reference: ``allocated``, ``sponsored``, ``returned`` (to sponsors), ``awarded``
    (published winners only) and ``paid``, in minor units, as the public may see them. One
    query."""
    return selectors.public_fund_totals(references)


def public_fund_totals_sql() -> tuple[str, tuple]:
    """The figures of ``public_fund_totals`` for every fund as one SQL ``SELECT`` (columns
    ``reference``, ``allocated``, ``sponsored``, ``returned``, ``awarded``, ``paid``) and its
    parameters, for a report that joins them to its own rows and sums them in one statement."""
    return selectors.public_fund_totals_sql()


def public_paid_by_month(*, zones: dict[str, list[str]]) -> dict[datetime.date, int]:
    """Paid to grantees per month (first day), each fund counted in its zone's months:
    ``zones`` maps a zone name ("Asia/Makassar") to its fund references. A query per zone."""
    return selectors.public_paid_by_month(zones)


def public_paid_by_fund_and_month(*, zones: Sequence[str]) -> QuerySet[Entry, Any]:
    """Paid to grantees per fund and month, as rows of ``reference``, ``total`` and one
    ``month_<i>`` per zone ``zones[i]`` (the month's first day in that zone), for a report that
    joins them to its own rows and picks each fund's zone. Nothing of undisclosed awards."""
    return selectors.public_paid_by_fund_and_month(zones)


# One row per movement of public money, newest first; no commitment before it is disclosed.
public_journal = selectors.public_journal


# Where a payee is paid ------------------------------------------------------------------------


recipient_set_bank_account = recipients.recipient_set_bank_account
recipient_verify_bank_account = recipients.recipient_verify_bank_account
recipient_start_stripe_onboarding = recipients.recipient_start_stripe_onboarding
recipient_sync_stripe = recipients.recipient_sync_stripe


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


disbursement_create = disbursement_workflow.disbursement_create
disbursement_release = disbursement_workflow.disbursement_release
disbursement_retry = disbursement_workflow.disbursement_retry
disbursement_cancel = disbursement_workflow.disbursement_cancel
disbursement_record_paid = disbursement_workflow.disbursement_record_paid
disbursement_send = disbursement_sending.disbursement_send
disbursement_resend = disbursement_sending.disbursement_resend


def disbursement_actions(*, disbursement: Disbursement, user: Visitor) -> set[str]:
    """The finance actions ``user`` may take on the disbursement now (for the page's buttons)."""
    return disbursement_workflow.allowed_transitions(disbursement, user)


def disbursement_detail(*, pk: int) -> Disbursement:
    """Raises Disbursement.DoesNotExist."""
    return selectors.disbursement_detail(pk)


def disbursements_open(*, limit: int = 200) -> list[Disbursement]:
    return selectors.disbursements_open(limit)


def disbursements_awaiting_release() -> QuerySet[Disbursement]:
    """Payments a finance officer must act on: awaiting release, or failed (retry or cancel)."""
    return selectors.disbursements_awaiting_release()


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


def contributions_in_statement_line(*, text: str) -> list[Contribution]:
    return contribution_services.contributions_in_statement_line(text)


contribution_create = contribution_services.contribution_create
contribution_payment_intent = contribution_services.contribution_payment_intent
contribution_switch_to_pledge = contribution_services.contribution_switch_to_pledge
pledge_confirm = contribution_services.pledge_confirm
pledge_cancel = contribution_services.pledge_cancel
contribution_refund = refunds.contribution_refund


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


reconcile = reconciliation.reconcile


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


fund_statement = statements.fund_statement


def statement_csv(*, statement: Statement) -> bytes:
    return statements.statement_csv(statement)


def statement_pdf(*, statement: Statement) -> bytes:
    return statements.statement_pdf(statement)
