"""English names of sectors and agencies, regions' intros and application questions: shown in
English under /en/ where given, else in Bahasa Indonesia marked "(Bahasa Indonesia)"; the
Indonesian pages never show the English."""

import pytest

from marketplace.challenges.models import ApplicationQuestion, RegionPage
from marketplace.proposals.services import drafts as drafts_services
from tests import factories

pytestmark = pytest.mark.django_db

NOTE = '<span class="lang-note">(Bahasa Indonesia)</span>'


@pytest.fixture
def named(official, region):
    """A challenge whose agency and sector have English names."""
    agency = factories.agency(region, officials=[official])
    agency.name, agency.name_en, agency.acronym = "Dinas Kesehatan", "Health Office", ""
    agency.save()
    sector = factories.SectorFactory(name="Kesehatan", name_en="Health", slug="kesehatan")
    return factories.challenge(agency_obj=agency, sector=sector, title="Antrean daring puskesmas")


@pytest.fixture
def unnamed(region):
    """A challenge whose agency and sector have no English name."""
    agency = factories.agency(region)
    agency.name = "Dinas Pariwisata"
    agency.save()
    sector = factories.SectorFactory(name="Pariwisata", name_en="", slug="pariwisata")
    return factories.challenge(agency_obj=agency, sector=sector, title="Promosi kampung adat")


def test_the_english_challenge_page_shows_the_english_agency_and_sector(client, named):
    html = client.get(f"/en/challenges/{named.slug}/").text
    assert "<dd>Health Office</dd>" in html
    assert "<dd>Health</dd>" in html
    assert "Dinas Kesehatan" not in html


def test_without_english_the_names_are_indonesian_marked_as_such(client, unnamed):
    html = client.get(f"/en/challenges/{unnamed.slug}/").text
    assert f'<span lang="id">Dinas Pariwisata</span> {NOTE}' in html
    assert f'<span lang="id">Pariwisata</span> {NOTE}' in html


def test_the_challenge_list_cards_and_filters_use_the_readers_language(client, named, unnamed):
    english = client.get("/en/challenges/").text
    assert "<dd>Health Office</dd>" in english and "<dd>Health</dd>" in english
    assert f'<span lang="id">Dinas Pariwisata</span> {NOTE}' in english
    assert '<option value="kesehatan">Health</option>' in english
    indonesian = client.get("/challenges/").text
    assert "Dinas Kesehatan" in indonesian and '<option value="kesehatan">Kesehatan</option>' in indonesian
    assert "Health Office" not in indonesian and ">Health<" not in indonesian
    assert "lang-note" not in indonesian


def test_the_indonesian_challenge_page_never_shows_the_english_names(client, named):
    html = client.get(f"/challenges/{named.slug}/").text
    assert "<dd>Dinas Kesehatan</dd>" in html and "<dd>Kesehatan</dd>" in html
    assert "Health Office" not in html and ">Health<" not in html


def test_transparency_tables_name_agencies_and_sectors_in_the_readers_language(client, finance, named):
    factories.allocation(named, finance=finance)
    english = client.get("/en/transparency/").text
    assert "Health Office" in english and ">Health<" in english
    indonesian = client.get("/transparency/").text
    assert "Dinas Kesehatan" in indonesian and ">Kesehatan<" in indonesian
    assert "Health Office" not in indonesian


def test_the_region_page_shows_its_intro_in_the_readers_language(client, region):
    page = RegionPage.objects.get(pk=region.pk)
    page.intro, page.intro_en = "Kabupaten di Pulau Sumba.", "A regency on Sumba Island."
    page.save_revision().publish()
    assert "A regency on Sumba Island." in client.get(f"/en/{page.slug}/").text
    indonesian = client.get(f"/{page.slug}/").text
    assert "Kabupaten di Pulau Sumba." in indonesian and "A regency" not in indonesian


def test_the_region_page_without_english_intro_marks_the_indonesian(client, region):
    page = RegionPage.objects.get(pk=region.pk)
    page.intro = "Kota di tepian Sungai Kapuas."
    page.save_revision().publish()
    html = client.get(f"/en/{page.slug}/").text
    assert f'<span lang="id">Kota di tepian Sungai Kapuas.</span> {NOTE}' in html


def test_the_proposal_form_asks_the_challenges_questions_in_the_readers_language(client, named):
    ApplicationQuestion.objects.create(challenge=named, text="Berapa desa?", text_en="How many villages?")
    ApplicationQuestion.objects.create(challenge=named, text="Siapa mitra Anda?")
    owner = factories.UserFactory()
    organisation = factories.organisation(owner)
    proposal = drafts_services.proposal_create(
        by=owner,
        organisation=organisation,
        challenge=named,
        title="Antrean daring",
        summary="Ringkasan",
        requested_amount=20_000_000_00,
    )
    client.force_login(owner)
    english = client.get(f"/en/workspace/proposals/{proposal.pk}/").text
    assert "How many villages?" in english and "Berapa desa?" not in english
    assert f'<span lang="id">Siapa mitra Anda?</span> {NOTE}' in english
    indonesian = client.get(f"/workspace/proposals/{proposal.pk}/").text
    assert "Berapa desa?" in indonesian and "How many villages?" not in indonesian
