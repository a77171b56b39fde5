"""English content (issue 15): every public text has an English twin, read in the reader's
language on the pages, in search and in the API (?lang=en); a text without English is shown in
Bahasa Indonesia under /en/, marked as such; the Indonesian pages never show the English text."""

import pytest
from wagtail.rich_text import RichText

from core.models import AuditEntry
from marketplace.challenges.models import ChallengePage
from search import indexing
from tests import factories

pytestmark = pytest.mark.django_db

NOTE = '<span class="lang-note">(Bahasa Indonesia)</span>'


def _translated(challenge: ChallengePage) -> ChallengePage:
    """The editor fills in the English tab and the criteria's English rows, and publishes."""
    page = ChallengePage.objects.get(pk=challenge.pk)
    page.title_en = "Online queueing for health centres"
    page.summary_en = "Patients wait for hours before dawn."
    page.body_en = [("paragraph", RichText("<p>Eleven health centres see 120 patients a day.</p>"))]
    page.eligibility = "<p>Startup dan UMKM.</p>"
    page.eligibility_en = "<p>Start-ups and small businesses.</p>"
    criteria = list(page.criteria.all())
    criteria[0].name_en = "Impact"
    page.criteria = criteria
    page.save_revision().publish()
    return ChallengePage.objects.get(pk=page.pk)


@pytest.fixture
def translated(official, region):
    return _translated(
        factories.challenge(region_page=region, officials=[official], title="Antrean daring puskesmas")
    )


@pytest.fixture
def untranslated(official, region):
    return factories.challenge(region_page=region, officials=[official], title="Promosi wisata kampung adat")


@pytest.fixture
def project(official, finance, translated):
    """A funded project of ``translated`` whose results are public."""
    factories.allocation(translated, finance=finance)
    owner = factories.UserFactory()
    proposal = factories.submitted_proposal(challenge_page=translated, owner=owner)
    award = factories.awarded_proposal(proposal, official=official, milestones=2)
    factories.publish_results(translated, official)
    return award


def test_the_english_page_shows_the_english_texts(client, translated):
    html = client.get(f"/en/challenges/{translated.slug}/").text
    for text in (
        "Online queueing for health centres",
        "Patients wait for hours before dawn.",
        "Eleven health centres see 120 patients a day.",
        "Start-ups and small businesses.",
        "Impact",
    ):
        assert text in html
    assert "Uraian masalah." not in html and "Startup dan UMKM." not in html
    # The second criterion has no English name: shown in Indonesian, marked.
    assert f'<span lang="id">Kelayakan</span> {NOTE}' in html


def test_without_english_the_page_shows_indonesian_marked_as_such(client, untranslated):
    html = client.get(f"/en/challenges/{untranslated.slug}/").text
    assert f'<h1><span lang="id">Promosi wisata kampung adat</span> {NOTE}</h1>' in html
    assert '<div lang="id">' in html and "Uraian masalah." in html
    # The page's own words are English all the same.
    assert "The problem" in html


def test_the_indonesian_page_never_shows_the_english_text(client, translated):
    html = client.get(f"/challenges/{translated.slug}/").text
    assert "Antrean daring puskesmas" in html and "Uraian masalah." in html
    for text in (
        "Online queueing",
        "Patients wait",
        "Eleven health centres",
        "Start-ups",
        "(Bahasa Indonesia)",
    ):
        assert text not in html


def test_lists_and_cards_use_the_readers_language(client, translated, untranslated):
    english = client.get("/en/challenges/").text
    assert "Online queueing for health centres" in english
    assert f'<span lang="id">Promosi wisata kampung adat</span> {NOTE}' in english
    indonesian = client.get("/challenges/").text
    assert "Antrean daring puskesmas" in indonesian and "Online queueing" not in indonesian


def test_a_project_page_reads_the_english_title_summary_and_milestones(client, official, project):
    milestones = list(project.milestones.order_by("position"))
    response = factories.signed_in_client(official).post(
        f"/en/workspace/awards/{project.pk}/english/",
        {
            "title_en": "Queue app for health centres",
            "summary_en": "A queueing app that works offline.",
            f"milestone_{milestones[0].pk}": "Pilot at two health centres",
            f"milestone_{milestones[1].pk}": "",
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="award.english_changed", object_id=project.pk).exists()

    english = client.get(f"/en/projects/{project.pk}/").text
    assert "<h1>Queue app for health centres</h1>" in english
    assert "A queueing app that works offline." in english
    assert "Pilot at two health centres" in english
    assert f'<span lang="id">Tahap 2</span> {NOTE}' in english
    assert "Online queueing for health centres" in english  # the challenge, in English too
    indonesian = client.get(f"/projects/{project.pk}/").text
    assert "Usulan uji" in indonesian and "Queue app" not in indonesian and "Pilot at two" not in indonesian


def test_only_an_official_of_the_owning_agency_edits_a_projects_english(client, project):
    path = f"/workspace/awards/{project.pk}/english/"
    assert client.get(path).status_code == 302  # to sign in
    grantee = project.proposal.organisation.memberships.get().user
    for user in (grantee, factories.official_elsewhere(), factories.UserFactory(roles=["finance"])):
        visitor = factories.signed_in_client(user)
        assert visitor.get(path).status_code == 403
        assert visitor.post(path, {"title_en": "Hijacked"}).status_code == 403
    project.refresh_from_db()
    assert project.title_en == ""


def test_a_too_long_english_title_is_refused_with_nothing_changed(official, project):
    response = factories.signed_in_client(official).post(
        f"/en/workspace/awards/{project.pk}/english/", {"title_en": "x" * 201, "summary_en": "Fine."}
    )
    assert response.status_code == 400
    assert "Ensure this value has at most 200 characters" in response.text
    project.refresh_from_db()
    assert (project.title_en, project.summary_en) == ("", "")


def test_the_api_answers_in_english_with_lang_en(client, translated, untranslated):
    def titles(**params):
        return {c["slug"]: c["title"] for c in client.get("/api/v1/challenges/", params).json()["results"]}

    assert titles()[translated.slug] == "Antrean daring puskesmas"
    english = titles(lang="en")
    assert english[translated.slug] == "Online queueing for health centres"
    assert english[untranslated.slug] == "Promosi wisata kampung adat"  # no English: as given
    detail = client.get(f"/api/v1/challenges/{translated.pk}/", {"lang": "en"}).json()
    assert detail["summary"] == "Patients wait for hours before dawn."
    assert detail["url"].endswith(f"/en/challenges/{translated.slug}/")
    refused = client.get("/api/v1/challenges/", {"lang": "fr"})
    assert refused.status_code == 400 and "lang" in refused.json()


def test_the_project_api_answers_in_english(client, project):
    project.title_en = "Queue app for health centres"
    project.save(update_fields=["title_en"])
    assert client.get(f"/api/v1/projects/{project.pk}/").json()["title"] == "Usulan uji"
    english = client.get(f"/api/v1/projects/{project.pk}/", {"lang": "en"}).json()
    assert english["title"] == "Queue app for health centres"
    assert english["milestones"][0]["title"] == "Tahap 1"


def test_search_in_english_finds_and_shows_english_titles(client, translated, untranslated):
    indexing.rebuild_database_copy()
    english = client.get("/en/search/", {"q": "queueing"}).text
    assert "Online queueing for health centres" in english
    assert f'href="/en/challenges/{translated.slug}/"' in english
    indonesian = client.get("/search/", {"q": "antrean"}).text
    assert "Antrean daring puskesmas" in indonesian and "Online queueing" not in indonesian
    api = client.get("/api/v1/search/", {"q": "antrean", "lang": "en"}).json()
    assert [hit["title"] for hit in api["results"]] == ["Online queueing for health centres"]
    assert client.get("/api/v1/search/", {"q": "antrean", "lang": "xx"}).status_code == 400


def test_similar_challenges_show_english_titles(client, official, region, translated):
    other = _translated(
        factories.challenge(region_page=region, officials=[official], title="Antrean daring rumah sakit")
    )
    indexing.rebuild_database_copy()
    html = client.get(f"/en/challenges/{other.slug}/").text
    similar = html[html.index('id="similar-title"') :]
    assert "Online queueing for health centres" in similar


def test_an_official_answers_in_both_languages(client, official, untranslated):
    asked = factories.question(challenge_page=untranslated, body="Apakah data pasien boleh dipakai?")
    response = factories.signed_in_client(official).post(
        f"/workspace/questions/{asked.pk}/",
        {"answer": "Ya, yang dianonimkan.", "answer_en": "Yes, once anonymised."},
    )
    assert response.status_code == 302
    english = client.get(f"/en/challenges/{untranslated.slug}/").text
    assert "Yes, once anonymised." in english and "Ya, yang dianonimkan." not in english
    indonesian = client.get(f"/challenges/{untranslated.slug}/").text
    assert "Ya, yang dianonimkan." in indonesian and "Yes, once anonymised." not in indonesian
    # An answer given in Indonesian only is marked on the English page.
    other = factories.answered_question(challenge_page=untranslated, official=official, answer="Tidak.")
    english = client.get(f"/en/challenges/{untranslated.slug}/").text
    assert f'<span lang="id">{other.answer}</span> {NOTE}' in english
