"""Four eyes on publishing: the person who submits a challenge never approves it.

The probe: someone holding both the official and the agency-head role of an agency submitted a
challenge and approved it themselves, so it went public with one pair of eyes."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState

from marketplace.challenges.models import ChallengeIndexPage, ChallengePage
from marketplace.challenges.services.challenges import region_setup_permissions
from tests import factories
from tests.factories import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted():
    """A challenge submitted for approval by someone who is both an official and a head."""
    region = factories.region("Kabupaten Sumba Timur", timezone_name="Asia/Makassar")
    both = factories.UserFactory(roles=["official", "agency_head"], is_staff=True)
    other_head = factories.UserFactory(roles=["agency_head"], is_staff=True)
    agency = factories.agency(region, officials=[both], heads=[both, other_head])
    region_setup_permissions(region=region)
    now = timezone.localtime(timezone.now(), agency.region.zoneinfo)
    form = factories.admin_challenge_form(
        agency_obj=agency,
        sector=factories.SectorFactory(),
        title="Tantangan air bersih",
        slug="air-bersih-sendiri",
        opens=(now - datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
        closes=(now + datetime.timedelta(days=30)).strftime("%Y-%m-%d %H:%M"),
        action="submit",
    )
    index = region.get_children().type(ChallengeIndexPage).first()
    add = reverse("wagtailadmin_pages:add", args=("challenges", "challengepage", index.pk))
    assert signed_in_client(both).post(add, form).status_code == 302
    page = ChallengePage.objects.get(slug="air-bersih-sendiri")
    assert page.workflow_in_progress and not page.live
    return page, both, other_head


def _approve_url(page) -> str:
    task_state = page.current_workflow_task_state
    return reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk))


def test_the_submitter_cannot_approve_even_holding_the_head_role(submitted):
    page, both, _other_head = submitted
    client = signed_in_client(both)

    response = client.post(_approve_url(page), {"comment": "Saya setujui sendiri."})

    assert response.status_code in (302, 403)
    page.refresh_from_db()
    assert not page.live and page.workflow_in_progress
    assert Client().get("/challenges/air-bersih-sendiri/").status_code == 404
    # Nor is it offered to them as waiting for their approval.
    assert not TaskState.objects.reviewable_by(both).exists()


def test_another_head_of_the_agency_approves_it(submitted):
    page, both, other_head = submitted
    assert TaskState.objects.reviewable_by(other_head).count() == 1

    assert (
        signed_in_client(other_head).post(_approve_url(page), {"comment": "Sesuai DPA."}).status_code == 302
    )

    page.refresh_from_db()
    assert page.live
    assert Client().get("/challenges/air-bersih-sendiri/").status_code == 200
