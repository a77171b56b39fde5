"""The money pages: sponsor contributions, budget allocations, payout accounts, payments and the
finance officers' reports."""

from django.urls import path

from marketplace.finance.views import allocations as allocation_views
from marketplace.finance.views import contributions as contribution_views
from marketplace.finance.views import payouts as payout_views
from marketplace.finance.views import reports as report_views
from marketplace.finance.views import treasury as treasury_views

urlpatterns = [
    path("challenges/<slug:slug>/fund/allocate/", allocation_views.fund_allocate, name="fund_allocate"),
    path(
        "challenges/<slug:slug>/contribute/",
        contribution_views.contribution_create,
        name="contribution_create",
    ),
    path(
        "workspace/contributions/<int:pk>/",
        contribution_views.contribution_detail,
        name="contribution_detail",
    ),
    path(
        "workspace/contributions/<int:pk>/pay/", contribution_views.contribution_pay, name="contribution_pay"
    ),
    path(
        "workspace/contributions/<int:pk>/bank-transfer/",
        contribution_views.contribution_switch_to_pledge,
        name="contribution_switch_to_pledge",
    ),
    path(
        "workspace/contributions/<int:pk>/receipt/",
        contribution_views.contribution_receipt,
        name="contribution_receipt",
    ),
    path(
        "workspace/finance/contributions/",
        contribution_views.contribution_finance_list,
        name="contribution_finance_list",
    ),
    path(
        "workspace/finance/contributions/statement-line/",
        contribution_views.statement_line_match,
        name="statement_line_match",
    ),
    path("workspace/finance/treasury/", treasury_views.treasury_accounts, name="treasury_accounts"),
    path(
        "workspace/finance/treasury/<int:region_id>/",
        treasury_views.treasury_account_edit,
        name="treasury_account_edit",
    ),
    path(
        "workspace/finance/contributions/<int:pk>/confirm/",
        contribution_views.pledge_confirm,
        name="pledge_confirm",
    ),
    path(
        "workspace/finance/contributions/<int:pk>/cancel/",
        contribution_views.pledge_cancel,
        name="pledge_cancel",
    ),
    path(
        "workspace/finance/contributions/<int:pk>/refund/",
        contribution_views.contribution_refund,
        name="contribution_refund",
    ),
    path(
        "organisations/<slug:slug>/payouts/", payout_views.organisation_payouts, name="organisation_payouts"
    ),
    path(
        "organisations/<slug:slug>/payouts/stripe/",
        payout_views.organisation_stripe_onboarding,
        name="organisation_stripe_onboarding",
    ),
    path(
        "organisations/<slug:slug>/payouts/stripe/return/",
        payout_views.organisation_stripe_return,
        name="organisation_stripe_return",
    ),
    path(
        "organisations/<slug:slug>/payouts/stripe/refresh/",
        payout_views.organisation_stripe_refresh,
        name="organisation_stripe_refresh",
    ),
    path(
        "organisations/<slug:slug>/payouts/verify/",
        payout_views.organisation_bank_verify,
        name="organisation_bank_verify",
    ),
    path(
        "workspace/disbursements/<int:pk>/release/",
        payout_views.disbursement_release,
        name="disbursement_release",
    ),
    path(
        "workspace/disbursements/<int:pk>/paid/",
        payout_views.disbursement_record_paid,
        name="disbursement_record_paid",
    ),
    path(
        "workspace/disbursements/<int:pk>/retry/", payout_views.disbursement_retry, name="disbursement_retry"
    ),
    path(
        "workspace/disbursements/<int:pk>/cancel/",
        payout_views.disbursement_cancel,
        name="disbursement_cancel",
    ),
    path(
        "workspace/disbursements/<int:pk>/proof/", payout_views.disbursement_proof, name="disbursement_proof"
    ),
    path(
        "workspace/finance/reconciliation/",
        report_views.reconciliation_list,
        name="finance_reconciliation_list",
    ),
    path(
        "workspace/finance/reconciliation/run/",
        report_views.reconciliation_start,
        name="finance_reconciliation_start",
    ),
    path(
        "workspace/finance/reconciliation/<int:pk>/",
        report_views.reconciliation_detail,
        name="finance_reconciliation_detail",
    ),
    path("workspace/finance/statements/", report_views.statement_list, name="finance_statement_list"),
    path(
        "workspace/finance/webhooks/failed/",
        report_views.failed_webhook_list,
        name="finance_failed_webhook_list",
    ),
    path(
        "workspace/finance/statements/<int:pk>/<int:year>-<int:month>.csv",
        report_views.statement_download,
        {"fmt": "csv"},
        name="finance_statement_csv",
    ),
    path(
        "workspace/finance/statements/<int:pk>/<int:year>-<int:month>.pdf",
        report_views.statement_download,
        {"fmt": "pdf"},
        name="finance_statement_pdf",
    ),
]
