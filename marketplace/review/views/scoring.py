"""The review form, reopening, and the officials' comparison table with exports. Each view
checks permissions once, calls a selector or a service, and renders or redirects."""

from __future__ import annotations

import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import exports
from core.files import private_copy_response, private_file_bytes, private_file_response
from core.roles import is_official
from core.views import Confirmation, deny_unless, form_action, going_back
from marketplace.challenges.models import ChallengePage
from marketplace.review import blind, permissions
from marketplace.review.forms.scoring import RECOMMENDATION_LABELS, ReopenForm, ReviewForm
from marketplace.review.models import Review, ReviewAssignment
from marketplace.review.selectors import scoring as selectors
from marketplace.review.services import scoring as services

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _assignment(pk) -> ReviewAssignment:
    try:
        return selectors.assignment_get(pk)
    except ReviewAssignment.DoesNotExist:
        raise Http404 from None


# The review form -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request, pk):
    assignment = _assignment(pk)
    if (
        permissions.is_assigned_reviewer(request.user, assignment)
        and assignment.status == ReviewAssignment.Status.AWAITING_DECLARATION
    ):
        # Nothing of the proposal is shown before the conflict-of-interest declaration.
        return redirect(reverse("marketplace:review_edit", kwargs={"pk": pk}) + "declare/")
    deny_unless(permissions.can_score(request.user, assignment))
    page = selectors.review_page(assignment)
    challenge = page.challenge
    form_options = {
        "criteria": page.criteria,
        "score_min": challenge.score_min,
        "score_max": challenge.score_max,
    }
    if request.method == "POST":
        submitting = request.POST.get("action") == "submit"
        form = ReviewForm(request.POST, submitting=submitting, **form_options)
        service = services.review_submit if submitting else services.review_save_draft
        response = form_action(
            request,
            form,
            lambda data: service(assignment=assignment, by=request.user, **form.service_kwargs()),
            success=_("Review submitted. Thank you.")
            if submitting
            else _("Draft saved. Submit it when it is complete."),
            redirect_to=reverse("marketplace:review_edit", kwargs={"pk": pk}),
            confirm=(lambda data: _submit_confirmation(page, form)) if submitting else None,
        )
        if response:
            return response
        if going_back(request):
            # Back from the confirmation: the review as typed, unsaved and unsubmitted.
            return render(request, "review/scoring/review_form.html", _review_context(page, form))
        if submitting:
            messages.error(request, _("The review was not submitted: see what is missing below."))
        return render(request, "review/scoring/review_form.html", _review_context(page, form), status=400)
    form = ReviewForm(initial=ReviewForm.initial_for(page.review, page.scores), **form_options)
    return render(request, "review/scoring/review_form.html", _review_context(page, form))


def _submit_confirmation(page: selectors.ReviewPage, form: ReviewForm) -> Confirmation:
    data = form.cleaned_data
    scores = [(criterion.name, str(data.get(f"score_{criterion.pk}"))) for criterion in page.criteria]
    return Confirmation(
        title=_("Submit your review of “%(title)s”?") % {"title": page.proposal.title},
        facts=[
            (_("Proposal"), page.proposal.title),
            (_("Challenge"), page.challenge.display_title),
            *scores,
            (_("Recommendation"), str(RECOMMENDATION_LABELS.get(data.get("recommendation") or "", "—"))),
        ],
        what_happens=_(
            "Your scores and comments go to %(agency)s. After that you can no longer change them, "
            "unless an official of the agency reopens the review."
        )
        % {"agency": page.challenge.agency.name},
        button=_("Yes, submit the review"),
    )


def _review_context(page: selectors.ReviewPage, form: ReviewForm) -> dict:
    review = page.review
    submitted = review is not None and review.status == Review.Status.SUBMITTED
    return {
        "page": page,
        "proposal": page.proposal,
        "challenge": page.challenge,
        "blind": page.blind,
        "review": review,
        "submitted": submitted,
        "editable": not submitted and page.proposal.status in services.REVIEWABLE_STATUSES,
        "form": form,
        "criterion_rows": [
            (criterion, page.scores.get(criterion.pk), score_field, comment_field)
            for criterion, score_field, comment_field in form.criterion_fields()
        ],
        "recommendation_label": RECOMMENDATION_LABELS.get(review.recommendation, "") if review else "",
    }


@login_required
@require_GET
def review_attachment(request, pk, attachment_pk):
    """The proposal's private file for its reviewer. In a blind review it is named by number,
    since an uploaded file's name may carry the organisation's, and a PDF is served as a copy
    without its document metadata (``review.blind``), which often names its author."""
    assignment = _assignment(pk)
    deny_unless(permissions.can_score(request.user, assignment))
    items = {item.attachment.pk: item for item in selectors.attachments_for(assignment.proposal)}
    item = items.get(int(attachment_pk))
    if item is None:
        raise Http404
    attachment = item.attachment
    if not permissions.hides_applicant_identity(assignment.proposal.challenge):
        return private_file_response(
            attachment.file,
            download_name=attachment.display_name,
            content_type=attachment.content_type,
            by=request.user,
        )
    filename = _("attachment-%(number)s") % {"number": item.number} + item.extension
    if attachment.content_type != "application/pdf":
        return private_file_response(
            attachment.file, download_name=filename, content_type=attachment.content_type, by=request.user
        )
    try:
        anonymous = blind.pdf_without_metadata(private_file_bytes(attachment.file))
    except blind.UnreadablePdf:
        # Serving the original could name the applicant; the reviewer is told instead.
        messages.error(
            request,
            _(
                "Attachment %(number)s could not be opened to remove its author details, so it is "
                "not shown in this blind review. Ask the official in charge for a copy."
            )
            % {"number": item.number},
        )
        return redirect("marketplace:review_edit", pk=pk)
    return private_copy_response(
        anonymous,
        source=attachment.file,
        download_name=filename,
        content_type=attachment.content_type,
        by=request.user,
    )


# Reopening -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review_reopen(request, pk):
    """An official reads a reviewer's review and may send it back to the reviewer."""
    assignment = _assignment(pk)
    deny_unless(permissions.can_reopen_review(request.user, assignment))
    review = selectors.review_get(assignment)
    if review is None:
        raise Http404(_("This reviewer has not started the review yet."))
    form = ReopenForm(request.POST or None)
    challenge = assignment.proposal.challenge
    response = form_action(
        request,
        form,
        lambda data: services.review_reopen(review=review, by=request.user, **data),
        success=_("The review is open again; the reviewer has been told why."),
        redirect_to=reverse("marketplace:review_comparison", kwargs={"slug": challenge.slug}),
    )
    return response or render(
        request,
        "review/scoring/review_reopen.html",
        {
            "assignment": assignment,
            "proposal": assignment.proposal,
            "challenge": challenge,
            "review": review,
            "reviewer_name": selectors.person_name(assignment.reviewer),
            "scores": list(review.scores.all()),
            "recommendation_label": RECOMMENDATION_LABELS.get(review.recommendation, ""),
            "form": form if review.status == Review.Status.SUBMITTED else None,
        },
        status=400 if request.method == "POST" else 200,
    )


# The comparison table ------------------------------------------------------------------------


@login_required
@require_GET
def review_comparison(request, slug):
    challenge = get_object_or_404(ChallengePage.objects.select_related("agency__region"), slug=slug)
    deny_unless(permissions.can_view_comparison(request.user, challenge))
    table = selectors.comparison_table(challenge)
    rows, sort = selectors.sort_rows(table.rows, request.GET.get("sort", "rank"))
    export = request.GET.get("format", "")
    if export == "csv":
        return _csv_response(table, rows)
    if export == "xlsx":
        return _xlsx_response(table, rows)
    sort_name = sort.removeprefix("-")
    # Rank reads best first (ascending); the other columns highest first.
    ascending = (sort_name == "rank") != sort.startswith("-")
    return render(
        request,
        "review/scoring/comparison.html",
        {
            "challenge": challenge,
            "table": table,
            "rows": [
                (
                    row,
                    [
                        (label, row.recommendations.get(value, 0))
                        for value, label in RECOMMENDATION_LABELS.items()
                    ],
                )
                for row in rows
            ],
            "sort": sort,
            "sort_name": sort_name,
            "aria_sort": "ascending" if ascending else "descending",
            "sorts": _sort_links(sort),
            "recommendation_labels": RECOMMENDATION_LABELS,
            "currency": table.fund.currency,
        },
    )


def _sort_links(current: str) -> dict:
    """For each column: the ``sort`` value its header link asks for (again: reversed)."""
    return {name: f"-{name}" if current == name else name for name in selectors.SORTS}


def _export_header() -> list[str]:
    return [
        _("Rank"),
        _("Tied"),
        _("Proposal"),
        _("Organisation"),
        _("Status"),
        _("Currency"),
        _("Requested amount"),
        _("Reviews submitted"),
        _("Reviewers assigned"),
        _("Mean"),
        _("Calibrated"),
        _("Lowest"),
        _("Highest"),
        _("Spread"),
        _("Reviewers disagree"),
        *[str(label) for label in RECOMMENDATION_LABELS.values()],
        _("Running total"),
        _("Within the fund"),
    ]


def _amount(value: int | None) -> Decimal | None:
    """Minor units as a number of rupiah (2 decimals) for spreadsheets."""
    return None if value is None else (Decimal(value) / 100).quantize(Decimal("0.01"))


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("yes") if value else _("no")


def _export_rows(rows) -> list[list]:
    lines = []
    for row in rows:
        aggregate = row.score.aggregate
        lines.append(
            [
                row.rank,
                _yes_no(row.tied) if row.rank is not None else "",
                row.proposal.title,
                row.proposal.organisation.name,
                str(row.proposal.get_status_display()),
                row.proposal.currency,
                _amount(row.proposal.requested_amount),
                aggregate.count,
                row.assigned,
                aggregate.mean,
                row.score.calibrated,
                aggregate.lowest,
                aggregate.highest,
                aggregate.spread,
                _yes_no(aggregate.disagreement) if aggregate.count else "",
                *[row.recommendations.get(value, 0) for value in RECOMMENDATION_LABELS],
                _amount(row.running_total),
                _yes_no(row.within_fund),
            ]
        )
    return lines


def _filename(challenge, extension: str) -> str:
    name = _("comparison")
    return f"{name}-{challenge.slug}.{extension}"


def _csv_response(table, rows) -> HttpResponse:
    # Comma-separated with a decimal point; every cell through core.exports (formula injection).
    body = exports.csv_bytes([_export_header(), *_export_rows(rows)])
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(table.challenge, "csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _xlsx_response(table, rows) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Comparison")[:31]
    header = _export_header()
    exports.xlsx_append(sheet, header)
    for line in _export_rows(rows):
        exports.xlsx_append(sheet, line)
    money_columns = {header.index(_("Requested amount")), header.index(_("Running total"))}
    score_columns = {header.index(name) for name in (_("Mean"), _("Calibrated"), _("Lowest"), _("Highest"))}
    score_columns.add(header.index(_("Spread")))
    for index in range(len(header)):
        letter = get_column_letter(index + 1)
        for cell in sheet[letter][1:]:
            if index in money_columns:
                cell.number_format = "#,##0.00"
            elif index in score_columns:
                cell.number_format = "0.00"
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(output.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(table.challenge, "xlsx")}"'
    response["Cache-Control"] = "private, no-store"
    return response


# The workspace link --------------------------------------------------------------------------


def scoring_workspace(request) -> dict:
    """For officials: the challenges whose comparison table has something to show (rendered
    by review/scoring/workspace_comparison.html)."""
    user = request.user
    if not (user.is_authenticated and is_official(user)):
        return {}
    return {"scoring_comparison_challenges": list(selectors.challenges_to_compare(user))}
