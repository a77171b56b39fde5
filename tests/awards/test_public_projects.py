"""Which projects the public lists show, kept as a column (``Award.public``) by the services that
publish results, award and decline; the lists' years; and query counts that stay the same and
small however many projects, organisations and ledger entries there are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.awards.models import Award
from marketplace.awards.selectors.projects import PUBLIC_PROJECT, project_years
from marketplace.awards.services import determinations
from marketplace.publicdata import api_pagination
from payments import api as payments_api
from payments.models import Entry
from tests import factories

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8


def _listed(client) -> set[int]:
    """The projects /projects/ and /api/v1/projects/ show (they must agree)."""
    page = {project.pk for project in client.get("/projects/").context["projects"]}
    api = {project["id"] for project in client.get("/api/v1/projects/").json()["results"]}
    assert page == api
    return page


def _kept_as_the_rule_says() -> None:
    assert set(Award.objects.filter(public=True)) == set(Award.objects.filter(PUBLIC_PROJECT))


def test_a_project_is_listed_from_publication_until_its_grantee_declines(client, official, finance):
    challenge = factories.challenge(officials=[official])
    first_owner, second_owner = factories.UserFactory(), factories.UserFactory()
    first = factories.submitted_proposal(challenge_page=challenge, owner=first_owner)
    second = factories.submitted_proposal(challenge_page=challenge, owner=second_owner)
    factories.allocation(challenge, finance=finance)

    award = factories.awarded_proposal(first, official=official)
    _kept_as_the_rule_says()
    assert _listed(client) == set()
    assert client.get(f"/projects/{award.pk}/").status_code == 404  # not before publication

    factories.publish_results(challenge, official)
    _kept_as_the_rule_says()
    assert _listed(client) == {award.pk}
    assert client.get(f"/projects/{award.pk}/").status_code == 200

    determinations.agreement_decline(agreement=award.agreement, by=first_owner, reason="Tim kami bubar.")
    _kept_as_the_rule_says()
    assert _listed(client) == set()
    assert client.get(f"/projects/{award.pk}/").status_code == 404

    # The place freed, the official awards the next proposal: its results are already public.
    later = factories.awarded_proposal(second, official=official)
    _kept_as_the_rule_says()
    assert _listed(client) == {later.pk}


def test_the_grantee_still_sees_the_project_before_publication(client, official, finance, owner):
    challenge = factories.challenge(officials=[official])
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner)
    factories.allocation(challenge, finance=finance)
    award = factories.awarded_proposal(proposal, official=official)
    assert factories.signed_in_client(owner).get(f"/projects/{award.pk}/").status_code == 200
    assert client.get(f"/projects/{award.pk}/").status_code == 404


def _project(official, finance, *, publish: bool = True, owner=None) -> Award:
    """A funded project of a new challenge, by ``owner``'s organisation (a new one without);
    public once its results are published."""
    challenge = factories.challenge(officials=[official])
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner or factories.UserFactory())
    factories.allocation(challenge, finance=finance, idempotency_key=f"dpa-{challenge.pk}")
    award = factories.awarded_proposal(proposal, official=official)
    if publish:
        factories.publish_results(challenge, official)
    return award


def test_the_year_filter_offers_the_years_of_public_projects_only(client, official, finance):
    this_year = timezone.localdate().year
    assert project_years() == []
    old = _project(official, finance)
    Award.objects.filter(pk=old.pk).update(awarded_at=timezone.now() - datetime.timedelta(days=800))
    _project(official, finance)
    hidden = _project(official, finance, publish=False)
    Award.objects.filter(pk=hidden.pk).update(awarded_at=timezone.now() - datetime.timedelta(days=400))
    old_year = timezone.localtime(timezone.now() - datetime.timedelta(days=800)).year
    assert project_years() == [this_year, old_year]
    choices = [
        value for value, _label in client.get("/projects/").context["filter"].form["year"].field.choices
    ]
    assert choices == ["", str(this_year), str(old_year)]


# Query counts ---------------------------------------------------------------------------------

PAGES = [
    "/projects/",
    "/projects/?sort=amount_desc",
    "/projects/?sort=oldest&status=starting",
    "/projects/?status=completed&sector=tidak-ada",
    "/projects/?status=delivery&year={year}",
    "/api/v1/projects/",
    "/api/v1/ledger/",
    "/api/v1/ledger/?kind=allocation",
    "/api/v1/organisations/",
    "/organisations/{organisation}/",
]


def _counts(client, paths) -> dict[str, int]:
    client.get(paths[0])  # the per-process caches (site root, content types) first
    measured = {}
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, path
        measured[path] = len(queries.captured_queries)
    return measured


def test_public_lists_run_the_same_few_queries_with_one_row_and_with_many(
    client, official, finance, monkeypatch
):
    # Two ledger entries a page, so the ledger's second page exists with little data.
    monkeypatch.setattr(api_pagination.LedgerCursorPagination, "page_size", 2)
    grantee_owner = factories.UserFactory()
    grantee = factories.organisation(owner=grantee_owner)
    first = _project(official, finance, owner=grantee_owner)
    paths = [path.format(year=timezone.localdate().year, organisation=grantee.slug) for path in PAGES]
    paths.append(client.get("/api/v1/ledger/").json()["next"].removeprefix("http://testserver"))
    one = _counts(client, paths)
    for _ in range(3):
        _project(official, finance, owner=grantee_owner)
        _project(official, finance, publish=False, owner=grantee_owner)
        factories.organisation()
    many = _counts(client, paths)
    assert many == one
    assert max(many.values()) <= MAX_QUERIES, many
    # And the project page does not grow with the number of projects either.
    assert _counts(client, [f"/projects/{first.pk}/"]) == _counts(client, [f"/projects/{first.pk}/"])


# The ledger's cursor --------------------------------------------------------------------------


def test_following_next_reads_the_whole_public_ledger_once_newest_first(
    client, official, finance, monkeypatch
):
    monkeypatch.setattr(api_pagination.LedgerCursorPagination, "page_size", 3)
    _project(official, finance)
    _project(official, finance)
    unpublished = _project(official, finance, publish=False)
    seen, url, pages = [], "/api/v1/ledger/", 0
    while url:
        body = client.get(url).json()
        assert set(body) == {"next", "previous", "results"} and body["previous"] is None
        assert len(body["results"]) <= 3
        seen += [entry["id"] for entry in body["results"]]
        url, pages = body["next"], pages + 1
    expected = list(payments_api.public_ledger().values_list("pk", flat=True))
    assert seen == expected and pages > 2
    # The unpublished award's reservation is not among them.
    hidden = Entry.objects.filter(transaction__commitment_id=unpublished.commitment_id)
    assert hidden.exists() and not set(hidden.values_list("pk", flat=True)) & set(seen)


def test_the_next_link_keeps_the_filters(client, official, finance, monkeypatch):
    monkeypatch.setattr(api_pagination.LedgerCursorPagination, "page_size", 1)
    award = _project(official, finance)
    challenge = award.proposal.challenge_id
    body = client.get("/api/v1/ledger/", {"challenge": challenge}).json()
    assert f"challenge={challenge}" in body["next"]
    rest = client.get(body["next"]).json()["results"]
    assert rest and all(entry["challenge"] == challenge for entry in rest)


def test_a_cursor_the_api_did_not_write_is_refused(client):
    too_big = api_pagination.encode_cursor(timezone.now(), 10**30, 1)
    # Nonsense, "not-a-cursor", a moment without its zone, an id beyond any row's.
    for value in ["abc", "bm90LWEtY3Vyc29y", "MjAyNi0wMS0wMXwxfDE", too_big]:
        response = client.get("/api/v1/ledger/", {"after": value})
        assert response.status_code == 400
        assert list(response.json()) == ["after"]
