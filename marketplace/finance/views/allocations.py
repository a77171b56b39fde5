"""Public pages and the signed-in workspace. Views parse input, check permissions, call a
service or selector, and render; they change nothing themselves."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.views import deny_unless, form_error
from marketplace.challenges import permissions
from marketplace.challenges.models import ChallengePage
from marketplace.challenges.services import funds as services
from marketplace.finance.forms.allocations import AllocationForm


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
    return render(request, "finance/allocation_form.html", {"form": form, "challenge": challenge})
