"""The database engine: answers from SearchEntry, the copy of the search documents.

PostgreSQL: full-text search over Python-stemmed text (``simple`` configuration, weighted
title), synonyms expanded from the same list as Elasticsearch, typos corrected against the
vocabulary with trigram similarity. SQLite (the embedded default): substring matching of the
stemmed words, typos corrected with difflib. Same result shape as Elasticsearch."""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape

from search import registry, synonyms
from search.models import SearchEntry, SearchTerm, delimited, undelimited
from search.params import DECIDED, closing_soon_window
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
# For the search statement only (SET LOCAL): hash the counts in memory instead of sorting on
# disk; do not compile the plan (JIT costs about 25 ms, more than it saves here); and price
# random reads as the cached reads they are, so that a word in a few thousand documents is
# found through the GIN index (25 ms) rather than by testing every row (100 ms at 100,000).
STATEMENT_SETTINGS = ("work_mem = '32MB'", "jit = off", "random_page_cost = 1.1")
# With words: always match through the GIN index. The planner prices testing the query on each
# row far below its cost; for a query of several words and synonyms the index is faster even
# at 77 % of the documents (88 ms instead of 140), and only a single word in nearly every
# document is slower (115 ms instead of 90).
TEXT_SETTINGS = ("enable_seqscan = off",)
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
    """The challenges' status rule (``search.params.STATUSES``), on the copy's columns."""
    if status in DECIDED:
        return Q(kind="challenge", decided=status)
    undecided = Q(kind="challenge") & ~Q(decided__in=DECIDED)
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
    kinds = params.kinds()
    entries = SearchEntry.objects.all()
    if set(kinds) != set(registry.kinds()):
        # Only some kinds (a filter only they have): otherwise every row is of a searched kind,
        # and a condition on it would make the counts read every matching row.
        entries = entries.filter(kind__in=kinds)
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


def facet_conditions(params: SearchParams, indexed: bool = False) -> dict[str, Q]:
    """Each active facet's condition. ``indexed`` (PostgreSQL, on the table itself): sectors
    and incentive kinds through ``facet_vector`` (in the GIN index) rather than their columns."""
    conditions: dict[str, Q] = {}
    if params.types:
        conditions["type"] = Q(kind__in=params.types)
    if params.status:
        conditions["status"] = status_condition(params.status, params.at())
    if params.region:
        conditions["region"] = Q(region=params.region)
    if params.sector:
        conditions["sector"] = (
            _has_facet_lexeme(f"sector:{params.sector}")
            if indexed
            else Q(sectors__contains=delimited([params.sector]))
        )
    if params.incentive:
        conditions["incentive"] = (
            _has_facet_lexeme(f"incentive:{params.incentive}")
            if indexed
            else Q(incentives__contains=delimited([params.incentive]))
        )
    return conditions


def _has_facet_lexeme(lexeme: str) -> Q:
    # quote_literal: the value as one quoted lexeme, whatever it contains.
    return Q(RawSQL("facet_vector @@ quote_literal(%s)::tsquery", [lexeme], output_field=BooleanField()))


# The search ----------------------------------------------------------------------------------


@dataclass
class Matches:
    """What one pass over the matching documents yields: the page (entry ids with their
    scores, in order), how many match every filter, and each facet's counts."""

    page: list[tuple[int, float]]
    total: int
    counts: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    total_exact: bool = True  # False: more than ``total - 1`` match (SEARCH_COUNT_LIMIT)
    facets_estimated: bool = False  # counted over a sample of the documents
    objects: list[tuple[str, int]] = field(default_factory=list)  # the page's (kind, object id)


def search(params: SearchParams) -> SearchPage:
    q = params.q.strip()
    concepts = concepts_for(q) if q else []
    suggestion = ""
    matches = _matches(params, concepts)
    if q and (params.fuzzy or params.suggest) and matches.total < FEW_RESULTS:
        corrected_q = correct(q)
        if corrected_q:
            suggestion = corrected_q
            if params.fuzzy and matches.total == 0:
                concepts = concepts_for(corrected_q)
                matches = _matches(params, concepts)
    offset, size = _offset(params.after), params.page_size()
    return SearchPage(
        hits=_ids_only(matches) if params.ids_only else _hits(params, matches.page, concepts),
        total=matches.total,
        total_exact=matches.total_exact,
        facets_estimated=matches.facets_estimated,
        backend=BACKEND,
        facets=_buckets(params, matches.counts) if params.facets else {},
        suggestion=suggestion if params.suggest else "",
        next_after=encode_cursor([offset + size]) if len(matches.page) == size else "",
    )


def _matches(params: SearchParams, concepts) -> Matches:
    return _matches_postgres(params, concepts) if _postgres() else _matches_portable(params, concepts)


def _text_matches(params: SearchParams, concepts) -> QuerySet:
    """The documents the words and the fixed filters (not the facets) select."""
    entries = base_queryset(params)
    if concepts:
        entries = _filter_text(entries, concepts, params.match_any)
    return entries


def _sort(params: SearchParams, has_text: bool) -> str:
    return params.sort if has_text or params.sort != "relevance" else "newest"


# Each sort's order; ties broken by kind and id so that pages never overlap.
ORDER_SQL = {
    "relevance": "rank DESC, kind, object_id",
    "closes": "closes_at ASC NULLS LAST, kind, object_id",
    "amount": "amount DESC NULLS LAST, kind, object_id",
    "newest": "date DESC NULLS LAST, kind, object_id",
}
ORDER_ORM = {
    "relevance": [F("rank").desc(), "kind", "object_id"],
    "closes": [F("closes_at").asc(nulls_last=True), "kind", "object_id"],
    "amount": [F("amount").desc(nulls_last=True), "kind", "object_id"],
    "newest": [F("date").desc(nulls_last=True), "kind", "object_id"],
}
# What the page, the total and the facets read from each matching document.
MATCH_COLUMNS = (
    "id", "kind", "object_id", "region", "sectors", "incentives", "opens_at", "closes_at", "decided",
    "amount", "date",
)  # fmt: skip
MULTI_VALUED = {"sector": "sectors", "incentive": "incentives"}

Sql = tuple[str, list]
# A page row's value: the entry, then what it is about ("12 challenge 345").
PAGE_VALUE = "id::text || ' ' || kind || ' ' || object_id::text"


def _matches_postgres(params: SearchParams, concepts) -> Matches:
    """First, how many documents the words and fixed filters select (``matching``) and how
    many pass every filter too, each counted up to a limit (``LIMIT`` in the count). Up to
    EXACT_LIMIT documents the search is exact, in one statement (``_exact_statement``); beyond,
    its cost is bounded (``_bounded_statement``): the page is ranked over bounded candidates
    and the facets are estimated from a sample. The total is exact up to SEARCH_COUNT_LIMIT
    (10,000) and "10.000+" beyond."""
    limit = count_limit()
    sort = _sort(params, bool(concepts))
    matching = _text_matches(params, concepts)
    conditions = {name: _column_sql(condition) for name, condition in facet_conditions(params).items()}
    # With words, the filters the GIN index holds go through it; without, through the covering
    # index of the facet columns (an index-only scan), as the exact statement reads them.
    indexed = facet_conditions(params, indexed=bool(concepts))
    if not params.facets and conditions:
        # Nothing is counted per facet: every filter (the kind first) narrows the match itself,
        # before anything is ranked, and the GIN index (kind, region, facets, words) serves it.
        for condition in indexed.values():
            matching = matching.filter(condition)
        conditions = {}

    def where(without: str = "") -> Sql:
        chosen = [sql for name, sql in conditions.items() if name != without]
        return " AND ".join(sql for sql, _ in chosen) or "TRUE", [v for _, values in chosen for v in values]

    every_q = Q()
    for name, condition in indexed.items():
        if name in conditions:
            every_q &= condition
    filtered_queryset = matching.filter(every_q)
    with transaction.atomic(), connection.cursor() as cursor:
        settings = STATEMENT_SETTINGS + (TEXT_SETTINGS if concepts else ())
        # With words, the counts go through bitmaps of the GIN index (kind, region, facets
        # and words in one), so that every filter it holds is answered before any row is
        # read; an index scan in another index's order would test the words row after row.
        counting = ("enable_indexscan = off",) if concepts else ()
        # SELECT 1: no column is read for a count.
        ids, ids_params = _ones(matching)
        every_ids, every_ids_params = _ones(filtered_queryset)
        counted = "SELECT count(*) FROM ({} LIMIT %s) matched"
        # With the table's size as the planner knows it, for the share a sample takes.
        size = f"SELECT reltuples FROM pg_class WHERE oid = '{_table()}'::regclass"
        if conditions:
            # The documents passing every filter are the total; of the others it is enough to
            # know whether there are more than the exact limit.
            _execute_after(
                cursor,
                (*settings, *counting),
                f"SELECT ({counted.format(ids)}), ({counted.format(every_ids)}), ({size})",
                [*ids_params, min(EXACT_LIMIT, limit) + 1, *every_ids_params, limit + 1],
            )
        else:
            _execute_after(
                cursor,
                (*settings, *counting),
                f"SELECT ({counted.format(ids)}), NULL, ({size})",
                [*ids_params, limit + 1],
            )
        selected, filtered, table_rows = cursor.fetchone()
        filtered = selected if filtered is None else filtered
        exact_limit = min(EXACT_LIMIT, limit)
        broad = selected > exact_limit
        # Many documents pass every filter: the page walks the sort's index, which soon meets
        # enough of them; a narrow search reads its few matches through the indexes too.
        walks_an_index = not broad or (sort != "relevance" and filtered > exact_limit)
        percent = sample_percent(table_rows)
        if broad:
            bounds = (filtered, percent, exact_limit)
            statement, values = _bounded_statement(
                params, concepts, sort, matching, filtered_queryset, where, set(conditions), *bounds
            )
        else:
            statement, values = _exact_statement(params, concepts, sort, matching, where, set(conditions))
        _execute_after(cursor, ("enable_indexscan = on",) if walks_an_index else (), statement, values)
        rows = cursor.fetchall()
    matches = _collect(rows, params)
    if broad:
        matches.total = filtered
    if matches.total > limit:  # as "10.000+"
        matches.total, matches.total_exact = limit + 1, False
    if broad and params.facets:
        _scaled(matches, percent)
        matches.facets_estimated = True
    return matches


def _execute_after(cursor, settings: tuple[str, ...], sql: str, params: list) -> None:
    """``SET LOCAL`` each of ``settings``, then ``sql``, in one round trip (statements joined by
    ";" in one execute, which psycopg's client-side binding allows), leaving the cursor on the
    rows of ``sql``."""
    cursor.execute("".join(f"SET LOCAL {setting}; " for setting in settings) + sql, params)
    while cursor.nextset():
        pass


def _ones(queryset: QuerySet) -> Sql:
    sql, values = queryset.annotate(one=Value(1)).values("one").query.sql_with_params()
    return sql, list(values)


def count_limit() -> int:
    """Totals are exact up to this many documents, "more than this" beyond (as Elasticsearch's
    ``track_total_hits``): the setting SEARCH_COUNT_LIMIT (10,000)."""
    return max(1, int(django_settings.SEARCH_COUNT_LIMIT))


# Up to this many documents matching the words and the fixed filters, a search is exact: every
# match ranked, every facet counted. Beyond, RANK_CANDIDATES documents are ranked (those with
# the words in their title first), and SAMPLE_ROWS documents' worth of pages are counted.
EXACT_LIMIT = 2_000
RANK_CANDIDATES = 1_000


def _exact_statement(params, concepts, sort, matching, where, active) -> Sql:
    """At most ``limit`` documents: one statement. ``m`` is matched (and ranked) once and
    materialised with words, inlined without, so that the page walks a sort index and the
    counts read the covering facet index. The page, the total and the facet counts
    (``_counts_sql``) are read from it."""
    columns = list(MATCH_COLUMNS)
    if sort == "relevance":
        matching = matching.annotate(rank=_rank(concepts, params.match_any))
        columns.append("rank")
    cte, cte_params = matching.values(*columns).query.sql_with_params()
    order = ORDER_SQL[sort]
    score = "rank" if sort == "relevance" else "0"
    every, every_params = where()
    page = (
        f"SELECT 'page', {PAGE_VALUE}, row_number() OVER (ORDER BY {order}), {score}::float "
        f"FROM (SELECT * FROM m WHERE {every} ORDER BY {order} LIMIT %s OFFSET %s) page",
        [*every_params, params.page_size(), _offset(params.after)],
    )
    parts = [page, *_counts_sql(params, where, active)]
    materialised = "MATERIALIZED" if concepts else "NOT MATERIALIZED"
    statement = f"WITH m AS {materialised} ({cte}) " + " UNION ALL ".join(f"({sql})" for sql, _ in parts)
    return statement, [*cte_params, *(value for _, values in parts for value in values)]


# The share of the table the facets of a broad search are estimated from: pages holding about
# this many documents (TABLESAMPLE SYSTEM), the same pages every time (REPEATABLE), so that
# counts do not change from one page view to the next.
SAMPLE_ROWS = 3_000


def _bounded_statement(
    params, concepts, sort, matching, filtered_queryset, where, active, filtered, percent, exact_limit
) -> Sql:
    """More than EXACT_LIMIT documents: the cost stays about that of a few thousand documents.
    The total (``filtered``, the documents that pass every filter, up to the count limit + 1)
    is known already.

    - the page: at most EXACT_LIMIT documents pass every filter: all of them ranked or sorted;
      more: relevance ranks RANK_CANDIDATES of them, those with the words in their title first
      (``ts_rank`` puts a single word in the title above any number of it elsewhere), then
      others; the other sorts walk their index;
    - the facets: counted over a sample of the table's pages (``percent`` of them) and scaled
      up by the caller: estimates."""
    ids, ids_params = filtered_queryset.values("id", "kind", "object_id", "vector").query.sql_with_params()
    order = ORDER_SQL[sort]
    if sort == "relevance":
        query_sql, query_params = _tsquery_sql(concepts, params.match_any)
        if filtered <= exact_limit:
            candidates, candidates_params = ids, ids_params
        else:
            # The same search on the title alone (the text condition, not the facet lexemes),
            # then the documents with the words elsewhere only; the outer LIMIT stops before
            # the second when the first has enough.
            title = ids.replace("(vector @@ to_tsquery(", "(title_vector @@ to_tsquery(", 1)
            candidates = (
                f"SELECT * FROM (({title} LIMIT %s) UNION ALL "
                f"({ids} AND NOT (title_vector @@ {query_sql}) LIMIT %s)) tiers LIMIT %s"
            )
            candidates_params = [
                *ids_params, RANK_CANDIDATES, *ids_params, *query_params, RANK_CANDIDATES, RANK_CANDIDATES,
            ]  # fmt: skip
        page_sql = (
            f"SELECT 'page', {PAGE_VALUE}, row_number() OVER (ORDER BY {order}), rank::float FROM ("
            f"SELECT id, kind, object_id, ts_rank(vector, {query_sql}) AS rank "
            f"FROM ({candidates}) candidate ORDER BY {order} LIMIT %s OFFSET %s) page"
        )
        page_params = [*query_params, *candidates_params]
    else:
        sorted_sql, sorted_params = filtered_queryset.values(*MATCH_COLUMNS).query.sql_with_params()
        page_sql = (
            f"SELECT 'page', {PAGE_VALUE}, row_number() OVER (ORDER BY {order}), 0::float "
            f"FROM ({sorted_sql} ORDER BY {order} LIMIT %s OFFSET %s) page"
        )
        page_params = list(sorted_params)
    parts = [(page_sql, [*page_params, params.page_size(), _offset(params.after)])]
    if not params.facets:
        return parts[0]
    matched, matched_params = matching.values(*MATCH_COLUMNS).query.sql_with_params()
    table = _table()
    sampled = matched.replace(f"FROM {table}", f"FROM {table} TABLESAMPLE SYSTEM (%s) REPEATABLE (0)", 1)
    parts.extend(_counts_sql(params, where, active, total="sampled"))
    statement = f"WITH m AS MATERIALIZED ({sampled}) " + " UNION ALL ".join(f"({sql})" for sql, _ in parts)
    return statement, [percent, *matched_params, *(value for _, values in parts for value in values)]


def _table() -> str:
    return connection.ops.quote_name(SearchEntry._meta.db_table)


def sample_percent(table_rows: float | None) -> float:
    """The share of the table's pages (in %) that holds about SAMPLE_ROWS documents."""
    rows = table_rows if table_rows and table_rows > 0 else SAMPLE_ROWS  # never analysed: all
    return min(100.0, max(1.0, 100.0 * SAMPLE_ROWS / rows))


def _scaled(matches: Matches, percent: float) -> None:
    """Sample counts as estimates for the whole table."""
    factor = 100.0 / percent
    for name, pairs in matches.counts.items():
        matches.counts[name] = [(value, round(n * factor)) for value, n in pairs]


def _collect(rows: list[tuple], params: SearchParams) -> Matches:
    """The statement's rows (part, value, count or position, score) as Matches."""
    matches = Matches(page=[], total=0)
    for part, value, number, score in sorted(rows, key=lambda row: (row[0], row[2])):
        if part == "page":
            entry, kind, object_id = value.split(" ")
            matches.page.append((int(entry), score))
            matches.objects.append((kind, int(object_id)))
        elif part == "total":
            matches.total = number
        elif value:  # no region, no sector, not a challenge: not a facet value
            matches.counts.setdefault(part, []).append((value, number))
    for name in MULTI_VALUED:
        matches.counts[name] = _split(matches.counts.get(name, []))
    if params.facets:
        matches.counts["status"] = _statuses(matches.counts.get("status", []))
    return matches


# Facet name -> the column it is counted by (status: an expression, see _status_case_sql).
FACET_GROUPS = {"type": "kind", "region": "region", "sector": "sectors", "incentive": "incentives"}


def _counts_sql(params: SearchParams, where, active: set[str], total: str = "total") -> list[Sql]:
    """The total and the facet counts. A facet with no value chosen is counted over the
    documents that pass every filter: all of those in one GROUPING SETS pass, whose empty set
    is the total. A facet with a value chosen is counted under the other facets' filters only
    (as Elasticsearch's post_filter), each in its own small GROUP BY. Multi-valued facets come
    back per "|a|b|" combination (``_split`` sums them); statuses as one exclusive status per
    challenge (``_statuses`` adds closing soon to open)."""
    every, every_params = where()
    if not params.facets:
        return [(f"SELECT '{total}', '', count(*), 0::float FROM m WHERE {every}", every_params)]
    status, status_params = _status_case_sql(params.at())
    source = f"(SELECT *, {status} AS status FROM m) counted"
    groups = {**FACET_GROUPS, "status": "status"}
    free = [name for name in groups if name not in active]
    if free:
        names = " ".join(f"WHEN GROUPING({groups[name]}) = 0 THEN '{name}'" for name in free)
        columns = ", ".join(groups[name] for name in free)
        sets = "".join(f"({groups[name]}), " for name in free)
        grouped = (
            f"SELECT CASE {names} ELSE '{total}' END, COALESCE({columns}, ''), count(*), 0::float "
            f"FROM {source} WHERE {every} GROUP BY GROUPING SETS ({sets}())"
        )
    else:
        grouped = f"SELECT '{total}', '', count(*), 0::float FROM {source} WHERE {every}"
    parts = [(grouped, [*status_params, *every_params])]
    for name in groups:
        if name in active:
            condition, values = where(without=name)
            column = groups[name]
            parts.append(
                (
                    f"SELECT '{name}', {column}, count(*), 0::float FROM {source} WHERE {condition} "
                    f"GROUP BY {column}",
                    [*status_params, *values],
                )
            )
    return parts


# Each challenge's one status for counting: closing soon before open, as open includes it.
EXCLUSIVE_STATUSES = ("awarded", "closed", "upcoming", "in_review", "closing_soon", "open")


def _status_case_sql(now: datetime.datetime) -> Sql:
    case = Case(
        *(When(status_condition(status, now), then=Value(status)) for status in EXCLUSIVE_STATUSES),
        default=Value(""),
    )
    query = SearchEntry.objects.all().query
    sql, values = query.get_compiler(connection=connection).compile(case.resolve_expression(query))
    return _unqualified(sql), list(values)


def _statuses(counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Exclusive status counts as the facet's: "open" counts the closing-soon ones too."""
    exclusive = dict(counts)
    exclusive["open"] = exclusive.get("open", 0) + exclusive.get("closing_soon", 0)
    return [(status, exclusive.get(status, 0)) for status in STATUSES]


def _split(combinations: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Counts per "|a|b|" combination as counts per value."""
    counts: dict[str, int] = {}
    for text, number in combinations:
        for value in undelimited(text):
            counts[value] = counts.get(value, 0) + number
    return list(counts.items())


def _column_sql(condition: Q) -> Sql:
    """A condition on SearchEntry's columns as SQL on unqualified column names, so that it
    reads the rows of ``m``."""
    query = SearchEntry.objects.filter(condition).query
    sql, values = query.get_compiler(connection=connection).compile(query.where)
    return _unqualified(sql), list(values)


def _unqualified(sql: str) -> str:
    return sql.replace(f"{connection.ops.quote_name(SearchEntry._meta.db_table)}.", "")


def _matches_portable(params: SearchParams, concepts) -> Matches:
    """SQLite (the embedded default, small data): the same answer through the ORM."""
    sort = _sort(params, bool(concepts))
    base = _text_matches(params, concepts)
    conditions = facet_conditions(params)

    def without(name: str = "") -> QuerySet:
        entries = base
        for other, condition in conditions.items():
            if other != name:
                entries = entries.filter(condition)
        return entries

    matched = without()
    score = _rank(concepts, params.match_any) if sort == "relevance" else Value(0.0, FloatField())
    rows = matched.annotate(rank=score).order_by(*ORDER_ORM[sort]).values_list("id", "rank")
    offset = _offset(params.after)
    page = [(pk, float(rank)) for pk, rank in rows[offset : offset + params.page_size()]]
    matches = Matches(page=page, total=matched.count())
    if not params.facets:
        return matches
    counts = matches.counts
    counts["type"] = list(without("type").values_list("kind").annotate(n=Count("id")))
    counts["region"] = list(
        without("region").exclude(region="").values_list("region").annotate(n=Count("id"))
    )
    for name, column in MULTI_VALUED.items():
        combinations = without(name).exclude(**{column: ""}).values_list(column).annotate(n=Count("id"))
        counts[name] = _split(list(combinations))
    now = params.at()
    status_counts = without("status").aggregate(
        **{s: Count("id", filter=status_condition(s, now)) for s in STATUSES}
    )
    counts["status"] = [(s, status_counts[s]) for s in STATUSES]
    return matches


def _ids_only(matches: Matches) -> list[SearchHit]:
    """The page's documents with no text read: kind, id and score."""
    if len(matches.objects) == len(matches.page):
        pairs = zip(matches.objects, (score for _, score in matches.page), strict=True)
    else:  # SQLite's pass reads the entries' ids only
        entries = SearchEntry.objects.filter(pk__in=[pk for pk, _ in matches.page])
        about = {
            pk: (kind, object_id) for pk, kind, object_id in entries.values_list("id", "kind", "object_id")
        }
        pairs = ((about[pk], score) for pk, score in matches.page if pk in about)
    return [
        SearchHit(kind=kind, object_id=object_id, title="", url="", snippet="", score=score)
        for (kind, object_id), score in pairs
    ]


# What a hit shows of a document.
HIT_FIELDS = (
    "id", "kind", "object_id", "title", "title_en", "url", "snippet", "region", "sectors", "amount",
    "closes_at",
)  # fmt: skip


def _hits(params: SearchParams, page: list[tuple[int, float]], concepts) -> list[SearchHit]:
    if not page:
        return []
    rows = {r["id"]: r for r in SearchEntry.objects.filter(pk__in=[pk for pk, _ in page]).values(*HIT_FIELDS)}
    stems = {w for c in concepts for a in c for w in a.split()}
    hits = []
    for pk, score in page:
        r = rows.get(pk)
        if r is None:  # removed between the two statements
            continue
        snippet = highlight(r["snippet"], stems) if params.highlight and stems else escape(r["snippet"])
        hits.append(_hit(r, snippet, score))
    return hits


def _hit(row: dict, snippet: str, score: float) -> SearchHit:
    return SearchHit(
        kind=row["kind"],
        object_id=row["object_id"],
        title=row["title"],
        title_en=row["title_en"],
        url=row["url"],
        snippet=snippet,
        score=score,
        region=row["region"],
        sectors=undelimited(row["sectors"]),
        amount=row["amount"],
        closes_at=row["closes_at"],
    )


def _offset(after: str) -> int:
    """The database engine pages by offset inside the same opaque cursor."""
    values = decode_cursor(after)
    if values and len(values) == 1 and isinstance(values[0], int) and values[0] >= 0:
        return values[0]
    return 0


def _tsquery_sql(concepts, match_any: bool) -> Sql:
    return "to_tsquery('simple'::regconfig, %s)", [tsquery(concepts, match_any)]


def _rank(concepts, match_any: bool):
    if _postgres():
        sql, values = _tsquery_sql(concepts, match_any)
        return RawSQL(f"ts_rank(vector, {sql})", values, output_field=FloatField())
    # SQLite: a title match counts more than a match elsewhere.
    first = concepts[0] if concepts else []
    title = Q()
    for alternative in first:
        title |= Q(stemmed_title__contains=alternative)
    return Case(When(title, then=Value(1.0)), default=Value(0.5), output_field=FloatField())


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


def _buckets(params: SearchParams, counts: dict[str, list[tuple[str, int]]]) -> dict[str, list[FacetBucket]]:
    """Facet counts as buckets, most documents first (statuses in their fixed order); a
    selected value stays even when nothing matches it any more."""
    selected = params.selected_values()
    buckets = {}
    for name in ("type", "status", "sector", "region", "incentive"):
        pairs = counts.get(name, [])
        if name != "status":
            pairs = sorted(pairs, key=lambda pair: (-pair[1], pair[0]))
        if name in MULTI_VALUED:
            pairs = pairs[:FACET_SIZE]
        buckets[name] = [
            FacetBucket(value=value, count=n, selected=value in selected[name])
            for value, n in pairs
            if n or value in selected[name]
        ]
    return buckets


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


def best_matches(kind: str, q: str, *, exclude: int, limit: int) -> list[SearchHit]:
    """The ``limit`` documents of ``kind`` that rank best for any word of ``q``, ``exclude``
    (an object id) left out, in one statement: no count, no facet, no highlight
    (``matching.similar``'s search, which needs none of them). At most EXACT_LIMIT documents are
    ranked, those with a word in their title first, as a broad search ranks its candidates:
    up to that many matches, every one is ranked."""
    concepts = concepts_for(q)
    if not concepts or not _postgres():
        return []
    matching = _filter_text(SearchEntry.objects.filter(kind=kind), concepts, match_any=True)
    ids, ids_params = matching.exclude(object_id=exclude).values("id").query.sql_with_params()
    query_sql, query_params = _tsquery_sql(concepts, True)
    title = ids.replace("(vector @@ to_tsquery(", "(title_vector @@ to_tsquery(", 1)
    table = _table()
    columns = ", ".join(connection.ops.quote_name(name) for name in HIT_FIELDS)
    statement = (
        f"SELECT {columns}, ts_rank(vector, {query_sql})::float AS rank FROM {table} WHERE id IN ("
        f"SELECT id FROM (({title} LIMIT %s) UNION ALL ({ids} AND NOT (title_vector @@ {query_sql}) "
        f"LIMIT %s)) tiers LIMIT %s) ORDER BY {ORDER_SQL['relevance']} LIMIT %s"
    )
    values = [
        *query_params, *ids_params, EXACT_LIMIT, *ids_params, *query_params, EXACT_LIMIT, EXACT_LIMIT, limit,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(statement, values)
        rows = [dict(zip((*HIT_FIELDS, "rank"), row, strict=True)) for row in cursor.fetchall()]
    return [_hit(row, escape(row["snippet"]), row["rank"]) for row in rows]
