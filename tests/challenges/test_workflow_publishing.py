"""Who may author challenges where, and how they go live: officials edit only under their own
region, an agency head approves before anything is public, and scheduled publishing works."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission, Revision, WorkflowPage

from marketplace.challenges.models import ChallengeIndexPage, ChallengePage
from marketplace.challenges.services.challenges import APPROVAL_WORKFLOW_NAME, region_setup_permissions
from tests import factories
from tests.factories import signed_in_client

pytestmark = pytest.mark.django_db


def _add_url(region) -> str:
    index = region.get_children().type(ChallengeIndexPage).first()
    return reverse("wagtailadmin_pages:add", args=("challenges", "challengepage", index.pk))


@pytest.fixture
def regions():
    """Two regions, each with an agency, its official and the setup every region gets."""
    sumba = factories.region("Kabupaten Sumba Barat", timezone_name="Asia/Makassar")
    pontianak = factories.region("Kota Pontianak", timezone_name="Asia/Jakarta")
    official_a = factories.UserFactory(roles=["official"], is_staff=True)
    official_b = factories.UserFactory(roles=["official"], is_staff=True)
    head_a = factories.UserFactory(roles=["agency_head"], is_staff=True)
    head_b = factories.UserFactory(roles=["agency_head"], is_staff=True)
    agency_a = factories.agency(sumba, officials=[official_a], heads=[head_a])
    agency_b = factories.agency(pontianak, officials=[official_b], heads=[head_b])
    for region in (sumba, pontianak):
        region_setup_permissions(region=region)
    return {
        "a": (sumba, agency_a, official_a),
        "b": (pontianak, agency_b, official_b),
        "head": head_a,
        "other_head": head_b,
        "sector": factories.SectorFactory(),
    }


def _form(agency, sector, slug, action, **extra):
    now = timezone.localtime(timezone.now(), agency.region.zoneinfo)
    return factories.admin_challenge_form(
        agency_obj=agency,
        sector=sector,
        title=f"Tantangan {slug}",
        slug=slug,
        opens=(now - datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
        closes=(now + datetime.timedelta(days=30)).strftime("%Y-%m-%d %H:%M"),
        action=action,
        **extra,
    )


def _listed_slugs(client) -> list[str]:
    return [c.slug for c in client.get("/challenges/").context["challenges"]]


def test_each_region_gets_its_officials_group_and_the_approval_workflow(regions):
    sumba, agency, official = regions["a"]
    group = official.groups.get(name__startswith="Pejabat ")
    assert group.name == "Pejabat Kabupaten Sumba Barat"
    granted = set(
        GroupPagePermission.objects.filter(group=group).values_list("page_id", "permission__codename")
    )
    assert granted == {(sumba.pk, "add_page"), (sumba.pk, "change_page")}  # no publish right
    workflow = WorkflowPage.objects.get(page=sumba).workflow
    assert workflow.name == f"{APPROVAL_WORKFLOW_NAME} — Kabupaten Sumba Barat"
    heads = regions["head"].groups.get(name__startswith="Kepala OPD ")
    assert heads.name == "Kepala OPD Kabupaten Sumba Barat"
    assert [list(task.specific.groups.all()) for task in workflow.tasks.all()] == [[heads]]
    assert set(
        GroupPagePermission.objects.filter(group=heads).values_list("page_id", "permission__codename")
    ) == {(sumba.pk, "publish_page")}
    # The other region has its own workflow, approved by its own heads only.
    assert WorkflowPage.objects.get(page=regions["b"][0]).workflow != workflow

    # Running it again changes nothing; a new official of the region's agency joins the group.
    newcomer = factories.UserFactory(roles=["official"], is_staff=True)
    agency.officials.add(newcomer)
    assert region_setup_permissions(region=sumba) == group
    assert Group.objects.filter(name__startswith="Pejabat ").count() == 2
    assert set(group.user_set.all()) == {official, newcomer}
    assert GroupPagePermission.objects.filter(group=group).count() == 2
    assert Group.objects.filter(name__startswith="Kepala OPD ").count() == 2
    assert WorkflowPage.objects.get(page=sumba).workflow == workflow

    # A head of the agency who leaves stops approving there; a renamed region keeps its workflow.
    agency.heads.clear()
    sumba.title = "Kabupaten Sumba Barat Daya"
    sumba.save_revision().publish()
    region_setup_permissions(region=sumba)
    assert not heads.user_set.exists()
    workflow.refresh_from_db()
    assert WorkflowPage.objects.get(page=sumba).workflow == workflow
    assert workflow.name == f"{APPROVAL_WORKFLOW_NAME} — Kabupaten Sumba Barat Daya"


def test_an_official_cannot_add_or_edit_under_another_region(regions):
    sumba, agency_a, official_a = regions["a"]
    pontianak, agency_b, _official_b = regions["b"]
    client = signed_in_client(official_a)

    assert client.get(_add_url(sumba)).status_code == 200
    refused = client.get(_add_url(pontianak))
    assert refused.status_code in (302, 403)
    client.post(_add_url(pontianak), _form(agency_b, regions["sector"], "bukan-wilayahnya", "save"))
    assert not ChallengePage.objects.filter(slug="bukan-wilayahnya").exists()

    elsewhere = factories.challenge(agency_obj=agency_b)
    edit_url = reverse("wagtailadmin_pages:edit", args=(elsewhere.pk,))
    assert client.get(edit_url).status_code in (302, 403)
    assert (
        client.get(
            reverse("wagtailadmin_pages:edit", args=(factories.challenge(agency_obj=agency_a).pk,))
        ).status_code
        == 200
    )


def test_an_official_cannot_publish_directly(regions):
    sumba, agency, official = regions["a"]
    client = signed_in_client(official)
    response = client.post(_add_url(sumba), _form(agency, regions["sector"], "langsung-terbit", "publish"))
    assert response.status_code == 302
    page = ChallengePage.objects.get(slug="langsung-terbit")
    assert not page.live  # saved as a draft, nothing public
    assert "langsung-terbit" not in _listed_slugs(Client())
    assert Client().get("/challenges/langsung-terbit/").status_code == 404


def test_submitted_challenge_goes_live_only_when_an_agency_head_approves(regions):
    sumba, agency, official = regions["a"]
    official_client = signed_in_client(official)
    response = official_client.post(
        _add_url(sumba), _form(agency, regions["sector"], "antrean-daring", "submit")
    )
    assert response.status_code == 302
    page = ChallengePage.objects.get(slug="antrean-daring")
    assert page.workflow_in_progress
    assert not page.live
    public = Client()
    assert "antrean-daring" not in _listed_slugs(public)

    task_state = page.current_workflow_task_state
    approve = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk))

    # The official who wrote it may not approve it, nor may the head of another region's agency.
    assert official_client.post(approve, {"comment": ""}).status_code in (302, 403)  # to the admin home
    assert not ChallengePage.objects.get(pk=page.pk).live
    other_head = signed_in_client(regions["other_head"])
    assert other_head.post(approve, {"comment": "Bukan wilayah saya."}).status_code in (302, 403)
    page.refresh_from_db()
    assert not page.live and page.workflow_in_progress

    head_client = signed_in_client(regions["head"])
    assert head_client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,))).status_code == 200
    assert head_client.post(approve, {"comment": "Sesuai DPA."}).status_code == 302
    page.refresh_from_db()
    assert page.live
    assert "antrean-daring" in _listed_slugs(public)
    assert public.get("/challenges/antrean-daring/").status_code == 200


def test_scheduling_is_in_the_settings_tab_and_entered_in_the_regions_zone(regions):
    sumba, agency, official = regions["a"]
    client = signed_in_client(official)
    form = _form(agency, regions["sector"], "terjadwal", "submit", go_live_at="2030-01-01 08:00")
    assert client.post(_add_url(sumba), form).status_code == 302
    page = ChallengePage.objects.get(slug="terjadwal")
    edit = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
    assert 'name="go_live_at"' in edit.text and 'name="expire_at"' in edit.text
    assert page.go_live_at == datetime.datetime(2030, 1, 1, 0, 0, tzinfo=datetime.UTC)  # 08:00 WITA


def test_go_live_and_expiry_run_with_publish_scheduled(regions):
    _sumba, agency, _official = regions["a"]
    public = Client()
    page = factories.challenge(agency_obj=agency, slug="segera-dibuka", publish=False)
    page.go_live_at = timezone.now() + datetime.timedelta(days=2)
    page.save_revision().publish()  # what the approval does with a future go-live time
    page.refresh_from_db()
    assert not page.live
    call_command("publish_scheduled")
    assert not ChallengePage.objects.get(pk=page.pk).live  # not due yet
    assert "segera-dibuka" not in _listed_slugs(public)

    # Two days later: the scheduled time is moved back rather than the clock forward.
    due = timezone.now() - datetime.timedelta(minutes=1)
    revision = Revision.objects.get(pk=page.latest_revision_id)
    revision.content["go_live_at"] = due.isoformat()
    revision.approved_go_live_at = due
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled")
    page = ChallengePage.objects.get(pk=page.pk)
    assert page.live
    assert "segera-dibuka" in _listed_slugs(public)

    ChallengePage.objects.filter(pk=page.pk).update(expire_at=timezone.now() - datetime.timedelta(minutes=1))
    call_command("publish_scheduled")
    page = ChallengePage.objects.get(pk=page.pk)
    assert not page.live and page.expired
    assert "segera-dibuka" not in _listed_slugs(public)
