"""``{% load localized %}``: public text in the reader's language (``core.localized``).

``{% localized challenge "title" %}`` renders the English twin under /en/ or, where none was
given, the Indonesian text as ``<span lang="id">…</span>`` with a "(Bahasa Indonesia)" note.
``{% localized challenge "body" as body %}`` gives the ``Localized`` value to lay out a block
yourself: ``body.text``, ``body.lang_attr`` on the element holding it, ``body.note`` after it."""

from __future__ import annotations

from django import template

from core.localized import Localized, localized_text
from core.localized import localized as localized_value

register = template.Library()


@register.simple_tag(name="localized")
def localized_tag(obj, field: str) -> Localized | str:
    if obj is None or obj == "":
        return ""
    return localized_value(obj, field)


@register.filter(name="localized_text")
def localized_text_filter(obj, field: str) -> str:
    """``{{ milestone|localized_text:"title" }}``: just the text, no markup (inside sentences,
    attributes, ``<title>``)."""
    if obj is None or obj == "":
        return ""
    return localized_text(obj, field)
