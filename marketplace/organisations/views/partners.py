"""Views for partner finding: "looking for partners" listings on a challenge and the partnership
requests between organisations. Imported by ``views.questions`` so its sections register."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import page_cache
from core.views import deny_unless, form_action, post_action
from marketplace.challenges.models import ChallengePage
from marketplace.organisations import permissions
from marketplace.organisations.models import Organisation, PartnerListing, PartnershipRequest
from marketplace.organisations.services import partners as partner_services

LATEST_REQUESTS = 50


def _text_field(label, help_text=""):
    return forms.CharField(
        label=label,
        max_length=partner_services.TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


class PartnerListingForm(forms.Form):
    # Shown on the challenge page beside other forms: a prefix keeps the ids unique.
    prefix = "partner"

    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.none()
    )
    offers = _text_field(
        gettext_lazy("What your organisation offers"),
        gettext_lazy("Skills, experience, data, reach in the community… Shown publicly."),
    )
    needs = _text_field(
        gettext_lazy("What your organisation needs"),
        gettext_lazy("The partners you are looking for. Shown publicly."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(memberships__user=user)


class PartnershipRequestForm(forms.Form):
    from_organisation = forms.ModelChoiceField(
        label=gettext_lazy("On behalf of"), queryset=Organisation.objects.none()
    )
    message = _text_field(
        gettext_lazy("Message"),
        gettext_lazy(
            "Introduce your organisation and what you would bring. Only the listed organisation reads it."
        ),
    )

    def __init__(self, *args, user, listing: PartnerListing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_organisation"].queryset = Organisation.objects.filter(
            memberships__user=user
        ).exclude(pk=listing.organisation_id)


def _partners_url(challenge: ChallengePage) -> str:
    return reverse("marketplace:challenge_detail", kwargs={"slug": challenge.slug}) + "#partners"


def _workspace_partnerships_url() -> str:
    return reverse("marketplace:workspace_organisations") + "#partnerships"


def _has_organisation_or_register(request) -> bool:
    if Organisation.objects.filter(memberships__user=request.user).exists():
        return True
    messages.info(request, _("Register your organisation first; partners are found on its behalf."))
    return False


# The challenge page ------------------------------------------------------------------------


def partners_section(request, challenge) -> dict:
    """Organisations looking for partners, while the challenge accepts proposals and allows consortia."""
    enabled = challenge.consortium_allowed and challenge.is_open_for_submissions()
    context: dict = {"partners_enabled": enabled, "partner_listings": [], "partner_my_org_ids": set()}
    if not enabled:
        return context
    # The same for every reader: kept until the next public write.
    context["partner_listings"] = page_cache.remembered(
        f"challenge-partners:{challenge.pk}",
        lambda: list(
            PartnerListing.objects.filter(challenge=challenge, active=True)
            .select_related("organisation")
            .order_by("organisation__name")
        ),
    )
    if request.user.is_authenticated:
        my_organisations = list(Organisation.objects.filter(memberships__user=request.user))
        context["partner_my_org_ids"] = {o.pk for o in my_organisations}
        if my_organisations:
            form = PartnerListingForm(user=request.user)
            # The choices are already loaded: rendering them asks the database nothing more.
            form.fields["organisation"].choices = [("", "---------")] + [
                (o.pk, o.name) for o in my_organisations
            ]
            context["partner_listing_form"] = form
    return context


@login_required
def partner_listing_edit(request, slug):
    """Mark one of one's organisations as looking for partners on a challenge (or update it)."""
    challenge = get_object_or_404(ChallengePage.objects.live().select_related("agency__region"), slug=slug)
    if not _has_organisation_or_register(request):
        return redirect("marketplace:organisation_create")
    form = PartnerListingForm(request.POST or None, user=request.user)
    response = form_action(
        request,
        form,
        lambda data: partner_services.partner_listing_save(challenge=challenge, by=request.user, **data),
        success=_("Your organisation is listed as looking for partners."),
        redirect_to=_partners_url(challenge),
    )
    return response or render(
        request, "organisations/partner_listing_form.html", {"challenge": challenge, "form": form}
    )


@login_required
@require_POST
def partner_listing_close(request, pk):
    listing = get_object_or_404(PartnerListing.objects.select_related("organisation", "challenge"), pk=pk)
    deny_unless(permissions.can_list_for_partners(request.user, listing.organisation))
    partner_services.partner_listing_close(listing=listing, by=request.user)
    messages.success(request, _("Your organisation is no longer listed as looking for partners."))
    return redirect(_workspace_partnerships_url())


@login_required
def partnership_request_send(request, pk):
    listing = get_object_or_404(
        PartnerListing.objects.select_related("organisation", "challenge__agency__region"), pk=pk, active=True
    )
    if permissions.is_member(request.user, listing.organisation):
        raise PermissionDenied(_("You cannot ask your own organisation to be your partner."))
    if not _has_organisation_or_register(request):
        return redirect("marketplace:organisation_create")
    form = PartnershipRequestForm(request.POST or None, user=request.user, listing=listing)
    response = form_action(
        request,
        form,
        lambda data: partner_services.partnership_request_send(listing=listing, by=request.user, **data),
        success=_("Request sent to %(organisation)s. You will be told when they answer.")
        % {"organisation": listing.organisation.name},
        redirect_to=_partners_url(listing.challenge),
    )
    return response or render(
        request,
        "organisations/partner_request_form.html",
        {"listing": listing, "challenge": listing.challenge, "form": form},
    )


@login_required
@require_POST
def partnership_request_decide(request, pk):
    partnership_request = get_object_or_404(
        PartnershipRequest.objects.select_related("listing__organisation", "from_organisation"), pk=pk
    )
    deny_unless(permissions.can_decide_partnership(request.user, partnership_request))
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        messages.error(request, _("Choose whether to accept or decline the request."))
        return redirect(_workspace_partnerships_url())
    name = partnership_request.from_organisation.name
    if decision == "accept":
        text = _("You accepted %(organisation)s as a partner; they were told.") % {"organisation": name}
    else:
        text = _("You declined the request of %(organisation)s; they were told.") % {"organisation": name}
    return post_action(
        request,
        lambda: partner_services.partnership_request_decide(
            partnership_request=partnership_request, by=request.user, accept=decision == "accept"
        ),
        success=text,
        redirect_to=_workspace_partnerships_url(),
    )


# The workspace -----------------------------------------------------------------------------


def partners_workspace_section(request) -> dict:
    user = request.user
    related = ("listing__organisation", "listing__challenge", "from_organisation")
    return {
        "partner_listings_mine": list(
            PartnerListing.objects.filter(organisation__memberships__user=user, active=True)
            .select_related("organisation", "challenge")
            .order_by("-updated_at")
        ),
        "partnership_requests_received": list(
            PartnershipRequest.objects.filter(listing__organisation__memberships__user=user)
            .select_related(*related)
            .order_by("-created_at")[:LATEST_REQUESTS]
        ),
        "partnership_requests_sent": list(
            PartnershipRequest.objects.filter(from_organisation__memberships__user=user)
            .select_related(*related)
            .order_by("-created_at")[:LATEST_REQUESTS]
        ),
    }
