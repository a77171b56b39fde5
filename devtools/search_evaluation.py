"""Search quality measurement: graded judgments, nDCG@k and reciprocal rank.

The metrics are pure functions of grades so they can be tested with exact numbers;
``manage.py search_eval`` runs the judged queries through ``search.query.search`` and feeds
the ranked hits here. Grades: 3 perfect, 2 relevant, 1 marginal, 0 (or not judged) not
relevant. Gain is ``2**grade - 1`` and the discount ``log2(rank + 1)`` (Järvelin & Kekäläinen,
the form TREC and most libraries use); the ideal ranking is the judged grades sorted."""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

JUDGMENTS_FILE = Path(__file__).parent / "data" / "judgments.json"
KINDS = ("challenge", "project", "organisation")
GRADES = (1, 2, 3)
# The SearchParams fields a judged query may set besides q.
FILTERS = (
    "types",
    "status",
    "sector",
    "region",
    "agency",
    "incentive",
    "amount_min",
    "amount_max",
    "closes_after",
    "closes_before",
)
_SLUG_URL = re.compile(r"/(challenges|organisations)/([^/?#]+)/?(?:[?#].*)?$")


# Metrics -------------------------------------------------------------------------------------


def gain(grade: int) -> float:
    return float(2**grade - 1)


def dcg(grades: Sequence[int], k: int = 10) -> float:
    """Discounted cumulative gain of the first ``k`` grades, in rank order."""
    return sum(gain(g) / math.log2(rank + 2) for rank, g in enumerate(grades[:k]) if g > 0)


def ndcg(ranked: Sequence[int], judged: Iterable[int], k: int = 10) -> float:
    """nDCG@k: the DCG of the ranked grades over the DCG of the best possible ranking of the
    judged grades. 0.0 when nothing is judged relevant (such queries are refused on loading)."""
    ideal = dcg(sorted((g for g in judged if g > 0), reverse=True), k)
    if ideal == 0:
        return 0.0
    return dcg(ranked, k) / ideal


def reciprocal_rank(ranked: Sequence[int], k: int = 10, min_grade: int = 1) -> float:
    """1/rank of the first result graded ``min_grade`` or better within the first ``k``; 0."""
    for rank, grade in enumerate(ranked[:k], start=1):
        if grade >= min_grade:
            return 1.0 / rank
    return 0.0


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


# Documents and hits --------------------------------------------------------------------------


def document_key(kind: str, url: str, title: str) -> str:
    """How a judgment names a hit: ``challenge:<slug>``, ``organisation:<slug>`` (from the url,
    stable across seeds) and ``project:<title>`` (project urls carry database ids)."""
    if kind == "project":
        return f"project:{title.strip()}"
    match = _SLUG_URL.search(url or "")
    return f"{kind}:{match.group(2) if match else url}"


def ranked_grades(keys: Sequence[str], relevant: Mapping[str, int]) -> list[int]:
    """The grade of each hit in rank order. A document gains once: a repeat scores 0."""
    seen: set[str] = set()
    grades = []
    for key in keys:
        grades.append(0 if key in seen else relevant.get(key, 0))
        seen.add(key)
    return grades


# Judgments -----------------------------------------------------------------------------------


class JudgmentsError(ValueError):
    pass


@dataclass(frozen=True)
class JudgedQuery:
    id: str
    q: str
    relevant: dict[str, int]
    filters: dict[str, object] = field(default_factory=dict)
    category: str = ""
    note: str = ""

    def params(self, size: int = 10):
        """The SearchParams of this query: ranking only (no highlights, facets, suggestions)."""
        from search.query import SearchParams

        values: dict[str, object] = {}
        for name, value in self.filters.items():
            if name == "types":
                value = tuple(value)
            elif name in ("closes_after", "closes_before"):
                value = datetime.date.fromisoformat(value)
            values[name] = value
        return SearchParams(q=self.q, size=size, highlight=False, facets=False, suggest=False, **values)

    def describe(self) -> str:
        filters = " ".join(
            f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in self.filters.items()
        )
        return f"{self.q!r} {filters}".strip()


def parse_judgments(data: Mapping) -> list[JudgedQuery]:
    """Validate and read the judgments file's contents."""
    entries = data.get("queries") if isinstance(data, Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise JudgmentsError("the file needs a non-empty 'queries' list")
    queries: list[JudgedQuery] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries):
        where = f"query {position} ({entry.get('id', '?') if isinstance(entry, Mapping) else '?'})"
        if not isinstance(entry, Mapping):
            raise JudgmentsError(f"{where}: not an object")
        query_id = str(entry.get("id") or "")
        if not query_id or query_id in seen:
            raise JudgmentsError(f"{where}: missing or repeated id")
        seen.add(query_id)
        q = entry.get("q")
        if not isinstance(q, str):
            raise JudgmentsError(f"{where}: 'q' must be a string")
        relevant = entry.get("relevant")
        if not isinstance(relevant, Mapping) or not relevant:
            raise JudgmentsError(f"{where}: 'relevant' must name at least one document")
        for key, grade in relevant.items():
            kind, _, rest = str(key).partition(":")
            if kind not in KINDS or not rest:
                raise JudgmentsError(f"{where}: {key!r} is not '<kind>:<slug-or-title>'")
            if grade not in GRADES:
                raise JudgmentsError(f"{where}: grade of {key!r} must be one of {GRADES}")
        filters = entry.get("filters") or {}
        if not isinstance(filters, Mapping):
            raise JudgmentsError(f"{where}: 'filters' must be an object")
        unknown = sorted(set(filters) - set(FILTERS))
        if unknown:
            raise JudgmentsError(f"{where}: unknown filters {unknown}; allowed: {', '.join(FILTERS)}")
        if "types" in filters and (
            not isinstance(filters["types"], list) or not set(filters["types"]) <= set(KINDS)
        ):
            raise JudgmentsError(f"{where}: 'types' must be a list of {KINDS}")
        queries.append(
            JudgedQuery(
                id=query_id,
                q=q,
                relevant={str(k): int(v) for k, v in relevant.items()},
                filters=dict(filters),
                category=str(entry.get("category") or ""),
                note=str(entry.get("note") or ""),
            )
        )
    return queries


def load_judgments(path: str | Path = JUDGMENTS_FILE) -> list[JudgedQuery]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise JudgmentsError(f"cannot read {path}: {exc}") from exc
    return parse_judgments(data)


# One query's outcome -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryResult:
    query: JudgedQuery
    keys: list[str]  # the hits, in rank order
    ndcg: float
    rr: float

    @property
    def missing(self) -> list[str]:
        """Judged documents (best first) that are not among the hits."""
        found = set(self.keys)
        return sorted(
            (k for k in self.query.relevant if k not in found), key=lambda k: (-self.query.relevant[k], k)
        )


def score(query: JudgedQuery, keys: Sequence[str], k: int = 10) -> QueryResult:
    grades = ranked_grades(keys, query.relevant)
    return QueryResult(
        query=query,
        keys=list(keys),
        ndcg=ndcg(grades, query.relevant.values(), k),
        rr=reciprocal_rank(grades, k),
    )
