"""The domain synonym list (search/data/synonyms.txt), for both engines.

Both engines expand the stemmed query with ``expand`` when searching (not when indexing), so
they agree and a change to the list needs no reindex: a query for "UMKM" also finds "usaha
mikro kecil menengah" and "SME"."""

from __future__ import annotations

import functools
from pathlib import Path

from search.text import fold, stem

SYNONYMS_FILE = Path(__file__).parent / "data" / "synonyms.txt"


@functools.lru_cache(maxsize=1)
def groups() -> tuple[tuple[str, ...], ...]:
    """Each group of equivalent phrases, lower-cased and ascii-folded."""
    result = []
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        phrases = tuple(dict.fromkeys(fold(p) for p in line.split(",") if p.strip()))
        if len(phrases) > 1:
            result.append(phrases)
    return tuple(result)


@functools.lru_cache(maxsize=1)
def stemmed_groups() -> tuple[tuple[str, ...], ...]:
    result = []
    for group in groups():
        phrases = tuple(dict.fromkeys(stem(p) for p in group if stem(p)))
        if len(phrases) > 1:
            result.append(phrases)
    return tuple(result)


def expand(stemmed_terms: list[str]) -> list[list[str]]:
    """Group the stemmed query terms into alternatives: each inner list is one concept, any of
    whose phrases (space-separated words, stemmed) may match. Longest synonym phrases first."""
    index: dict[str, tuple[str, ...]] = {}
    for group in stemmed_groups():
        for phrase in group:
            index[phrase] = group
    longest = max((len(p.split()) for p in index), default=1)
    concepts: list[list[str]] = []
    position = 0
    while position < len(stemmed_terms):
        for size in range(min(longest, len(stemmed_terms) - position), 0, -1):
            phrase = " ".join(stemmed_terms[position : position + size])
            if phrase in index:
                concepts.append(list(index[phrase]))
                position += size
                break
        else:
            concepts.append([stemmed_terms[position]])
            position += 1
    return concepts
