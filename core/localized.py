"""Public text in the reader's language: the one way every app reads a text with English twins.

A model (or any object) that editors give in Bahasa Indonesia and, optionally, in English keeps
one attribute per language: ``title`` for Bahasa Indonesia (the site's default language) and
``title_en`` for English. ``localized(obj, "title")`` returns the text for the active language
and says whether it fell back to Bahasa Indonesia because no English was given; the
``{% localized %}`` template tag (``core/templatetags/localized.py``) renders that fallback
marked ``lang="id"`` with a visible "(Bahasa Indonesia)" note. One page tree, one row per
object: proposals, funds and ledger references keep keying on the same primary keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def is_blank(value: Any) -> bool:
    """Whether an English twin counts as not given: None, whitespace, a rich-text field holding
    only empty markup (``<p></p>``), an empty StreamField."""
    if value is None:
        return True
    if isinstance(value, str):
        return not strip_tags(value).strip()
    try:
        return len(value) == 0
    except TypeError:
        return False


def twin_name(field: str, language: str) -> str:
    return f"{field}_{language.split('-')[0]}"


def content_language(language: str | None = None) -> str:
    """The language code the site's own text is in (``id``) or the active one (``en``)."""
    language = language or get_language() or settings.LANGUAGE_CODE
    return language.split("-")[0]


@dataclass(frozen=True)
class Localized:
    """A text for the reader: ``text`` in ``lang``; ``is_fallback`` when the reader asked for
    another language that was not given. Rendered in a template (``{{ value }}``) it is the
    escaped text, marked ``lang="id"`` with its note when it is a fallback."""

    text: Any
    is_fallback: bool
    lang: str

    def __str__(self) -> str:
        return "" if self.text is None else str(self.text)

    def __bool__(self) -> bool:
        return not is_blank(self.text)

    def __html__(self) -> SafeString:
        # str(self): format_html would call this method again on the object itself.
        if not self.is_fallback:
            return escape(str(self))
        return format_html('<span lang="{}">{}</span> {}', self.lang, str(self), self.note)

    @property
    def lang_attr(self) -> SafeString:
        """`` lang="id"`` for an element holding a fallback text (empty otherwise)."""
        return format_html(' lang="{}"', self.lang) if self.is_fallback else mark_safe("")

    @property
    def note(self) -> SafeString:
        """The visible note beside a fallback text (empty otherwise)."""
        if not self.is_fallback:
            return mark_safe("")
        return format_html('<span class="lang-note">{}</span>', _("(Bahasa Indonesia)"))


def localized(obj: Any, field: str, language: str | None = None) -> Localized:
    """``obj.<field>`` in the active (or given) language: its ``<field>_<lang>`` twin where one
    is given, else the default-language text with ``is_fallback`` set. The default language
    always reads the field itself, never a twin."""
    default = content_language(settings.LANGUAGE_CODE)
    language = content_language(language)
    original = getattr(obj, field)
    if language == default:
        return Localized(original, False, default)
    twin = getattr(obj, twin_name(field, language), None)
    if not is_blank(twin):
        return Localized(twin, False, language)
    return Localized(original, not is_blank(original), default)


def localized_text(obj: Any, field: str, language: str | None = None) -> str:
    """Just the text (for plain-text places: ``<title>``, meta descriptions, CSV, e-mail)."""
    return str(localized(obj, field, language))
