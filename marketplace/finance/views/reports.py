"""Finance officers' reports: reconciliation runs with their differences (and a button to run
one now), and each fund's monthly statement as CSV or PDF."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.views import deny_unless
from marketplace.challenges import permissions
from payments import api as payments_api
from payments.api import stripe_configured
from payments.models import Fund, ReconciliationRun

RUNS_PER_PAGE = 20
WEBHOOKS_PER_PAGE = 25
FUNDS_PER_PAGE = 25


def finance_reports_section(request) -> dict:
    """The finance officers' links to their reports, with the latest run's result (one query).
    Rendered by ``finance/reports/workspace_finance_reports.html``."""
    if not permissions.can_manage_funds(request.user)[0]:
        return {}
    return {"finance_reports": {"last_run": payments_api.last_reconciliation()}}


@login_required
def reconciliation_list(request):
    deny_unless(permissions.can_manage_funds(request.user))
    runs = ReconciliationRun.objects.select_related("triggered_by").order_by("-started_at", "-id")
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/reports/reconciliation_list.html",
        {
            "page_obj": page,
            "runs": page.object_list,
            "querystring": "",
            "stripe_enabled": stripe_configured(),
        },
    )


@login_required
def reconciliation_detail(request, pk):
    deny_unless(permissions.can_manage_funds(request.user))
    run = get_object_or_404(ReconciliationRun.objects.select_related("triggered_by"), pk=pk)
    differences = [
        {
            **difference,
            "text": payments_api.describe_difference(difference=difference),
            "object_label": payments_api.difference_object_label(name=difference.get("object", "")),
        }
        for difference in run.differences or []
    ]
    return render(
        request,
        "finance/reports/reconciliation_detail.html",
        {"run": run, "differences": differences, "stripe_enabled": stripe_configured()},
    )


@login_required
@require_POST
def reconciliation_start(request):
    """Queue a run now (in-process where Celery runs eagerly); the list shows it when it ends."""
    deny_unless(permissions.can_manage_funds(request.user))
    payments_api.reconcile_later(by=request.user)
    messages.success(
        request, _("Reconciliation started. Its report appears in this list when it has finished.")
    )
    return redirect("marketplace:finance_reconciliation_list")


@login_required
def failed_webhook_list(request):
    """Provider events nobody will process: malformed ones and those given up after retries."""
    deny_unless(permissions.can_manage_funds(request.user))
    page = Paginator(payments_api.failed_webhook_events(), WEBHOOKS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "finance/reports/failed_webhook_list.html",
        {
            "page_obj": page,
            "events": page.object_list,
            "querystring": "",
            "max_attempts": settings.WEBHOOK_MAX_ATTEMPTS,
        },
    )


@login_required
def statement_list(request):
    deny_unless(permissions.can_manage_funds(request.user))
    page = Paginator(Fund.objects.order_by("name", "pk"), FUNDS_PER_PAGE).get_page(request.GET.get("page"))
    funds = list(page.object_list)
    months = payments_api.statement_months(funds=funds)
    return render(
        request,
        "finance/reports/statement_list.html",
        {
            "page_obj": page,
            "funds": [(fund, months.get(fund.pk, [])) for fund in funds],
            "querystring": "",
            "zone": payments_api.statement_zone(),
        },
    )


@login_required
def statement_download(request, pk, year, month, fmt):
    deny_unless(permissions.can_manage_funds(request.user))
    fund = get_object_or_404(Fund, pk=pk)
    try:
        payments_api.statement_month_bounds(year=year, month=month, zone=payments_api.statement_zone())
    except ValueError:
        raise Http404(_("No such month.")) from None
    if datetime.date(year, month, 1) > timezone.localdate(timezone=payments_api.statement_zone()):
        raise Http404(_("This month has not started yet."))
    statement = payments_api.fund_statement(fund=fund, year=year, month=month)
    if fmt == "pdf":
        response = HttpResponse(
            payments_api.statement_pdf(statement=statement), content_type="application/pdf"
        )
    else:
        response = HttpResponse(
            payments_api.statement_csv(statement=statement), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{statement.filename_stem}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response
