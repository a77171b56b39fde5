"""The database engine: answers from SearchEntry, the copy of the search documents.

PostgreSQL: full-text search over Python-stemmed text (``simple`` configuration, weighted
title), synonyms expanded from the same list as Elasticsearch, typos corrected against the
vocabulary with trigram similarity. SQLite (the embedded default): substring matching of the
stemmed words, typos corrected with difflib. Same result shape as Elasticsearch."""

from __future__ import annotations

import datetime
import difflib
import re

from django.db import connection
from django.db.models import Count, Exists, F, FloatField, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape

from search import synonyms
from search.models import SearchEntry, SearchFacetValue, SearchTerm
from search.query import (
    FEW_RESULTS,
    STATUSES,
    FacetBucket,
    SearchHit,
    SearchPage,
    SearchParams,
    decode_cursor,
    encode_cursor,
)
from search.text import fold, query_terms, stem, stem_word, words

BACKEND = "database"
FACET_SIZE = 50
SIMILARITY = 0.3  # trigram similarity a correction needs: one wrong letter in six


def _postgres() -> bool:
    return connection.vendor == "postgresql"


# Text ----------------------------------------------------------------------------------------


def concepts_for(q: str) -> list[list[str]]:
    """The stemmed query as concepts (each a list of alternative phrases, synonyms included)."""
    return synonyms.expand(query_terms(q))


def tsquery(concepts: list[list[str]], match_any: bool) -> str:
    def phrase(alternative: str) -> str:
        parts = [re.sub(r"\W", "", w) for w in alternative.split()]
        # Whole stems only: the GIN index then answers exactly, without rechecking rows.
        return " <-> ".join(p for p in parts if p)

    groups = []
    for alternatives in concepts:
        options = [phrase(a) for a in alternatives if phrase(a)]
        if options:
            groups.append("(" + " | ".join(options) + ")")
    return (" | " if match_any else " & ").join(groups)


def _filter_text(queryset: QuerySet, concepts, match_any: bool) -> QuerySet:
    if _postgres():
        # The GIN index on ``vector`` serves this; the tsquery is built from \w words only.
        return queryset.extra(  # noqa: S610 - the query is a bound parameter
            where=["vector @@ to_tsquery('simple'::regconfig, %s)"], params=[tsquery(concepts, match_any)]
        )
    condition = Q()
    for alternatives in concepts:
        any_of = Q()
        for alternative in alternatives:
            any_of |= Q(stemmed__contains=alternative)
        condition = (condition | any_of) if match_any else (condition & any_of)
    return queryset.filter(condition)


# Filters -------------------------------------------------------------------------------------


def status_condition(status: str, now: datetime.datetime) -> Q:
    """The same rule as marketplace's ``derive_status``."""
    from marketplace.models.challenges import closing_soon_window

    if status in ("awarded", "closed"):
        return Q(kind="challenge", decided=status)
    undecided = Q(kind="challenge") & ~Q(decided__in=["awarded", "closed"])
    soon = now + closing_soon_window()
    return (
        undecided
        & {
            "upcoming": Q(opens_at__gt=now),
            "open": Q(opens_at__lte=now, closes_at__gt=now),
            "closing_soon": Q(opens_at__lte=now, closes_at__gt=now, closes_at__lte=soon),
            "in_review": Q(closes_at__lte=now),
        }[status]
    )


def base_queryset(params: SearchParams) -> QuerySet:
    entries = SearchEntry.objects.filter(kind__in=params.kinds())
    if params.ids:
        entries = entries.filter(object_id__in=params.ids)
    if params.agency:
        entries = entries.filter(agency=params.agency)
    if params.amount_min is not None:
        entries = entries.filter(amount__gte=params.amount_min)
    if params.amount_max is not None:
        entries = entries.filter(amount__lte=params.amount_max)
    if params.closes_after:
        entries = entries.filter(closes_at__date__gte=params.closes_after)
    if params.closes_before:
        entries = entries.filter(closes_at__date__lte=params.closes_before)
    return entries


def _has_value(facet: str, value: str) -> Exists:
    return Exists(SearchFacetValue.objects.filter(entry=OuterRef("pk"), facet=facet, value=value))


def facet_conditions(params: SearchParams) -> dict[str, Q | Exists]:
    conditions: dict[str, Q | Exists] = {}
    if params.types:
        conditions["type"] = Q(kind__in=params.types)
    if params.status:
        conditions["status"] = status_condition(params.status, params.at())
    if params.region:
        conditions["region"] = Q(region=params.region)
    if params.sector:
        conditions["sector"] = _has_value("sector", params.sector)
    if params.incentive:
        conditions["incentive"] = _has_value("incentive", params.incentive)
    return conditions


# The search ----------------------------------------------------------------------------------


def search(params: SearchParams) -> SearchPage:
    q = params.q.strip()
    concepts = concepts_for(q) if q else []
    suggestion = ""
    matched = _matching(params, concepts)
    if q and (params.fuzzy or params.suggest):
        few = len(matched.values_list("pk")[:FEW_RESULTS])  # stops at three: cheap
        corrected_q = correct(q) if few < FEW_RESULTS else ""
        if corrected_q:
            suggestion = corrected_q
            if params.fuzzy and few == 0:
                concepts = concepts_for(corrected_q)
                matched = _matching(params, concepts)
    hits, next_after = _page(params, matched, concepts)
    facets = _facets(params, concepts) if params.facets else {}
    # With no type chosen, the type facet counts exactly the matches: no second count.
    total = sum(b.count for b in facets["type"]) if facets and not params.types else matched.count()
    return SearchPage(
        hits=hits,
        total=total,
        backend=BACKEND,
        facets=facets,
        suggestion=suggestion if params.suggest else "",
        next_after=next_after,
    )


def _matching(params: SearchParams, concepts) -> QuerySet:
    entries = base_queryset(params)
    if concepts:
        entries = _filter_text(entries, concepts, params.match_any)
    for condition in facet_conditions(params).values():
        entries = entries.filter(condition)
    return entries


def _sort(params: SearchParams, has_text: bool) -> tuple[str, list]:
    sort = params.sort if has_text or params.sort != "relevance" else "newest"
    return sort, {
        "relevance": [F("rank").desc(), "kind", "object_id"],
        "closes": [F("closes_at").asc(nulls_last=True), "kind", "object_id"],
        "amount": [F("amount").desc(nulls_last=True), "kind", "object_id"],
        "newest": [F("date").desc(nulls_last=True), "kind", "object_id"],
    }[sort]


def _page(params: SearchParams, matched: QuerySet, concepts) -> tuple[list[SearchHit], str]:
    size = params.page_size()
    sort, ordering = _sort(params, bool(concepts))
    entries = matched
    if sort == "relevance":
        entries = entries.annotate(rank=_rank(concepts, params.match_any))
    entries = entries.order_by(*ordering)
    offset = _offset(params.after)
    fields = ["kind", "object_id", "title", "url", "snippet", "region", "amount", "closes_at"]
    rows = list(entries.values(*fields, *(["rank"] if sort == "relevance" else []))[offset : offset + size])
    sectors = _sector_values([r["object_id"] for r in rows], rows)
    stems = {w for c in concepts for a in c for w in a.split()}
    hits = [
        SearchHit(
            kind=r["kind"],
            object_id=r["object_id"],
            title=r["title"],
            url=r["url"],
            snippet=highlight(r["snippet"], stems) if params.highlight and stems else escape(r["snippet"]),
            score=float(r.get("rank") or 0.0),
            region=r["region"],
            sectors=sectors.get((r["kind"], r["object_id"]), ()),
            amount=r["amount"],
            closes_at=r["closes_at"],
        )
        for r in rows
    ]
    next_after = encode_cursor([offset + size]) if len(rows) == size else ""
    return hits, next_after


def _offset(after: str) -> int:
    """The database engine pages by offset inside the same opaque cursor."""
    values = decode_cursor(after)
    if values and len(values) == 1 and isinstance(values[0], int) and values[0] >= 0:
        return values[0]
    return 0


def _rank(concepts, match_any: bool):
    if _postgres():
        return RawSQL(
            "ts_rank(vector, to_tsquery('simple'::regconfig, %s))",
            [tsquery(concepts, match_any)],
            output_field=FloatField(),
        )
    from django.db.models import Case, Value, When

    # SQLite: a title match counts more than a match elsewhere.
    first = concepts[0] if concepts else []
    title = Q()
    for alternative in first:
        title |= Q(stemmed_title__contains=alternative)
    return Case(When(title, then=Value(1.0)), default=Value(0.5), output_field=FloatField())


def _sector_values(object_ids, rows) -> dict[tuple[str, int], tuple[str, ...]]:
    if not rows:
        return {}
    values: dict[tuple[str, int], list[str]] = {}
    keys = {(r["kind"], r["object_id"]) for r in rows}
    for kind, object_id, value in SearchFacetValue.objects.filter(
        facet="sector", entry__object_id__in=object_ids
    ).values_list("entry__kind", "entry__object_id", "value"):
        if (kind, object_id) in keys:
            values.setdefault((kind, object_id), []).append(value)
    return {key: tuple(v) for key, v in values.items()}


def highlight(text: str, stems: set[str]) -> str:
    """Escape the snippet and mark the words whose stem the query has."""
    parts = re.split(r"(\w+)", text)
    marked = []
    for index, part in enumerate(parts):
        if index % 2 and (stem_word(fold(part)) in stems or fold(part) in stems):
            marked.append(f"<mark>{escape(part)}</mark>")
        else:
            marked.append(escape(part))
    return "".join(marked)


# Facets: each counted with every other active filter, not its own (like post_filter) -------


def _facets(params: SearchParams, concepts) -> dict[str, list[FacetBucket]]:
    conditions = facet_conditions(params)
    base = base_queryset(params)
    if concepts:
        base = _filter_text(base, concepts, params.match_any)

    def without(name: str) -> QuerySet:
        entries = base
        for other, condition in conditions.items():
            if other != name:
                entries = entries.filter(condition)
        return entries

    selected = params.selected_values()
    counts: dict[str, list[tuple[str, int]]] = {}
    counts["type"] = list(without("type").values_list("kind").annotate(n=Count("id")).order_by("-n", "kind"))
    counts["region"] = list(
        without("region")
        .exclude(region="")
        .values_list("region")
        .annotate(n=Count("id"))
        .order_by("-n", "region")
    )
    for name in ("sector", "incentive"):
        counts[name] = list(
            SearchFacetValue.objects.filter(facet=name, entry__in=without(name).values("pk"))
            .values_list("value")
            .annotate(n=Count("id"))
            .order_by("-n", "value")[:FACET_SIZE]
        )
    now = params.at()
    status_counts = without("status").aggregate(
        **{s: Count("id", filter=status_condition(s, now)) for s in STATUSES}
    )
    counts["status"] = [(s, status_counts[s]) for s in STATUSES]
    return {
        name: [
            FacetBucket(value=value, count=n, selected=value in selected[name])
            for value, n in pairs
            if n or value in selected[name]
        ]
        for name, pairs in counts.items()
    }


# Spelling ------------------------------------------------------------------------------------


def correct(q: str) -> str:
    """The query with each word the documents do not have replaced by the closest word they
    do have; "" when nothing changes."""
    typed = words(q)
    if not typed:
        return ""
    known = set(SearchTerm.objects.filter(word__in=typed).values_list("word", flat=True))
    corrected = []
    for word in typed:
        if word in known or len(word) < 4 or word.isdigit() or _known_stem(word):
            corrected.append(word)
        else:
            corrected.append(_closest(word) or word)
    result = " ".join(corrected)
    return result if result != " ".join(typed) else ""


def _known_stem(word: str) -> bool:
    # "membayar" is fine when the documents say "pembayaran": both stem to "bayar".
    stemmed = re.sub(r"\W", "", stem(word))
    return bool(stemmed) and _filter_text(SearchEntry.objects.all(), [[stemmed]], False).exists()


def _closest(word: str) -> str:
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_limit(%s)", [SIMILARITY])
            cursor.execute(
                "SELECT word FROM marketsearch_searchterm WHERE word %% %s "
                "ORDER BY similarity(word, %s) DESC, documents DESC, word LIMIT 1",
                [word, word],
            )
            row = cursor.fetchone()
        return row[0] if row else ""
    candidates = list(
        SearchTerm.objects.filter(word__startswith=word[:1]).values_list("word", flat=True)[:20000]
    )
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
    return matches[0] if matches else ""


# Autocomplete --------------------------------------------------------------------------------


def autocomplete(prefix: str, limit: int) -> list[SearchHit]:
    typed = words(prefix)
    if not typed or len(prefix.strip()) < 2:
        return []
    condition = Q()
    for word in typed:
        condition &= Q(title__istartswith=word) | Q(title__icontains=f" {word}")
    rows = (
        SearchEntry.objects.filter(condition)
        .order_by("kind", "title")
        .values("kind", "object_id", "title", "url")[:limit]
    )
    return [
        SearchHit(kind=r["kind"], object_id=r["object_id"], title=r["title"], url=r["url"], snippet="")
        for r in rows
    ]
