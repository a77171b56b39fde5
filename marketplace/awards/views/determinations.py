"""Determinations, agreements, publishing results, milestone reports and the proposal timeline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import page_cache
from core.errors import DomainError
from core.files import private_file_response
from core.money import format_money
from core.request_context import current_ip
from core.views import Confirmation, deny_unless, form_error, post_action
from marketplace.awards import permissions as awards_permissions
from marketplace.awards.forms.awards import ProjectEnglishForm
from marketplace.awards.forms.determinations import (
    AgreementAcceptForm,
    AgreementDeclineForm,
    ReplanFormSet,
    ReplanReasonForm,
    RevisionForm,
)
from marketplace.awards.models import Agreement, Award, Milestone, MilestoneEvidence
from marketplace.awards.selectors import determinations as selectors_determinations
from marketplace.awards.services import determinations as services
from marketplace.awards.services import texts as text_services
from marketplace.challenges import permissions as challenges_permissions
from marketplace.challenges.models import ChallengePage
from marketplace.proposals.models import Proposal

# The agreement ------------------------------------------------------------------------------------


def _agreement(pk: int) -> Agreement:
    return get_object_or_404(
        Agreement.objects.select_related(
            "award__proposal__organisation", "award__proposal__challenge__agency__region", "signer"
        ),
        pk=pk,
    )


@login_required
def agreement_detail(request, pk):
    agreement = _agreement(pk)
    deny_unless(awards_permissions.can_view_agreement(request.user, agreement))
    can_sign = awards_permissions.can_sign_agreement(request.user, agreement)[0]
    accept_form, decline_form = AgreementAcceptForm(), AgreementDeclineForm()
    status = 200
    if request.method == "POST":
        deny_unless(awards_permissions.can_sign_agreement(request.user, agreement))
        accepting = request.POST.get("action") == "accept"
        form = AgreementAcceptForm(request.POST) if accepting else AgreementDeclineForm(request.POST)
        if form.is_valid():
            try:
                if accepting:
                    services.agreement_accept(
                        agreement=agreement,
                        by=request.user,
                        signer_name=form.cleaned_data["signer_name"],
                        ip_address=current_ip(),
                        user_agent=request.headers.get("User-Agent", ""),
                    )
                    messages.success(request, _("Agreement accepted. The project has started."))
                else:
                    services.agreement_decline(
                        agreement=agreement, by=request.user, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("You declined the award. The agency has been told."))
                return redirect("marketplace:agreement_detail", pk=pk)
            except DomainError as exc:
                form_error(form, exc)
        if accepting:
            accept_form = form
        else:
            decline_form = form
        status = 400
    return render(
        request,
        "awards/determinations/agreement.html",
        {
            "agreement": agreement,
            "award": agreement.award,
            "proposal": agreement.award.proposal,
            "can_sign": can_sign and agreement.status == Agreement.Status.PENDING,
            "accept_form": accept_form,
            "decline_form": decline_form,
        },
        status=status,
    )


# Results ------------------------------------------------------------------------------------------


@login_required
@require_POST
def results_publish(request, slug):
    challenge = get_object_or_404(ChallengePage.objects.live().select_related("agency__region"), slug=slug)
    deny_unless(awards_permissions.can_award(request.user, challenge))
    return post_action(
        request,
        lambda: services.results_publish(challenge=challenge, by=request.user),
        success=_("The results are public: the winners are listed on the challenge page."),
        redirect_to=challenge.url + "#winners",
        confirm=lambda: _results_confirmation(challenge),
    )


def _results_confirmation(challenge: ChallengePage) -> Confirmation:
    winners = selectors_determinations.challenge_winners(challenge, include_unpublished=True)
    return Confirmation(
        title=_("Publish the results of “%(title)s”?") % {"title": challenge.display_title},
        facts=[
            (_("Challenge"), challenge.display_title),
            *(
                (award.proposal.organisation.name, format_money(award.amount, award.currency))
                for award in winners
            ),
            (_("Total awarded"), format_money(sum(award.amount for award in winners))),
        ],
        what_happens=_(
            "Everyone can then see the winners above and their amounts on the challenge page, on "
            "the projects page and in the open data."
        ),
        button=_("Yes, publish the results"),
        back_url=challenge.url + "#winners",
    )


def challenge_winners(request, challenge) -> dict:
    """The public winners list (once published) and, for the agency's officials, the button."""
    officials_view = challenges_permissions.is_challenge_official(request.user, challenge)
    if officials_view:
        winners = selectors_determinations.challenge_winners(challenge, include_unpublished=True)
    else:  # the published winners, the same for every other reader: kept until a public write
        winners = page_cache.remembered(
            f"challenge-winners:{challenge.pk}",
            lambda: selectors_determinations.challenge_winners(challenge, include_unpublished=False),
        )
    return {
        "winners": winners,
        "results_published": challenge.results_published_at is not None,
        "can_publish_results": officials_view and challenge.results_published_at is None and bool(winners),
    }


# Milestones ---------------------------------------------------------------------------------------


def _milestone(pk: int) -> Milestone:
    return get_object_or_404(
        Milestone.objects.select_related(
            "award__proposal__organisation", "award__proposal__challenge__agency"
        ),
        pk=pk,
    )


@login_required
@require_POST
def milestone_revise(request, pk):
    milestone = _milestone(pk)
    deny_unless(awards_permissions.can_approve_milestone(request.user, milestone))
    form = RevisionForm(request.POST)
    project = reverse("marketplace:project_detail", kwargs={"pk": milestone.award_id})
    if not form.is_valid():
        messages.error(request, _("Say what must be revised."))
        return redirect(project)
    return post_action(
        request,
        lambda: services.milestone_request_revision(
            milestone=milestone, by=request.user, **form.cleaned_data
        ),
        success=_("The report was sent back with your reason."),
        redirect_to=project,
    )


@login_required
def milestone_evidence(request, pk, evidence_pk):
    milestone = _milestone(pk)
    deny_unless(awards_permissions.can_view_milestone_evidence(request.user, milestone))
    evidence = get_object_or_404(MilestoneEvidence, pk=evidence_pk, milestone=milestone)
    return private_file_response(
        evidence.file,
        download_name=evidence.original_name,
        by=request.user,
        content_type=evidence.content_type,
    )


@login_required
def award_replan(request, pk):
    award = get_object_or_404(
        Award.objects.select_related("proposal__challenge__agency__region", "proposal__organisation"), pk=pk
    )
    deny_unless(awards_permissions.can_award_proposal(request.user, award.proposal))
    milestones = list(award.milestones.order_by("position", "due_date"))
    initial = [{"milestone_id": m.pk, "due_date": m.due_date, "amount": m.amount} for m in milestones]
    formset = ReplanFormSet(request.POST or None, initial=initial, prefix="milestones")
    reason_form = ReplanReasonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if formset.is_valid() and reason_form.is_valid():
            changes = [services.MilestoneChange(**row) for row in formset.cleaned_data if row]
            try:
                services.milestones_replan(
                    award=award, by=request.user, changes=changes, reason=reason_form.cleaned_data["reason"]
                )
            except DomainError as exc:
                form_error(reason_form, exc)
            else:
                messages.success(request, _("The milestones are re-planned; the reason is on record."))
                return redirect("marketplace:project_detail", pk=award.pk)
        status = 400
    return render(
        request,
        "awards/determinations/replan.html",
        {
            "award": award,
            "rows": list(zip(milestones, formset.forms, strict=False)),
            "formset": formset,
            "reason_form": reason_form,
        },
        status=status,
    )


@login_required
def project_english(request, pk):
    """An official of the owning agency gives the project's public texts in English."""
    award = get_object_or_404(
        Award.objects.select_related("proposal__challenge__agency__region", "proposal__organisation"), pk=pk
    )
    deny_unless(awards_permissions.can_edit_project_english(request.user, award))
    milestones = award.milestones.order_by("position", "due_date")
    form = ProjectEnglishForm(request.POST or None, award=award, milestones=milestones)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                text_services.project_english_set(
                    award=award,
                    by=request.user,
                    title_en=form.cleaned_data["title_en"],
                    summary_en=form.cleaned_data["summary_en"],
                    milestone_titles_en=form.milestone_titles_en(),
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("The English text of the project is saved."))
                return redirect("marketplace:project_detail", pk=award.pk)
        status = 400
    return render(
        request, "awards/determinations/project_english.html", {"award": award, "form": form}, status=status
    )


# The record ---------------------------------------------------------------------------------------


@login_required
def proposal_timeline(request, pk):
    proposal = get_object_or_404(
        Proposal.objects.select_related("challenge__agency__region", "organisation"), pk=pk
    )
    deny_unless(awards_permissions.can_view_timeline(request.user, proposal))
    return render(
        request,
        "awards/determinations/timeline.html",
        {"proposal": proposal, "entries": selectors_determinations.proposal_timeline(proposal)},
    )


# Workspace ----------------------------------------------------------------------------------------


def agreements_workspace(request) -> dict:
    if not request.user.is_authenticated:
        return {}
    return {"agreements_to_answer": selectors_determinations.agreements_to_answer(request.user)}
