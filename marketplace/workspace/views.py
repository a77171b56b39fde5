"""The signed-in user's workspace: a home with what needs them now, one page per area, and
the notification centre (the list, marking read, email preferences)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core import notifications
from core.errors import DomainError
from core.models import Notification
from core.pagination import paginate, querystring_without_page
from core.views import deny_unless
from marketplace.workspace import permissions, sections, selectors
from marketplace.workspace.forms import NotificationPreferencesForm

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


# The notification centre ------------------------------------------------------------------


def _next_or(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
def notification_list(request):
    page = paginate(request, notifications.notifications_of(request.user))
    return render(
        request,
        "workspace/notification_list.html",
        {"page_obj": page, "querystring": querystring_without_page(request)},
    )


@login_required
@require_POST
def notification_mark_read(request, pk: int):
    try:
        notifications.notification_mark_read(user=request.user, pk=pk)
    except Notification.DoesNotExist as exc:
        raise Http404 from exc
    return redirect(_next_or(request, reverse("marketplace:notification_list")))


@login_required
@require_POST
def notifications_mark_read(request):
    """Mark all read (also posted from the workspace's notifications section)."""
    if notifications.notifications_mark_all_read(user=request.user):
        messages.success(request, _("All notifications marked as read."))
    return redirect(_next_or(request, reverse("marketplace:notification_list")))


@login_required
def notification_open(request, pk: int):
    """Follow a notification's link, marking it read on the way."""
    try:
        notification = notifications.notification_mark_read(user=request.user, pk=pk)
    except Notification.DoesNotExist as exc:
        raise Http404 from exc
    target = notifications.localised_path(notification.url, get_language() or settings.LANGUAGE_CODE)
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect("marketplace:notification_list")
    return redirect(target)


@login_required
def notification_preferences(request):
    current = notifications.preferences_of(request.user)
    form = NotificationPreferencesForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            notifications.preferences_set(user=request.user, deliveries=form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("marketplace:notification_preferences")
    return render(request, "workspace/notification_preferences.html", {"form": form})
