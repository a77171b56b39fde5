"""The fallback's weighted tsvector, written in Python as PostgreSQL would compute it.

``indexing.VECTOR_SQL`` has PostgreSQL parse the stemmed title and text with
``to_tsvector('simple', …)``: most of the database's time when the copy is loaded. The text
is already split and stemmed here, so for the usual document, plain words and numbers, the
vector is only each word with its positions. ``weighted_vector`` writes that as a tsvector
literal, which PostgreSQL reads about three times faster than it parses the text, and returns
None where PostgreSQL's parser or limits could make a different vector, so that the database
computes those itself. ``tests/search/test_vectors.py`` holds the two to the same result."""

from __future__ import annotations

import re

# Tokens PostgreSQL's default parser keeps whole, as they are: a word starting with a letter
# ("abc", "a1e5") or a number ("2026"). A number followed by letters is not one of them: it
# may be split ("1e5abc" is "1e5" and "abc").
_PLAIN_TOKENS = re.compile(r"[ \t\n\r]*(?:(?:[a-z][a-z0-9]*|[0-9]+)(?:[ \t\n\r]+|\Z))*")

# PostgreSQL's limits: positions up to 16,383, 255 positions of one word in a to_tsvector,
# words shorter than 2,047 bytes. Within them nothing is capped, dropped or truncated.
_LAST_POSITION = 16_383
_POSITIONS_OF_A_WORD = 255
_LONGEST_WORD = 2_000


def weighted_vector(title: str, text: str) -> str | None:
    """``setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple',
    text), 'D')`` as a tsvector literal, or None when PostgreSQL should compute it."""
    title_words, text_words = title.split(), text.split()
    if len(title_words) + len(text_words) > _LAST_POSITION:
        return None
    if not (_plain(title) and _plain(text)):
        return None
    positions: dict[str, list[str]] = {}
    for position, word in enumerate(title_words, 1):
        positions.setdefault(word, []).append(f"{position}A")
    # The text's positions follow the title's, as the concatenation shifts them.
    for position, word in enumerate(text_words, len(title_words) + 1):
        positions.setdefault(word, []).append(str(position))
    if any(len(each) > _POSITIONS_OF_A_WORD for each in positions.values()):
        return None
    if any(len(word) >= _LONGEST_WORD for word in positions):
        return None
    return " ".join([f"{word}:{','.join(each)}" for word, each in positions.items()])


def _plain(text: str) -> bool:
    return text.isascii() and _PLAIN_TOKENS.fullmatch(text) is not None
