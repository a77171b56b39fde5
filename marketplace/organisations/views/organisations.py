"""Views for organisations, their members and invitations, their private verification
documents, and the user's profile. They check permissions, call a service or selector, and
render; they change nothing themselves."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.files import private_file_response
from core.views import deny_unless, form_action, form_error, post_action
from marketplace.organisations import permissions, selectors
from marketplace.organisations.accounts import verified_emails
from marketplace.organisations.forms import (
    DocumentForm,
    InvitationForm,
    OrganisationEditForm,
    ProfileForm,
    UnverifyForm,
)
from marketplace.organisations.models import (
    Membership,
    Organisation,
    OrganisationInvitation,
    VerificationDocument,
)
from marketplace.organisations.services import organisations as services


def _organisation(slug: str) -> Organisation:
    return get_object_or_404(Organisation.objects.select_related("region"), slug=slug)


# Editing ---------------------------------------------------------------------------------


@login_required
def organisation_edit(request, slug):
    organisation = _organisation(slug)
    deny_unless(permissions.can_edit_organisation(request.user, organisation))
    form = OrganisationEditForm(request.POST or None, request.FILES or None, instance=organisation)
    response = form_action(
        request,
        form,
        lambda data: services.organisation_update(
            organisation=Organisation.objects.get(pk=organisation.pk),
            by=request.user,
            **form.service_arguments(),
        ),
        success=_("Organisation saved."),
        redirect_to=reverse("marketplace:organisation_detail", kwargs={"slug": slug}),
    )
    return response or render(
        request, "organisations/organisation_edit.html", {"form": form, "organisation": organisation}
    )


# Members and invitations -------------------------------------------------------------------


@login_required
def organisation_members(request, slug):
    organisation = _organisation(slug)
    is_owner = permissions.is_owner(request.user, organisation)
    if not (is_owner or permissions.is_member(request.user, organisation)):
        raise PermissionDenied(_("Only members of the organisation may see its members."))
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        deny_unless(permissions.can_manage_members(request.user, organisation))
    response = form_action(
        request,
        form,
        lambda data: services.invitation_create(organisation=organisation, by=request.user, **data),
        success=lambda invitation: (
            _("Invitation sent to %(email)s. It expires in 7 days.") % {"email": invitation.email}
        ),
        redirect_to=reverse("marketplace:organisation_members", kwargs={"slug": slug}),
    )
    return response or render(
        request,
        "organisations/organisation_members.html",
        {
            "organisation": organisation,
            "members": selectors.organisation_members(organisation),
            "invitations": selectors.organisation_invitations(organisation) if is_owner else [],
            "form": form if is_owner else None,
            "is_owner": is_owner,
        },
    )


@login_required
@require_POST
def membership_remove(request, slug, pk):
    organisation = _organisation(slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, organisation=organisation
    )
    if membership.user_id != request.user.pk:
        deny_unless(permissions.can_manage_members(request.user, organisation))
    try:
        services.membership_remove(membership=membership, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("marketplace:organisation_members", slug=slug)
    if membership.user_id == request.user.pk:
        messages.success(request, _("You left %(name)s.") % {"name": organisation.name})
        return redirect("marketplace:workspace")
    messages.success(request, _("%(user)s is no longer a member.") % {"user": membership.user.get_username()})
    return redirect("marketplace:organisation_members", slug=slug)


def _invitation(token: str) -> OrganisationInvitation:
    return get_object_or_404(
        OrganisationInvitation.objects.select_related("organisation", "invited_by"), token=token
    )


@login_required
def invitation_detail(request, token):
    invitation = _invitation(token)
    return render(
        request,
        "organisations/organisation_invitation.html",
        {
            "invitation": invitation,
            "organisation": invitation.organisation,
            "email_matches": invitation.email.lower() in verified_emails(request.user),
            "already_member": permissions.is_member(request.user, invitation.organisation),
        },
    )


@login_required
@require_POST
def invitation_accept(request, token):
    invitation = _invitation(token)
    return post_action(
        request,
        lambda: services.invitation_accept(invitation=invitation, by=request.user),
        success=_("Welcome to %(name)s.") % {"name": invitation.organisation.name},
        redirect_to=invitation.organisation.get_absolute_url(),
        refused_redirect_to=reverse("marketplace:invitation_detail", kwargs={"token": token}),
    )


@login_required
@require_POST
def invitation_decline(request, token):
    invitation = _invitation(token)
    return post_action(
        request,
        lambda: services.invitation_decline(invitation=invitation, by=request.user),
        success=_("Invitation declined."),
        redirect_to="marketplace:workspace",
        refused_redirect_to=reverse("marketplace:invitation_detail", kwargs={"token": token}),
    )


# Verification and private documents --------------------------------------------------------


def _verification_url(slug: str) -> str:
    return reverse("marketplace:organisation_verification", kwargs={"slug": slug})


@login_required
def organisation_verification(request, slug):
    organisation = _organisation(slug)
    deny_unless(permissions.can_view_documents(request.user, organisation))
    may_upload = permissions.can_upload_documents(request.user, organisation)[0]
    may_verify = permissions.can_verify_organisation(request.user, organisation)[0]
    form = DocumentForm(request.POST or None, request.FILES or None) if may_upload else None
    if request.method == "POST":
        deny_unless(permissions.can_upload_documents(request.user, organisation))
        response = form_action(
            request,
            form,
            lambda data: services.document_upload(organisation=organisation, by=request.user, **data),
            success=_("Document added. An official of the region will check it."),
            redirect_to=_verification_url(slug),
        )
        if response:
            return response
    return render(
        request,
        "organisations/organisation_verification.html",
        {
            "organisation": organisation,
            "documents": selectors.organisation_documents(organisation),
            "missing": [
                str(Organisation._meta.get_field(n).verbose_name) for n in organisation.missing_identifiers()
            ],
            "form": form,
            "may_verify": may_verify,
            "unverify_form": UnverifyForm() if may_verify and organisation.verified else None,
        },
    )


@login_required
@require_POST
def organisation_verify(request, slug):
    organisation = _organisation(slug)
    deny_unless(permissions.can_verify_organisation(request.user, organisation))
    return post_action(
        request,
        lambda: services.organisation_verify(organisation=organisation, by=request.user),
        success=_("%(name)s is verified.") % {"name": organisation.name},
        redirect_to=_verification_url(slug),
    )


@login_required
@require_POST
def organisation_unverify(request, slug):
    organisation = _organisation(slug)
    deny_unless(permissions.can_verify_organisation(request.user, organisation))
    form = UnverifyForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return post_action(
        request,
        lambda: services.organisation_unverify(organisation=organisation, by=request.user, reason=reason),
        success=_("The verification was taken back."),
        redirect_to=_verification_url(slug),
    )


@login_required
def organisation_document(request, slug, pk):
    organisation = _organisation(slug)
    deny_unless(permissions.can_view_documents(request.user, organisation))
    document = get_object_or_404(VerificationDocument, pk=pk, organisation=organisation)
    return private_file_response(
        document.file,
        download_name=document.original_name,
        by=request.user,
        content_type=document.content_type,
    )


# Profile -----------------------------------------------------------------------------------


@login_required
def profile_edit(request):
    profile = services.profile_get(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.profile_update(user=request.user, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            # The workspace opens in the language just chosen (/ for Indonesian, /en/ for English).
            with translation.override(profile.preferred_language):
                messages.success(request, _("Profile saved."))
                return redirect(reverse("marketplace:workspace"))
    return render(request, "account/profile.html", {"form": form})


# The workspace's part ----------------------------------------------------------------------


def organisations_section(request) -> dict:
    """Invitations to answer and the organisations the user owns (fixed queries)."""
    user = request.user
    return {
        "org_invitations": list(selectors.pending_invitations_for(user)),
        "org_owned": list(selectors.owned_organisations(user)),
    }


def organisations_to_verify_section(request) -> dict:
    """For officials: the organisations of their regions waiting for verification."""
    return {"org_to_verify": list(selectors.organisations_to_verify(request.user))}
