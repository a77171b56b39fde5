"""Views for proposals: the applicant's draft, submission and withdrawal, attachments, consortium
partners, the frozen versions, and the officials' list with their decisions. Each view checks
permissions once, calls a service, and renders or redirects."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Q, Value, When
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.files import private_file_response
from core.money import format_money
from core.views import Confirmation, deny_unless, form_action, post_action
from marketplace.challenges import permissions as challenges_permissions
from marketplace.challenges.models import ChallengePage
from marketplace.organisations import permissions as organisations_permissions
from marketplace.proposals import checklist as checklist_services
from marketplace.proposals import conflicts, selectors, workflows
from marketplace.proposals import permissions as proposals_permissions
from marketplace.proposals.forms import (
    AttachmentForm,
    ConflictDeclarationForm,
    DecisionForm,
    PartnerInviteForm,
    ProposalDraftForms,
    ProposalStartForm,
)
from marketplace.proposals.models import Proposal, ProposalAttachment, ProposalPartner
from marketplace.proposals.services import attachments as attachments_services
from marketplace.proposals.services import conflicts as conflicts_services
from marketplace.proposals.services import consortium as consortium_services
from marketplace.proposals.services import drafts as drafts_services
from marketplace.proposals.services import submission as submission_services

AGENCY_PAGE_SIZE = 50

# The draft form's marker: a POST that carries the draft's fields (the "Attach file" button
# submits the whole draft form).
DRAFT_FIELD = "draft"
DRAFT_FORM_ID = "proposal-form"


def _attachment_form(*args) -> AttachmentForm:
    """The upload field belongs to the draft form (HTML's form attribute), so that attaching
    also sends, and saves, what was typed in the draft."""
    form = AttachmentForm(*args)
    form.fields["file"].widget.attrs["form"] = DRAFT_FORM_ID
    return form


def _proposal_for(request, pk) -> Proposal:
    proposal = get_object_or_404(
        Proposal.objects.select_related("challenge__agency__region", "organisation"), pk=pk
    )
    deny_unless(proposals_permissions.can_view_proposal(request.user, proposal))
    return proposal


def _back_to(proposal: Proposal, anchor: str = "") -> str:
    return reverse("marketplace:proposal_detail", kwargs={"pk": proposal.pk}) + (
        f"#{anchor}" if anchor else ""
    )


# Applying ----------------------------------------------------------------------------------


@login_required
def proposal_create(request, slug):
    challenge = get_object_or_404(ChallengePage.objects.live(), slug=slug)
    form = ProposalStartForm(request.POST or None, user=request.user)
    if not form.fields["organisation"].queryset.exists():
        messages.info(request, _("Register your organisation first; proposals are made on its behalf."))
        return redirect("marketplace:organisation_create")
    response = form_action(
        request,
        form,
        lambda data: drafts_services.proposal_create(by=request.user, challenge=challenge, **data),
        success=_("Draft saved. Complete it and submit it before the deadline."),
        redirect_to=_back_to,
    )
    return response or render(request, "proposals/proposal_form.html", {"form": form, "challenge": challenge})


def _detail_context(request, proposal: Proposal, **overrides) -> dict:
    user = request.user
    is_lead = organisations_permissions.is_member(user, proposal.organisation)
    can_edit = is_lead and proposal.is_editable
    is_agency_official = proposal.was_submitted and challenges_permissions.is_challenge_official(
        user, proposal.challenge
    )
    challenge = proposal.challenge
    questions = list(challenge.application_questions.order_by("sort_order", "pk"))
    answers = {a.question_id: a.text for a in proposal.answers.all()}
    context = {
        "proposal": proposal,
        "challenge": challenge,
        "zone": challenge.region.zoneinfo,
        "is_lead": is_lead,
        "can_edit": can_edit,
        "forms": ProposalDraftForms(proposal=proposal, questions=questions, answers=answers)
        if can_edit
        else None,
        "questions_and_answers": [(q, answers.get(q.pk, "")) for q in questions],
        "checklist": checklist_services.proposal_checklist(proposal) if can_edit else [],
        "budget_lines": proposal.budget_lines.all(),
        "planned_milestones": proposal.planned_milestones.all(),
        "team_members": proposal.team_members.all(),
        "partners": proposal.partners.select_related("organisation"),
        "attachments": proposal.attachments.filter(removed_at__isnull=True),
        "can_see_attachments": proposals_permissions.can_view_proposal_attachments(user, proposal)[0],
        "versions": proposal.versions.only("number", "submitted_at", "proposal_id"),
        "attachment_form": _attachment_form() if can_edit else None,
        "invite_form": (
            PartnerInviteForm(proposal=proposal) if can_edit and challenge.consortium_allowed else None
        ),
        "can_withdraw": is_lead
        and proposal.status in workflows.PROPOSAL_TRANSITIONS["withdraw"].source
        and timezone.now() < challenge.closes_at,
        "decision_form": None,
        "can_award": False,
        "max_upload": settings.PROPOSAL_ATTACHMENT_MAX_BYTES,
    }
    context.update(
        is_agency_official=is_agency_official,
        reviewer_feedback=selectors.reviewer_feedback(proposal) if is_lead else [],
        award=getattr(proposal, "award", None) if proposal.status in selectors.DETERMINED else None,
    )
    if is_agency_official:
        # A conflicted official reads the proposal but is offered nothing to do with it.
        context["conflict"] = proposals_permissions.without_conflict(user, proposal)[1]
        context["can_declare_conflict"] = proposals_permissions.can_declare_conflict_on_proposal(
            user, proposal
        )[0]
    if is_agency_official and not context.get("conflict"):
        decisions = [
            t
            for t in workflows.proposal_transitions_for(proposal, workflows.OFFICIAL)
            if t.name in submission_services.OFFICIAL_DECISIONS
        ]
        context["decision_form"] = DecisionForm(transitions=decisions) if decisions else None
        context["can_award"] = proposal.status in workflows.PROPOSAL_TRANSITIONS["award"].source
    if can_edit:
        items = context["checklist"]
        context["missing"] = [i for i in items if not i.done]
    context.update(overrides)
    return context


@login_required
def proposal_detail(request, pk):
    proposal = _proposal_for(request, pk)
    if request.method != "POST":
        return render(request, "proposals/proposal_detail.html", _detail_context(request, proposal))
    deny_unless(proposals_permissions.can_edit_proposal(request.user, proposal))
    autosave = request.headers.get("X-Autosave") == "1"
    if not proposal.is_editable and not autosave:
        # A stale tab saving a proposal submitted meanwhile: say why nothing was saved.
        messages.error(request, _("A submitted proposal can no longer be edited."))
        return redirect("marketplace:proposal_detail", pk=pk)
    forms, saved = _draft_save(request, proposal)
    if saved:
        if autosave:
            saved_at = time_format(timezone.localtime(timezone.now(), proposal.challenge.region.zoneinfo))
            return JsonResponse(
                {
                    "saved": True,
                    "message": _("Draft saved automatically at %(time)s.") % {"time": saved_at},
                }
            )
        messages.success(request, _("Proposal saved."))
        return redirect("marketplace:proposal_detail", pk=pk)
    if autosave:
        return JsonResponse(
            {
                "saved": False,
                "message": _(
                    "Not saved automatically: some fields need correcting. Press “Save draft” to see them."
                ),
                "errors": forms.errors(),
            },
            status=400,
        )
    proposal = _proposal_for(request, pk)
    return render(
        request,
        "proposals/proposal_detail.html",
        _detail_context(request, proposal, forms=forms),
        status=200,
    )


def _draft_save(request, proposal: Proposal) -> tuple[ProposalDraftForms, bool]:
    """Save the draft page's forms as posted: the forms (bound, with any errors) and whether the
    draft was saved. Nothing is saved unless every part is valid."""
    questions = list(proposal.challenge.application_questions.order_by("sort_order", "pk"))
    answers = {a.question_id: a.text for a in proposal.answers.all()}
    forms = ProposalDraftForms(request.POST, proposal=proposal, questions=questions, answers=answers)
    if not forms.is_valid():
        return forms, False
    try:
        drafts_services.proposal_save(
            proposal=Proposal.objects.get(pk=proposal.pk), by=request.user, **forms.service_kwargs()
        )
    except DomainError as exc:
        forms.add_error(exc.field, exc.message)
        return forms, False
    return forms, True


@login_required
@require_POST
def proposal_submit(request, pk):
    return _applicant_step(
        request,
        pk,
        submission_services.proposal_submit,
        _("Proposal submitted. The agency will review it."),
        lambda proposal: Confirmation(
            title=_("Submit “%(title)s”?") % {"title": proposal.title},
            facts=_proposal_facts(proposal),
            what_happens=_(
                "The proposal goes to %(agency)s and a copy of it is frozen. After that you can no "
                "longer change it, unless the agency asks for changes."
            )
            % {"agency": proposal.challenge.agency.name},
            button=_("Yes, submit the proposal"),
            back_url=_back_to(proposal),
        ),
        ready=lambda proposal: all(item.done for item in checklist_services.proposal_checklist(proposal)),
    )


@login_required
@require_POST
def proposal_withdraw(request, pk):
    return _applicant_step(
        request,
        pk,
        submission_services.proposal_withdraw,
        _("Proposal withdrawn."),
        lambda proposal: Confirmation(
            title=_("Withdraw “%(title)s”?") % {"title": proposal.title},
            facts=_proposal_facts(proposal),
            what_happens=_(
                "The proposal is taken back from %(agency)s: it will not be reviewed or awarded, "
                "and it cannot be submitted again."
            )
            % {"agency": proposal.challenge.agency.name},
            button=_("Yes, withdraw the proposal"),
            back_url=_back_to(proposal),
        ),
    )


def _proposal_facts(proposal: Proposal) -> list[tuple[str, str]]:
    return [
        (_("Proposal"), proposal.title),
        (_("Challenge"), proposal.challenge.display_title),
        (_("Sent to"), proposal.challenge.agency.name),
        (_("On behalf of"), proposal.organisation.name),
        (_("Requested amount"), format_money(proposal.requested_amount, proposal.currency)),
    ]


def _applicant_step(request, pk, service, success: str, confirmation, *, ready=lambda proposal: True):
    """An applicant's step on their proposal, once confirmed: the service decides, a message tells.
    A proposal not ``ready`` for the step is not asked about: the service's refusal shows at once."""
    proposal = _proposal_for(request, pk)
    deny_unless(proposals_permissions.can_edit_proposal(request.user, proposal))
    return post_action(
        request,
        lambda: service(proposal=proposal, by=request.user),
        success=success,
        redirect_to=_back_to(proposal),
        confirm=(lambda: confirmation(proposal)) if ready(proposal) else None,
    )


@login_required
@require_POST
def proposal_decide(request, pk):
    proposal = _proposal_for(request, pk)
    deny_unless(proposals_permissions.can_decide_proposal(request.user, proposal))
    decisions = [
        t for t in workflows.PROPOSAL_TRANSITIONS.values() if t.name in submission_services.OFFICIAL_DECISIONS
    ]
    form = DecisionForm(request.POST, transitions=decisions)
    next_url = request.POST.get("next", "")
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = _back_to(proposal)
    if not form.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect(next_url)
    return post_action(
        request,
        lambda: submission_services.proposal_decide(proposal=proposal, by=request.user, **form.cleaned_data),
        # Worded once the service has moved the proposal on.
        success=lambda _result: (
            _("“%(title)s” is now: %(status)s.")
            % {"title": proposal.title, "status": proposal.get_status_display()}
        ),
        redirect_to=next_url,
    )


# Attachments -------------------------------------------------------------------------------


@login_required
@require_POST
def proposal_attachment_upload(request, pk):
    proposal = _proposal_for(request, pk)
    deny_unless(proposals_permissions.can_edit_proposal(request.user, proposal))
    # "Attach file" submits the whole draft form: what was typed is saved first, so it is kept.
    draft, draft_saved = None, False
    if request.POST.get(DRAFT_FIELD) and proposal.is_editable:
        draft, draft_saved = _draft_save(request, proposal)
        if draft_saved:
            messages.success(request, _("Proposal saved."))
        else:
            messages.error(
                request, _("Your changes to the proposal are not saved yet: correct the fields marked below.")
            )
    form = _attachment_form(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = attachments_services.proposal_attachment_add(
                proposal=proposal, by=request.user, upload=form.cleaned_data["file"]
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("“%(name)s” attached.") % {"name": attachment.display_name})
            if draft is None or draft_saved:
                return redirect(_back_to(proposal, "attachments"))
            form = _attachment_form()
    proposal = _proposal_for(request, pk)
    overrides = {"attachment_form": form} if form.is_bound else {}
    if draft is not None and not draft_saved:
        overrides["forms"] = draft
    return render(
        request, "proposals/proposal_detail.html", _detail_context(request, proposal, **overrides), status=400
    )


@login_required
@require_GET
def proposal_attachment_download(request, pk, attachment_pk):
    proposal = _proposal_for(request, pk)
    deny_unless(proposals_permissions.can_view_proposal_attachments(request.user, proposal))
    attachment = get_object_or_404(ProposalAttachment, pk=attachment_pk, proposal=proposal)
    return private_file_response(
        attachment.file,
        download_name=attachment.display_name,
        by=request.user,
        content_type=attachment.content_type,
    )


@login_required
@require_POST
def proposal_attachment_remove(request, pk, attachment_pk):
    proposal = _proposal_for(request, pk)
    deny_unless(proposals_permissions.can_edit_proposal(request.user, proposal))
    attachment = get_object_or_404(
        ProposalAttachment, pk=attachment_pk, proposal=proposal, removed_at__isnull=True
    )
    return post_action(
        request,
        lambda: attachments_services.proposal_attachment_remove(attachment=attachment, by=request.user),
        success=_("“%(name)s” removed.") % {"name": attachment.display_name},
        redirect_to=_back_to(proposal, "attachments"),
    )


# Consortium partners -----------------------------------------------------------------------


@login_required
@require_POST
def proposal_partner_invite(request, pk):
    proposal = _proposal_for(request, pk)
    deny_unless(proposals_permissions.can_edit_proposal(request.user, proposal))
    form = PartnerInviteForm(request.POST, proposal=proposal)
    response = form_action(
        request,
        form,
        lambda data: consortium_services.proposal_partner_invite(proposal=proposal, by=request.user, **data),
        success=lambda partner: (
            _("%(name)s is invited; its members will answer in their workspace.")
            % {"name": partner.organisation.name}
        ),
        redirect_to=_back_to(proposal, "partners"),
    )
    return response or render(
        request,
        "proposals/proposal_detail.html",
        _detail_context(request, proposal, invite_form=form),
        status=400,
    )


@login_required
@require_POST
def proposal_partner_remove(request, pk, partner_pk):
    proposal = _proposal_for(request, pk)
    deny_unless(proposals_permissions.can_edit_proposal(request.user, proposal))
    partner = get_object_or_404(
        ProposalPartner.objects.select_related("organisation"), pk=partner_pk, proposal=proposal
    )
    return post_action(
        request,
        lambda: consortium_services.proposal_partner_remove(partner=partner, by=request.user),
        success=_("%(name)s removed from the consortium.") % {"name": partner.organisation.name},
        redirect_to=_back_to(proposal, "partners"),
    )


@login_required
@require_POST
def proposal_partner_respond(request, partner_pk):
    partner = get_object_or_404(
        ProposalPartner.objects.select_related("organisation", "proposal__organisation"), pk=partner_pk
    )
    deny_unless(proposals_permissions.can_respond_to_partnership(request.user, partner))
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        messages.error(request, _("Choose whether to accept or decline."))
        return redirect("marketplace:workspace_proposals")
    return post_action(
        request,
        lambda: consortium_services.proposal_partner_respond(
            partner=partner, by=request.user, accept=answer == "accept"
        ),
        success=_("You joined the consortium of “%(title)s”.") % {"title": partner.proposal.title}
        if answer == "accept"
        else _("Invitation declined."),
        redirect_to="marketplace:workspace_proposals",
    )


# Versions ----------------------------------------------------------------------------------


@login_required
@require_GET
def proposal_version(request, pk, number):
    proposal = _proposal_for(request, pk)
    version = get_object_or_404(proposal.versions.select_related("submitted_by"), number=number)
    return render(
        request,
        "proposals/proposal_version.html",
        {
            "proposal": proposal,
            "version": version,
            "data": version.data,
            "zone": proposal.challenge.region.zoneinfo,
            "zone_label": proposal.challenge.region.zone_label,
            "can_see_attachments": proposals_permissions.can_view_proposal_attachments(
                request.user, proposal
            )[0],
        },
    )


# Conflicts of interest ---------------------------------------------------------------------


@login_required
def proposal_conflict_declare(request, pk):
    """An official of the owning agency or a finance officer declares a conflict of interest."""
    proposal = get_object_or_404(Proposal.objects.select_related("challenge__agency", "organisation"), pk=pk)
    deny_unless(proposals_permissions.can_declare_conflict_on_proposal(request.user, proposal))
    form = ConflictDeclarationForm(request.POST or None)
    can_read = proposals_permissions.can_view_proposal(request.user, proposal)[0]
    response = form_action(
        request,
        form,
        lambda data: conflicts_services.proposal_conflict_declare(
            proposal=proposal, by=request.user, note=data["note"]
        ),
        success=_("Your conflict of interest is recorded: someone else will act on this proposal."),
        redirect_to=_back_to(proposal) if can_read else reverse("marketplace:workspace"),
    )
    return response or render(
        request,
        "proposals/proposal_conflict.html",
        {"proposal": proposal, "form": form, "can_read": can_read},
    )


# The officials' list -----------------------------------------------------------------------


@login_required
@require_GET
def agency_proposals(request):
    deny_unless(proposals_permissions.can_list_agency_proposals(request.user))
    status = request.GET.get("status", "")
    queryset = (
        Proposal.objects.filter(challenge__agency__officials=request.user, submitted_at__isnull=False)
        .select_related("challenge__agency__region", "organisation")
        .order_by("challenge__closes_at", "challenge_id", "-submitted_at", "-pk")
    )
    if status in Proposal.Status.values:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset, AGENCY_PAGE_SIZE).get_page(request.GET.get("page"))
    conflicted = conflicts.conflicted_proposal_ids(request.user, [p.pk for p in page.object_list])
    rows = []
    for proposal in page.object_list:
        if proposal.pk in conflicted:  # listed, to read; nothing offered to do
            rows.append({"proposal": proposal, "decisions": [], "can_award": False, "conflict": True})
            continue
        decisions = [
            t
            for t in workflows.proposal_transitions_for(proposal, workflows.OFFICIAL)
            if t.name in submission_services.OFFICIAL_DECISIONS
        ]
        rows.append(
            {
                "proposal": proposal,
                "decisions": decisions,
                "can_award": proposal.status in workflows.PROPOSAL_TRANSITIONS["award"].source,
            }
        )
    statuses = [(value, label) for value, label in Proposal.Status.choices if value != Proposal.Status.DRAFT]
    return render(
        request,
        "proposals/proposal_agency_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "status": status,
            "statuses": statuses,
            "querystring": urlencode({"status": status}) if status in Proposal.Status.values else "",
        },
    )


# The workspace -----------------------------------------------------------------------------


def proposals_workspace(request) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    mine = Q(organisation__memberships__user=user) | Q(
        partners__organisation__memberships__user=user, partners__status=ProposalPartner.Status.ACCEPTED
    )
    # Every proposal, with those still asking something of the user first; withdrawn and
    # rejected ones stay listed (last) so their status is never a mystery.
    finished = [Proposal.Status.WITHDRAWN, Proposal.Status.REJECTED, Proposal.Status.AWARD_DECLINED]
    next_actions = (
        Proposal.objects.filter(mine)
        .annotate(finished=Case(When(status__in=finished, then=Value(1)), default=Value(0)))
        .select_related("challenge__agency__region", "organisation")
        .distinct()
        .order_by("finished", "-updated_at", "-pk")
    )
    invitations = (
        ProposalPartner.objects.filter(
            organisation__memberships__user=user, status=ProposalPartner.Status.INVITED
        )
        .select_related("organisation", "proposal__organisation", "proposal__challenge")
        .order_by("-invited_at")
    )
    return {
        "proposals_next": list(next_actions[:50]),
        "proposal_partner_invitations": list(invitations),
    }
