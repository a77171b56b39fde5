"""The search benchmark runs end to end on a small corpus (timings are measured by
`make bench-search`, never asserted here)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from devtools import search_benchmark as benchmark
from search.models import SearchEntry

LAST_LINE = re.compile(r"^engine=database docs=(\d+) index_rate=\d+/s p50=\d+\.\dms p95=\d+\.\dms$")


@pytest.mark.django_db
def test_database_engine_benchmark_prints_its_figures_in_the_agreed_format():
    out = io.StringIO()

    call_command("bench_search", "--docs", "300", "--engine", "database", "--queries", "20", stdout=out)

    lines = out.getvalue().strip().splitlines()
    match = LAST_LINE.match(lines[-1])
    assert match, lines[-1]
    assert match.group(1) == "300"
    counts = benchmark.kind_counts(300)
    assert SearchEntry.objects.count() == 300
    for kind, count in counts.items():
        assert SearchEntry.objects.filter(kind=kind).count() == count
    assert counts["project"] < counts["challenge"] and counts["project"] < counts["organisation"]


@pytest.mark.django_db
def test_reuse_queries_the_copy_already_loaded_and_loads_when_it_does_not_match():
    call_command(
        "bench_search", "--docs", "120", "--engine", "database", "--queries", "5", stdout=io.StringIO()
    )
    loaded_at = set(SearchEntry.objects.values_list("indexed_at", flat=True))

    reused = io.StringIO()
    call_command(
        "bench_search", "--docs", "120", "--engine", "database", "--queries", "5", "--reuse", stdout=reused
    )
    assert "reusing the 120 documents loaded before" in reused.getvalue()
    assert "loading" not in reused.getvalue()
    assert set(SearchEntry.objects.values_list("indexed_at", flat=True)) == loaded_at

    other_size = io.StringIO()
    call_command(
        "bench_search", "--docs", "90", "--engine", "database", "--queries", "5", "--reuse", stdout=other_size
    )
    assert "loading 90 documents" in other_size.getvalue()
    assert SearchEntry.objects.count() == 90


def test_the_corpus_and_the_query_mix_are_the_same_on_every_run():
    first, second = benchmark.documents(60, seed=7), benchmark.documents(60, seed=7)

    assert [d.title for d in first["challenge"]] == [d.title for d in second["challenge"]]
    assert benchmark.queries(50, seed=7) == benchmark.queries(50, seed=7)
    assert benchmark.documents(60, seed=8)["challenge"][0].title != first["challenge"][0].title


def test_the_query_mix_has_affixed_words_filters_sorts_and_facets():
    mix = benchmark.queries(200)

    assert all(params.facets for params in mix)
    assert {params.sort for params in mix} == {"relevance", "closes", "amount", "newest"}
    assert {len(params.active_filters()) for params in mix} >= {0, 1, 2}
    assert any(params.q.startswith(("pem", "pen", "mem", "men", "di", "ke", "per")) for params in mix)
    assert any(not params.q for params in mix)


def test_refuses_to_replace_the_search_copy_of_an_ordinary_database(settings, monkeypatch):
    from django.db import connection

    monkeypatch.setitem(connection.settings_dict, "NAME", "marketplace")

    with pytest.raises(CommandError, match="bench"):
        call_command("bench_search", "--docs", "10", "--engine", "database", stdout=io.StringIO())
