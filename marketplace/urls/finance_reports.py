"""Finance officers' reports: reconciliation runs and monthly fund statements."""

from django.urls import path

from marketplace.views import finance_reports as views

urlpatterns: list = [
    path("workspace/finance/reconciliation/", views.reconciliation_list, name="finance_reconciliation_list"),
    path(
        "workspace/finance/reconciliation/run/",
        views.reconciliation_start,
        name="finance_reconciliation_start",
    ),
    path(
        "workspace/finance/reconciliation/<int:pk>/",
        views.reconciliation_detail,
        name="finance_reconciliation_detail",
    ),
    path("workspace/finance/statements/", views.statement_list, name="finance_statement_list"),
    path(
        "workspace/finance/statements/<int:pk>/<int:year>-<int:month>.csv",
        views.statement_download,
        {"fmt": "csv"},
        name="finance_statement_csv",
    ),
    path(
        "workspace/finance/statements/<int:pk>/<int:year>-<int:month>.pdf",
        views.statement_download,
        {"fmt": "pdf"},
        name="finance_statement_pdf",
    ),
]
