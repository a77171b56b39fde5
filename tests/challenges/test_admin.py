"""What an official meets in the Wagtail editor."""

import datetime

import pytest
from django.urls import reverse

from marketplace.challenges.models import ChallengePage
from tests import factories

pytestmark = pytest.mark.django_db


def test_times_are_entered_in_the_regions_own_zone(challenge_editor):
    client, agency, sector, add_url = challenge_editor
    form = factories.admin_challenge_form(
        agency_obj=agency,
        sector=sector,
        title="Tantangan WITA",
        slug="tantangan-wita",
        opens="2030-01-01 08:00",
        closes="2030-01-31 23:59",
    )
    assert client.post(add_url, form).status_code == 302
    page = ChallengePage.objects.get(slug="tantangan-wita")
    assert page.closes_at == datetime.datetime(2030, 1, 31, 15, 59, tzinfo=datetime.UTC)

    edit = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
    assert 'value="2030-01-31 23:59"' in edit.text


def test_criteria_weights_must_add_up_to_100(challenge_editor):
    client, agency, sector, add_url = challenge_editor
    form = factories.admin_challenge_form(
        agency_obj=agency,
        sector=sector,
        title="Bobot salah",
        slug="bobot-salah",
        opens="2030-01-01 08:00",
        closes="2030-01-31 23:59",
        weights=(50, 30),
    )
    response = client.post(add_url, form)
    assert response.status_code == 200
    assert "Jumlah bobot kriteria 80%" in response.text  # the admin speaks Indonesian
    assert not ChallengePage.objects.filter(slug="bobot-salah").exists()


def test_closing_before_opening_is_refused(challenge_editor):
    client, agency, sector, add_url = challenge_editor
    form = factories.admin_challenge_form(
        agency_obj=agency,
        sector=sector,
        title="Waktu terbalik",
        slug="waktu-terbalik",
        opens="2030-02-01 08:00",
        closes="2030-01-31 23:59",
    )
    assert client.post(add_url, form).status_code == 200
    assert not ChallengePage.objects.filter(slug="waktu-terbalik").exists()


def test_challenge_slugs_are_unique_across_regions(challenge_editor):
    client, agency, sector, add_url = challenge_editor
    factories.challenge(slug="sama")  # in another region
    form = factories.admin_challenge_form(
        agency_obj=agency,
        sector=sector,
        title="Slug sama",
        slug="sama",
        opens="2030-01-01 08:00",
        closes="2030-01-31 23:59",
    )
    assert client.post(add_url, form).status_code == 200
    assert ChallengePage.objects.filter(slug="sama").count() == 1


def test_only_the_regions_agencies_are_offered(challenge_editor):
    client, agency, sector, add_url = challenge_editor
    elsewhere = factories.agency()  # another region's agency
    form = client.get(add_url).context["form"]
    assert list(form.fields["agency"].queryset) == [agency]
    assert elsewhere not in form.fields["agency"].queryset


def _incentive(kind: str, **fields) -> dict:
    row = {"kind": kind, "amount": "0", "currency": "IDR", "description": "", "winners": "1"}
    row.update(fields)
    return row


def test_each_kind_of_incentive_says_what_it_is_missing(challenge_editor):
    from django.utils import translation
    from django.utils.html import escape
    from django.utils.translation import gettext

    client, agency, sector, add_url = challenge_editor
    form = factories.admin_challenge_form(
        agency_obj=agency,
        sector=sector,
        title="Insentif kurang",
        slug="insentif-kurang",
        opens="2030-01-01 08:00",
        closes="2030-01-31 23:59",
        incentives=[
            _incentive("grant"),
            _incentive("pilot_contract", amount="200.000.000"),
            _incentive("in_kind"),
            _incentive("levy_relief"),
        ],
    )
    response = client.post(add_url, form)
    assert response.status_code == 200
    assert not ChallengePage.objects.filter(slug="insentif-kurang").exists()
    with translation.override("id"):
        expected = [
            gettext("A grant needs an amount."),
            gettext("A pilot contract needs its duration in months."),
            gettext("An in-kind offer needs a quantity."),
            gettext("An in-kind offer needs a unit, such as mentoring hours."),
            gettext("A levy relief must name the levy."),
        ]
    for message in expected:
        assert escape(message) in response.text, message


def test_typed_incentives_are_saved_with_their_fields(challenge_editor):
    from marketplace.challenges.models import Sponsor

    client, agency, sector, add_url = challenge_editor
    cloud = Sponsor.objects.create(name="PT Awan Nusantara")
    form = factories.admin_challenge_form(
        agency_obj=agency,
        sector=sector,
        title="Insentif lengkap",
        slug="insentif-lengkap",
        opens="2030-01-01 08:00",
        closes="2030-01-31 23:59",
        incentives=[
            _incentive("prize", amount="15 juta", winners="3"),
            _incentive("pilot_contract", amount="200.000.000", duration_months="6"),
            _incentive(
                "in_kind",
                provider=str(cloud.pk),
                quantity="5000",
                unit="USD kredit cloud",
                expires_on="2030-12-31",
            ),
            _incentive("levy_relief", levy_name="Retribusi pasar", relief="50% selama 12 bulan"),
        ],
    )
    assert client.post(add_url, form).status_code == 302
    page = ChallengePage.objects.get(slug="insentif-lengkap")
    offers = {i.kind: i for i in page.incentives.all()}
    assert (offers["prize"].winners, offers["prize"].amount) == (3, 15_000_000_00)  # "15 juta"
    assert offers["pilot_contract"].amount == 200_000_000_00
    assert offers["pilot_contract"].duration_months == 6
    assert (offers["in_kind"].provider, offers["in_kind"].quantity, offers["in_kind"].remaining) == (
        cloud,
        5000,
        5000,
    )
    assert offers["levy_relief"].relief == "50% selama 12 bulan"


def test_review_award_and_delivery_follow_the_closing_day(challenge_editor):
    client, agency, sector, add_url = challenge_editor
    form = factories.admin_challenge_form(
        agency_obj=agency,
        sector=sector,
        title="Tahapan terbalik",
        slug="tahapan-terbalik",
        opens="2030-01-01 08:00",
        closes="2030-01-31 23:59",
        review_ends_on="2030-01-15",
    )
    assert client.post(add_url, form).status_code == 200
    assert not ChallengePage.objects.filter(slug="tahapan-terbalik").exists()
