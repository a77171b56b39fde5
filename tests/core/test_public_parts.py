"""Parts of public pages made once and kept (``{% public_part %}``): what a reader gets the next
time, that a change is shown at once, and that a part is never personal."""

import datetime
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.template import engines
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core import page_cache
from core.templatetags.public_parts import PUBLIC_PARTS
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def parts_kept(settings):
    """Pages are made each time (no page cache), their parts kept, as for a signed-in reader."""
    settings.DATA_CACHE_SECONDS = 300
    settings.PAGE_CACHE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


def _get(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode(), len(queries.captured_queries)


def _render(source: str, context: dict, user=None) -> str:
    request = RequestFactory().get("/")
    request.user = user or factories.UserFactory.build()
    return engines["django"].from_string("{% load public_parts %}" + source).render(context, request)


def _closing_in(seconds: float, **fields):
    """A challenge that closes ``seconds`` from now (set once it exists, so that making it does
    not eat into them)."""
    from marketplace.challenges.models import ChallengePage

    challenge = factories.challenge(**fields)
    closes_at = timezone.now() + datetime.timedelta(seconds=seconds)
    ChallengePage.objects.filter(pk=challenge.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=10), closes_at=closes_at
    )
    return challenge, closes_at


def _wait_until(moment) -> None:
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()) + 0.1)


def test_the_challenge_cards_are_read_once_and_shown_the_same_the_next_time(client):
    for number in range(3):
        factories.challenge(title=f"Tantangan nomor {number}")
    first, first_queries = _get(client, "/challenges/")
    again, again_queries = _get(client, "/challenges/")
    assert again == first
    assert again_queries < first_queries
    assert all(f"Tantangan nomor {number}" in again for number in range(3))


def test_a_new_challenge_is_listed_at_once(client, django_capture_on_commit_callbacks):
    factories.challenge(title="Tantangan pertama")
    _get(client, "/challenges/")
    with django_capture_on_commit_callbacks(execute=True):
        factories.challenge(title="Tantangan kedua")
    page, _ = _get(client, "/challenges/")
    assert "Tantangan pertama" in page and "Tantangan kedua" in page


def test_the_cards_are_kept_apart_by_language_filters_sort_and_page(client):
    water = factories.SectorFactory(slug="air", name="Air")
    factories.challenge(title="Air bersih desa", sector=water)
    factories.challenge(title="Jalan desa", sector=factories.SectorFactory(slug="jalan", name="Jalan"))
    indonesian, _ = _get(client, "/challenges/")
    english, _ = _get(client, "/en/challenges/")
    assert "<dt>Ditutup</dt>" in indonesian and "<dt>Closes</dt>" in english
    filtered, _ = _get(client, f"/challenges/?sector={water.slug}")
    assert "Air bersih desa" in filtered and "Jalan desa" not in filtered
    by_title, _ = _get(client, "/challenges/?sort=title")
    assert by_title.index("Air bersih desa") < by_title.index("Jalan desa")


def test_a_card_shows_the_status_the_clock_gives_it_not_the_kept_one(client):
    """A challenge closing in two seconds is listed as closing soon; once its deadline passes
    its card says it is in review, though nothing was written in between."""
    _challenge, closes_at = _closing_in(3, title="Tantangan hampir tutup")
    before, _ = _get(client, "/challenges/")
    assert "badge--closing_soon" in before
    _wait_until(closes_at)
    after, _ = _get(client, "/challenges/")
    assert "badge--closing_soon" not in after
    assert "badge--in_review" in after


def test_a_part_never_sees_who_is_reading():
    applicant = factories.UserFactory(username="pelamar-rahasia", email="rahasia@example.id")
    source = (
        '{% public_part "reader" "same" %}[{{ user.username }}][{{ user.email }}]'
        "[{{ csrf_token }}][{{ request.path }}][{{ perms }}]{{ shown }}{% endpublic_part %}"
    )
    with translation.override("id"):
        made = _render(source, {PUBLIC_PARTS: True, "shown": "isi publik"}, user=applicant)
        kept = _render(source, {PUBLIC_PARTS: True, "shown": "isi publik"})
    assert made == kept == "[][][][][]isi publik"


def test_a_part_is_kept_only_where_the_view_says_the_page_is_public():
    """A preview, a draft or an insider's page never says so: what it shows is made each time,
    never kept, and is the page as it is (an insider's forms keep their token)."""
    source = '{% public_part "draft" "same" %}{{ shown }}{% endpublic_part %}'
    insider = factories.UserFactory(username="petugas-dalam")
    with translation.override("id"):
        own = '{% public_part "own" "same" %}[{{ user.username }}]{% endpublic_part %}'
        assert _render(own, {}, user=insider) == "[petugas-dalam]"
        assert _render(source, {"shown": "draf satu"}) == "draf satu"
        assert _render(source, {"shown": "draf dua"}) == "draf dua"
        assert _render(source, {PUBLIC_PARTS: True, "shown": "terbit"}) == "terbit"
        # Kept now: the same name and values show what was kept, until a public write.
        assert _render(source, {PUBLIC_PARTS: True, "shown": "lain"}) == "terbit"
        page_cache.forget_public_pages()
        assert _render(source, {PUBLIC_PARTS: True, "shown": "lain"}) == "lain"


def test_a_part_that_cannot_be_named_is_made_each_time():
    source = '{% public_part "unnamed" key %}{{ shown }}{% endpublic_part %}'
    with translation.override("id"):
        assert _render(source, {PUBLIC_PARTS: True, "key": None, "shown": "satu"}) == "satu"
        assert _render(source, {PUBLIC_PARTS: True, "key": None, "shown": "dua"}) == "dua"


def _api(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return response.json(), len(queries.captured_queries)


def test_the_api_lists_are_kept_for_each_address_and_language(client, django_capture_on_commit_callbacks):
    factories.challenge(title="Tantangan API")
    first, first_queries = _api(client, "/api/v1/challenges/")
    again, again_queries = _api(client, "/api/v1/challenges/")
    assert again == first and again_queries < first_queries
    english, _ = _api(client, "/api/v1/challenges/?lang=en")
    assert english["results"][0]["title"] == "Tantangan API"  # no English twin: as given
    with django_capture_on_commit_callbacks(execute=True):
        factories.challenge(title="Tantangan API kedua")
    after, _ = _api(client, "/api/v1/challenges/")
    assert {row["title"] for row in after["results"]} == {"Tantangan API", "Tantangan API kedua"}


def test_an_api_list_gives_the_status_the_clock_gives(client):
    _challenge, closes_at = _closing_in(3)
    for path in ("/api/v1/challenges/", "/api/v1/challenges/?sort=closes"):
        assert _api(client, path)[0]["results"][0]["status"] == "closing_soon", path
    _wait_until(closes_at)
    for path in ("/api/v1/challenges/", "/api/v1/challenges/?sort=closes"):
        assert _api(client, path)[0]["results"][0]["status"] == "in_review", path


def test_a_challenge_page_shows_a_change_at_once(client, django_capture_on_commit_callbacks):
    official = factories.UserFactory(roles=["official"])
    challenge = factories.challenge(officials=[official])
    first, first_queries = _get(client, challenge.url)
    again, again_queries = _get(client, challenge.url)
    assert again == first and again_queries < first_queries
    with django_capture_on_commit_callbacks(execute=True):
        question = factories.answered_question(challenge_page=challenge, official=official)
    answered, _ = _get(client, challenge.url)
    assert question.body in answered


def test_a_challenge_page_shows_the_status_the_clock_gives_it(client):
    challenge, closes_at = _closing_in(3)
    assert "badge--closing_soon" in _get(client, challenge.url)[0]
    assert "badge--closing_soon" in _get(client, challenge.url)[0]
    _wait_until(closes_at)
    closed, _ = _get(client, challenge.url)
    assert "badge--closing_soon" not in closed and "badge--in_review" in closed


def test_an_official_sees_the_questions_awaiting_an_answer_and_nobody_else_does(client):
    """The official's own list is made for them each time beside the kept parts, whoever made
    those first."""
    official = factories.UserFactory(roles=["official"])
    challenge = factories.challenge(officials=[official])
    factories.question(challenge_page=challenge, body="Pertanyaan yang belum dijawab Intan?")
    for reader in (factories.signed_in_client(official), client, factories.signed_in_client(official)):
        reader.get(challenge.url)
    own = factories.signed_in_client(official).get(challenge.url).content.decode()
    anonymous, _ = _get(client, challenge.url)
    assert "Pertanyaan yang belum dijawab Intan?" in own
    assert "Pertanyaan yang belum dijawab Intan?" not in anonymous


def test_the_home_page_shows_its_published_intro_at_once(client, django_capture_on_commit_callbacks):
    """The site and its home page are kept with the request's site (``cms.sites``) until a
    public write: publishing the home page is one."""
    home = factories.home_page()
    _get(client, "/")
    with django_capture_on_commit_callbacks(execute=True):
        home.intro = "Pengantar baru untuk beranda"
        home.save_revision().publish()
    page, _ = _get(client, "/")
    assert "Pengantar baru untuk beranda" in page
