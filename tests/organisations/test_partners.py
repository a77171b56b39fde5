"""Partner finding on a challenge: organisations looking for partners, partnership requests and
their answers, as the members of each side see them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEntry, Notification
from marketplace.challenges.models import ChallengePage
from marketplace.organisations.models import PartnerListing, PartnershipRequest
from marketplace.organisations.services import partners as partner_services
from marketplace.proposals.services import drafts as services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    """The owner of an organisation that looks for partners."""
    return factories.UserFactory(username="pemilik_lead")


@pytest.fixture
def lead_org(lead):
    return factories.organisation(lead, name="Startup Posyandu Digital")


@pytest.fixture
def listing(challenge, lead_org, lead):
    return factories.partner_listing(challenge_page=challenge, organisation_obj=lead_org, by=lead)


@pytest.fixture
def partner():
    return factories.UserFactory(username="calon_mitra")


@pytest.fixture
def partner_org(partner):
    return factories.organisation(partner, name="Koperasi Kader Sehat")


def page_of(client, challenge) -> str:
    response = client.get(f"/challenges/{challenge.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_member_lists_their_organisation_and_the_public_sees_it(client, challenge, lead, lead_org):
    client.force_login(lead)
    assert 'name="partner-offers"' in page_of(client, challenge)
    response = client.post(
        f"/challenges/{challenge.slug}/partners/",
        {
            "partner-organisation": lead_org.pk,
            "partner-offers": "Aplikasi antrean posyandu.",
            "partner-needs": "Kader di desa terpencil.",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/challenges/{challenge.slug}/#partners"
    listing = PartnerListing.objects.get()
    assert (listing.organisation, listing.active, listing.created_by) == (lead_org, True, lead)

    client.logout()
    html = page_of(client, challenge)
    assert f'href="{lead_org.get_absolute_url()}"' in html
    assert "Startup Posyandu Digital" in html
    assert "Aplikasi antrean posyandu." in html and "Kader di desa terpencil." in html
    assert "pemilik_lead" not in html


def test_listing_again_updates_the_one_listing(challenge, listing, lead, lead_org):
    partner_services.partner_listing_close(listing=listing, by=lead)
    again = partner_services.partner_listing_save(
        challenge=challenge, organisation=lead_org, by=lead, offers="Data", needs="Dana"
    )
    assert again.pk == listing.pk and again.active and PartnerListing.objects.count() == 1


@pytest.mark.parametrize("field", ["partner-offers", "partner-needs"])
def test_bad_listing_input_gets_a_message_and_nothing_is_saved(client, challenge, lead, lead_org, field):
    client.force_login(lead)
    data = {
        "partner-organisation": lead_org.pk,
        "partner-offers": "Data",
        "partner-needs": "Dana",
        field: "  ",
    }
    response = client.post(f"/challenges/{challenge.slug}/partners/", data)
    assert response.status_code == 200
    assert response.context["form"].errors[field.removeprefix("partner-")]
    assert not PartnerListing.objects.exists()


def test_cannot_list_an_organisation_one_does_not_belong_to(
    client, challenge, lead_org, partner, partner_org
):
    client.force_login(partner)
    response = client.post(
        f"/challenges/{challenge.slug}/partners/",
        {"partner-organisation": lead_org.pk, "partner-offers": "Data", "partner-needs": "Dana"},
    )
    assert response.status_code == 200 and response.context["form"].errors["organisation"]
    assert not PartnerListing.objects.exists()


def test_without_an_organisation_one_is_sent_to_register_one(client, challenge):
    client.force_login(factories.UserFactory())
    response = client.get(f"/challenges/{challenge.slug}/partners/")
    assert response.status_code == 302 and response["Location"] == "/organisations/new/"


@pytest.mark.parametrize("why", ["no_consortium", "closed", "not_open_yet"])
def test_no_partner_finding_when_the_challenge_does_not_allow_it(client, challenge, lead, lead_org, why):
    now = timezone.now()
    changes = {
        "no_consortium": {"consortium_allowed": False},
        "closed": {"closes_at": now - datetime.timedelta(minutes=1)},
        "not_open_yet": {"opens_at": now + datetime.timedelta(days=1)},
    }[why]
    ChallengePage.objects.filter(pk=challenge.pk).update(**changes)
    client.force_login(lead)
    assert 'id="partners"' not in page_of(client, challenge)
    response = client.post(
        f"/challenges/{challenge.slug}/partners/",
        {"partner-organisation": lead_org.pk, "partner-offers": "Data", "partner-needs": "Dana"},
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not PartnerListing.objects.exists()


def test_request_accepted_with_notifications_on_both_sides(
    client, listing, lead, lead_org, partner, partner_org, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(partner)
    url = f"/workspace/partner-listings/{listing.pk}/request/"
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"from_organisation": partner_org.pk, "message": "Kami punya 40 kader di Sumba Timur."}
        )
    assert response.status_code == 302
    request = PartnershipRequest.objects.get()
    assert (request.from_organisation, request.status) == (partner_org, "pending")
    assert Notification.objects.get(user=lead).message.startswith("Koperasi Kader Sehat")
    assert mailoutbox[0].to == [lead.email] and "40 kader" in mailoutbox[0].body

    client.force_login(lead)
    html = client.get("/workspace/organisations/").content.decode()
    assert "Kami punya 40 kader di Sumba Timur." in html
    assert f"/workspace/partnership-requests/{request.pk}/decide/" in html
    response = client.post(f"/workspace/partnership-requests/{request.pk}/decide/", {"decision": "accept"})
    assert response.status_code == 302 and response["Location"] == "/workspace/organisations/#partnerships"
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("accepted", lead)
    assert request.decided_at is not None
    assert "menerima permintaan kemitraan" in Notification.objects.get(user=partner).message
    actions = AuditEntry.objects.filter(object_type="organisations.partnershiprequest").values_list(
        "action", flat=True
    )
    assert set(actions) == {"partnership_request.sent", "partnership_request.accepted"}

    # The sender sees the answer in their workspace.
    client.force_login(partner)
    response = client.get("/workspace/organisations/")
    assert response.context["partnership_requests_sent"] == [request]


def test_a_request_is_answered_once(listing, lead, partner, partner_org):
    request = partner_services.partnership_request_send(
        listing=listing, from_organisation=partner_org, by=partner, message="Halo"
    )
    partner_services.partnership_request_decide(partnership_request=request, by=lead, accept=False)
    with pytest.raises(DomainError):
        partner_services.partnership_request_decide(partnership_request=request, by=lead, accept=True)
    assert PartnershipRequest.objects.get().status == "declined"


def test_a_second_waiting_request_is_refused(client, listing, partner, partner_org):
    partner_services.partnership_request_send(
        listing=listing, from_organisation=partner_org, by=partner, message="Halo"
    )
    client.force_login(partner)
    response = client.post(
        f"/workspace/partner-listings/{listing.pk}/request/",
        {"from_organisation": partner_org.pk, "message": "Halo lagi"},
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert PartnershipRequest.objects.count() == 1


def test_after_a_decline_a_new_request_may_be_sent(listing, lead, partner, partner_org):
    first = partner_services.partnership_request_send(
        listing=listing, from_organisation=partner_org, by=partner, message="Halo"
    )
    partner_services.partnership_request_decide(partnership_request=first, by=lead, accept=False)
    partner_services.partnership_request_send(
        listing=listing, from_organisation=partner_org, by=partner, message="Kami sudah berubah"
    )
    assert PartnershipRequest.objects.count() == 2


def test_one_cannot_ask_ones_own_organisation(client, listing, lead, lead_org, english_messages):
    # A member of the listed organisation who also belongs to another one.
    other = factories.organisation(lead, name="Usaha Sampingan")
    client.force_login(lead)
    url = f"/workspace/partner-listings/{listing.pk}/request/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"from_organisation": other.pk, "message": "Halo"}).status_code == 403
    with pytest.raises(DomainError, match="your own organisation"):
        partner_services.partnership_request_send(
            listing=listing, from_organisation=lead_org, by=lead, message="Halo"
        )
    assert not PartnershipRequest.objects.exists()


def test_request_needs_a_message_and_one_of_ones_own_organisations(client, listing, partner, partner_org):
    client.force_login(partner)
    url = f"/workspace/partner-listings/{listing.pk}/request/"
    response = client.post(url, {"from_organisation": partner_org.pk, "message": " "})
    assert response.status_code == 200 and response.context["form"].errors["message"]
    stranger_org = factories.organisation(name="Organisasi Orang Lain")
    response = client.post(url, {"from_organisation": stranger_org.pk, "message": "Halo"})
    assert response.status_code == 200 and response.context["form"].errors["from_organisation"]
    assert not PartnershipRequest.objects.exists()


def test_closed_listing_leaves_the_page_and_takes_no_requests(
    client, challenge, listing, lead, partner, partner_org
):
    client.force_login(lead)
    response = client.post(f"/workspace/partner-listings/{listing.pk}/close/")
    assert response.status_code == 302
    assert not PartnerListing.objects.get().active
    client.logout()
    assert "Startup Posyandu Digital" not in page_of(client, challenge)
    client.force_login(partner)
    assert client.get(f"/workspace/partner-listings/{listing.pk}/request/").status_code == 404
    with pytest.raises(DomainError):
        partner_services.partnership_request_send(
            listing=listing, from_organisation=partner_org, by=partner, message="Halo"
        )


def test_an_agreed_partner_is_offered_first_when_the_lead_invites_partners(
    client, challenge, listing, lead, lead_org, partner, partner_org
):
    factories.organisation(factories.UserFactory(), name="Aaa Organisasi Lain")
    request = partner_services.partnership_request_send(
        listing=listing, from_organisation=partner_org, by=partner, message="Mari bekerja sama."
    )
    partner_services.partnership_request_decide(partnership_request=request, by=lead, accept=True)
    proposal = services.proposal_create(
        by=lead,
        organisation=lead_org,
        challenge=challenge,
        title="Posyandu daring",
        requested_amount=10_000_00,
    )

    client.force_login(lead)
    html = client.get(f"/workspace/proposals/{proposal.pk}/").content.decode()
    agreed_group = html.index('<optgroup label="Disepakati lewat pencarian mitra">')
    assert agreed_group < html.index("Koperasi Kader Sehat") < html.index("Aaa Organisasi Lain")

    response = client.post(
        f"/workspace/proposals/{proposal.pk}/partners/",
        {"organisation": partner_org.pk, "role": "Kader lapangan", "budget_share": "2.000"},
    )
    assert response.status_code == 302
    assert list(proposal.partners.values_list("organisation__name", "status")) == [
        ("Koperasi Kader Sehat", "invited")
    ]
    # The lead itself is not a choice: a crafted post is refused with a message, nothing stored.
    response = client.post(
        f"/workspace/proposals/{proposal.pk}/partners/",
        {"organisation": lead_org.pk, "role": "Diri sendiri", "budget_share": "0"},
    )
    assert response.status_code == 400
    assert "Pilih salah satu organisasi dalam daftar." in response.content.decode()
    assert proposal.partners.count() == 1
