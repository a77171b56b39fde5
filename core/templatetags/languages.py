"""``{% language_links as links %}``: the language switch as plain links.

The language is chosen by the address alone (Indonesian unprefixed, English under /en/), so
switching is following a link to the same page in the other language: no form, no cookie and no
CSRF token on a public page, which is what lets anonymous pages be cached (core/page_cache.py).
An address outside the language prefixes (payment returns, the API) has no other-language twin
and offers only its own language."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils.translation import get_language, override

register = template.Library()

# Each language named in itself, whatever the page's language.
NATIVE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool


@register.simple_tag(takes_context=True)
def language_links(context) -> list[LanguageLink]:
    request = context.get("request")
    if request is None:
        return []
    here = request.get_full_path()
    current = get_language()
    links = []
    for code, name in settings.LANGUAGES:
        url = here if code == current else _translated(request, here, code)
        if code != current and url == here:
            continue
        links.append(LanguageLink(code, NATIVE_NAMES.get(code, str(name)), url, code == current))
    return links if len(links) > 1 else []


def _translated(request, here: str, code: str) -> str:
    """``here`` (the request's own address) in language ``code``, as Django's ``translate_url``
    makes it, but from the match the request was resolved with rather than resolving it again."""
    match = request.resolver_match
    if match is None:  # answered before its view was found (a middleware's page)
        return translate_url(here, code)
    with override(code):
        try:
            path = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return here
    return urlunsplit(urlsplit(here)._replace(path=path))
