"""Indonesian text normalisation done in Python, so Elasticsearch and the database fallback
agree: the standard (Sastrawi) stemmer at index time and at query time, cached per word."""

from __future__ import annotations

import functools
import re
import unicodedata

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

_TAGS = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=1)
def _stemmer():
    return StemmerFactory().create_stemmer()


# Sastrawi costs about 0.1 ms a word; documents repeat words, so a large cache pays.
@functools.lru_cache(maxsize=200_000)
def stem_word(word: str) -> str:
    if len(word) <= 3 or word.isdigit():
        return word
    return _stemmer().stem(word) or word


def strip_tags(text: str) -> str:
    return _TAGS.sub(" ", text or "")


def fold(text: str) -> str:
    """Lower-case and drop accents: 'Café' -> 'cafe'."""
    text = text or ""
    if text.isascii():  # most text: nothing to decompose
        return text.lower().strip()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(strip_tags(text)))


def stem(text: str) -> str:
    """Fold, strip markup and punctuation, stem each word: 'Penjualan' -> 'jual'."""
    return " ".join(stem_word(w) for w in words(text))


def query_terms(q: str) -> list[str]:
    return [t for t in stem(q).split() if t]
