"""Search quality measurement: the metrics (exact numbers), the judgments file, the command."""

import datetime
import json
import math
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils.text import slugify

from demo import data as demo_data
from devtools import search_evaluation as evaluation
from devtools.search_evaluation import (
    JudgedQuery,
    JudgmentsError,
    dcg,
    document_key,
    ndcg,
    parse_judgments,
    ranked_grades,
    reciprocal_rank,
)
from search.query import STATUSES
from tests import factories

# Metrics -------------------------------------------------------------------------------------


def test_dcg_uses_exponential_gain_and_log2_discount():
    # 7/log2(2) + 3/log2(3) + 0 + 1/log2(5)
    assert dcg([3, 2, 0, 1]) == pytest.approx(7 + 3 / math.log2(3) + 1 / math.log2(5))
    assert dcg([3, 2, 0, 1]) == pytest.approx(9.3234659, abs=1e-7)


def test_ndcg_divides_by_the_ideal_ranking_of_the_judged_grades():
    # Ranked 3, 2, 0, 1 against the ideal 3, 2, 1.
    assert ndcg([3, 2, 0, 1], [1, 3, 2]) == pytest.approx(9.3234659 / 9.3927893, abs=1e-7)
    assert ndcg([3, 2, 0, 1], [1, 3, 2]) == pytest.approx(0.9926195, abs=1e-7)


def test_ndcg_is_one_for_the_ideal_order_and_zero_with_nothing_relevant_found():
    assert ndcg([3, 2, 1], [2, 1, 3]) == 1.0
    assert ndcg([0, 0, 0], [3]) == 0.0
    assert ndcg([], [3, 2]) == 0.0


def test_ndcg_counts_judged_documents_the_engine_did_not_return():
    # One of two perfect documents found, first: 7 / (7 + 7/log2(3)).
    assert ndcg([3], [3, 3]) == pytest.approx(0.6131472, abs=1e-7)


def test_ndcg_stops_at_k():
    assert ndcg([0] * 10 + [3], [3]) == 0.0
    assert ndcg([0, 3], [3], k=1) == 0.0
    # The ideal is cut at k too: two perfect documents judged, k=1, the first found.
    assert ndcg([3, 0], [3, 3], k=1) == 1.0


def test_reciprocal_rank_of_the_first_relevant_hit():
    assert reciprocal_rank([0, 0, 2]) == pytest.approx(1 / 3)
    assert reciprocal_rank([3]) == 1.0
    assert reciprocal_rank([0, 1]) == 0.5
    assert reciprocal_rank([0, 1], min_grade=2) == 0.0
    assert reciprocal_rank([0] * 10 + [3]) == 0.0
    assert reciprocal_rank([]) == 0.0


def test_mean():
    assert evaluation.mean([1.0, 0.5, 0.0]) == 0.5
    assert evaluation.mean([]) == 0.0


# Naming hits ---------------------------------------------------------------------------------


def test_document_keys_use_slugs_for_challenges_and_organisations_and_titles_for_projects():
    assert document_key("challenge", "/challenges/retribusi-pasar-nontunai/", "x") == (
        "challenge:retribusi-pasar-nontunai"
    )
    assert document_key("organisation", "/en/organisations/pasar-pintar-borneo/", "x") == (
        "organisation:pasar-pintar-borneo"
    )
    assert (
        document_key("project", "/projects/7/", " KoperasiKu: pembukuan ") == "project:KoperasiKu: pembukuan"
    )


def test_a_document_gains_only_once():
    relevant = {"challenge:a": 3, "challenge:b": 1}
    keys = ["challenge:x", "challenge:a", "challenge:a", "challenge:b"]
    assert ranked_grades(keys, relevant) == [0, 3, 0, 1]


def test_score_reports_the_judged_documents_not_found_best_first():
    query = JudgedQuery(id="q", q="pasar", relevant={"challenge:a": 1, "challenge:b": 3, "challenge:c": 2})
    result = evaluation.score(query, ["challenge:c", "challenge:x"])
    assert result.rr == 1.0
    assert result.ndcg == pytest.approx(3 / (7 + 3 / math.log2(3) + 1 / 2))
    assert result.missing == ["challenge:b", "challenge:a"]


# The judgments file --------------------------------------------------------------------------


def _file(**entry):
    base = {"id": "q1", "q": "pasar", "relevant": {"challenge:retribusi-pasar-nontunai": 3}}
    return {"queries": [{**base, **entry}]}


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "queries"),
        (_file(relevant={}), "at least one"),
        (_file(relevant={"page:x": 3}), "<kind>"),
        (_file(relevant={"challenge:x": 4}), "grade"),
        (_file(filters={"colour": "red"}), "unknown filters"),
        (_file(filters={"types": "challenge"}), "types"),
        (_file(q=None), "'q'"),
        ({"queries": [_file()["queries"][0], _file()["queries"][0]]}, "repeated id"),
    ],
)
def test_malformed_judgments_are_refused(data, message):
    with pytest.raises(JudgmentsError, match=re.escape(message)):
        parse_judgments(data)


def test_a_judged_query_becomes_search_params_for_ranking_only():
    (query,) = parse_judgments(
        _file(
            filters={"types": ["challenge"], "status": "open", "closes_before": "2027-01-31", "amount_min": 5}
        )
    )
    params = query.params(size=10)
    assert (params.q, params.types, params.status, params.size) == ("pasar", ("challenge",), "open", 10)
    assert params.closes_before == datetime.date(2027, 1, 31)
    assert params.amount_min == 5
    assert (params.highlight, params.facets, params.suggest) == (False, False, False)


def _demo_keys() -> set[str]:
    """Every document the demo data makes public: live challenges, funded projects whose
    results are published (the awards of AWARDS), organisations."""
    keys = {f"challenge:{c['slug']}" for c in demo_data.CHALLENGES}
    awarded = {a["proposal"] for a in demo_data.AWARDS}
    keys |= {f"project:{p['title']}" for p in demo_data.PROPOSALS if p["key"] in awarded}
    keys |= {f"organisation:{slugify(o['name'])}" for o in demo_data.ORGANISATIONS}
    return keys


def test_the_repository_judgments_cover_the_demo_data_honestly():
    queries = evaluation.load_judgments()
    assert len(queries) >= 45
    categories = {q.category for q in queries}
    assert {
        "plain",
        "affix",
        "typo",
        "synonym",
        "english",
        "organisation",
        "project",
        "filtered",
    } <= categories
    known = _demo_keys()
    unpublished = {f"challenge:{c['slug']}" for c in demo_data.CHALLENGES_AWAITING_APPROVAL} | {
        f"challenge:{c['slug']}" for c in demo_data.SCHEDULED_CHALLENGES
    }
    sectors = {slug for slug, _, _ in demo_data.SECTORS}
    regions = {r["slug"] for r in demo_data.REGIONS}
    incentives = {kind for c in demo_data.CHALLENGES for kind, _, _ in c["incentives"]}
    for query in queries:
        assert set(query.relevant) <= known, query.id
        assert not set(query.relevant) & unpublished, query.id
        assert 3 in query.relevant.values(), query.id
        assert query.filters.get("sector", "kesehatan") in sectors, query.id
        assert query.filters.get("region", "pontianak") in regions, query.id
        assert query.filters.get("incentive", "grant") in incentives, query.id
        assert query.filters.get("status", "open") in STATUSES, query.id
    # Every public document is wanted by some query.
    assert known == {key for q in queries for key in q.relevant}


# The command ---------------------------------------------------------------------------------


def _judgments(tmp_path, queries) -> str:
    path = tmp_path / "judgments.json"
    path.write_text(json.dumps({"queries": queries}), encoding="utf-8")
    return str(path)


@pytest.fixture
def two_challenges(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        levy = factories.challenge(
            title="Retribusi pasar nontunai",
            slug="retribusi-pasar-nontunai",
            summary="Pedagang membayar retribusi pasar lewat QRIS.",
        )
        queue = factories.challenge(
            title="Antrean daring untuk puskesmas",
            slug="antrean-puskesmas-daring",
            summary="Pasien mengambil nomor antrean lewat SMS.",
        )
    from search import indexing

    indexing.rebuild_database_copy()
    return levy, queue


def _run(*args) -> str:
    out = StringIO()
    call_command("search_eval", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_command_prints_per_query_figures_and_the_summary_for_the_database(tmp_path, two_challenges):
    path = _judgments(
        tmp_path,
        [
            {
                "id": "levy",
                "q": "pembayaran retribusi",
                "relevant": {"challenge:retribusi-pasar-nontunai": 3},
            },
            {
                "id": "queue-open",
                "q": "antrean puskesmas",
                "filters": {"types": ["challenge"], "status": "open"},
                "relevant": {"challenge:antrean-puskesmas-daring": 3},
            },
            # Judged, but nothing matches: nDCG 0 and reciprocal rank 0.
            {"id": "missing", "q": "lidah buaya", "relevant": {"challenge:pemasaran-daring-lidah-buaya": 3}},
        ],
    )
    output = _run("--judgments", path, "--engine", "database", "--verbose")
    assert re.search(r"^levy\s+ndcg@10=1\.000\s+rr=1\.000", output, re.M)
    assert re.search(r"^queue-open\s+ndcg@10=1\.000\s+rr=1\.000", output, re.M)
    assert re.search(r"^missing\s+ndcg@10=0\.000\s+rr=0\.000", output, re.M)
    assert "[3] challenge:pemasaran-daring-lidah-buaya  (not found)" in output
    assert output.strip().splitlines()[-1] == "engine=database queries=3 ndcg@10=0.667 mrr=0.667"


@pytest.mark.django_db
def test_the_database_engine_is_forced_even_when_elasticsearch_is_configured(
    tmp_path, two_challenges, settings
):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens: must not be asked
    path = _judgments(
        tmp_path, [{"id": "a", "q": "antrean", "relevant": {"challenge:antrean-puskesmas-daring": 3}}]
    )
    assert _run("--judgments", path, "--engine", "database").strip() == (
        "engine=database queries=1 ndcg@10=1.000 mrr=1.000"
    )


@pytest.mark.django_db
def test_elasticsearch_figures_come_from_elasticsearch(tmp_path, elasticsearch, two_challenges):
    from search import indexing, registry

    for kind in registry.kinds():
        indexing.reindex(kind)
    path = _judgments(
        tmp_path,
        [{"id": "a", "q": "membayar retribusi", "relevant": {"challenge:retribusi-pasar-nontunai": 3}}],
    )
    assert _run("--judgments", path, "--engine", "elasticsearch").strip() == (
        "engine=elasticsearch queries=1 ndcg@10=1.000 mrr=1.000"
    )


@pytest.mark.django_db
def test_no_elasticsearch_figures_when_it_does_not_answer(tmp_path, two_challenges, settings):
    path = _judgments(
        tmp_path, [{"id": "a", "q": "antrean", "relevant": {"challenge:antrean-puskesmas-daring": 3}}]
    )
    with pytest.raises(CommandError, match="ELASTICSEARCH_URL is not set"):
        _run("--judgments", path, "--engine", "elasticsearch")
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens: the database answers
    with pytest.raises(CommandError, match="did not answer"):
        _run("--judgments", path, "--engine", "elasticsearch")


def test_a_malformed_judgments_file_is_a_command_error(tmp_path):
    path = tmp_path / "judgments.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="cannot read"):
        _run("--judgments", str(path))


# The held-out set ----------------------------------------------------------------------------


def test_the_held_out_judgments_name_documents_of_the_evaluation_corpus():
    from devtools import eval_corpus
    from devtools.run_search_eval import HELDOUT_FILE

    corpus = eval_corpus.corpus()
    keys = {item.key for item in corpus}
    assert len(corpus) >= 300
    assert [item.key for item in eval_corpus.corpus()] == [item.key for item in corpus]  # deterministic
    assert {item.document.kind for item in corpus} == {"challenge", "project", "organisation"}
    queries = evaluation.load_judgments(HELDOUT_FILE)
    assert len(queries) >= 60
    tuned = {q.describe().lower() for q in evaluation.load_judgments()}
    for query in queries:
        assert set(query.relevant) <= keys, query.id
        assert 3 in query.relevant.values(), query.id
        assert query.describe().lower() not in tuned, query.id  # new queries, not the tuned ones
        # Written as people type, not copied from a document's title.
        assert all(query.q.lower() != item.document.title.lower() for item in corpus), query.id
    assert {"plain", "typo", "synonym", "english", "region", "organisation", "project", "filtered"} <= {
        q.category for q in queries
    }
