"""The search page, ``/search/``: one search over challenges, projects and organisations, with
facets (no JavaScript needed), and its form, which ``/api/v1/search/``, saved searches and their
alerts read too (registered with search as its query form).

The filters are the challenge list's (``marketplace.filters.ChallengeFilter``): the same fields,
choices, labels and validation, copied from the FilterSet rather than declared twice, so the two
pages cannot drift apart. The names they share are ``search.api``'s vocabulary. Every search
goes through ``search.api.search`` with ``SearchForm.to_params()``."""

from __future__ import annotations

import copy
import datetime
import functools
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.tz import do_timezone
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from core import page_cache
from core.money import format_money
from core.templatetags import public_parts
from core.templatetags.public_parts import PUBLIC_PARTS
from marketplace.challenges.filters import ChallengeFilter
from marketplace.challenges.models.challenges import ChallengePage, Incentive
from marketplace.challenges.models.regions import Agency, RegionPage, Sector
from search import api as search

WORKSPACE_SAVED_SEARCHES = 5
FACET_VALUES_SHOWN = 8


def type_choices() -> list[tuple[str, str]]:
    """The kinds of documents, as registered with search (challenge, project, organisation)."""
    return [(document_type.name, document_type.label) for document_type in search.registered_types()]


SORT_CHOICES = [(name, search.SORT_LABELS[name]) for name in search.SORTS]

# Budgets are whole rupiah on the page and minor units (sen) in the index; above this a
# number is a typo, and it would overflow the database's 64-bit integers.
MAX_BUDGET = Decimal(10**15)


def _challenge_filter_field(name: str) -> forms.Field:
    return copy.deepcopy(ChallengeFilter.base_filters[name].field)


class SearchForm(forms.Form):
    """Bound to ``request.GET`` (or a saved search's params); read ``to_params()`` once valid.

    Invalid fields drop out of ``cleaned_data``, so ``to_params()`` on an invalid form is the
    search without them: the page shows the errors next to what it could still find."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    type = forms.MultipleChoiceField(
        label=search.FACET_LABELS["type"],
        choices=type_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = _challenge_filter_field("status")
    sector = _challenge_filter_field("sector")
    region = _challenge_filter_field("region")
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Agency"), queryset=Agency.objects.all(), required=False, widget=forms.HiddenInput
    )
    incentive = _challenge_filter_field("incentive")
    budget_min = _challenge_filter_field("budget_min")
    budget_max = _challenge_filter_field("budget_max")
    closes_after = _challenge_filter_field("closes_after")
    closes_before = _challenge_filter_field("closes_before")
    sort = forms.ChoiceField(label=gettext_lazy("Sort"), choices=SORT_CHOICES, required=False)
    after = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    # The parameters a saved search keeps (the cursor is where the user was, not what they want).
    SAVED_FIELDS = search.SAVED
    FACETS = search.FACETS

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        for name in ("closes_after", "closes_before"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def _clean_budget(self, name: str) -> Decimal | None:
        value = self.cleaned_data.get(name)
        if value is not None and value > MAX_BUDGET:
            raise forms.ValidationError(gettext_lazy("Enter an amount of at most Rp 1.000.000.000.000.000."))
        return value

    def clean_budget_min(self):
        return self._clean_budget("budget_min")

    def clean_budget_max(self):
        return self._clean_budget("budget_max")

    def clean_after(self) -> str:
        after = self.cleaned_data["after"].strip()
        if after and search.decode_cursor(after) is None:
            raise forms.ValidationError(
                gettext_lazy("This page link is broken. Start again from the first page.")
            )
        return after

    def clean(self):
        data = super().clean()
        low, high = data.get("budget_min"), data.get("budget_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "budget_max", gettext_lazy("The highest budget must not be lower than the lowest.")
            )
        after, before = data.get("closes_after"), data.get("closes_before")
        if after and before and after > before:
            self.add_error(
                "closes_before", gettext_lazy("This date must not be before the “closes after” date.")
            )
        return data

    def is_empty(self) -> bool:
        """Nothing asked yet: no words and no filter."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(data.get(name) not in (None, "", []) for name in self.SAVED_FIELDS if name != "sort")

    def to_params(self, **overrides) -> search.SearchParams:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        sector, region, agency = data.get("sector"), data.get("region"), data.get("agency")
        values = {
            "q": data.get("q", ""),
            "types": tuple(data.get("type") or ()),
            "status": data.get("status") or "",
            "sector": sector.slug if sector else "",
            "region": region.slug if region else "",
            "agency": agency.pk if agency else None,
            "incentive": data.get("incentive") or "",
            "amount_min": _minor_units(data.get("budget_min")),
            "amount_max": _minor_units(data.get("budget_max")),
            "closes_after": data.get("closes_after"),
            "closes_before": data.get("closes_before"),
            "sort": data.get("sort") or "relevance",
            "after": data.get("after", ""),
        }
        values.update(overrides)
        return search.SearchParams(**values)

    def saved_params(self) -> dict[str, list[str]]:
        """What a saved search stores: the submitted values of the valid, non-empty fields,
        as the page received them (a dict of lists, like ``request.GET``)."""
        params = {}
        for name in self.SAVED_FIELDS:
            if name in self.errors or self.cleaned_data.get(name) in (None, "", []):
                continue
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data[name]]
            values = [value.strip() for value in values if value.strip()]
            if values:
                params[name] = values
        return params


def _minor_units(rupiah: Decimal | None) -> int | None:
    # The same rule as ChallengeFilter: whole rupiah, times 100.
    return None if rupiah is None else int(rupiah) * 100


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
    title_en: str
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


class Names:
    """Display names for the facet values and hits of one page: one query for the sectors and
    one for the regions, whatever the number of buckets and hits."""

    def __init__(self, page: search.SearchPage | None, params: search.SearchParams):
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
            "type": dict(type_choices()),
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


def _results(page: search.SearchPage, names: Names) -> list[Result]:
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
                title_en=hit.title_en,
                url=search.localised_path(hit.url),
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


def _facets(page: search.SearchPage, params: QueryDict, names: Names) -> list[Facet]:
    facets = []
    for name in search.FACETS:
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
            facets.append(Facet(name, search.FACET_LABELS[name], top, more))
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
            label = f"{search.FACET_LABELS[name]}: {names.label(name, slug)}"
            active.append(ActiveFilter(label, querystring(params, **{name: None})))
    agency = data.get("agency")
    if agency:
        active.append(ActiveFilter(f"{_('Agency')}: {agency.display_name}", querystring(params, agency=None)))
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


# How long a search's answer is kept at most: its status facets change with the clock (a
# challenge closing), as long as a page stays in the page cache in production.
SEARCH_KEPT = datetime.timedelta(seconds=60)


def _searched(params) -> tuple[search.SearchPage, datetime.datetime]:
    """The search's answer and when it was made, kept until the next public write (the search
    index's writes start one too) and for SEARCH_KEPT at most, unless the search's fallback
    answered."""
    key = f"search-page:{page_cache.digest(params)}:{get_language()}"

    def answered() -> tuple:
        return search.search(params), timezone.now()

    kept = page_cache.remembered(
        key,
        answered,
        holds=lambda kept: timezone.now() - kept[1] < SEARCH_KEPT,
        keep=lambda kept: not kept[0].degraded,
    )
    return kept  # type: ignore[return-value]


class SearchBody(NamedTuple):
    """The search page as everybody sees it, kept whole (``public_parts.kept``): its body, and
    what the page around it needs from the search (the title's words, whether anything was
    asked, the query a saved search would keep)."""

    html: str
    q: str
    asked: bool
    saved_query: str


def search_page(request: HttpRequest) -> HttpResponse:
    # Kept for the parameters as given; made each time when the fallback answered.
    body: SearchBody = public_parts.kept(  # type: ignore[assignment]
        "search-page", [page_cache.digest(sorted(request.GET.lists()))], lambda: _search_body(request.GET)
    )
    context = {"body": mark_safe(body.html), "q": body.q, "asked": body.asked, PUBLIC_PARTS: True}
    if body.asked and request.user.is_authenticated:
        context["save_form"] = search.SavedSearchForm(
            initial={"name": body.q[:120] or _("My search"), "query": body.saved_query},
        )
    return render(request, "publicdata/search.html", context)


def _search_body(data: QueryDict) -> tuple[SearchBody, datetime.datetime | None]:
    """The body made from the parameters alone, and until when it holds: as long as the
    answer it shows (SEARCH_KEPT at most), not at all when the fallback answered."""
    form = SearchForm(data or None)
    valid = form.is_valid() if form.is_bound else True
    asked = form.is_bound and not form.is_empty()
    q = form.cleaned_data.get("q", "") if form.is_bound else ""
    context: dict = {
        "form": form,
        "asked": asked,
        "invalid": not valid,
        "q": q,
        "type_labels_json": json.dumps({value: str(label) for value, label in type_choices()}),
    }
    until = None
    saved_query = ""
    if asked:
        search_params = form.to_params()
        page, answered_at = _searched(search_params)
        # Links carry the valid part of the search only: a bad value is reported once, not forever.
        valid_params = search.params_querydict(form.saved_params())
        saved_query = valid_params.urlencode()
        names = functools.cache(lambda: Names(page, search_params))
        context.update(
            page=page,
            results=_results(page, names()),
            facets=_facets(page, valid_params, names()),
            active_filters=_active_filters(form, valid_params, names()),
            clear_url=querystring(QueryDict(), q=search_params.q),
            next_url=querystring(valid_params, after=page.next_after) if page.next_after else "",
            first_page_url=querystring(valid_params) if search_params.after else "",
            suggestion_url=querystring(valid_params, q=page.suggestion) if page.suggestion else "",
            sort_choices=form.fields["sort"].choices,
            sort=search_params.sort,
            hidden_filters=_hidden_filters(form),
            # More than the count limit: "10.000+" (grouped as the site groups rupiah).
            total_more_than="" if page.total_exact else f"{page.total_shown:,}".replace(",", "."),
        )
        until = timezone.now() if page.degraded else answered_at + SEARCH_KEPT
    html = render_to_string("publicdata/search_body.html", context)
    return SearchBody(html, q, asked, saved_query), until


def _hidden_filters(form: SearchForm) -> list[tuple[str, str]]:
    """The facet choices, carried by the search box so a new query keeps them."""
    data = form.cleaned_data
    pairs = [("type", value) for value in data.get("type") or []]
    for name in ("status", "sector", "region", "agency", "incentive"):
        value = data.get(name)
        if value:
            pairs.append((name, str(getattr(value, "slug", None) or getattr(value, "pk", None) or value)))
    return pairs


def saved_searches_workspace_section(request: HttpRequest) -> dict:
    """The workspace's short list (``search/workspace_saved_searches.html``)."""
    saved, more = search.saved_searches_for(request.user, WORKSPACE_SAVED_SEARCHES)
    return {"workspace_saved_searches": saved, "workspace_saved_searches_more": more}
