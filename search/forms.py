"""Saved searches' forms. The search itself is read by the form the domain registered
(``search.registry.query_form``: the search page's, shared with the API and the alerts), so a
saved search is checked exactly as the page would read it."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from search import registry
from search.models import SavedSearch


def params_querydict(params: dict) -> QueryDict:
    """A saved search's ``params`` (a dict of lists) as the query string it came from."""
    query = QueryDict(mutable=True)
    for name, values in (params or {}).items():
        query.setlist(name, [str(v) for v in (values if isinstance(values, list) else [values])])
    return query


def saved_search_url(saved: SavedSearch) -> str:
    """The search page showing what ``saved`` asks for."""
    query_string = params_querydict(saved.params).urlencode()
    routes = registry.routes()
    return routes.reverse(routes.search_page) + (f"?{query_string}" if query_string else "")


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
        self.search_form = None

    def clean_query(self) -> str:
        query = self.cleaned_data["query"]
        search_form = registry.query_form()(QueryDict(query))
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
