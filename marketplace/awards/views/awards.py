"""Public pages and the signed-in workspace. Views parse input, check permissions, call a
service or selector, and render; they change nothing themselves."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.money import format_money
from core.views import Confirmation, deny_unless, form_action, form_error, post_action
from marketplace.awards import permissions as awards_permissions
from marketplace.awards.forms.awards import AwardForm, MilestoneFormSet
from marketplace.awards.forms.determinations import MilestoneReportForm, ProgressReportForm
from marketplace.awards.models import Milestone, ProgressReport
from marketplace.awards.services import awards as awards_services
from marketplace.awards.services import determinations as determinations_services
from marketplace.awards.services import progress as progress_services
from marketplace.challenges import selectors
from marketplace.proposals import permissions as proposals_permissions
from marketplace.proposals.models import Proposal


def _proposal_for(request, pk) -> Proposal:
    proposal = get_object_or_404(
        Proposal.objects.select_related("challenge__agency__region", "organisation"), pk=pk
    )
    deny_unless(proposals_permissions.can_view_proposal(request.user, proposal))
    return proposal


@login_required
def award_create(request, pk):
    proposal = _proposal_for(request, pk)
    deny_unless(awards_permissions.can_award_proposal(request.user, proposal))
    form = AwardForm(
        request.POST or None,
        initial={"amount": proposal.requested_amount},
        in_kind_offers=selectors.in_kind_offers_available(proposal.challenge),
    )
    formset = MilestoneFormSet(request.POST or None, prefix="milestones")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        plans = [awards_services.MilestonePlan(**row) for row in formset.cleaned_data if row]
        try:
            award = awards_services.award_create(
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
    return render(request, "awards/award_form.html", {"proposal": proposal, "form": form, "formset": formset})


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
    deny_unless(awards_permissions.can_report_milestone(request.user, milestone))
    form = MilestoneReportForm(request.POST or None, request.FILES or None)
    response = form_action(
        request,
        form,
        lambda data: determinations_services.milestone_report(milestone=milestone, by=request.user, **data),
        success=_("Progress reported. The agency will review it."),
        redirect_to="marketplace:workspace_proposals",
    )
    return response or render(request, "awards/milestone_report.html", {"milestone": milestone, "form": form})


@login_required
@require_POST
def milestone_approve(request, pk):
    milestone = _milestone(pk)
    deny_unless(awards_permissions.can_approve_milestone(request.user, milestone))
    return post_action(
        request,
        lambda: awards_services.milestone_approve(milestone=milestone, by=request.user),
        success=_("Milestone approved. A finance officer will release the payment."),
        redirect_to="marketplace:workspace_approvals",
        confirm=lambda: Confirmation(
            title=_("Approve the milestone “%(title)s”?") % {"title": milestone.title},
            facts=[
                (_("Milestone"), milestone.title),
                (_("Project"), milestone.award.proposal.title),
                (_("Paid to"), milestone.award.proposal.organisation.name),
                (_("Amount"), format_money(milestone.amount, milestone.award.currency)),
            ],
            what_happens=_(
                "You confirm that the milestone is delivered. A payment of %(amount)s to "
                "%(organisation)s is then requested, for a finance officer to release."
            )
            % {
                "amount": format_money(milestone.amount, milestone.award.currency),
                "organisation": milestone.award.proposal.organisation.name,
            },
            button=_("Yes, approve the milestone"),
            back_url=reverse("marketplace:workspace_approvals"),
        ),
    )


@login_required
def progress_report(request, pk):
    """The grantee writes the milestone's public progress report and chooses whether it shows."""
    milestone = _milestone(pk)
    deny_unless(awards_permissions.can_write_progress_report(request.user, milestone))
    current = ProgressReport.objects.filter(milestone=milestone).first()
    initial = (
        {"text": current.text, "links": "\n".join(current.links), "public": current.public}
        if current is not None
        else {"public": True}
    )
    form = ProgressReportForm(request.POST or None, initial=initial)
    response = form_action(
        request,
        form,
        lambda data: progress_services.progress_report_publish(milestone=milestone, by=request.user, **data),
        success=lambda report: (
            _("Progress report saved and shown on the public project page.")
            if report.public
            else _("Progress report saved. It is not public.")
        ),
        redirect_to=milestone.award.get_absolute_url(),
    )
    return response or render(
        request,
        "awards/progress_report_form.html",
        {"milestone": milestone, "form": form, "current": current},
    )
