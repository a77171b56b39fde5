"""``{% load public_parts %}``: a part of a public page, made once and kept until what it shows
changes, for everybody who reads it, signed in or not.

    {% public_part "challenge-list" list_key until=list_until %}
      … the count, the filters' form, the cards, the pages …
    {% endpublic_part %}

The part is kept (``core.page_cache.remembered``) under the name, the values after it, the
language and the time zone, until the next public write, or until ``until`` (resolved after the
part is made, so it may read what the part read; None: no limit of its own). A value after the
name that is None means this part cannot be named and is made each time.

A part cannot be personal: on a page whose view says it shows what is published
(``PUBLIC_PARTS``) a part is always made from the page's values without the request, the user,
their permissions, their messages or the CSRF token, kept or not, so that a test of the page
without the cache sees exactly what a kept part would show. Elsewhere (a preview, a draft, the
page an insider sees with their own forms) the part is neither kept nor cut off: it is the
page as it is."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import NamedTuple

from django import template
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from core import page_cache

register = template.Library()

# A view puts ``{PUBLIC_PARTS: True}`` in its context when the page shows what is published.
PUBLIC_PARTS = "keep_public_parts"
# Nothing that says who is reading reaches a part.
PERSONAL_NAMES = frozenset({"request", "user", "perms", "csrf_token", "messages", "DEFAULT_MESSAGE_LEVELS"})


class PublicPartNode(template.Node):
    def __init__(self, name, vary, until, nodelist) -> None:
        self.name, self.vary, self.until, self.nodelist = name, vary, until, nodelist

    def render(self, context) -> SafeString:
        if not context.get(PUBLIC_PARTS):  # a preview, a draft, an insider's page: as it is
            return self.nodelist.render(context)
        name = self.name.resolve(context)
        vary = [value.resolve(context) for value in self.vary]

        def made() -> tuple[object, datetime.datetime | None]:
            part = _without_reader(context)
            html = self.nodelist.render(part)
            return str(html), self.until.resolve(part) if self.until is not None else None

        return mark_safe(str(kept(name, vary, made)))


def kept(name: str, vary: list, make: Callable[[], tuple[object, datetime.datetime | None]]) -> object:
    """What ``make()`` makes, kept as the tag keeps a part: under ``name``, ``vary``, the
    language and the time zone, until the next public write or the moment ``make`` returned
    beside it (``(value, until)``; an ``until`` already past: not kept). For a view whose kept
    part is more than one piece of HTML (the search page: its title too). A value of ``vary``
    that is None: made each time. ``make`` must read nothing that says who is reading."""
    if any(value is None for value in vary):
        return make()[0]
    key = part_key(name, vary)
    made = page_cache.remembered(key, make, holds=page_cache.holds_until, keep=page_cache.holds_until)
    return made[0]  # type: ignore[index]


def part_key(name: str, vary: list) -> str:
    """The name a part is kept under (``kept``), in the current language and time zone: for
    ``page_cache.read_along``, so that the part comes with an earlier round trip to the cache."""
    return ":".join(
        (
            "part",
            str(name),
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            page_cache.digest([str(value) for value in vary]),
        )
    )


class PageBody(NamedTuple):
    """A page's content as every reader it is kept for sees it (``kept_body``), with what the
    page's head says of it."""

    html: str
    title: str
    description: str

    def context(self) -> dict:
        """For the page's template: ``{{ body }}`` inside the site's header and footer."""
        return {"body": mark_safe(self.html), "page_title": self.title, "page_description": self.description}


def kept_body(
    name: str,
    vary: list,
    template_name: str,
    make: Callable[[], tuple[dict, datetime.datetime | None] | None],
) -> PageBody | None:
    """A page's whole content, ``template_name`` rendered with the context ``make()`` returns
    beside until when it holds, kept as ``kept`` keeps it; None (not kept) when ``make`` finds
    nothing at this address. The context names the head's ``page_title`` and, if it has one,
    ``page_description``. Rendered without a request: nothing in it says who reads it."""

    def made() -> tuple[object, datetime.datetime | None]:
        found = make()
        if found is None:
            return None, timezone.now()  # already past: an address of nothing is not kept
        context, until = found
        html = render_to_string(template_name, context)
        return PageBody(html, str(context["page_title"]), str(context.get("page_description", ""))), until

    return kept(name, vary, made)  # type: ignore[return-value]


def _without_reader(context):
    values = {name: value for name, value in context.flatten().items() if name not in PERSONAL_NAMES}
    part = context.new(values)
    if hasattr(part, "request"):  # a RequestContext keeps the request beside its values
        part.request = None
    return part


@register.tag("public_part")
def public_part(parser, token) -> PublicPartNode:
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("public_part needs a name")
    until = None
    vary = []
    for bit in bits[1:]:
        if bit.startswith("until="):
            until = parser.compile_filter(bit.removeprefix("until="))
        else:
            vary.append(parser.compile_filter(bit))
    nodelist = parser.parse(("endpublic_part",))
    parser.delete_first_token()
    return PublicPartNode(parser.compile_filter(bits[0]), vary, until, nodelist)
