"""The signed-in user's workspace: what each app has for them, on one page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from marketplace.workspace import sections, selectors


@login_required
def workspace(request):
    context = selectors.workspace_for(request.user)
    context.update(sections.workspace_context(request))
    return render(request, "workspace/workspace.html", context)
