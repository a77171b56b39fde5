"""The challenge list's default order: open first (closing soonest), then upcoming (opening
soonest), then the rest (latest closed first), read a page at a time (``InListOrder``)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.challenges import selectors
from marketplace.challenges.models import ChallengePage
from tests import factories

pytestmark = pytest.mark.django_db


def _challenges():
    now = timezone.now()
    day = datetime.timedelta(days=1)
    made = {}
    for name, opens, closes in [
        ("buka-lama", -5, 20),
        ("buka-segera-tutup", -5, 2),
        ("buka-baru", -1, 40),
        ("mendatang-jauh", 10, 40),
        ("mendatang-dekat", 3, 30),
        ("tutup-kemarin", -30, -1),
        ("tutup-lama", -60, -20),
    ]:
        made[name] = factories.challenge(
            slug=name, title=name, opens_at=now + opens * day, closes_at=now + closes * day
        )
    decided = factories.challenge(slug="sudah-diputuskan", title="sudah-diputuskan", closes_at=now + 9 * day)
    ChallengePage.objects.filter(pk=decided.pk).update(outcome=ChallengePage.Outcome.CLOSED)
    return made


def test_the_default_order_as_a_visitor_sees_it(client):
    _challenges()
    titles = [c.title for c in client.get("/challenges/").context["challenges"]]
    assert titles == [
        "buka-segera-tutup",
        "buka-lama",
        "buka-baru",
        "mendatang-dekat",
        "mendatang-jauh",
        "sudah-diputuskan",
        "tutup-kemarin",
        "tutup-lama",
    ]


def test_every_window_of_the_paged_order_matches_the_whole_sorted_list():
    _challenges()
    whole = [c.pk for c in selectors.challenge_list()]
    paged = selectors.InListOrder(selectors.challenge_list())
    assert paged.count() == len(whole) == 8
    for start in range(len(whole)):
        for stop in range(start, len(whole) + 2):
            assert [c.pk for c in paged[start:stop]] == whole[start:stop], (start, stop)


@pytest.mark.parametrize(
    "path, page_size",
    [
        ("/challenges/", "core.pagination.PAGE_SIZE"),
        ("/api/v1/challenges/", "rest_framework.pagination.PageNumberPagination.page_size"),
    ],
)
def test_a_page_across_the_three_groups_runs_the_queries_of_one_group(client, monkeypatch, path, page_size):
    """A page's rows are read in one query with one set of prefetches however many groups (open,
    upcoming, the rest) it spans: at the demo's size the first page holds all three."""
    _challenges()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    client.get(path)  # what a running worker keeps (Wagtail's site roots, content types)
    monkeypatch.setattr(page_size, 3)
    in_one_group = queries()  # the three open challenges
    monkeypatch.setattr(page_size, 20)
    across_three = queries()  # all eight
    assert across_three == in_one_group


def test_pages_split_across_groups(client, monkeypatch):
    _challenges()
    monkeypatch.setattr("core.pagination.PAGE_SIZE", 3)  # three to a page instead of twenty
    pages = [
        [c.title for c in client.get("/challenges/", {"page": n}).context["challenges"]] for n in (1, 2, 3)
    ]
    assert pages == [
        ["buka-segera-tutup", "buka-lama", "buka-baru"],
        ["mendatang-dekat", "mendatang-jauh", "sudah-diputuskan"],
        ["tutup-kemarin", "tutup-lama"],
    ]


def test_the_api_lists_in_the_same_order_page_by_page(client, monkeypatch):
    _challenges()
    monkeypatch.setattr("rest_framework.pagination.PageNumberPagination.page_size", 3)
    page_one = client.get("/api/v1/challenges/").json()
    assert page_one["count"] == 8
    titles = [c["title"] for c in page_one["results"]]
    pages, following = 1, page_one["next"]
    while following:
        answer = client.get(following).json()
        titles += [c["title"] for c in answer["results"]]
        pages, following = pages + 1, answer["next"]
    assert pages == 3
    assert titles == [c.title for c in client.get("/challenges/").context["challenges"]]
