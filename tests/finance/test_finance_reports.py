"""The finance officers' reports over HTTP: reconciliation runs and monthly fund statements.

Every page is tried by each role that may not use it (anonymous visitors are sent to sign in,
applicants, officials, reviewers and sponsors are refused) and by a finance officer, who may."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from marketplace.finance.receivers import on_reconciliation_finished
from payments import api as payments_api
from payments import signals
from payments.models import Disbursement, ReconciliationRun
from tests.factories import UserFactory, organisation

pytestmark = pytest.mark.django_db

REFUSED_ROLES = ["applicant", "official", "reviewer", "sponsor"]


@pytest.fixture
def users():
    applicant = UserFactory()
    organisation(owner=applicant)
    return {
        "applicant": applicant,
        "official": UserFactory(roles=["official"]),
        "reviewer": UserFactory(roles=["reviewer"]),
        "sponsor": UserFactory(roles=["sponsor"]),
        "finance": UserFactory(roles=["finance"]),
    }


@pytest.fixture
def fund(users):
    fund = payments_api.fund_get_or_create(reference="challenge:501", name="Pasar digital Sumba")
    payments_api.allocation_record(
        fund=fund, amount=50_000_000_00, by=users["finance"], description="APBD", idempotency_key="apbd-501"
    )
    return fund


@pytest.fixture
def run_with_a_difference(fund, users):
    commitment = payments_api.commitment_create(
        fund=fund, reference="award:501", amount=10_000_000_00, by=users["official"]
    )
    disbursement = payments_api.disbursement_create(
        commitment=commitment,
        reference="milestone:501",
        amount=10_000_000_00,
        payee_reference="organisation:501",
        requested_by=users["official"],
    )
    Disbursement.objects.filter(pk=disbursement.pk).update(
        status=Disbursement.Status.PAID, paid_at=timezone.now(), gateway_reference="SP2D-501"
    )
    return payments_api.reconcile(settle=datetime.timedelta(0)).run


def pages(run, fund) -> dict[str, str]:
    today = timezone.localdate()
    return {
        "reconciliation list": reverse("marketplace:finance_reconciliation_list"),
        "reconciliation report": reverse("marketplace:finance_reconciliation_detail", kwargs={"pk": run.pk}),
        "statement list": reverse("marketplace:finance_statement_list"),
        "statement csv": reverse(
            "marketplace:finance_statement_csv",
            kwargs={"pk": fund.pk, "year": today.year, "month": today.month},
        ),
        "statement pdf": reverse(
            "marketplace:finance_statement_pdf",
            kwargs={"pk": fund.pk, "year": today.year, "month": today.month},
        ),
    }


# Who may use the pages --------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, run_with_a_difference, fund):
    for name, url in pages(run_with_a_difference, fund).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("account_login")), name
    response = client.post(reverse("marketplace:finance_reconciliation_start"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert ReconciliationRun.objects.count() == 1


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_other_roles_are_refused(
    client, users, run_with_a_difference, fund, role, django_capture_on_commit_callbacks
):
    client.force_login(users[role])
    for name, url in pages(run_with_a_difference, fund).items():
        assert client.get(url).status_code == 403, name
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("marketplace:finance_reconciliation_start")).status_code == 403
    assert ReconciliationRun.objects.count() == 1


def test_a_finance_officer_may_use_every_page(client, users, run_with_a_difference, fund):
    client.force_login(users["finance"])
    for name, url in pages(run_with_a_difference, fund).items():
        assert client.get(url).status_code == 200, name
    # Starting a run is a POST only.
    assert client.get(reverse("marketplace:finance_reconciliation_start")).status_code == 405


# What the pages show ----------------------------------------------------------------------------


def test_a_finance_officer_starts_a_run_and_reads_its_differences(
    client, users, fund, run_with_a_difference, django_capture_on_commit_callbacks
):
    client.force_login(users["finance"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("marketplace:finance_reconciliation_start"))
    assert response.status_code == 302 and response.url == reverse("marketplace:finance_reconciliation_list")
    newest = ReconciliationRun.objects.first()
    assert newest.triggered_by == users["finance"] and newest.since == run_with_a_difference.started_at

    listing = client.get(reverse("marketplace:finance_reconciliation_list")).content.decode()
    assert "1 selisih" in listing or "1 difference" in listing
    assert users["finance"].username in listing

    report = client.get(
        reverse("marketplace:finance_reconciliation_detail", kwargs={"pk": run_with_a_difference.pk})
    ).content.decode()
    assert f"#{run_with_a_difference.differences[0]['id']}" in report
    assert "Rp 10.000.000" in report


def test_a_run_without_differences_says_the_books_agree(client, users, fund):
    run = payments_api.reconcile(settle=datetime.timedelta(0)).run
    client.force_login(users["finance"])
    with_english = client.get(
        reverse("marketplace:finance_reconciliation_detail", kwargs={"pk": run.pk}), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert with_english.status_code == 200


def test_the_statement_page_lists_each_fund_with_its_months(client, users, fund):
    payments_api.fund_get_or_create(reference="challenge:502", name="Dana tanpa gerak")
    client.force_login(users["finance"])

    page = client.get(reverse("marketplace:finance_statement_list")).content.decode()

    today = timezone.localdate()
    csv_url = reverse(
        "marketplace:finance_statement_csv", kwargs={"pk": fund.pk, "year": today.year, "month": today.month}
    )
    assert "Pasar digital Sumba" in page and csv_url in page and csv_url.replace(".csv", ".pdf") in page
    assert "Dana tanpa gerak" in page


def test_statements_download_as_csv_and_pdf(client, users, fund):
    client.force_login(users["finance"])
    today = timezone.localdate()
    kwargs = {"pk": fund.pk, "year": today.year, "month": today.month}

    csv_response = client.get(reverse("marketplace:finance_statement_csv", kwargs=kwargs))
    pdf_response = client.get(reverse("marketplace:finance_statement_pdf", kwargs=kwargs))

    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    stem = f"laporan-dana-{fund.pk}-{today.year:04d}-{today.month:02d}"
    assert csv_response["Content-Disposition"] == f'attachment; filename="{stem}.csv"'
    assert "Rp 50.000.000" in csv_response.content.decode("utf-8-sig")
    assert pdf_response["Content-Type"] == "application/pdf" and pdf_response.content.startswith(b"%PDF-")
    assert pdf_response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "kwargs",
    [{"year": 2026, "month": 13}, {"year": 1999, "month": 1}, {"year": 9000, "month": 1}],
    ids=["month 13", "before the site", "in the future"],
)
def test_a_month_that_cannot_have_a_statement_is_not_found(client, users, fund, kwargs):
    client.force_login(users["finance"])
    assert (
        client.get(reverse("marketplace:finance_statement_csv", kwargs={"pk": fund.pk, **kwargs})).status_code
        == 404
    )
    missing = {"pk": fund.pk + 1000, "year": 2026, "month": 1}
    assert client.get(reverse("marketplace:finance_statement_pdf", kwargs=missing)).status_code == 404


def test_the_list_pages_take_the_same_queries_however_many_funds_and_runs(
    client, users, fund, django_assert_max_num_queries
):
    client.force_login(users["finance"])
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("marketplace:finance_statement_list"))
        client.get(reverse("marketplace:finance_reconciliation_list"))
    for index in range(15):
        extra = payments_api.fund_get_or_create(reference=f"challenge:{600 + index}", name=f"Dana {index}")
        payments_api.allocation_record(
            fund=extra, amount=1_000_00, by=users["finance"], description="APBD", idempotency_key=f"x{index}"
        )
        payments_api.reconcile(settle=datetime.timedelta(0), by=users["finance"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("marketplace:finance_statement_list"))
        client.get(reverse("marketplace:finance_reconciliation_list"))


# Finance officers are told about differences ------------------------------------------------------


@pytest.fixture
def receiver_connected():
    signals.reconciliation_finished.connect(on_reconciliation_finished, dispatch_uid="finance-reconciliation")
    yield
    signals.reconciliation_finished.disconnect(dispatch_uid="finance-reconciliation")


def test_finance_officers_are_told_about_differences(
    receiver_connected, users, fund, django_capture_on_commit_callbacks, mailoutbox
):
    other_finance = UserFactory(roles=["finance"])
    commitment = payments_api.commitment_create(
        fund=fund, reference="award:9", amount=1_000_00, by=users["official"]
    )
    disbursement = payments_api.disbursement_create(
        commitment=commitment,
        reference="milestone:9",
        amount=1_000_00,
        payee_reference="organisation:9",
        requested_by=users["official"],
    )
    Disbursement.objects.filter(pk=disbursement.pk).update(
        status=Disbursement.Status.PAID, paid_at=timezone.now(), gateway_reference="X"
    )

    with django_capture_on_commit_callbacks(execute=True):
        run = payments_api.reconcile(settle=datetime.timedelta(0)).run

    notified = Notification.objects.filter(
        url=reverse("marketplace:finance_reconciliation_detail", kwargs={"pk": run.pk})
    )
    assert sorted(n.user_id for n in notified) == sorted([users["finance"].pk, other_finance.pk])
    assert not Notification.objects.exclude(user__in=[users["finance"], other_finance]).exists()
    assert len(mailoutbox) == 1 and sorted(mailoutbox[0].to) == sorted(
        [users["finance"].email, other_finance.email]
    )


def test_nobody_is_bothered_when_the_books_agree(
    receiver_connected, fund, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        payments_api.reconcile(settle=datetime.timedelta(0))
    assert not Notification.objects.exists()


def test_the_workspace_gives_finance_officers_their_reports(client, users, run_with_a_difference):
    client.force_login(users["finance"])
    context = client.get(reverse("marketplace:workspace_finance")).context
    assert context["finance_reports"] == {"last_run": run_with_a_difference}

    html = render_to_string(
        "finance/reports/workspace_finance_reports.html", {"finance_reports": context["finance_reports"]}
    )
    assert (
        reverse("marketplace:finance_reconciliation_detail", kwargs={"pk": run_with_a_difference.pk}) in html
    )
    assert reverse("marketplace:finance_statement_list") in html

    for role in REFUSED_ROLES:
        client.force_login(users[role])
        assert "finance_reports" not in client.get(reverse("marketplace:workspace_finance")).context
    assert render_to_string("finance/reports/workspace_finance_reports.html", {}).strip() == ""
