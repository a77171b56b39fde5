"""Registering an organisation. Its public profile is drawn by ``marketplace.publicdata.pages``
(it shows the organisation's funded projects)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.views import form_error
from marketplace.organisations.forms_registration import OrganisationForm
from marketplace.organisations.services import organisations as services


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
    return render(request, "organisations/organisation_form.html", {"form": form})
