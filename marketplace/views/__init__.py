"""Public pages and the signed-in workspace. Views parse input, check permissions, call a
service or selector, and render; they change nothing themselves."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace import permissions, selectors, services
from marketplace.errors import DomainError
from marketplace.filters import ChallengeFilter
from marketplace.forms import (
    AllocationForm,
    AwardForm,
    MilestoneFormSet,
    OrganisationForm,
)
from marketplace.forms_determinations import MilestoneReportForm
from marketplace.models import ChallengePage, Milestone, Proposal
from marketplace.views import sections
from marketplace.views.common import deny_unless, form_error
from payments import api as payments_api
from search import matching
from search import views as search_views

PAGE_SIZE = 20


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# Public pages ------------------------------------------------------------------------------


def challenge_list(request):
    filterset = ChallengeFilter(request.GET, queryset=selectors.challenge_list())
    page = _page(request, filterset.qs if filterset.is_valid() else selectors.challenge_list().none())
    return render(
        request,
        "marketplace/challenge_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "challenges": page.object_list,
            "querystring": _querystring_without_page(request),
        },
    )


def challenge_detail(request, slug):
    try:
        challenge = selectors.challenge_get(slug)
    except ChallengePage.DoesNotExist:
        raise Http404(_("No challenge at this address.")) from None
    figures = selectors.fund_figures_for([challenge])[challenge.pk]
    return render(
        request,
        "marketplace/challenge_detail.html",
        {
            "challenge": challenge,
            "page": challenge,
            "figures": figures,
            "zone": challenge.region.zoneinfo,
            "zone_label": challenge.region.zone_label,
            "can_manage_funds": permissions.can_manage_funds(request.user)[0],
            "similar_kind": "challenge",
            "similar_items": matching.similar("challenge", challenge.pk),
            **sections.challenge_context(request, challenge),
        },
    )


def project_list(request):
    page = _page(request, selectors.project_list())
    return render(
        request,
        "marketplace/project_list.html",
        {"page_obj": page, "projects": page.object_list, "querystring": ""},
    )


def project_detail(request, pk):
    project = selectors.project_for(request.user, pk)
    if project is None:
        raise Http404
    proposal = project.proposal
    is_grantee = permissions.is_member(request.user, proposal.organisation)
    is_official = permissions.is_challenge_official(request.user, proposal.challenge)
    similar = {"similar_kind": "project", "similar_items": matching.similar("project", project.pk)}
    if is_grantee or is_official:
        return render(
            request,
            "marketplace/project_detail.html",
            {
                "project": project,
                "insider": True,
                "is_grantee": is_grantee,
                "is_official": is_official,
                "agreement": getattr(project, "agreement", None),
                "delivery": selectors.project_delivery(project),
                **similar,
            },
        )
    return render(request, "marketplace/project_detail.html", {"project": project, **similar})


def organisation_detail(request, slug):
    try:
        organisation = selectors.organisation_get(slug)
    except Exception:
        raise Http404 from None
    return render(
        request,
        "marketplace/organisation_detail.html",
        {
            "organisation": organisation,
            "projects": selectors.organisation_projects(organisation),
        },
    )


def transparency(request):
    page = _page(request, payments_api.public_ledger(), size=50)
    return render(
        request,
        "marketplace/transparency.html",
        {
            "page_obj": page,
            "entries": page.object_list,
            "figures": selectors.headline_figures(),
            "querystring": "",
        },
    )


def site_search(request):
    """/search/: one search over challenges, projects and organisations, with facets."""
    return search_views.search_page(request)


# Workspace ---------------------------------------------------------------------------------


@sections.workspace_section
def recommendations_workspace_section(request) -> dict:
    """Open challenges that fit the user's organisations, with the reasons (search.matching)."""
    return {"recommendations": matching.workspace_recommendations(request.user)}


@login_required
def workspace(request):
    context = selectors.workspace_for(request.user)
    context.update(sections.workspace_context(request))
    return render(request, "marketplace/workspace.html", context)


@login_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Organisation registered."))
            return redirect(organisation.get_absolute_url())
    return render(request, "marketplace/organisation_form.html", {"form": form})


def _proposal_for(request, pk) -> Proposal:
    proposal = get_object_or_404(
        Proposal.objects.select_related("challenge__agency__region", "organisation"), pk=pk
    )
    deny_unless(permissions.can_view_proposal(request.user, proposal))
    return proposal


@login_required
def award_create(request, pk):
    proposal = _proposal_for(request, pk)
    deny_unless(permissions.can_award(request.user, proposal.challenge))
    form = AwardForm(
        request.POST or None,
        initial={"amount": proposal.requested_amount},
        in_kind_offers=selectors.in_kind_offers_available(proposal.challenge),
    )
    formset = MilestoneFormSet(request.POST or None, prefix="milestones")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        plans = [services.MilestonePlan(**row) for row in formset.cleaned_data if row]
        try:
            award = services.award_create(
                proposal=proposal,
                amount=form.cleaned_data["amount"],
                milestones=plans,
                in_kind=form.in_kind_quantities(),
                conditions=form.cleaned_data["conditions"],
                by=request.user,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Proposal awarded; the money is committed from the fund. "
                    "The grantee is asked to accept the agreement."
                ),
            )
            return redirect(award.get_absolute_url())
    return render(
        request, "marketplace/award_form.html", {"proposal": proposal, "form": form, "formset": formset}
    )


@login_required
def fund_allocate(request, slug):
    challenge = get_object_or_404(ChallengePage.objects.live(), slug=slug)
    deny_unless(permissions.can_manage_funds(request.user))
    form = AllocationForm(request.POST or None, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_record(challenge=challenge, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Budget allocation recorded in the fund."))
            return redirect("marketplace:challenge_detail", slug=slug)
    return render(request, "marketplace/allocation_form.html", {"form": form, "challenge": challenge})


def _milestone(pk) -> Milestone:
    return get_object_or_404(
        Milestone.objects.select_related(
            "award__proposal__organisation", "award__proposal__challenge__agency"
        ),
        pk=pk,
    )


@login_required
def milestone_report(request, pk):
    milestone = _milestone(pk)
    deny_unless(permissions.can_report_milestone(request.user, milestone))
    form = MilestoneReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_report(
                milestone=milestone,
                by=request.user,
                report=form.cleaned_data["report"],
                links=form.cleaned_data["links"],
                files=form.cleaned_data["files"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Progress reported. The agency will review it."))
            return redirect("marketplace:workspace")
    return render(request, "marketplace/milestone_report.html", {"milestone": milestone, "form": form})


@login_required
@require_POST
def milestone_approve(request, pk):
    milestone = _milestone(pk)
    deny_unless(permissions.can_approve_milestone(request.user, milestone))
    try:
        services.milestone_approve(milestone=milestone, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Milestone approved. A finance officer will release the payment."))
    return redirect("marketplace:workspace")


# Area modules register their sections and views on import.
from marketplace.views import (  # noqa: E402, F401
    challenges,
    contributions,
    determinations,
    finance_reports,
    organisations,
    payouts,
    proposals,
    questions,
    reviews,
    scoring,
)
