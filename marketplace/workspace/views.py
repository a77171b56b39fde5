"""The signed-in user's workspace: a home with what needs them now, and one page per area."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.views import deny_unless
from marketplace.workspace import permissions, sections, selectors

AREA_TITLES = {
    "proposals": _("Proposals"),
    "organisations": _("Organisations"),
    "reviews": _("Reviews"),
    "approvals": _("Approvals"),
    "finance": _("Finance"),
}


def _nav(request, current: str) -> dict:
    areas = permissions.areas_for(request.user)
    return {
        "workspace_nav": [(area, AREA_TITLES[area], f"marketplace:workspace_{area}") for area in areas],
        "workspace_current": current,
        "workspace_roles": permissions.workspace_roles(request.user),
    }


@login_required
def workspace(request):
    groups = selectors.needs_you_now(request.user)
    context = {
        "role_tasks": groups,
        "tasks_total": sum(group.total for group in groups),
        **_nav(request, "home"),
    }
    context.update(sections.home_context(request))
    return render(request, "workspace/workspace.html", context)


def _area_view(area: str):
    @login_required
    def view(request):
        deny_unless(permissions.can_use_area(request.user, area))
        context = {"area_title": AREA_TITLES[area], **_nav(request, area)}
        context.update(sections.area_context(request, area))
        return render(request, f"workspace/area_{area}.html", context)

    view.__name__ = f"workspace_{area}"
    view.__doc__ = f"The workspace's {area} area."
    return view


workspace_proposals = _area_view("proposals")
workspace_organisations = _area_view("organisations")
workspace_reviews = _area_view("reviews")
workspace_approvals = _area_view("approvals")
workspace_finance = _area_view("finance")
