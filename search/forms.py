"""The search box and its filters, shared by ``/search/``, ``/api/v1/search/`` and saved searches.

The filters are the challenge list's (``marketplace.filters.ChallengeFilter``): the same fields,
choices, labels and validation, copied from the FilterSet rather than declared twice, so the two
pages cannot drift apart."""

from __future__ import annotations

import copy
from decimal import Decimal

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from marketplace.challenges.filters import SORTS as CHALLENGE_SORTS
from marketplace.challenges.filters import ChallengeFilter
from marketplace.challenges.models import Agency
from search.models import SavedSearch
from search.query import SearchParams, decode_cursor

TYPE_CHOICES = [
    ("challenge", _("Challenge")),
    ("project", _("Project")),
    ("organisation", _("Organisation")),
]
SORT_CHOICES = [
    ("relevance", _("Best match")),
    ("closes", CHALLENGE_SORTS["closes"][1]),
    ("amount", _("Largest amount")),
    ("newest", CHALLENGE_SORTS["newest"][1]),
]
# Budgets are whole rupiah on the page and minor units (sen) in the index; above this a
# number is a typo, and it would overflow the database's 64-bit integers.
MAX_BUDGET = Decimal(10**15)


def _challenge_filter_field(name: str) -> forms.Field:
    return copy.deepcopy(ChallengeFilter.base_filters[name].field)


class SearchForm(forms.Form):
    """Bound to ``request.GET`` (or a saved search's params); read ``to_params()`` once valid.

    Invalid fields drop out of ``cleaned_data``, so ``to_params()`` on an invalid form is the
    search without them: the page shows the errors next to what it could still find."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    type = forms.MultipleChoiceField(
        label=_("Type"), choices=TYPE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    status = _challenge_filter_field("status")
    sector = _challenge_filter_field("sector")
    region = _challenge_filter_field("region")
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.all(), required=False, widget=forms.HiddenInput
    )
    incentive = _challenge_filter_field("incentive")
    budget_min = _challenge_filter_field("budget_min")
    budget_max = _challenge_filter_field("budget_max")
    closes_after = _challenge_filter_field("closes_after")
    closes_before = _challenge_filter_field("closes_before")
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)
    after = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    # The parameters a saved search keeps (the cursor is where the user was, not what they want).
    SAVED_FIELDS = ("q", "type", "status", "sector", "region", "agency", "incentive",
                    "budget_min", "budget_max", "closes_after", "closes_before", "sort")  # fmt: skip
    FACETS = ("type", "status", "sector", "region", "incentive")

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        for name in ("closes_after", "closes_before"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})

    @classmethod
    def from_saved(cls, saved_search: SavedSearch) -> SearchForm:
        """The form a saved search describes (its ``params`` are a dict of lists)."""
        return cls(params_querydict(saved_search.params))

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def _clean_budget(self, name: str) -> Decimal | None:
        value = self.cleaned_data.get(name)
        if value is not None and value > MAX_BUDGET:
            raise forms.ValidationError(_("Enter an amount of at most Rp 1.000.000.000.000.000."))
        return value

    def clean_budget_min(self):
        return self._clean_budget("budget_min")

    def clean_budget_max(self):
        return self._clean_budget("budget_max")

    def clean_after(self) -> str:
        after = self.cleaned_data["after"].strip()
        if after and decode_cursor(after) is None:
            raise forms.ValidationError(_("This page link is broken. Start again from the first page."))
        return after

    def clean(self):
        data = super().clean()
        low, high = data.get("budget_min"), data.get("budget_max")
        if low is not None and high is not None and low > high:
            self.add_error("budget_max", _("The highest budget must not be lower than the lowest."))
        after, before = data.get("closes_after"), data.get("closes_before")
        if after and before and after > before:
            self.add_error("closes_before", _("This date must not be before the “closes after” date."))
        return data

    def is_empty(self) -> bool:
        """Nothing asked yet: no words and no filter."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(data.get(name) not in (None, "", []) for name in self.SAVED_FIELDS if name != "sort")

    def to_params(self, **overrides) -> SearchParams:
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
        return SearchParams(**values)

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


def params_querydict(params: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, values in (params or {}).items():
        query.setlist(name, [str(v) for v in (values if isinstance(values, list) else [values])])
    return query


class SavedSearchForm(forms.ModelForm):
    """Save the search in ``query`` (the page's query string) under a name; the view hands
    the cleaned values to ``search.services.saved_search_create``."""

    query = forms.CharField(widget=forms.HiddenInput, max_length=2000)

    class Meta:
        model = SavedSearch
        fields = ["name", "frequency"]
        widgets = {"frequency": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.search_form: SearchForm | None = None

    def clean_query(self) -> str:
        query = self.cleaned_data["query"]
        search_form = SearchForm(QueryDict(query))
        if not search_form.is_valid():
            raise forms.ValidationError(_("Correct the search before saving it."))
        if search_form.is_empty():
            raise forms.ValidationError(_("Type some words or choose a filter before saving a search."))
        self.search_form = search_form
        return query


class SavedSearchFrequencyForm(forms.ModelForm):
    class Meta:
        model = SavedSearch
        fields = ["frequency"]
