"""What an official meets in the Wagtail editor."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import GroupPagePermission

from marketplace.models import ChallengeIndexPage, ChallengePage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    region = factories.region("Kabupaten Sumba Barat", timezone_name="Asia/Makassar")  # WITA, UTC+8
    official = factories.UserFactory(roles=["official"], is_staff=True)
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=Group.objects.get(name="official"),
            page=region,
            permission=Permission.objects.get(codename=codename),
        )
    client.force_login(official)
    agency = factories.agency(region, officials=[official])
    index = region.get_children().type(ChallengeIndexPage).first()
    add_url = reverse("wagtailadmin_pages:add", args=("marketplace", "challengepage", index.pk))
    return client, agency, factories.SectorFactory(), add_url


def test_times_are_entered_in_the_regions_own_zone(editor):
    client, agency, sector, add_url = editor
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


def test_criteria_weights_must_add_up_to_100(editor):
    client, agency, sector, add_url = editor
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


def test_closing_before_opening_is_refused(editor):
    client, agency, sector, add_url = editor
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


def test_challenge_slugs_are_unique_across_regions(editor):
    client, agency, sector, add_url = editor
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


def test_only_the_regions_agencies_are_offered(editor):
    client, agency, sector, add_url = editor
    elsewhere = factories.agency()  # another region's agency
    form = client.get(add_url).context["form"]
    assert list(form.fields["agency"].queryset) == [agency]
    assert elsewhere not in form.fields["agency"].queryset
