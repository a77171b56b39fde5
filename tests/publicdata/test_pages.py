"""Public pages and API lists: what a visitor sees, and query counts that do not grow."""

import datetime
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from marketplace.awards.models import Award, Milestone
from marketplace.awards.services import awards as awards_services
from marketplace.challenges.services import funds as challenges_services
from marketplace.proposals.models import Proposal
from tests import factories

pytestmark = pytest.mark.django_db


def _funded_projects(count: int):
    official, finance = factories.UserFactory(roles=["official"]), factories.UserFactory(roles=["finance"])
    agency = factories.agency(officials=[official])
    due = timezone.localdate() + datetime.timedelta(days=30)
    for _ in range(count):
        challenge = factories.challenge(agency_obj=agency)
        proposal = factories.submitted_proposal(challenge_page=challenge, owner=factories.UserFactory())
        challenges_services.allocation_record(
            challenge=challenge,
            amount=10_000_00,
            by=finance,
            reference="DPA",
            idempotency_key=f"k{challenge.pk}",
        )
        factories.close_challenge(proposal.challenge)
        awards_services.award_create(
            proposal=proposal,
            amount=10_000_00,
            by=official,
            milestones=[
                awards_services.MilestonePlan("Tahap 1", 4_000_00, due),
                awards_services.MilestonePlan("Tahap 2", 6_000_00, due),
            ],
        )


LIST_PAGES = [
    "/",
    "/challenges/",
    "/projects/",
    "/projects/?status=delivery&sort=amount_desc",
    "/projects/?year=tahun-ini&region=tidak-ada",
    "/transparency/",
    "/api/v1/challenges/",
    "/api/v1/projects/",
    "/api/v1/ledger/",
    "/api/v1/organisations/",
    "/challenges/?q=tantangan",
    "/challenges/?sector=kesehatan&budget_min=100+juta&sort=zzz",
    "/search/?q=tantangan",
    # The same lists in English: the English twins are columns of the same rows.
    "/en/",
    "/en/challenges/",
    "/en/projects/",
    "/api/v1/challenges/?lang=en",
    "/api/v1/projects/?lang=en",
    "/en/search/?q=tantangan",
]


def test_list_query_counts_do_not_grow_with_data(client):
    """Measure each list with 1 funded project, then with 4: no count may grow (an N+1 would)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts():
        measured = {}
        for path in LIST_PAGES:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200, path
            measured[path] = len(queries.captured_queries)
        return measured

    _funded_projects(1)
    counts()  # warm the per-process caches (site root, content types) first
    small = counts()
    _funded_projects(3)
    large = counts()
    grown = {path: (small[path], large[path]) for path in LIST_PAGES if large[path] > small[path]}
    assert not grown, f"query counts grew with the data: {grown}"


def test_challenge_list_filters_and_sorts(client):
    health = factories.SectorFactory(slug="kesehatan")
    upcoming = factories.challenge(
        title="Tantangan mendatang",
        sector=health,
        opens_at=timezone.now() + datetime.timedelta(days=3),
        closes_at=timezone.now() + datetime.timedelta(days=30),
    )
    big = factories.challenge(title="Tantangan besar", incentives=(("prize", 900_000_000_00),))
    small = factories.challenge(title="Tantangan kecil", incentives=(("in_kind", 1_000_00),))

    def titles(**params):
        return [c.title for c in client.get("/challenges/", params).context["challenges"]]

    assert titles(status="upcoming") == [upcoming.title]
    assert titles(sector="kesehatan") == [upcoming.title]
    assert titles(incentive="prize") == [big.title]
    assert titles(budget_min="100000000") == [big.title]  # Rp 100 juta
    assert titles(sort="budget")[:2] == [big.title, upcoming.title]
    assert titles(budget_max="1000") == [small.title]  # Rp 1.000


def test_bad_filter_input_gets_a_message_and_the_list_stays(client):
    factories.challenge(title="Tantangan ada")
    response = client.get("/challenges/", {"budget_min": "banyak", "closes_before": "kemarin"})
    assert response.status_code == 200
    assert [c.title for c in response.context["challenges"]] == ["Tantangan ada"]
    assert set(response.context["filter"].errors) == {"budget_min", "closes_before"}


def test_api_rejects_bad_filters_with_400(client):
    response = client.get("/api/v1/challenges/", {"status": "selesai"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_challenge_times_are_shown_in_the_regions_zone(client):
    closes = datetime.datetime(2030, 5, 1, 15, 0, tzinfo=datetime.UTC)
    page = factories.challenge(
        closes_at=closes, agency_obj=factories.agency(factories.region(timezone_name="Asia/Jayapura"))
    )
    response = client.get(f"/challenges/{page.slug}/")
    assert "00:00" in response.text and "WIT" in response.text  # 15:00 UTC is 00:00 WIT next day
    item = client.get("/api/v1/challenges/").json()["results"][0]
    assert item["closes_at"] == "2030-05-02T00:00:00+09:00"


def test_healthz_reports_each_dependency(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert set(body) >= {"database", "broker", "search", "payments"}


def test_healthz_is_503_when_the_database_is_unreachable():
    """A separate process whose DATABASE_URL points at a port where nothing listens."""
    code = (
        "import django, json; django.setup(); from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code, json.loads(r.content)['database']['ok'])"
    )
    env = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/none",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "x",
        "DEBUG": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=60,
    )
    assert result.stdout.split()[-2:] == ["503", "False"], result.stderr[-2000:]


# /projects/: filters and sorts ------------------------------------------------------------------


def _project(*, region, sector, amount: int, title: str, accepted: bool = True, publish: bool = True):
    """A funded project of a new challenge in ``region`` and ``sector``; public once its results
    are published, started once the grantee accepted the agreement."""
    official, finance = factories.UserFactory(roles=["official"]), factories.UserFactory(roles=["finance"])
    challenge = factories.challenge(
        agency_obj=factories.agency(region, officials=[official]), sector=sector, title=f"Tantangan {title}"
    )
    owner = factories.UserFactory()
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner, amount=amount)
    Proposal.objects.filter(pk=proposal.pk).update(title=title)
    factories.allocation(challenge, finance=finance, amount=amount, idempotency_key=f"dpa-{challenge.pk}")
    award = factories.awarded_proposal(
        proposal, official=official, amount=amount, milestones=2, accepted_by=owner if accepted else None
    )
    if publish:
        factories.publish_results(challenge, official)
    return award


@pytest.fixture
def projects():
    kolaka, pontianak = factories.region("Kolaka"), factories.region("Pontianak")
    health = factories.SectorFactory(slug="kesehatan")
    markets = factories.SectorFactory(slug="pasar")
    delivering = _project(region=kolaka, sector=health, amount=30_000_000_00, title="Antrean puskesmas")
    starting = _project(
        region=pontianak, sector=markets, amount=90_000_000_00, title="Pasar pintar", accepted=False
    )
    completed = _project(region=pontianak, sector=health, amount=10_000_000_00, title="Posyandu digital")
    # Its milestones are paid (the payment flow itself is tested in tests/awards/).
    Milestone.objects.filter(award=completed).update(status=Milestone.Status.PAID)
    # An older one, from last year.
    last_year = timezone.now() - datetime.timedelta(days=400)
    Award.objects.filter(pk=completed.pk).update(awarded_at=last_year)
    _project(region=kolaka, sector=health, amount=50_000_000_00, title="Belum diumumkan", publish=False)
    return type(
        "Projects",
        (),
        {
            "kolaka": kolaka,
            "delivering": delivering,
            "starting": starting,
            "completed": completed,
            "this_year": str(timezone.localdate().year),
            "last_year": str(timezone.localtime(last_year).year),
        },
    )


def _titles(client, **params):
    response = client.get("/projects/", params)
    assert response.status_code == 200
    return [project.proposal.title for project in response.context["projects"]], response


def test_only_public_projects_are_listed(client, projects):
    titles, response = _titles(client)
    assert sorted(titles) == ["Antrean puskesmas", "Pasar pintar", "Posyandu digital"]
    assert "Belum diumumkan" not in response.text


def test_project_list_filters_by_region_sector_year_and_status(client, projects):
    assert _titles(client, region=projects.kolaka.slug)[0] == ["Antrean puskesmas"]
    assert sorted(_titles(client, sector="kesehatan")[0]) == ["Antrean puskesmas", "Posyandu digital"]
    assert _titles(client, year=projects.last_year)[0] == ["Posyandu digital"]
    assert sorted(_titles(client, year=projects.this_year)[0]) == ["Antrean puskesmas", "Pasar pintar"]
    assert _titles(client, status="delivery")[0] == ["Antrean puskesmas"]
    assert _titles(client, status="completed")[0] == ["Posyandu digital"]
    assert _titles(client, status="starting")[0] == ["Pasar pintar"]
    assert _titles(client, sector="kesehatan", status="completed")[0] == ["Posyandu digital"]
    # The page says where each project stands, in Indonesian.
    page = _titles(client, status="completed")[1].text
    with translation.override("id"):
        assert gettext("Completed") in page


def test_project_list_sorts_by_amount_and_date(client, projects):
    assert _titles(client, sort="amount_desc")[0] == ["Pasar pintar", "Antrean puskesmas", "Posyandu digital"]
    assert _titles(client, sort="amount_asc")[0] == ["Posyandu digital", "Antrean puskesmas", "Pasar pintar"]
    assert _titles(client, sort="oldest")[0][0] == "Posyandu digital"
    assert _titles(client, sort="newest")[0][-1] == "Posyandu digital"
    assert _titles(client)[0][-1] == "Posyandu digital"  # newest first by default


def test_a_bad_project_filter_is_shown_on_its_field_and_the_rest_still_applies(client, projects):
    titles, response = _titles(client, year="tahun-lalu", sector="kesehatan", sort="acak")
    form = response.context["filter"].form
    assert set(form.errors) == {"year", "sort"}
    with translation.override("id"):
        message = gettext("Select a valid choice. %(value)s is not one of the available choices.")
    assert message % {"value": "tahun-lalu"} in response.text
    assert sorted(titles) == ["Antrean puskesmas", "Posyandu digital"]  # the sector still applies
    # Without JavaScript: a plain GET form with the filters as its fields.
    assert 'method="get"' in response.text and 'name="status"' in response.text


# The list pages of the performance targets: at most eight queries each, with one funded project
# and with several. Without a search: with nothing remembered (the first request after a public
# write: DEBUG keeps nothing); with one: with the remembered parts warm (the search's own
# statements are its engine's, ``tests/search``).
EIGHT_QUERY_PAGES = [
    "/challenges/",
    "/challenges/?sector=kesehatan&budget_min=100+juta&sort=zzz",
    "/challenges/?status=open&sort=closes",
    "/challenges/?region=tidak-ada&incentive=prize&sort=budget",
    "/challenges/?page=2",
    "/en/challenges/",
    "/api/v1/challenges/",
    "/api/v1/challenges/?sector=kesehatan&sort=title",
    "/projects/",
    "/projects/?region=tidak-ada",
    "/projects/?sector=kesehatan&status=delivery&sort=amount_desc",
    "/en/projects/",
    "/api/v1/projects/",
]
EIGHT_QUERY_SEARCHES = [
    "/challenges/?q=tantangan",
    "/challenges/?q=tantangan&sector=kesehatan",
    "/api/v1/challenges/?q=tantangan",
    "/search/?q=tantangan",
    "/en/search/?q=tantangan",
]


def _queries(client, paths):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    measured = {}
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, path
        measured[path] = [q["sql"][:120] for q in queries.captured_queries]
    return measured


def _over_eight(small, large):
    over = {
        path: (len(small[path]), len(large[path]))
        for path in small
        if max(len(small[path]), len(large[path])) > 8
    }
    return f"more than eight queries: {over}\n" + "\n".join(f"{p}: {large[p]}" for p in over) if over else ""


def test_list_pages_run_at_most_eight_queries_with_little_or_more_data(client):
    factories.SectorFactory(slug="kesehatan")
    _funded_projects(1)
    _queries(client, EIGHT_QUERY_PAGES)  # the per-process caches (site root, content types) first
    small = _queries(client, EIGHT_QUERY_PAGES)
    _funded_projects(3)
    large = _queries(client, EIGHT_QUERY_PAGES)
    assert not _over_eight(small, large), _over_eight(small, large)


def test_searched_lists_run_at_most_eight_queries_with_their_parts_remembered(client, settings):
    from django.core.cache import cache

    settings.DATA_CACHE_SECONDS = 300
    cache.clear()
    factories.SectorFactory(slug="kesehatan")
    _funded_projects(1)
    _queries(client, EIGHT_QUERY_SEARCHES)  # remembers the parts
    small = _queries(client, EIGHT_QUERY_SEARCHES)
    _funded_projects(3)  # a public write: everything is made again once
    _queries(client, EIGHT_QUERY_SEARCHES)
    large = _queries(client, EIGHT_QUERY_SEARCHES)
    assert not _over_eight(small, large), _over_eight(small, large)


def test_a_searched_challenge_list_runs_at_most_eight_queries_on_the_first_request_after_a_write(
    client, settings
):
    """After a public write (a new generation: every remembered part is made again) the search
    runs its own statements, the list its count and rows; the filter choices stay kept, since
    no sector, region or agency changed. (A search that finds nothing also looks for a
    correction and searches again: more statements, tests/search.)"""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core import page_cache
    from search import indexing

    settings.DATA_CACHE_SECONDS = 300
    cache.clear()
    factories.SectorFactory(slug="kesehatan")
    _funded_projects(2)
    indexing.rebuild_database_copy()
    searched = ["/challenges/?q=tantangan", "/en/challenges/?q=tantangan&sort=budget"]
    _queries(client, searched)  # the per-process caches and the choices
    for path in searched:
        page_cache.forget_public_pages()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        assert response.context["page_obj"].paginator.count == 2, path  # what the search found
        assert len(queries.captured_queries) <= 8, "\n".join(q["sql"][:120] for q in queries.captured_queries)


def test_the_challenge_list_choices_are_made_again_when_a_sector_is_added(
    client, settings, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    settings.DATA_CACHE_SECONDS = 300
    cache.clear()
    assert "Perikanan laut" not in client.get("/challenges/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        factories.SectorFactory(slug="perikanan-laut", name="Perikanan laut", name_en="Sea fisheries")
    assert "Perikanan laut" in client.get("/challenges/").content.decode()
    assert "Sea fisheries" in client.get("/en/challenges/").content.decode()


def test_project_counts_by_region_or_sector_read_no_project_while_nothing_public_changes(client, settings):
    """The count of a filtered project list is made once after each public write and then kept:
    the pages that follow read no project to count them, however many projects there are."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.DATA_CACHE_SECONDS = 300
    cache.clear()

    def shown_and_counting(path):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        counting = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(")]
        return response.context["page_obj"].paginator.count, counting

    for more in (1, 3):
        _funded_projects(more)
        challenge = Award.objects.order_by("-pk").first().proposal.challenge
        region, sector = challenge.agency.region, challenge.sector
        truth = {
            f"/projects/?region={region.slug}": Award.objects.filter(
                public=True, proposal__challenge__agency__region=region
            ).count(),
            f"/projects/?sector={sector.slug}": Award.objects.filter(
                public=True, proposal__challenge__sector=sector
            ).count(),
        }
        for path, count in truth.items():
            assert shown_and_counting(path) == (count, [mock.ANY]), path  # made after the write
            assert shown_and_counting(path) == (count, []), path  # then kept
