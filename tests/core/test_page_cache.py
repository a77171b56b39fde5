"""Anonymous pages from the cache (core/page_cache.py): what a visitor gets a second time, and
that nothing stale, personal or token-bearing is ever served from it."""

import pytest
from django.core.cache import cache

from core import page_cache
from marketplace.challenges.models import ChallengePage
from tests import factories
from tests.support import crawl

pytestmark = pytest.mark.django_db

# The crawl's public entry points (downloads are streamed, and streams are never stored).
PUBLIC_PAGES = [path for path in crawl.START if "/download/" not in path]


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    """The cache is off under DEBUG (tests run so); here it is on, as in production."""
    settings.PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def _get(client, path, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200, path
    return response


def test_anonymous_public_pages_set_no_cookie_and_come_from_the_cache_the_second_time(client):
    challenge = factories.challenge(title="Tantangan yang dicari")
    pages = [*PUBLIC_PAGES, challenge.url, f"/en{challenge.url}"]
    for path in pages:
        first = _get(client, path)
        assert not first.cookies, f"{path} set {list(first.cookies)}"
        assert first[page_cache.HIT_HEADER] == "miss", path
        second = _get(client, path)
        assert second[page_cache.HIT_HEADER] == "hit", path
        assert second.content == first.content, path
        assert not second.cookies, path


def test_the_two_languages_are_kept_apart(client):
    _get(client, "/challenges/")
    english = _get(client, "/en/challenges/")
    assert english[page_cache.HIT_HEADER] == "miss"
    assert b'<html lang="en">' in english.content
    indonesian = _get(client, "/challenges/")
    assert indonesian[page_cache.HIT_HEADER] == "hit"
    assert b'<html lang="id">' in indonesian.content


def test_the_language_switch_is_a_link_to_the_same_page_in_the_other_language(client):
    path = factories.challenge(title="Tantangan bahasa").url
    page = _get(client, path + "?tab=tanya").content.decode()
    assert f'href="/en{path}?tab=tanya" lang="en" hreflang="en"' in page
    assert "csrfmiddlewaretoken" not in page
    english = _get(client, f"/en{path}").content.decode()
    assert f'href="{path}" lang="id" hreflang="id"' in english


def test_a_published_change_is_shown_at_once(client, django_capture_on_commit_callbacks):
    challenge = factories.challenge(title="Judul lama")
    assert "Judul lama" in _get(client, "/challenges/").content.decode()
    assert _get(client, "/challenges/")[page_cache.HIT_HEADER] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        page = ChallengePage.objects.get(pk=challenge.pk)
        page.title = "Judul baru"
        page.save_revision().publish()

    fresh = _get(client, "/challenges/")
    assert fresh[page_cache.HIT_HEADER] == "miss"
    assert "Judul baru" in fresh.content.decode()
    assert "Judul lama" not in fresh.content.decode()


def test_published_results_are_shown_at_once(client, django_capture_on_commit_callbacks):
    """Publishing results writes the challenge with a bulk update; the audit entry written in the
    same transaction is what makes the stored pages go."""
    official = factories.UserFactory(roles=["official"])
    challenge = factories.challenge(officials=[official])
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=factories.UserFactory())
    factories.allocation(challenge, finance=factories.UserFactory(roles=["finance"]))
    factories.awarded_proposal(proposal, official=official)
    before = _get(client, "/projects/").content.decode()
    assert proposal.title not in before
    assert _get(client, "/projects/")[page_cache.HIT_HEADER] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        factories.publish_results(challenge, official)
    after = _get(client, "/projects/")
    assert after[page_cache.HIT_HEADER] == "miss"
    assert proposal.title in after.content.decode()


def test_nothing_is_stored_for_a_signed_in_user_nor_served_to_one(client):
    applicant = factories.UserFactory(first_name="Wulan", last_name="Pribadi")
    _get(client, "/challenges/")
    signed_in = factories.signed_in_client(applicant)
    theirs = _get(signed_in, "/challenges/")
    assert page_cache.HIT_HEADER not in theirs
    assert b'action="/accounts/logout/"' in theirs.content  # their own header, signed in
    # The anonymous copy is still the anonymous one.
    anonymous = _get(client, "/challenges/")
    assert anonymous[page_cache.HIT_HEADER] == "hit"
    assert b"Wulan" not in anonymous.content


def test_a_page_with_a_form_token_or_a_cookie_is_never_stored(client):
    for _ in range(2):
        login = client.get("/accounts/login/")
        assert login.status_code == 200
        assert page_cache.HIT_HEADER not in login
    assert "csrftoken" in login.cookies


def test_a_page_whose_policy_carries_a_nonce_is_never_stored(client):
    for _ in range(2):
        docs = client.get("/api/v1/docs/")
        assert docs.status_code == 200
        assert "'nonce-" in docs["Content-Security-Policy"]
        assert page_cache.HIT_HEADER not in docs


def test_errors_are_not_stored(client):
    for _ in range(2):
        missing = client.get("/tidak-ada-halaman-ini/")
        assert missing.status_code == 404
        assert page_cache.HIT_HEADER not in missing


def test_off_when_set_to_zero(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    _get(client, "/challenges/")
    assert page_cache.HIT_HEADER not in _get(client, "/challenges/")


# The WSGI front (config/wsgi.py): hits answered before Django makes a request -------------------


@pytest.fixture
def wsgi_get():
    """GETs through the application gunicorn serves, as a WSGI server calls it. The request signals
    would close the test's transaction after each response; the test client disconnects them in
    the same way."""
    from wsgiref.util import setup_testing_defaults

    from django.core import signals
    from django.db import close_old_connections

    from config.wsgi import application

    def get(path, method="GET", **environ):
        environ = {"PATH_INFO": path, "REQUEST_METHOD": method, "HTTP_HOST": "testserver", **environ}
        setup_testing_defaults(environ)
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, dict(headers)

        chunks = application(environ, start_response)
        try:
            answer["body"] = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        return answer

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_the_wsgi_front_sends_the_stored_page_as_django_made_it(wsgi_get):
    factories.challenge(title="Tantangan lewat gerbang")
    first = wsgi_get("/challenges/")
    assert first["status"] == "200 OK"
    assert first["headers"][page_cache.HIT_HEADER] == "miss"
    assert "Tantangan lewat gerbang" in first["body"].decode()

    second = wsgi_get("/challenges/")
    assert second["status"] == "200 OK"
    assert second["headers"][page_cache.HIT_HEADER] == "hit"
    assert second["body"] == first["body"]
    # The headers every middleware added on the way out are stored with the page.
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Content-Type", "Content-Length"):
        assert second["headers"][header] == first["headers"][header], header
    head = wsgi_get("/challenges/", method="HEAD")
    assert head["headers"][page_cache.HIT_HEADER] == "hit"
    assert head["body"] == b""


def test_the_wsgi_front_never_answers_a_signed_in_visitor(wsgi_get):
    applicant = factories.UserFactory(first_name="Wulan", last_name="Gerbang")
    wsgi_get("/challenges/")
    assert wsgi_get("/challenges/")["headers"][page_cache.HIT_HEADER] == "hit"
    signed_in = factories.signed_in_client(applicant)
    session_cookie = f"sessionid={signed_in.cookies['sessionid'].value}"
    theirs = wsgi_get("/challenges/", HTTP_COOKIE=session_cookie)
    assert page_cache.HIT_HEADER not in theirs["headers"]
    assert b'action="/accounts/logout/"' in theirs["body"]  # their own header, signed in
    bearer = wsgi_get("/challenges/", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert bearer["headers"].get(page_cache.HIT_HEADER) != "hit"


def test_the_wsgi_front_forgets_the_page_after_a_public_write(wsgi_get, django_capture_on_commit_callbacks):
    challenge = factories.challenge(title="Judul gerbang lama")
    wsgi_get("/challenges/", QUERY_STRING="sort=budget")
    assert wsgi_get("/challenges/", QUERY_STRING="sort=budget")["headers"][page_cache.HIT_HEADER] == "hit"
    # Another query string is another page.
    assert wsgi_get("/challenges/", QUERY_STRING="sort=deadline")["headers"][page_cache.HIT_HEADER] == "miss"
    with django_capture_on_commit_callbacks(execute=True):
        page = ChallengePage.objects.get(pk=challenge.pk)
        page.title = "Judul gerbang baru"
        page.save_revision().publish()
    fresh = wsgi_get("/challenges/", QUERY_STRING="sort=budget")
    assert fresh["headers"][page_cache.HIT_HEADER] == "miss"
    assert "Judul gerbang baru" in fresh["body"].decode()


# Parts remembered until the next public write (page_cache.remembered) -------------------------


@pytest.fixture
def data_cache_on(settings):
    settings.DATA_CACHE_SECONDS = 300
    settings.PAGE_CACHE_SECONDS = 0  # each page is made, from remembered parts


def _query_count(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        _get(client, path)
    return len(queries.captured_queries)


def _rich_challenge(n: int, *, official, finance):
    """A challenge with ``n`` of each: sponsors, attachments, SDGs, beneficiaries, answered
    questions, partners looking for a consortium and sponsors' pledges."""
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from marketplace.challenges.models import (
        Beneficiary,
        ChallengeDocument,
        ChallengePage,
        ChallengeSponsor,
        SDGTag,
        Sponsor,
    )

    page = factories.challenge(officials=[official])
    page.consortium_allowed = True
    page.sponsors = [
        ChallengeSponsor(sponsor=Sponsor.objects.create(name=f"PT Mitra {page.pk}-{i}"), sort_order=i)
        for i in range(n)
    ]
    attachments = []
    for i in range(n):
        document = Document(title=f"KAK {page.pk}-{i}")
        document.file.save(f"kak-{page.pk}-{i}.pdf", ContentFile(b"%PDF-1.4 kerangka acuan"), save=False)
        document.save()
        attachments.append(ChallengeDocument(document=document, sort_order=i))
    page.attachments = attachments
    page.sdg_tags = list(SDGTag.objects.order_by("number")[:n])
    page.beneficiaries = list(Beneficiary.objects.order_by("pk")[:n])
    page.save_revision().publish()
    page = ChallengePage.objects.get(pk=page.pk)
    for i in range(n):
        factories.answered_question(challenge_page=page, official=official)
        factories.partner_listing(challenge_page=page)
        factories.sponsor_pledge(
            page, finance=finance, amount=10_000_00 * (i + 1), bank_reference=f"BNI-{page.pk}-{i}"
        )
    return page


def _public_project(*, official, finance):
    """A challenge whose results are published, and its winner's project."""
    from marketplace.challenges.services import funds as challenges_services

    page = factories.challenge(officials=[official])
    proposal = factories.submitted_proposal(challenge_page=page, owner=factories.UserFactory())
    challenges_services.allocation_record(
        challenge=page, amount=10_000_00, by=finance, reference="DPA", idempotency_key=f"k{page.pk}"
    )
    award = factories.awarded_proposal(proposal, official=official, amount=10_000_00, milestones=2)
    factories.publish_results(page, official)
    return page, award


def test_detail_pages_run_at_most_eight_queries_cold_and_warm_however_much_there_is(
    client, data_cache_on, settings, tmp_path
):
    """The home page, a challenge (before and after its results), a project, an organisation
    and the transparency page: never above eight queries, on the first request after a public
    write (the remembered parts made again: ``cold``) as on the next ones (``warm``), and the
    same counts with one of everything as with several."""
    settings.MEDIA_ROOT = tmp_path
    official = factories.UserFactory(roles=["official"])
    finance = factories.UserFactory(roles=["finance"])

    def pages(n: int) -> dict[str, str]:
        challenge = _rich_challenge(n, official=official, finance=finance)
        decided, award = _public_project(official=official, finance=finance)
        return {
            "home": "/",
            "challenge": challenge.url,
            "decided challenge": decided.url,
            "project": f"/projects/{award.pk}/",
            "organisation": f"/organisations/{award.proposal.organisation.slug}/",
            "transparency": "/transparency/",
        }

    def counts(paths: dict[str, str]) -> dict[str, tuple[int, int]]:
        for path in paths.values():
            _get(client, path)  # the per-process caches (content types, site root paths)
        measured = {}
        for name, path in paths.items():
            page_cache.forget_public_pages()
            cold = _query_count(client, path)
            warm = _query_count(client, path)
            measured[name] = (cold, warm)
        return measured

    small = counts(pages(1))
    for _ in range(2):  # more of everything elsewhere
        _rich_challenge(2, official=official, finance=finance)
        _public_project(official=official, finance=finance)
    large = counts(pages(4))
    assert large == small, f"(cold, warm) with one of each {small}, with several {large}"
    assert all(cold <= 8 and warm <= 8 for cold, warm in large.values()), large


def test_a_kept_public_page_costs_no_query_and_one_round_trip_to_the_cache(
    client, data_cache_on, settings, tmp_path, monkeypatch
):
    """Once its parts are kept, a public page is made without a query and with one round trip to
    the cache, the footer's settings brought along (and on the home page, Wagtail's site)."""
    import redis

    settings.MEDIA_ROOT = tmp_path
    official = factories.UserFactory(roles=["official"])
    finance = factories.UserFactory(roles=["finance"])
    challenge = _rich_challenge(1, official=official, finance=finance)
    _decided, award = _public_project(official=official, finance=finance)
    paths = [
        "/",
        "/challenges/",
        challenge.url,
        "/projects/",
        f"/projects/{award.pk}/",
        f"/en/organisations/{award.proposal.organisation.slug}/",
        "/transparency/",
        "/search/?q=tantangan",
    ]
    for path in paths:
        _get(client, path)
    trips = []
    counted = redis.Redis.execute_command  # the real client, only counted

    def counting(self, *args, **options):
        trips.append(args[0])
        return counted(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    for path in paths:
        trips.clear()
        queries = _query_count(client, path)
        assert (queries, len(trips)) == (0, 1), (path, trips)


def test_remembered_parts_are_forgotten_after_a_public_write(
    client, data_cache_on, django_capture_on_commit_callbacks
):
    from wagtail.models import Site

    from cms.models import SiteSettings

    path = factories.challenge(title="Tantangan kontak").url
    assert "kontak-lama@example.id" not in _get(client, path).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        SiteSettings.objects.update_or_create(
            site=Site.objects.get(is_default_site=True), defaults={"contact_email": "kontak-lama@example.id"}
        )
    assert "kontak-lama@example.id" in _get(client, path).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        settings_row = SiteSettings.objects.get()
        settings_row.contact_email = "kontak-baru@example.id"
        settings_row.save()
    page = _get(client, path).content.decode()
    assert "kontak-baru@example.id" in page
    assert "kontak-lama@example.id" not in page


def test_a_view_restriction_on_the_home_page_holds_at_once_though_its_site_was_kept(
    client, data_cache_on, django_capture_on_commit_callbacks
):
    """The home page is served from its site kept with the root page and whether that page had a
    view restriction: a restriction added later is enforced on the very next visit."""
    from wagtail.models import PageViewRestriction, Site

    home = Site.objects.get(is_default_site=True).root_page
    _get(client, "/")
    assert _get(client, "/").status_code == 200  # from the kept site and part
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=home, restriction_type=PageViewRestriction.LOGIN)
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert "Lihat tantangan" not in response.content.decode()
