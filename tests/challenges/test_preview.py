"""Officials and agency heads see what will go live: the admin's preview, "view draft" and the
workflow's preview draw the real page from the draft's content, for every page type, and only
for people who may see that draft."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.models import StandardPage
from marketplace.challenges.models import ChallengeIndexPage, ChallengePage, SDGTag
from marketplace.challenges.services.challenges import region_setup_permissions
from tests import factories
from tests.factories import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_():
    return signed_in_client(factories.UserFactory(is_staff=True, is_superuser=True))


def _preview(client, page, form: dict):
    """What Wagtail's preview panel does: POST the editor's form, then GET the preview."""
    url = reverse("wagtailadmin_pages:preview_on_edit", args=(page.pk,))
    posted = client.post(url, form)
    assert posted.status_code == 200
    assert posted.json()["is_valid"], posted.json()
    return client.get(url)


def _view_draft(client, page):
    return client.get(reverse("wagtailadmin_pages:view_draft", args=(page.pk,)))


def _challenge_form(page: ChallengePage, **fields) -> dict:
    zone = page.agency.region.zoneinfo
    return factories.admin_challenge_form(
        agency_obj=page.agency,
        sector=page.sector,
        title=fields.pop("title", page.title),
        slug=fields.pop("slug", page.slug),
        opens=timezone.localtime(page.opens_at, zone).strftime("%Y-%m-%d %H:%M"),
        closes=timezone.localtime(page.closes_at, zone).strftime("%Y-%m-%d %H:%M"),
        action="save",
        **fields,
    )


def test_challenge_preview_and_view_draft_show_the_public_page_with_the_draft(admin_client_, official):
    page = factories.challenge(officials=[official], title="Antrean puskesmas daring")
    page.title = "Antrean puskesmas daring (revisi)"
    page.summary = "Ringkasan yang belum terbit."
    sdg = SDGTag.objects.get(number=6)
    page.sdg_tags = [sdg]  # the draft's own tags, not the live page's
    page.save_revision(user=official)

    draft = _view_draft(admin_client_, page)
    assert draft.status_code == 200
    assert "Antrean puskesmas daring (revisi)" in draft.content.decode()
    assert "Ringkasan yang belum terbit." in draft.content.decode()
    assert f"SDG 6: {sdg.display_name}" in draft.content.decode()
    # The same page the public sees at the challenge's address, not another template.
    assert "challenges/challenge_detail.html" in [t.name for t in draft.templates]

    preview = _preview(
        admin_client_, page, _challenge_form(page, title="Judul di editor", summary="Ringkasan di editor.")
    )
    assert preview.status_code == 200
    assert "Judul di editor" in preview.content.decode()
    assert "Ringkasan di editor." in preview.content.decode()

    # Nothing of the draft went public.
    public = Client().get(f"/challenges/{page.slug}/").content.decode()
    assert "Antrean puskesmas daring" in public
    assert "(revisi)" not in public and "Judul di editor" not in public
    assert "SDG 6" not in public


def test_a_never_published_challenge_previews_for_its_official(official):
    sumba = factories.region()
    agency = factories.agency(sumba, officials=[official])
    region_setup_permissions(region=sumba)
    official.is_staff = True
    official.save()
    page = factories.challenge(agency_obj=agency, title="Konsep sampah terpadu", publish=False)
    client = signed_in_client(official)

    draft = _view_draft(client, page)
    assert draft.status_code == 200, draft.get("Location")
    assert "Konsep sampah terpadu" in draft.content.decode()
    preview = _preview(client, page, _challenge_form(page, title="Konsep sampah terpadu v2"))
    assert preview.status_code == 200
    assert "Konsep sampah terpadu v2" in preview.content.decode()
    assert Client().get(f"/challenges/{page.slug}/").status_code == 404

    # While adding one, before it is saved at all.
    index = sumba.get_children().type(ChallengeIndexPage).first()
    add_preview = reverse("wagtailadmin_pages:preview_on_add", args=("challenges", "challengepage", index.pk))
    form = _challenge_form(page, title="Tantangan yang belum disimpan", slug="belum-disimpan")
    posted = client.post(add_preview, form)
    assert posted.status_code == 200 and posted.json()["is_valid"], posted.json()
    preview = client.get(add_preview)
    assert preview.status_code == 200
    assert "Tantangan yang belum disimpan" in preview.content.decode()


@pytest.mark.parametrize("kind", ["home", "region", "index", "standard"])
def test_every_other_page_type_previews_and_views_its_draft(admin_client_, kind):
    region = factories.region("Kota Kupang")
    if kind == "home":
        page = factories.home_page()
        form = {"title": "Beranda draf", "slug": page.slug, "intro": "Pengantar draf", "intro_en": ""}
        page.title, page.intro = "Beranda draf", "Pengantar draf"
    elif kind == "region":
        page = region
        form = {
            "title": "Kota Kupang draf",
            "slug": page.slug,
            "level": "kota",
            "province": "NTT",
            "timezone": "Asia/Makassar",
            "intro": "Pengantar draf",
        }
        page.title, page.intro = "Kota Kupang draf", "Pengantar draf"
    elif kind == "index":
        page = region.get_children().type(ChallengeIndexPage).first().specific
        form = {"title": "Tantangan draf", "slug": page.slug}
        page.title = "Tantangan draf"
    else:
        page = StandardPage(title="Tentang", slug="tentang")
        factories.home_page().add_child(instance=page)
        page.save_revision().publish()
        form = {
            "title": "Tentang draf",
            "slug": page.slug,
            "body": streamfield([("paragraph", rich_text("<p>Pengantar draf</p>"))]),
            "body_en": streamfield([]),
        }
        page.title = "Tentang draf"
        page.body = [("paragraph", "<p>Pengantar draf</p>")]
    page.save_revision()

    draft = _view_draft(admin_client_, page)
    assert draft.status_code == 200
    assert page.title in draft.content.decode()
    if kind != "index":
        assert "Pengantar draf" in draft.content.decode()

    preview = _preview(admin_client_, page, nested_form_data(form))
    assert preview.status_code == 200
    assert form["title"] in preview.content.decode()


def test_the_agency_head_previews_the_challenge_they_are_asked_to_approve():
    sumba = factories.region("Kabupaten Sumba Timur")
    pontianak = factories.region("Kota Pontianak")
    official = factories.UserFactory(roles=["official"], is_staff=True)
    head = factories.UserFactory(roles=["agency_head"], is_staff=True)
    other_head = factories.UserFactory(roles=["agency_head"], is_staff=True)
    agency = factories.agency(sumba, officials=[official], heads=[head])
    factories.agency(pontianak, heads=[other_head])
    for region in (sumba, pontianak):
        region_setup_permissions(region=region)
    index = sumba.get_children().type(ChallengeIndexPage).first()
    now = timezone.localtime(timezone.now(), sumba.zoneinfo)
    form = factories.admin_challenge_form(
        agency_obj=agency,
        sector=factories.SectorFactory(),
        title="Air bersih desa",
        slug="air-bersih-desa",
        opens=(now - datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
        closes=(now + datetime.timedelta(days=30)).strftime("%Y-%m-%d %H:%M"),
        action="submit",
    )
    add = reverse("wagtailadmin_pages:add", args=("challenges", "challengepage", index.pk))
    assert signed_in_client(official).post(add, form).status_code == 302
    page = ChallengePage.objects.get(slug="air-bersih-desa")
    assert page.workflow_in_progress and not page.live

    task = page.current_workflow_task_state.task
    preview_url = reverse("wagtailadmin_pages:workflow_preview", args=(page.pk, task.pk))
    response = signed_in_client(head).get(preview_url)
    assert response.status_code == 200
    assert "Air bersih desa" in response.content.decode()
    assert "Uraian masalah." in response.content.decode()  # the body as it will go live
    assert _view_draft(signed_in_client(head), page).status_code == 200

    # The head of another region's agency, and someone with no admin access, see nothing.
    assert signed_in_client(other_head).get(preview_url).status_code in (302, 403)
    assert _view_draft(signed_in_client(other_head), page).status_code in (302, 403)
    outsider = signed_in_client(factories.UserFactory())
    for url in (preview_url, reverse("wagtailadmin_pages:view_draft", args=(page.pk,))):
        refused = outsider.get(url)
        assert refused.status_code in (302, 403)
        assert "Air bersih desa" not in refused.content.decode()
