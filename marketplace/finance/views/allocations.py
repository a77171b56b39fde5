"""Public pages and the signed-in workspace. Views parse input, check permissions, call a
service or selector, and render; they change nothing themselves."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.views import deny_unless, form_action
from marketplace.challenges import permissions
from marketplace.challenges.models import ChallengePage
from marketplace.challenges.services import funds as services
from marketplace.finance.forms.allocations import AllocationForm


@login_required
def fund_allocate(request, slug):
    challenge = get_object_or_404(ChallengePage.objects.live(), slug=slug)
    deny_unless(permissions.can_manage_funds(request.user))
    form = AllocationForm(request.POST or None, initial={"idempotency_key": uuid.uuid4().hex})
    response = form_action(
        request,
        form,
        lambda data: services.allocation_record(challenge=challenge, by=request.user, **data),
        success=_("Budget allocation recorded in the fund."),
        redirect_to=reverse("marketplace:challenge_detail", kwargs={"slug": slug}),
    )
    return response or render(request, "finance/allocation_form.html", {"form": form, "challenge": challenge})
