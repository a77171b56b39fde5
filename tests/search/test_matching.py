"""Matching: challenges recommended for an organisation (with reasons), partner suggestions for
a consortium, similar challenges and projects on their pages; against both engines."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core import page_cache
from marketplace.awards.services import awards as awards_services
from marketplace.challenges.services import funds as challenges_services
from marketplace.proposals import matching
from marketplace.proposals.models.proposals import Proposal
from marketplace.proposals.services import consortium as consortium_proposals_services
from marketplace.proposals.services import drafts as drafts_proposals_services
from marketplace.proposals.services import submission as submission_proposals_services
from search import api as search
from search import indexing
from search.connection import es_client
from tests import factories
from tests.support.module_data import own_copy, rolled_back_after_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def _path(name: str, kwargs: dict | None = None) -> str:
    """A page's path in the default language (the English one is under /en)."""
    with translation.override("id"):
        return reverse(name, kwargs=kwargs)


def _sector(slug: str, name: str):
    return factories.SectorFactory(slug=slug, name=name, name_en=name)


def _region(title: str, province: str):
    page = factories.region(title)
    page.province = province
    page.save()
    return page


def _by_kind(objects) -> dict[str, list[int]]:
    by_kind: dict[str, list[int]] = {}
    for obj in objects:
        kind = {"ChallengePage": "challenge", "Organisation": "organisation", "Award": "project"}[
            type(obj).__name__
        ]
        by_kind.setdefault(kind, []).append(obj.pk)
    return by_kind


def _index(*objects) -> None:
    """Write these to the database copy and, when configured, Elasticsearch (as the on-commit
    indexing would)."""
    for kind, ids in _by_kind(objects).items():
        indexing.refresh(kind, ids)


def _index_in_elasticsearch(*objects) -> None:
    """What ``_index`` writes to Elasticsearch, when the test configured it: for the module's
    rows, whose database copy was written once with them, into this test's own indices."""
    client = es_client()
    if client is None:
        return
    for kind, ids in _by_kind(objects).items():
        indexing.refresh_elasticsearch(client, kind, list(indexing.documents_for(kind, ids)), [])
    page_cache.forget_public_pages()


def build_world() -> dict:
    """Two regions of one province and one of another; a trade and a health sector."""
    trade = _sector("perdagangan", "Perdagangan")
    health = _sector("kesehatan", "Kesehatan")
    makassar = _region("Kota Makassar", "Sulawesi Selatan")
    gowa = _region("Kabupaten Gowa", "Sulawesi Selatan")
    ambon = _region("Kota Ambon", "Maluku")
    now = timezone.now()
    market = factories.challenge(
        agency_obj=factories.agency(makassar),
        sector=trade,
        title="Retribusi pasar nontunai",
        summary="Pembayaran digital retribusi bagi pedagang pasar tradisional.",
    )
    queue = factories.challenge(
        agency_obj=factories.agency(ambon),
        sector=health,
        title="Antrean puskesmas daring",
        summary="Mengurangi antrean pasien di puskesmas dengan pendaftaran daring.",
    )
    closed = factories.challenge(
        agency_obj=factories.agency(makassar),
        sector=trade,
        title="Pembayaran digital parkir",
        summary="Pembayaran digital tarif parkir di pasar.",
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=1),
    )
    owner = factories.UserFactory()
    startup = factories.organisation(
        owner,
        name="Kasir Pasar Digital",
        region=makassar,
        sectors=[trade],
        capabilities=["pembayaran digital", "aplikasi seluler"],
        description="Kami membangun kasir untuk pedagang pasar tradisional.",
    )
    _index(market, queue, closed, startup)
    return {
        "trade": trade,
        "health": health,
        "makassar": makassar,
        "gowa": gowa,
        "ambon": ambon,
        "market": market,
        "queue": queue,
        "closed": closed,
        "owner": owner,
        "startup": startup,
    }


@pytest.fixture(scope="module")
def _world_built(django_db_setup, django_db_blocker):
    """Built once, rolled back after the module; each test runs in a savepoint of it. Built
    offline: only the database copy has the documents."""
    with rolled_back_after_module(django_db_blocker):
        yield build_world()


@pytest.fixture
def world(request, _world_built, db):
    """The module's world, and its documents in Elasticsearch when the test runs on it."""
    if "engine" in request.fixturenames:
        request.getfixturevalue("engine")  # Elasticsearch configured before the world is sent
    world = own_copy(_world_built)
    _index_in_elasticsearch(world["market"], world["queue"], world["closed"], world["startup"])
    return world


# Recommendations -----------------------------------------------------------------------------


def test_recommendations_fit_the_organisation_with_readable_reasons(engine, world, english):
    recommendations = matching.recommend_challenges(world["startup"])

    assert [r.challenge_id for r in recommendations] == [world["market"].pk]  # not closed, not health
    first = recommendations[0]
    assert first.title == "Retribusi pasar nontunai"
    assert first.url == "/en" + _path("marketplace:challenge_detail", kwargs={"slug": world["market"].slug})
    assert first.closes_at is not None
    # The words the organisation wrote, not stems ("bayar"), then the sector and the region.
    matches, sector, region = first.reasons
    assert matches.startswith("Fits your profile: pembayaran digital, ")  # a capability first
    assert set(matches.removeprefix("Fits your profile: ").split(", ")) == {
        "pembayaran digital",
        "pasar",
        "tradisional",
    }
    assert sector == "Your sector: Perdagangan"  # "pedagang" is said by the sector
    assert region == f"In your region: {world['makassar'].title}"


def test_same_region_and_sector_rank_first(engine, world, english):
    elsewhere = factories.challenge(
        agency_obj=factories.agency(world["ambon"]),
        sector=world["health"],
        title="Pembayaran digital iuran kesehatan",
        summary="Pembayaran digital untuk pedagang dan warga.",
    )
    _index(elsewhere)

    recommendations = matching.recommend_challenges(world["startup"])

    assert [r.challenge_id for r in recommendations] == [world["market"].pk, elsewhere.pk]
    assert not any(reason.startswith("In your region") for reason in recommendations[1].reasons)
    assert not any(reason.startswith("Your sector:") for reason in recommendations[1].reasons)


def test_a_challenge_the_organisation_applied_to_is_not_recommended(engine, world):
    drafts_proposals_services.proposal_create(
        by=world["owner"],
        organisation=world["startup"],
        challenge=world["market"],
        title="Kasir pasar",
        requested_amount=10_000_000_00,
    )
    assert matching.recommend_challenges(world["startup"]) == []


def test_the_province_counts_when_the_region_differs(engine, world, english):
    nearby = factories.organisation(
        name="Bayar Gowa", region=world["gowa"], capabilities=["pembayaran digital"]
    )
    _index(nearby)
    [recommendation] = matching.recommend_challenges(nearby)
    assert recommendation.challenge_id == world["market"].pk
    assert recommendation.reasons == [
        "Fits your profile: pembayaran digital",
        f"In your province: {world['makassar'].province}",
    ]


def test_reasons_are_translated(world):
    with translation.override("id"):
        reasons = matching.recommend_challenges(world["startup"])[0].reasons
    with translation.override("en"):
        english_reasons = matching.recommend_challenges(world["startup"])[0].reasons
    assert len(reasons) == len(english_reasons) == 3
    # Sentences that name the place, not "cocok: daerah".
    assert reasons[0].startswith("Sesuai profil Anda: pembayaran digital")
    assert reasons[1:] == ["Sektor Anda: Perdagangan", "Di daerah Anda: Kota Makassar"]


def test_the_workspace_shows_recommendations_per_organisation(client, world):
    second = factories.organisation(
        world["owner"], name="Klinik Antrean", capabilities=["antrean pasien"], sectors=[world["health"]]
    )
    _index(second)
    client.force_login(world["owner"])

    response = client.get("/en/workspace/proposals/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="recommendations"' in page
    market_url = "/en" + _path("marketplace:challenge_detail", kwargs={"slug": world["market"].slug})
    queue_url = "/en" + _path("marketplace:challenge_detail", kwargs={"slug": world["queue"].slug})
    assert f'href="{market_url}"' in page and f'href="{queue_url}"' in page
    assert "pembayaran digital" in page and "antrean pasien" in page
    assert "Kasir Pasar Digital" in page and "Klinik Antrean" in page


def test_the_workspace_needs_a_signed_in_user(client):
    response = client.get("/en/workspace/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_workspace_shows_only_the_users_own_recommendations(client, world):
    stranger = factories.UserFactory()
    factories.organisation(stranger, name="Organisasi Lain")
    client.force_login(stranger)
    page = client.get("/en/workspace/proposals/").content.decode()
    assert "Kasir Pasar Digital" not in page
    assert "Retribusi pasar nontunai" not in page


def test_workspace_queries_do_not_grow_with_organisations_and_challenges(
    client, world, django_assert_max_num_queries
):
    """One search per organisation, for the first three (by name) only: past three
    memberships, and with more challenges, the page costs no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n: int) -> None:
        extra = factories.organisation(
            world["owner"], name=f"Mitra {n}", capabilities=["pembayaran digital"], sectors=[world["trade"]]
        )
        page = factories.challenge(
            agency_obj=factories.agency(world["makassar"]),
            sector=world["trade"],
            title=f"Pembayaran digital {n}",
            summary="Pembayaran digital untuk pedagang pasar.",
        )
        _index(extra, page)

    add(0)
    add(1)  # three organisations now
    client.force_login(world["owner"])
    client.get("/en/workspace/proposals/")  # warm caches (content types, site)
    with CaptureQueriesContext(connection) as three:
        client.get("/en/workspace/proposals/")
    for n in range(2, 8):
        add(n)
    with django_assert_max_num_queries(len(three.captured_queries)):
        response = client.get("/en/workspace/proposals/")
    assert response.status_code == 200
    assert response.content.decode().count("Pembayaran digital") >= 3


# Partner suggestions -------------------------------------------------------------------------


@pytest.fixture
def consortium(world):
    """The startup leads a proposal for the market challenge; others could complement it."""
    proposal = drafts_proposals_services.proposal_create(
        by=world["owner"],
        organisation=world["startup"],
        challenge=world["market"],
        title="Kasir pasar",
        requested_amount=10_000_000_00,
    )
    same_region = factories.organisation(
        name="Retribusi Makassar",
        region=world["makassar"],
        capabilities=["retribusi daerah"],
        description="Pendampingan retribusi untuk pasar tradisional.",
    )
    same_province = factories.organisation(
        name="Pasar Gowa", region=world["gowa"], capabilities=["pasar tradisional", "retribusi daerah"]
    )
    far = factories.organisation(
        name="Tradisional Ambon", region=world["ambon"], capabilities=["pasar tradisional", "retribusi"]
    )
    twin = factories.organisation(  # offers only what the lead has already
        name="Kembar Kasir", region=world["makassar"], capabilities=["pembayaran digital"]
    )
    unrelated = factories.organisation(
        name="Klinik Data", region=world["makassar"], capabilities=["rekam medis"]
    )
    _index(world["startup"], same_region, same_province, far, twin, unrelated)
    return {
        "proposal": proposal,
        "same_region": same_region,
        "same_province": same_province,
        "far": far,
        "twin": twin,
        "unrelated": unrelated,
    }


def test_partner_suggestions_complement_the_lead_near_the_region(engine, world, consortium, english):
    suggestions = matching.partner_suggestions(consortium["proposal"])

    names = [s.organisation.name for s in suggestions]
    assert names == ["Retribusi Makassar", "Pasar Gowa", "Tradisional Ambon"]
    assert "Kasir Pasar Digital" not in names  # the lead
    assert "Kembar Kasir" not in names and "Klinik Data" not in names  # nothing to add
    first, second, third = suggestions
    assert first.reasons[0].startswith("Offers what the team lacks: retribusi daerah")
    challenge_region = consortium["proposal"].challenge.agency.region
    assert f"In the challenge's region: {challenge_region.title}" in first.reasons
    assert f"In the challenge's province: {challenge_region.province}" in second.reasons
    assert len(third.reasons) == 1  # what it offers; no nearness


def test_partner_suggestions_leave_out_current_partners(engine, world, consortium):
    consortium_proposals_services.proposal_partner_invite(
        proposal=consortium["proposal"],
        by=world["owner"],
        organisation=consortium["same_region"],
        role="Pendamping retribusi",
    )
    proposal = Proposal.objects.get(pk=consortium["proposal"].pk)
    names = [s.organisation.name for s in matching.partner_suggestions(proposal)]
    assert "Retribusi Makassar" not in names and names[0] == "Pasar Gowa"


def test_the_invite_form_offers_suggestions_in_their_own_group(client, world, consortium):
    client.force_login(world["owner"])
    url = "/en" + _path("marketplace:proposal_detail", kwargs={"pk": consortium["proposal"].pk})

    page = client.get(url).content.decode()

    assert 'label="Suggested for this challenge"' in page
    suggested = page.split('label="Suggested for this challenge"')[1].split("</optgroup>")[0]
    assert f'value="{consortium["same_region"].pk}"' in suggested
    assert "Retribusi Makassar — Offers what the team lacks: retribusi daerah" in suggested
    assert f'value="{consortium["unrelated"].pk}"' not in suggested
    others = page.split('label="Other organisations"')[1].split("</optgroup>")[0]
    assert f'value="{consortium["unrelated"].pk}"' in others


def test_a_suggested_partner_can_be_invited(client, world, consortium):
    client.force_login(world["owner"])
    url = _path("marketplace:proposal_partner_invite", kwargs={"pk": consortium["proposal"].pk})
    response = client.post(
        url,
        {"organisation": consortium["same_region"].pk, "role": "Pendamping retribusi", "budget_share": ""},
    )
    assert response.status_code == 302
    assert consortium["proposal"].partners.filter(organisation=consortium["same_region"]).exists()


def test_another_user_gets_no_invite_form_nor_suggestions(client, world, consortium):
    client.force_login(factories.UserFactory())
    url = "/en" + _path("marketplace:proposal_detail", kwargs={"pk": consortium["proposal"].pk})
    response = client.get(url)
    assert response.status_code in (403, 404)
    assert b"Suggested for this challenge" not in response.content


# Similar challenges and projects -------------------------------------------------------------


@pytest.fixture
def similar_challenges(world):
    twin = factories.challenge(
        agency_obj=factories.agency(world["gowa"]),
        sector=world["trade"],
        title="Retribusi pasar digital Gowa",
        summary="Pembayaran retribusi pasar tradisional secara digital oleh pedagang.",
    )
    _index(twin)
    return twin


def test_similar_challenges(engine, world, similar_challenges):
    hits = search.similar("challenge", world["market"].pk)
    ids = [h.object_id for h in hits]
    assert ids[0] == similar_challenges.pk
    assert world["market"].pk not in ids
    assert all(h.kind == "challenge" for h in hits)


def test_an_unindexed_document_has_no_similar_ones(engine, world):
    assert search.similar("challenge", 987654321) == []


def test_the_challenge_page_shows_similar_challenges(client, world, similar_challenges):
    url = "/en" + _path("marketplace:challenge_detail", kwargs={"slug": world["market"].slug})
    page = client.get(url).content.decode()
    assert "Similar challenges" in page
    twin_url = "/en" + _path("marketplace:challenge_detail", kwargs={"slug": similar_challenges.slug})
    assert f'href="{twin_url}"' in page


def test_the_challenge_page_query_count_does_not_grow_with_similar_ones(
    client, world, similar_challenges, django_assert_max_num_queries
):
    url = "/en" + _path("marketplace:challenge_detail", kwargs={"slug": world["market"].slug})
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        _index(
            factories.challenge(
                agency_obj=factories.agency(world["gowa"]),
                sector=world["trade"],
                title=f"Retribusi pasar {n}",
                summary="Retribusi pasar tradisional untuk pedagang.",
            )
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('class="similar"') == 1


def _funded_project(world, title: str, summary: str):
    """A funded project whose results are published (so the public may see and find it)."""

    official, finance = factories.UserFactory(roles=["official"]), factories.UserFactory(roles=["finance"])
    page = factories.challenge(
        agency_obj=factories.agency(world["makassar"], officials=[official]), sector=world["trade"]
    )
    owner = factories.UserFactory()
    proposal = drafts_proposals_services.proposal_create(
        by=owner,
        organisation=factories.organisation(owner),
        challenge=page,
        title=title,
        summary=summary,
        requested_amount=10_000_00,
    )
    factories.complete_proposal(proposal, by=owner)
    proposal = submission_proposals_services.proposal_submit(proposal=proposal, by=owner)
    challenges_services.allocation_record(
        challenge=page, amount=10_000_00, by=finance, reference="DPA", idempotency_key=f"k{page.pk}"
    )
    due = timezone.localdate() + datetime.timedelta(days=30)
    factories.close_challenge(proposal.challenge)
    award = awards_services.award_create(
        proposal=proposal,
        amount=10_000_00,
        by=official,
        milestones=[awards_services.MilestonePlan("Tahap 1", 10_000_00, due)],
    )
    factories.publish_results(page, official)
    return award


@pytest.fixture
def funded_projects(world):
    projects = [
        _funded_project(
            world, "Kasir digital pasar sentral", "Pembayaran retribusi pasar dengan kasir digital."
        ),
        _funded_project(
            world, "Kasir digital pasar terapung", "Kasir digital untuk retribusi pedagang pasar."
        ),
        _funded_project(world, "Posyandu keliling", "Pencatatan gizi balita di posyandu desa."),
    ]
    _index(*projects)
    return projects


def test_similar_projects(engine, world, funded_projects):
    first, second, third = funded_projects
    ids = [h.object_id for h in search.similar("project", first.pk)]
    assert ids[0] == second.pk
    assert first.pk not in ids


def test_the_project_page_shows_similar_projects(client, world, funded_projects):
    first, second, _third = funded_projects
    page = client.get("/en" + _path("marketplace:project_detail", kwargs={"pk": first.pk})).content.decode()
    assert "Similar projects" in page
    assert f'href="/en{_path("marketplace:project_detail", kwargs={"pk": second.pk})}"' in page
