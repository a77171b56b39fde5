"""The search pages: ``/search/`` (mixed results with facets, no JavaScript needed), the
search box's suggestions, and the signed-in user's saved searches.

Every search goes through ``search.query.search`` with ``SearchForm.to_params()``, the same
call as the API and the saved-search alerts."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.tz import do_timezone
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from marketplace.errors import DomainError
from marketplace.models import ChallengePage, Incentive, RegionPage, Sector
from marketplace.views import sections
from marketplace.views.common import form_error
from payments.api import format_money
from search import query, services
from search.documents import localised_path
from search.forms import TYPE_CHOICES, SavedSearchForm, SavedSearchFrequencyForm, SearchForm, params_querydict
from search.models import SavedSearch

SUGGESTIONS = 8
WORKSPACE_SAVED_SEARCHES = 5
FACET_VALUES_SHOWN = 8


def querystring(params: QueryDict, **changes) -> str:
    """``params`` without the cursor, with ``changes`` applied (None removes a key, a list
    sets every value), as ``?a=b`` (or ``?`` alone when nothing is left)."""
    result = params.copy()
    result.pop("after", None)
    for name, value in changes.items():
        if value in (None, "", []):
            result.pop(name, None)
        else:  # in place: the other parameters keep their order
            result.setlist(name, value if isinstance(value, list) else [value])
    return "?" + result.urlencode()


# The search page ------------------------------------------------------------------------------


@dataclass
class Result:
    """One hit as the page shows it."""

    kind: str
    type_label: str
    title: str
    url: str
    snippet: SafeString
    region_name: str
    sector_name: str
    amount: int | None
    closes_at: datetime.datetime | None
    zone_label: str


@dataclass
class Bucket:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class Facet:
    name: str
    label: str
    buckets: list[Bucket]  # the largest, and the selected ones
    more: list[Bucket]  # the rest, folded away so long facets do not push the results down


@dataclass
class ActiveFilter:
    label: str
    remove_url: str


FACET_LABELS = {
    "type": lambda: _("Type"),
    "status": lambda: _("Status"),
    "sector": lambda: _("Sector"),
    "region": lambda: _("Region"),
    "incentive": lambda: _("Incentive type"),
}


class Names:
    """Display names for the facet values and hits of one page: one query for the sectors and
    one for the regions, whatever the number of buckets and hits."""

    def __init__(self, page: query.SearchPage | None, params: query.SearchParams):
        sector_slugs, region_slugs = {params.sector}, {params.region}
        if page is not None:
            sector_slugs |= {b.value for b in page.facets.get("sector", [])}
            sector_slugs |= {hit.sectors[0] for hit in page.hits if hit.sectors}
            region_slugs |= {b.value for b in page.facets.get("region", [])}
            region_slugs |= {hit.region for hit in page.hits if hit.region}
        sector_slugs.discard("")
        region_slugs.discard("")
        self.sectors = (
            {s.slug: s for s in Sector.objects.filter(slug__in=sector_slugs)} if sector_slugs else {}
        )
        self.regions = (
            {
                r.slug: r
                for r in RegionPage.objects.filter(slug__in=region_slugs).only("title", "slug", "timezone")
            }
            if region_slugs
            else {}
        )
        self.static = {
            "type": dict(TYPE_CHOICES),
            "status": dict(ChallengePage.STATUSES),
            "incentive": dict(Incentive.Kind.choices),
        }

    def label(self, facet: str, value: str) -> str:
        if facet == "sector":
            sector = self.sectors.get(value)
            return sector.display_name if sector else value
        if facet == "region":
            region = self.regions.get(value)
            return region.title if region else value
        return str(self.static[facet].get(value, value))


def _results(page: query.SearchPage, names: Names) -> list[Result]:
    results = []
    for hit in page.hits:
        region = names.regions.get(hit.region)
        closes_at = hit.closes_at
        if closes_at is not None and region is not None:
            # Marked as converted, so the date filter shows the region's time, not the site's.
            closes_at = do_timezone(closes_at, region.zoneinfo)
        results.append(
            Result(
                kind=hit.kind,
                type_label=names.label("type", hit.kind),
                title=hit.title,
                url=localised_path(hit.url),
                # The engines escape the document text and add only <mark> (SearchHit.snippet).
                snippet=mark_safe(hit.snippet),  # noqa: S308
                region_name=region.title if region else "",
                sector_name=names.label("sector", hit.sectors[0]) if hit.sectors else "",
                amount=hit.amount if hit.amount else None,
                closes_at=closes_at,
                zone_label=region.zone_label if region and closes_at else "",
            )
        )
    return results


def _facets(page: query.SearchPage, params: QueryDict, names: Names) -> list[Facet]:
    facets = []
    for name in query.FACETS:
        buckets = []
        for bucket in page.facets.get(name, []):
            if name == "type":  # several types at once: each link adds or removes one
                chosen = params.getlist("type")
                values = (
                    [v for v in chosen if v != bucket.value] if bucket.selected else [*chosen, bucket.value]
                )
                url = querystring(params, type=values)
            else:
                url = querystring(params, **{name: None if bucket.selected else bucket.value})
            buckets.append(
                Bucket(bucket.value, names.label(name, bucket.value), bucket.count, bucket.selected, url)
            )
        if buckets:
            top = [b for i, b in enumerate(buckets) if i < FACET_VALUES_SHOWN or b.selected]
            more = [b for i, b in enumerate(buckets) if i >= FACET_VALUES_SHOWN and not b.selected]
            facets.append(Facet(name, FACET_LABELS[name](), top, more))
    return facets


def _active_filters(form: SearchForm, params: QueryDict, names: Names) -> list[ActiveFilter]:
    """Everything that narrows the search, each with a link that removes it."""
    data = form.cleaned_data
    active = []
    for kind in data.get("type") or []:
        remaining = [v for v in params.getlist("type") if v != kind]
        active.append(ActiveFilter(names.label("type", kind), querystring(params, type=remaining)))
    for name in ("status", "sector", "region", "incentive"):
        value = data.get(name)
        if value:
            slug = getattr(value, "slug", value)
            label = f"{FACET_LABELS[name]()}: {names.label(name, slug)}"
            active.append(ActiveFilter(label, querystring(params, **{name: None})))
    agency = data.get("agency")
    if agency:
        active.append(ActiveFilter(f"{_('Agency')}: {agency.name}", querystring(params, agency=None)))
    for name in ("budget_min", "budget_max", "closes_after", "closes_before"):
        value = data.get(name)
        if value is not None:
            field = form.fields[name]
            shown = (
                value.isoformat()
                if isinstance(value, datetime.date)
                else format_money(int(value) * 100, "IDR")
            )
            active.append(ActiveFilter(f"{field.label}: {shown}", querystring(params, **{name: None})))
    return active


def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    asked = form.is_bound and not form.is_empty()
    context: dict = {
        "form": form,
        "asked": asked,
        "invalid": not valid,
        "q": form.cleaned_data.get("q", "") if form.is_bound else "",
        "type_labels_json": json.dumps({value: str(label) for value, label in TYPE_CHOICES}),
    }
    if not asked:
        return render(request, "marketplace/search.html", context)

    search_params = form.to_params()
    page = query.search(search_params)
    names = Names(page, search_params)
    # Links carry the valid part of the search only: a bad value is reported once, not forever.
    valid_params = params_querydict(form.saved_params())
    context.update(
        page=page,
        results=_results(page, names),
        facets=_facets(page, valid_params, names),
        active_filters=_active_filters(form, valid_params, names),
        clear_url=querystring(QueryDict(), q=search_params.q),
        next_url=querystring(valid_params, after=page.next_after) if page.next_after else "",
        first_page_url=querystring(valid_params) if search_params.after else "",
        suggestion_url=querystring(valid_params, q=page.suggestion) if page.suggestion else "",
        sort_choices=form.fields["sort"].choices,
        sort=search_params.sort,
        hidden_filters=_hidden_filters(form),
    )
    if request.user.is_authenticated:
        context["save_form"] = SavedSearchForm(
            initial={"name": search_params.q[:120] or _("My search"), "query": valid_params.urlencode()},
        )
    return render(request, "marketplace/search.html", context)


def _hidden_filters(form: SearchForm) -> list[tuple[str, str]]:
    """The facet choices, carried by the search box so a new query keeps them."""
    data = form.cleaned_data
    pairs = [("type", value) for value in data.get("type") or []]
    for name in ("status", "sector", "region", "agency", "incentive"):
        value = data.get(name)
        if value:
            pairs.append((name, str(getattr(value, "slug", None) or getattr(value, "pk", None) or value)))
    return pairs


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


def saved_search_url(saved: SavedSearch) -> str:
    query_string = params_querydict(saved.params).urlencode()
    return reverse("marketplace:search") + (f"?{query_string}" if query_string else "")


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
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Search “%(name)s” saved. We will tell you when a new challenge matches it.")
                    % {"name": saved.name},
                )
                return redirect("marketplace:saved_search_list")
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
    return redirect("marketplace:saved_search_list")


@login_required
@require_POST
def saved_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = _own_saved_search(request, pk)
    name = saved.name
    services.saved_search_delete(saved_search=saved, by=request.user)
    messages.success(request, _("Saved search “%(name)s” deleted.") % {"name": name})
    return redirect("marketplace:saved_search_list")


@sections.workspace_section
def saved_searches_workspace_section(request: HttpRequest) -> dict:
    """The workspace's short list (``search/workspace_saved_searches.html``)."""
    saved = list(SavedSearch.objects.filter(user=request.user)[: WORKSPACE_SAVED_SEARCHES + 1])
    return {
        "workspace_saved_searches": [(s, saved_search_url(s)) for s in saved[:WORKSPACE_SAVED_SEARCHES]],
        "workspace_saved_searches_more": len(saved) > WORKSPACE_SAVED_SEARCHES,
    }
