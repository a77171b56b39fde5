"""A challenge as the public sees it: status from its dates, typed incentives with what remains
of in-kind offers, sponsors, SDGs, attachments, contact and timeline, at a fixed query count."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from wagtail.documents.models import Document

from core.errors import DomainError
from marketplace.awards.models import Award
from marketplace.awards.services import awards as awards_services
from marketplace.awards.services.awards import incentive_draw_down
from marketplace.challenges.models import (
    Beneficiary,
    ChallengeDocument,
    ChallengePage,
    ChallengeSponsor,
    Incentive,
    SDGTag,
    Sponsor,
    derive_status,
)
from marketplace.challenges.services import funds as challenges_services
from marketplace.proposals.models import Proposal
from tests import factories

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _in_days(opens: float, closes: float, **fields) -> ChallengePage:
    now = timezone.now()
    return factories.challenge(opens_at=now + opens * DAY, closes_at=now + closes * DAY, **fields)


def test_status_is_derived_from_dates_the_same_way_in_python_and_sql(settings):
    settings.CHALLENGE_CLOSING_SOON_DAYS = 7
    expected = {
        _in_days(3, 30).pk: "upcoming",
        _in_days(-1, 30).pk: "open",
        _in_days(-10, 3).pk: "closing_soon",
        _in_days(-30, -1).pk: "in_review",
    }
    awarded, closed = _in_days(-60, -30), _in_days(-60, -30)
    for page, outcome in ((awarded, "awarded"), (closed, "closed")):
        page.outcome = outcome
        page.save_revision().publish()
        expected[page.pk] = outcome
    annotated = {page.pk: page.current_status for page in ChallengePage.objects.with_status()}
    assert annotated == expected
    for page in ChallengePage.objects.all():
        assert page.status == expected[page.pk]
        assert (
            derive_status(outcome=page.outcome, opens_at=page.opens_at, closes_at=page.closes_at)
            == (expected[page.pk])
        )


def test_closing_soon_window_is_a_setting(settings):
    page = _in_days(-1, 10)
    settings.CHALLENGE_CLOSING_SOON_DAYS = 7
    assert page.status == "open"
    settings.CHALLENGE_CLOSING_SOON_DAYS = 14
    assert page.status == "closing_soon"
    assert ChallengePage.objects.with_status().get(pk=page.pk).current_status == "closing_soon"


def test_closing_soon_is_shown_filtered_and_served_the_same_everywhere(client):
    soon = _in_days(-10, 2, title="Segera ditutup")
    later = _in_days(-1, 40, title="Masih lama")

    def titles(**params):
        return [c.title for c in client.get("/challenges/", params).context["challenges"]]

    assert titles(status="closing_soon") == [soon.title]
    assert titles(status="open") == [soon.title, later.title]  # closing soon is still open

    with translation.override("id"):
        label = gettext("Closing soon")
    listing = client.get("/challenges/").text
    assert 'class="badge badge--closing_soon"' in listing and label in listing
    detail = client.get(f"/challenges/{soon.slug}/").text
    assert 'class="badge badge--closing_soon"' in detail
    assert f"/challenges/{soon.slug}/apply/" in detail  # still accepting proposals

    api = {item["slug"]: item["status"] for item in client.get("/api/v1/challenges/").json()["results"]}
    assert api == {soon.slug: "closing_soon", later.slug: "open"}
    assert client.get("/api/v1/challenges/", {"status": "closing_soon"}).json()["count"] == 1


def _document(title: str) -> Document:
    document = Document(title=title)
    document.file.save(f"{title}.pdf", ContentFile(b"%PDF-1.4 kerangka acuan"), save=False)
    document.save()
    return document


def _rich_challenge(n: int) -> ChallengePage:
    """A challenge with ``n`` of each: incentives, sponsors, attachments, SDGs, beneficiaries."""
    page = factories.challenge(incentives=())
    sponsors = [
        Sponsor.objects.create(name=f"PT Mitra {page.pk}-{i}", website="https://mitra.example.org")
        for i in range(n)
    ]
    page.incentives = [
        Incentive(kind="in_kind", quantity=40, unit="jam pendampingan", provider=sponsors[i], sort_order=i)
        for i in range(n)
    ]
    page.sponsors = [
        ChallengeSponsor(sponsor=s, role="Penyedia mentor", sort_order=i) for i, s in enumerate(sponsors)
    ]
    page.attachments = [
        ChallengeDocument(document=_document(f"KAK {page.pk}-{i}"), sort_order=i) for i in range(n)
    ]
    page.sdg_tags = list(SDGTag.objects.order_by("number")[:n])
    page.beneficiaries = list(Beneficiary.objects.order_by("pk")[:n])
    page.contact_name, page.contact_email = "Maria Bili", "maria@sumbabaratkab.example.id"
    page.review_ends_on = timezone.localdate() + 45 * DAY
    page.save_revision().publish()
    return ChallengePage.objects.get(pk=page.pk)


def test_detail_page_shows_everything_at_a_fixed_query_count(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = Client()

    def measure(page) -> tuple[int, str]:
        client.get(f"/challenges/{page.slug}/")  # warm per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/challenges/{page.slug}/")
        assert response.status_code == 200
        return len(queries.captured_queries), response.text

    small, _text = measure(_rich_challenge(2))
    large, text = measure(_rich_challenge(8))
    assert large == small, f"{small} queries with 2 of each, {large} with 8"

    assert text.count("Penyedia mentor") == 8
    assert "SDG 3" in text and "Pasien" in text
    assert text.count(".pdf") >= 8 and "mailto:maria@sumbabaratkab.example.id" in text
    with translation.override("id"):
        remaining = gettext("%(remaining)s of %(total)s %(unit)s left") % {
            "remaining": 40,
            "total": 40,
            "unit": "jam pendampingan",
        }
        review = gettext("Review ends")
    assert text.count(remaining) == 8
    assert review in text  # the timeline lists the review phase


def test_sponsor_logos_are_shown_whether_the_details_are_remembered_or_not(settings, tmp_path):
    """The details are read as rows and kept in the cache: a sponsor's logo is still drawn (its
    rendition read with the others, in one query), on the first request and from the cache."""
    import io

    from django.core.cache import cache
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images import get_image_model

    from core import page_cache

    settings.MEDIA_ROOT = tmp_path
    settings.DATA_CACHE_SECONDS = 300
    cache.clear()
    png = io.BytesIO()
    PILImage.new("RGB", (320, 160), "navy").save(png, "PNG")
    logo = get_image_model().objects.create(title="Logo Mitra", file=ImageFile(png, name="logo-mitra.png"))
    page = factories.challenge(incentives=())
    page.sponsors = [
        ChallengeSponsor(sponsor=Sponsor.objects.create(name="PT Mitra Berlogo", logo=logo), sort_order=0)
    ]
    page.save_revision().publish()
    client = Client()
    client.get(f"/challenges/{page.slug}/")  # the rendition is made once
    page_cache.forget_public_pages()
    cold = client.get(f"/challenges/{page.slug}/").text
    warm = client.get(f"/challenges/{page.slug}/").text
    for text in (cold, warm):
        assert 'alt=""' in text and "logo-mitra" in text and "PT Mitra Berlogo" in text
    assert cold == warm
    cache.clear()


@pytest.fixture
def in_kind_challenge():
    """A funded challenge with a grant and 40 mentoring hours in kind, and a submitted proposal."""
    official = factories.UserFactory(roles=["official"])
    finance = factories.UserFactory(roles=["finance"])
    page = factories.challenge(
        agency_obj=factories.agency(officials=[official]), incentives=(("grant", 10_000_00),)
    )
    page.incentives.add(
        Incentive(kind="in_kind", quantity=40, unit="jam pendampingan", provider_name="Dinkes")
    )
    page.save_revision().publish()
    page = ChallengePage.objects.get(pk=page.pk)
    proposal = factories.submitted_proposal(
        challenge_page=page, owner=factories.UserFactory(), amount=10_000_00
    )
    challenges_services.allocation_record(
        challenge=page, amount=10_000_00, by=finance, reference="DPA", idempotency_key="k1"
    )
    factories.close_challenge(page)
    return page, page.incentives.get(kind="in_kind"), proposal, official


@pytest.fixture
def awarded_in_kind(in_kind_challenge):
    page, offer, proposal, official = in_kind_challenge
    factories.close_challenge(proposal.challenge)
    award = awards_services.award_create(
        proposal=proposal,
        amount=10_000_00,
        by=official,
        milestones=[awards_services.MilestonePlan("Tahap 1", 10_000_00, timezone.localdate() + 30 * DAY)],
    )
    return page, offer, award, official


def _award_post(offer, hours: int) -> dict:
    due = (timezone.localdate() + 30 * DAY).isoformat()
    return {
        "amount": "10.000",
        f"in_kind_{offer.pk}": str(hours),
        "milestones-TOTAL_FORMS": "1",
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "1",
        "milestones-MAX_NUM_FORMS": "1000",
        "milestones-0-title": "Tahap 1",
        "milestones-0-amount": "10.000",
        "milestones-0-due_date": due,
    }


def test_awarding_draws_down_the_in_kind_offer(in_kind_challenge, client):
    page, offer, proposal, official = in_kind_challenge
    client.force_login(official)
    url = f"/workspace/proposals/{proposal.pk}/award/"
    form_page = client.get(url).text
    assert "jam pendampingan" in form_page and f'name="in_kind_{offer.pk}"' in form_page

    assert client.post(url, _award_post(offer, 25)).status_code == 302
    award = proposal.award
    assert [(d.incentive_id, d.quantity) for d in award.in_kind_drawdowns.all()] == [(offer.pk, 25)]
    with translation.override("id"):
        remaining = gettext("%(remaining)s of %(total)s %(unit)s left") % {
            "remaining": 15,
            "total": 40,
            "unit": "jam pendampingan",
        }
    assert remaining in Client().get(f"/challenges/{page.slug}/").text


def test_an_award_asking_more_in_kind_than_remains_changes_nothing(in_kind_challenge, client):
    page, offer, proposal, official = in_kind_challenge
    client.force_login(official)
    response = client.post(f"/workspace/proposals/{proposal.pk}/award/", _award_post(offer, 41))
    assert response.status_code == 200
    with translation.override("id"):
        too_many = gettext("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": 40
        }
    assert too_many in response.text
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED and not Award.objects.exists()

    # The service refuses too (a race with another award), and rolls the whole award back.
    Incentive.objects.filter(pk=offer.pk).update(quantity=10)
    with pytest.raises(DomainError):
        factories.close_challenge(proposal.challenge)
        awards_services.award_create(
            proposal=proposal,
            amount=10_000_00,
            by=official,
            milestones=[awards_services.MilestonePlan("Tahap 1", 10_000_00, timezone.localdate() + 30 * DAY)],
            in_kind={offer.pk: 11},
        )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
    assert not Award.objects.exists() and not offer.drawdowns.exists()
    assert challenges_services.challenge_fund(page).commitments.count() == 0


def test_drawing_down_an_in_kind_offer_shows_what_remains(awarded_in_kind, client):
    page, offer, award, official = awarded_in_kind
    incentive_draw_down(incentive=offer, award=award, quantity=28, by=official)
    with translation.override("id"):
        remaining = gettext("%(remaining)s of %(total)s %(unit)s left") % {
            "remaining": 12,
            "total": 40,
            "unit": "jam pendampingan",
        }
    assert remaining in client.get(f"/challenges/{page.slug}/").text
    item = client.get("/api/v1/challenges/").json()["results"][0]
    assert [i["remaining"] for i in item["incentives"] if i["kind"] == "in_kind"] == [12]


def test_a_draw_down_never_exceeds_the_remaining_capacity(awarded_in_kind, english_messages):
    _page, offer, award, official = awarded_in_kind
    incentive_draw_down(incentive=offer, award=award, quantity=30, by=official)
    with pytest.raises(DomainError, match="Only 10 jam pendampingan of this offer remain"):
        incentive_draw_down(incentive=offer, award=award, quantity=11, by=official)
    assert offer.drawdowns.count() == 1
    incentive_draw_down(incentive=offer, award=award, quantity=10, by=official)
    assert Incentive.objects.get(pk=offer.pk).remaining == 0


def test_a_draw_down_is_refused_to_others_and_for_other_offers(awarded_in_kind, english_messages):
    page, offer, award, official = awarded_in_kind
    with pytest.raises(DomainError, match="Only an official"):
        incentive_draw_down(
            incentive=offer, award=award, quantity=1, by=factories.UserFactory(roles=["official"])
        )
    grant = page.incentives.get(kind="grant")
    with pytest.raises(DomainError, match="Only in-kind offers"):
        incentive_draw_down(incentive=grant, award=award, quantity=1, by=official)
    Incentive.objects.filter(pk=offer.pk).update(expires_on=timezone.localdate() - 2 * DAY)
    with pytest.raises(DomainError, match="expired"):
        incentive_draw_down(
            incentive=Incentive.objects.get(pk=offer.pk), award=award, quantity=1, by=official
        )
    assert not offer.drawdowns.exists()
