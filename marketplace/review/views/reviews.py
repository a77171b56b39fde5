"""Screening, the reviewer pool, assignments and conflict-of-interest declarations. Each view
checks permissions once, calls a service (marketplace.services.reviews) and renders or
redirects; a refused write shows its message and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.roles import REVIEWER_GROUP, has_role
from core.views import deny_unless, form_action, form_error, post_action
from marketplace.challenges.models import ChallengePage
from marketplace.organisations.models import UserProfile
from marketplace.proposals.models import Proposal, ProposalPartner
from marketplace.review import permissions
from marketplace.review.forms.reviews import (
    AssignForm,
    DeclarationForm,
    ExpertiseForm,
    ExternalReviewerForm,
    PoolAddForm,
    RemoveAssignmentForm,
    ScreeningForm,
)
from marketplace.review.models import ChallengeReviewer, ReviewAssignment, ScreeningCheck
from marketplace.review.selectors import assignments as assignment_selectors
from marketplace.review.services import assignments as assignments_services
from marketplace.review.services import common as common_services
from marketplace.review.services import pool as pool_services
from marketplace.review.services import screening as screening_services


def review_url(assignment_pk: int) -> str:
    """Where a reviewer writes the review (built by the scoring views; this is the agreed
    address should their route not be registered)."""
    try:
        return reverse("marketplace:review_edit", kwargs={"pk": assignment_pk})
    except NoReverseMatch:
        return f"{reverse('marketplace:workspace')}reviews/{assignment_pk}/"


def _challenge_for(request, slug: str) -> ChallengePage:
    challenge = get_object_or_404(ChallengePage.objects.select_related("agency__region"), slug=slug)
    deny_unless(permissions.can_manage_reviews(request.user, challenge))
    return challenge


# Screening -----------------------------------------------------------------------------------


@login_required
def screening(request, pk):
    proposal = get_object_or_404(
        Proposal.objects.select_related("challenge__agency__region", "organisation"), pk=pk
    )
    deny_unless(permissions.can_screen_proposal(request.user, proposal))
    check = ScreeningCheck.objects.filter(proposal=proposal).select_related("decided_by").first()
    decided = check is not None and check.outcome != ScreeningCheck.Outcome.PENDING
    is_open = not decided and proposal.status in (Proposal.Status.SUBMITTED, Proposal.Status.SCREENING)
    items = screening_services.screening_items(proposal, check)
    form = None
    if is_open:
        form = ScreeningForm(request.POST or None, items=items)
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This proposal is not waiting for screening."))
            return redirect("marketplace:review_screening", pk=pk)
        action = request.POST.get("action")
        if action not in ScreeningForm.ACTIONS:
            form.is_valid()
            form.add_error(None, _("Choose what to do: save, pass or reject."))
        elif form.is_valid():
            try:
                if action == "pass":
                    screening_services.screening_pass(
                        proposal=proposal, by=request.user, decisions=form.decisions()
                    )
                elif action == "reject":
                    screening_services.screening_reject(
                        proposal=proposal,
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                        decisions=form.decisions(),
                    )
                else:
                    screening_services.screening_save(
                        proposal=proposal, by=request.user, decisions=form.decisions()
                    )
            except DomainError as exc:
                form_error(form, exc)
            else:
                if action == "pass":
                    messages.success(request, _("The proposal passed screening and is now in review."))
                    return redirect("marketplace:review_assignments", slug=proposal.challenge.slug)
                if action == "reject":
                    messages.success(
                        request, _("The proposal was rejected; the applicant has been told why.")
                    )
                    return redirect("marketplace:proposal_detail", pk=pk)
                messages.success(request, _("Screening saved."))
                return redirect("marketplace:review_screening", pk=pk)
    return render(
        request,
        "review/reviews/screening.html",
        {
            "proposal": proposal,
            "challenge": proposal.challenge,
            "check": check,
            "decided": decided,
            "items": items,
            "form": form,
        },
    )


# The reviewer pool ---------------------------------------------------------------------------


@login_required
def reviewer_pool(request, slug):
    challenge = _challenge_for(request, slug)
    add_form = PoolAddForm(challenge=challenge)
    invite_form = ExternalReviewerForm()
    if request.method == "POST":
        which = request.POST.get("form")
        pool_url = reverse("marketplace:review_pool", kwargs={"slug": slug})
        response = None
        if which == "add":
            add_form = PoolAddForm(request.POST, challenge=challenge)
            response = form_action(
                request,
                add_form,
                lambda data: pool_services.reviewer_pool_add(challenge=challenge, by=request.user, **data),
                success=lambda member: (
                    _("%(name)s is now a reviewer for this challenge.")
                    % {"name": common_services.display_name(member.user)}
                ),
                redirect_to=pool_url,
            )
        elif which == "invite":
            invite_form = ExternalReviewerForm(request.POST)
            response = form_action(
                request,
                invite_form,
                lambda data: pool_services.reviewer_invite_external(
                    challenge=challenge, by=request.user, **data
                ),
                success=lambda _reviewer: (
                    _("%(name)s is invited: we emailed a link to choose a password.")
                    % {"name": invite_form.cleaned_data["full_name"]}
                ),
                redirect_to=pool_url,
            )
        else:
            messages.error(request, _("Choose what to do: add a reviewer or invite an expert."))
            return redirect(pool_url)
        if response:
            return response
    return render(
        request,
        "review/reviews/pool.html",
        {
            "challenge": challenge,
            "pool": assignment_selectors.reviewer_pool(challenge),
            "add_form": add_form,
            "invite_form": invite_form,
        },
    )


def _pool_member(request, slug: str, pk: int) -> ChallengeReviewer:
    challenge = _challenge_for(request, slug)
    member = get_object_or_404(
        ChallengeReviewer.objects.select_related("user__profile"), pk=pk, challenge=challenge
    )
    member.challenge = challenge
    return member


@login_required
def reviewer_expertise(request, slug, pk):
    member = _pool_member(request, slug, pk)
    try:
        profile = member.user.profile
    except UserProfile.DoesNotExist:
        profile = None
    initial = (
        {"expertise": list(profile.expertise.names()), "sectors": list(profile.expertise_sectors.all())}
        if profile
        else {}
    )
    form = ExpertiseForm(request.POST or None, initial=initial)
    response = form_action(
        request,
        form,
        lambda data: pool_services.reviewer_expertise_update(reviewer=member, by=request.user, **data),
        success=_("Expertise of %(name)s saved.") % {"name": common_services.display_name(member.user)},
        redirect_to=reverse("marketplace:review_pool", kwargs={"slug": slug}),
    )
    return response or render(
        request,
        "review/reviews/expertise.html",
        {
            "challenge": member.challenge,
            "member": member,
            "name": common_services.display_name(member.user),
            "form": form,
        },
    )


@login_required
@require_POST
def reviewer_pool_remove(request, slug, pk):
    member = _pool_member(request, slug, pk)
    return post_action(
        request,
        lambda: pool_services.reviewer_pool_remove(reviewer=member, by=request.user),
        success=_("%(name)s is no longer a reviewer for this challenge.")
        % {"name": common_services.display_name(member.user)},
        redirect_to=reverse("marketplace:review_pool", kwargs={"slug": slug}),
    )


# Assignments ---------------------------------------------------------------------------------


def _board(request, challenge: ChallengePage, *, errors: dict | None = None, values: dict | None = None):
    """The assignment table; a refused assignment or removal shows its message in its row
    (``errors`` keyed "assign-<proposal id>" or "remove-<assignment id>")."""
    errors, values = errors or {}, values or {}
    board = assignment_selectors.assignment_board(challenge)
    for row in board.rows:
        row.form_error = errors.get(f"assign-{row.proposal.pk}", "")
        for assignment in row.assignments:
            assignment.reviewer_name = common_services.display_name(assignment.reviewer)
            assignment.form_error = errors.get(f"remove-{assignment.pk}", "")
            assignment.form_value = values.get(f"remove-{assignment.pk}", "")
    return render(request, "review/reviews/assignments.html", {"challenge": challenge, "board": board})


@login_required
def assignments(request, slug):
    challenge = _challenge_for(request, slug)
    return _board(request, challenge)


def _back_to_board(challenge: ChallengePage, anchor: str = ""):
    url = reverse("marketplace:review_assignments", kwargs={"slug": challenge.slug})
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@require_POST
def assign(request, slug):
    challenge = _challenge_for(request, slug)
    form = AssignForm(request.POST)
    proposal_id = form.data.get("proposal", "")
    proposal = (
        Proposal.objects.select_related("challenge__agency", "organisation")
        .filter(challenge=challenge, pk=proposal_id if str(proposal_id).isdigit() else None)
        .first()
    )
    if proposal is None:
        raise Http404(_("No proposal of this challenge was chosen."))
    key = f"assign-{proposal.pk}"
    if not form.is_valid():
        return _board(request, challenge, errors={key: form.errors.get("reviewer", [""])[0]})
    reviewer = get_user_model().objects.filter(pk=form.cleaned_data["reviewer"]).first()
    if reviewer is None:
        return _board(request, challenge, errors={key: _("Choose a reviewer.")})
    try:
        assignments_services.assignment_create(proposal=proposal, reviewer=reviewer, by=request.user)
    except DomainError as exc:
        return _board(request, challenge, errors={key: exc.message})
    messages.success(
        request,
        _("%(name)s is asked to review “%(title)s”.")
        % {"name": common_services.display_name(reviewer), "title": proposal.title},
    )
    return _back_to_board(challenge, f"proposal-{proposal.pk}")


@login_required
@require_POST
def assign_suggested(request, slug):
    challenge = _challenge_for(request, slug)
    try:
        result = assignments_services.assignments_create_suggested(challenge=challenge, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back_to_board(challenge)
    count = len(result.created)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d assignment made by suggestion.", "%(count)d assignments made by suggestion.", count
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("No assignment was needed or possible."))
    if result.short:
        messages.warning(
            request,
            _(
                "Not enough eligible reviewers for: %(proposals)s. Add reviewers to the pool, or raise "
                "the cap."
            )
            % {
                "proposals": "; ".join(
                    _("%(title)s (%(count)d missing)") % {"title": p.title, "count": n}
                    for p, n in result.short.items()
                )
            },
        )
    return _back_to_board(challenge)


def _assignment(pk: int) -> ReviewAssignment:
    return get_object_or_404(
        ReviewAssignment.objects.select_related(
            "proposal__challenge__agency__region", "proposal__organisation", "reviewer__profile"
        ),
        pk=pk,
    )


@login_required
@require_POST
def assignment_remove(request, pk):
    assignment = _assignment(pk)
    challenge = assignment.proposal.challenge
    deny_unless(permissions.can_manage_reviews(request.user, challenge))
    form = RemoveAssignmentForm(request.POST)
    key = f"remove-{assignment.pk}"
    if not form.is_valid():
        return _board(request, challenge, errors={key: form.errors["reason"][0]})
    try:
        assignments_services.assignment_remove(
            assignment=assignment, by=request.user, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        return _board(
            request, challenge, errors={key: exc.message}, values={key: form.cleaned_data["reason"]}
        )
    messages.success(
        request,
        _("%(name)s no longer reviews “%(title)s”.")
        % {"name": common_services.display_name(assignment.reviewer), "title": assignment.proposal.title},
    )
    return _back_to_board(challenge, f"proposal-{assignment.proposal_id}")


# Declaring conflicts of interest -------------------------------------------------------------


@login_required
def declare(request, pk):
    assignment = _assignment(pk)
    deny_unless(permissions.can_declare_conflict(request.user, assignment))
    proposal, challenge = assignment.proposal, assignment.proposal.challenge
    awaiting = assignment.status == ReviewAssignment.Status.AWAITING_DECLARATION
    form = DeclarationForm(request.POST or None) if awaiting else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("You have already made your declaration for this proposal."))
            return redirect("marketplace:review_declare", pk=pk)
        if form.is_valid():
            try:
                assignments_services.assignment_declare(
                    assignment=assignment,
                    by=request.user,
                    has_conflict=form.has_conflict,
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                if form.has_conflict:
                    messages.success(
                        request,
                        _(
                            "Thank you. You will not review this proposal; the officials will assign "
                            "someone else."
                        ),
                    )
                    return redirect(reverse("marketplace:workspace_reviews") + "#reviews-to-do")
                messages.success(request, _("Thank you. You may now review the proposal."))
                return redirect(review_url(assignment.pk))
    organisations = []
    if not challenge.blind_review:
        partners = ProposalPartner.objects.filter(proposal=proposal).exclude(
            status=ProposalPartner.Status.DECLINED
        )
        organisations = [proposal.organisation.name, *partners.values_list("organisation__name", flat=True)]
    return render(
        request,
        "review/reviews/declare.html",
        {
            "assignment": assignment,
            "proposal": proposal,
            "challenge": challenge,
            "organisations": organisations,
            "form": form,
            "review_url": review_url(assignment.pk),
        },
    )


# The workspace -------------------------------------------------------------------------------


def reviews_workspace_section(request) -> dict:
    """Reviewers: their open assignments (one query); ``None`` for everyone else."""
    user = request.user
    if not has_role(user, REVIEWER_GROUP):
        return {"reviews_to_do": None}
    reviews_to_do = assignment_selectors.reviews_to_do(user)
    for assignment in reviews_to_do:
        assignment.review_url = review_url(assignment.pk)
    return {"reviews_to_do": reviews_to_do}


def review_overview_section(request) -> dict:
    """Officials: the screening queue and their challenges' review state (two queries)."""
    return assignment_selectors.review_overview_for(request.user)
