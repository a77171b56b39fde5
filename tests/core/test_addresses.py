"""Every named address of the marketplace leads to its own page: the order Django tries them in
(marketplace/urls.py puts the most visited first) never hands one address to another's view."""

import pytest
from django.urls import resolve, reverse
from django.urls.converters import IntConverter, SlugConverter, StringConverter
from django.utils import translation

from marketplace import urls

SAMPLES = {IntConverter: 7, SlugConverter: "contoh", StringConverter: "token-contoh"}
# The one address written as a regular expression.
REGEX_SAMPLES = {"transparency_download": {"table": "by-agency", "fmt": "csv"}}
NAMED = [pattern for pattern in urls.urlpatterns if getattr(pattern, "name", None)]


def _sample_kwargs(pattern) -> dict:
    if pattern.name in REGEX_SAMPLES:
        return REGEX_SAMPLES[pattern.name]
    return {name: SAMPLES[type(converter)] for name, converter in pattern.pattern.converters.items()}


@pytest.mark.parametrize("pattern", NAMED, ids=[pattern.name for pattern in NAMED])
def test_each_address_leads_to_its_own_page(pattern):
    name = f"marketplace:{pattern.name}"
    address = reverse(name, kwargs=_sample_kwargs(pattern))
    assert resolve(address).view_name == name, address


@pytest.mark.parametrize(
    ("address", "name"),
    [
        ("/organisations/new/", "marketplace:organisation_create"),
        ("/organisations/new-village-coop/", "marketplace:organisation_detail"),
        ("/en/organisations/new/", "marketplace:organisation_create"),
        ("/challenges/apply/", "marketplace:challenge_detail"),
        ("/search/saved/", "marketplace:saved_search_list"),
        ("/", "home"),
        ("/en/", "home"),
    ],
)
def test_a_word_that_could_be_a_slug_leads_to_its_own_page(address, name):
    # As LocaleMiddleware does: the address's language is active while it is resolved.
    with translation.override("en" if address.startswith("/en/") else "id"):
        assert resolve(address).view_name == name
