"""/challenges/: open challenges first, bad filter values shown on their fields while the rest
still apply, budgets typed as people write rupiah, and the filters folded on phones."""

import datetime

import pytest
from django.utils import timezone

from marketplace.challenges.models import ChallengePage
from tests import factories
from tests.support.module_data import rolled_back_after_module

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    assert response.status_code == 200
    return [challenge.title for challenge in response.context["challenges"]]


def _challenge(title, *, opens_in_days, closes_in_days, **kwargs):
    """A challenge whose call opens and closes that many days from now (negative: in the past)."""
    now = timezone.now()
    page = factories.challenge(title=title, **kwargs)
    ChallengePage.objects.filter(pk=page.pk).update(
        opens_at=now + datetime.timedelta(days=opens_in_days),
        closes_at=now + datetime.timedelta(days=closes_in_days),
    )
    return page


@pytest.fixture(scope="class")
def _calls_built(django_db_setup, django_db_blocker):
    """Built once for the class, rolled back after its last test; each test runs in a savepoint."""
    with rolled_back_after_module(django_db_blocker):
        _challenge("Ditutup lama", opens_in_days=-90, closes_in_days=-60)
        _challenge("Ditutup baru", opens_in_days=-40, closes_in_days=-2)
        _challenge("Buka lama", opens_in_days=-5, closes_in_days=45)
        _challenge("Segera ditutup", opens_in_days=-20, closes_in_days=2)
        _challenge("Akan datang", opens_in_days=7, closes_in_days=60)
        yield


@pytest.fixture
def calls(_calls_built, db):
    """Two closed calls, two open ones (one closing in two days), one not open yet."""


class TestCalls:
    """In a class, so that the calls are gone before the health and market challenges are built
    (each list must show only its own challenges)."""

    def test_open_challenges_come_first_closing_soonest_then_upcoming_then_closed(self, client, calls):
        assert _titles(client.get("/challenges/")) == [
            "Segera ditutup",
            "Buka lama",
            "Akan datang",
            "Ditutup baru",
            "Ditutup lama",
        ]

    def test_the_api_lists_in_the_same_order(self, client, calls):
        results = client.get("/api/v1/challenges/").json()["results"]
        assert [item["title"] for item in results][:2] == ["Segera ditutup", "Buka lama"]
        assert results[-1]["title"] == "Ditutup lama"

    def test_an_explicit_sort_still_applies(self, client, calls):
        assert _titles(client.get("/challenges/", {"sort": "closes"})) == [
            "Ditutup lama",
            "Ditutup baru",
            "Segera ditutup",
            "Buka lama",
            "Akan datang",
        ]
        assert _titles(client.get("/challenges/", {"sort": "title"}))[0] == "Akan datang"


@pytest.fixture(scope="class")
def _health_and_markets_built(django_db_setup, django_db_blocker):
    """Built once for the class, rolled back after its last test; each test runs in a savepoint."""
    with rolled_back_after_module(django_db_blocker):
        health = factories.SectorFactory(slug="kesehatan", name="Kesehatan")
        markets = factories.SectorFactory(slug="pasar", name="Pasar")
        factories.challenge(title="Puskesmas besar", sector=health, incentives=(("grant", 200_000_000_00),))
        factories.challenge(title="Puskesmas kecil", sector=health, incentives=(("grant", 5_000_000_00),))
        factories.challenge(title="Pasar besar", sector=markets, incentives=(("grant", 300_000_000_00),))
        yield


@pytest.fixture
def health_and_markets(_health_and_markets_built, db):
    """Two health challenges (Rp 200 and 5 juta) and a market one (Rp 300 juta)."""


class TestHealthAndMarkets:
    """In a class, so that these challenges are gone before the calls are built (see TestCalls)."""

    @pytest.mark.parametrize(
        "bad, message",
        [
            ({"sort": "zzz"}, "Masukkan pilihan yang valid"),
            ({"budget_max": "banyak"}, "Masukkan jumlah dalam rupiah, misalnya 150.000.000 atau 150 juta."),
            ({"region": "tidak-ada"}, "Masukkan pilihan yang valid"),
            ({"status": "selesai"}, "Masukkan pilihan yang valid"),
            ({"closes_before": "kemarin"}, "Masukkan tanggal yang valid."),
            ({"incentive": "emas"}, "Masukkan pilihan yang valid"),
        ],
    )
    def test_a_bad_value_shows_on_its_field_and_the_rest_still_applies(
        self, client, health_and_markets, bad, message
    ):
        response = client.get("/challenges/", {"sector": "kesehatan", "budget_min": "100.000.000", **bad})
        assert _titles(response) == ["Puskesmas besar"]  # the sector and the budget still apply
        [field] = bad
        assert set(response.context["filter"].errors) == {field}
        assert message in response.context["filter"].errors[field][0]
        html = response.text
        assert f'id="id_{field}_error"' in html and message in html
        assert "<details" in html and "open>" in html.split("<summary>")[0]  # opened, to show the error

    def test_a_sector_that_does_not_exist_is_an_error_and_the_list_stays(self, client, health_and_markets):
        response = client.get("/challenges/", {"sector": "tidak-ada", "budget_min": "100 juta"})
        assert sorted(_titles(response)) == ["Pasar besar", "Puskesmas besar"]
        assert set(response.context["filter"].errors) == {"sector"}

    def test_the_error_is_in_the_readers_language(self, client, health_and_markets):
        response = client.get("/en/challenges/", {"sort": "zzz", "budget_min": "banyak"})
        assert len(_titles(response)) == 3
        assert "Select a valid choice" in response.text
        assert "Enter an amount in rupiah, for example 150.000.000 or 150 juta." in response.text

    @pytest.mark.parametrize("typed", ["100.000.000", "100 juta", "Rp 100.000.000", "100000000"])
    def test_budgets_are_typed_as_people_write_rupiah(self, client, health_and_markets, typed):
        at_least = _titles(client.get("/challenges/", {"budget_min": typed}))
        assert sorted(at_least) == ["Pasar besar", "Puskesmas besar"]
        assert _titles(client.get("/challenges/", {"budget_max": typed})) == ["Puskesmas kecil"]

    def test_the_api_still_answers_400_to_a_bad_value(self, client, health_and_markets):
        for bad in ({"sort": "zzz"}, {"budget_min": "100.000.000"}, {"sector": "tidak-ada"}):
            response = client.get("/api/v1/challenges/", bad)
            assert response.status_code == 400, bad
            assert set(response.json()) == set(bad)
        assert client.get("/api/v1/challenges/", {"budget_min": "100000000"}).json()["count"] == 2

    def test_the_filters_fold_into_a_summary_with_the_count_and_what_applies(
        self, client, health_and_markets
    ):
        html = client.get("/challenges/", {"sector": "kesehatan", "budget_min": "100 juta"}).text
        details = html[html.index("<details") : html.index("</details>")]
        assert "<summary>" in details and 'role="search"' in details
        assert 'class="browse__filters">' in details  # closed: phones see the results first
        summary = details[details.index("<summary>") : details.index("</summary>")]
        assert "Saring tantangan" in summary and "(2 aktif)" in summary
        head = html[html.index('class="browse__head"') : html.index("<details")]
        assert "1 tantangan ditemukan." in head
        assert "Sektor: <strong>Kesehatan</strong>" in head and "Rp 100.000.000" in head
        # The count comes before the filters on the page, and the challenges after them.
        assert html.index("tantangan ditemukan") < html.index("<details") < html.index("Puskesmas besar</a>")
