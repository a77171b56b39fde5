"""Search's own pages: the search box's suggestions and the signed-in user's saved searches.
The search page itself belongs to the domain (it reads the domain's filters) and calls
``search.api``; these routes are included in the host's URL namespace (``search.urls``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from search import query, registry, services
from search.documents import localised_path
from search.forms import SavedSearchForm, SavedSearchFrequencyForm, saved_search_url
from search.models import SavedSearch

SUGGESTIONS = 8


@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    """``?q=pas`` → ``[{"title", "url", "type"}]``: titles and names that start that way."""
    prefix = " ".join(request.GET.get("q", "").split())[:100]
    hits = query.autocomplete(prefix, limit=SUGGESTIONS) if len(prefix) >= 2 else []
    response = JsonResponse(
        [{"title": hit.title, "url": localised_path(hit.url), "type": hit.kind} for hit in hits], safe=False
    )
    response["Cache-Control"] = "public, max-age=60"
    return response


# Saved searches --------------------------------------------------------------------------------


def _saved_search_list() -> HttpResponse:
    return redirect(registry.routes().reverse("saved_search_list"))


@login_required
def saved_list(request: HttpRequest) -> HttpResponse:
    saved_searches = list(SavedSearch.objects.filter(user=request.user))
    rows = [
        (saved, saved_search_url(saved), SavedSearchFrequencyForm(instance=saved, prefix=f"s{saved.pk}"))
        for saved in saved_searches
    ]
    return render(request, "search/saved_search_list.html", {"rows": rows})


@login_required
def saved_create(request: HttpRequest) -> HttpResponse:
    """Save a search. The search page posts here; without a valid form this page shows the
    form again with what was typed (GET shows it for the search in ``?query=``)."""
    if request.method == "POST":
        form = SavedSearchForm(request.POST)
        if form.is_valid():
            try:
                saved = services.saved_search_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    params=form.search_form.saved_params(),
                    frequency=form.cleaned_data["frequency"],
                )
            except DomainError as exc:  # shown next to its field when the form has it
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _("Search “%(name)s” saved. We will tell you when a new challenge matches it.")
                    % {"name": saved.name},
                )
                return _saved_search_list()
    else:
        form = SavedSearchForm(initial={"query": request.GET.get("query", ""), "name": _("My search")})
    return render(request, "search/saved_search_form.html", {"form": form})


def _own_saved_search(request: HttpRequest, pk: int) -> SavedSearch:
    # Someone else's saved search does not exist as far as this user can tell.
    return get_object_or_404(SavedSearch, pk=pk, user=request.user)


@login_required
@require_POST
def saved_update(request: HttpRequest, pk: int) -> HttpResponse:
    saved = _own_saved_search(request, pk)
    form = SavedSearchFrequencyForm(request.POST, instance=saved, prefix=f"s{saved.pk}")
    if form.is_valid():
        services.saved_search_change_frequency(
            saved_search=saved, frequency=form.cleaned_data["frequency"], by=request.user
        )
        messages.success(request, _("Alerts for “%(name)s” changed.") % {"name": saved.name})
    else:
        messages.error(request, _("Choose how often you want alerts."))
    return _saved_search_list()


@login_required
@require_POST
def saved_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = _own_saved_search(request, pk)
    name = saved.name
    services.saved_search_delete(saved_search=saved, by=request.user)
    messages.success(request, _("Saved search “%(name)s” deleted.") % {"name": name})
    return _saved_search_list()
