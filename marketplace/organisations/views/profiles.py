"""Registering an organisation. Its public profile is drawn by ``marketplace.publicdata.pages``
(it shows the organisation's funded projects)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.views import form_action
from marketplace.organisations.forms_registration import OrganisationForm
from marketplace.organisations.services import organisations as services


@login_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    response = form_action(
        request,
        form,
        lambda data: services.organisation_create(by=request.user, **data),
        success=_("Organisation registered."),
        redirect_to=lambda organisation: organisation.get_absolute_url(),
    )
    return response or render(request, "organisations/organisation_form.html", {"form": form})
