"""``{% anonymous_site_nav %}``: the main navigation of a reader who is not signed in.

It is the same on every page of one name in one language (no data, only the site's addresses and
its translations, which change only with a new release), so each process makes it once per page
name and language instead of on every request."""

from __future__ import annotations

import functools

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def anonymous_site_nav(context) -> SafeString:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return _made(get_language(), get_script_prefix(), match.url_name if match else None)


@functools.lru_cache(maxsize=256)
def _made(language: str | None, script_prefix: str, current: str | None) -> SafeString:
    # ``language`` and ``script_prefix`` name what the addresses and words depend on.
    return mark_safe(render_to_string("includes/site_nav.html", {"current": current}))
