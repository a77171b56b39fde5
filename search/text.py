"""Indonesian text normalisation done in Python, so Elasticsearch and the database fallback
agree: the standard (Sastrawi) stemmer at index time and at query time."""

from __future__ import annotations

import functools
import re

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

_TAGS = re.compile(r"<[^>]+>")


@functools.lru_cache(maxsize=1)
def _stemmer():
    return StemmerFactory().create_stemmer()


@functools.lru_cache(maxsize=4096)
def _stem_word(word: str) -> str:
    return _stemmer().stem(word)


def strip_tags(text: str) -> str:
    return _TAGS.sub(" ", text or "")


def stem(text: str) -> str:
    """Lower-case, strip markup and punctuation, stem each word: 'Penjualan' -> 'jual'."""
    words = re.findall(r"\w+", strip_tags(text).lower())
    return " ".join(_stem_word(w) for w in words)


def query_terms(q: str) -> list[str]:
    return [t for t in stem(q).split() if t]
