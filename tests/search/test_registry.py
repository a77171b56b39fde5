"""Search is an engine: the domain registers its documents and vocabulary, search imports no
domain module, and the challenge list, the search page and their APIs share one vocabulary."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

from marketplace.challenges.filters import ChallengeFilter
from marketplace.challenges.models.challenges import ChallengePage
from marketplace.publicdata.search_pages import SearchForm
from search import api as search
from tests import factories

SEARCH = Path(search.__file__).resolve().parent
# The modules of marketplace that become the bottom layer (core): search may use them.
CORE_BOUND = {
    "marketplace.errors",
    "marketplace.messaging",
    "marketplace.money",
    "marketplace.request_context",
    "marketplace.audit",
    "marketplace.identifiers",
}
FORBIDDEN_ROOTS = {"marketplace", "payments", "cms", "tests", "demo", "devtools", "config"}


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_search_imports_no_domain_module():
    wrong = []
    for path in SEARCH.rglob("*.py"):
        if path.parent.name == "commands" and path.stem == "bench_search":
            continue  # starts the developers' test server when asked (devtools)
        for name in _imports(path):
            # ``from marketplace import x`` is judged by ``marketplace.x``.
            if name.split(".")[0] not in FORBIDDEN_ROOTS or name == "marketplace":
                continue
            if not any(name == core or name.startswith(f"{core}.") for core in CORE_BOUND):
                wrong.append(f"{path.relative_to(SEARCH.parent)}: {name}")
    assert wrong == []


def test_the_domain_registers_its_three_kinds():
    assert search.kinds() == ("challenge", "project", "organisation")
    with translation.override("en"):
        labels = [str(label) for _name, label in SearchForm.base_fields["type"].choices]
    assert labels == ["Challenge", "Project", "Organisation"]


@pytest.mark.django_db
def test_documents_come_from_the_registered_declarations():
    page = factories.challenge(title="Pasar digital", summary="Retribusi pasar nontunai.")
    [document] = search.documents_for("challenge", [page.pk])
    assert (document.kind, document.object_id, document.title) == ("challenge", page.pk, "Pasar digital")
    page.unpublish()
    assert list(search.documents_for("challenge", [page.pk])) == []  # only what the public may see


def test_the_challenge_list_takes_the_shared_parameters():
    assert set(ChallengeFilter.base_filters) == {"q", *search.CHALLENGE_FILTERS, "sort"}
    assert set(search.SAVED) <= set(SearchForm.base_fields)
    assert [value for value, _label in ChallengePage.STATUSES] == list(search.STATUSES)


def test_a_filter_only_challenges_have_leaves_the_other_kinds_out():
    assert search.SearchParams(q="pasar").kinds() == ["challenge", "project", "organisation"]
    assert search.SearchParams(q="pasar", region="kendari").kinds() == [
        "challenge",
        "project",
        "organisation",
    ]
    assert search.SearchParams(q="pasar", status="open").kinds() == ["challenge"]
    assert search.SearchParams(q="pasar", agency=3).kinds() == ["challenge"]
