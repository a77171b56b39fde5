"""Contribution pages at the HTTP edge: the form (both rails), the sponsor's contribution page with
the Payment Element or the transfer instructions, the printable receipt, the finance officers'
pages, the challenge page's sponsors and the workspace. Every page is tried by each role that
may not use it, and a refused request changes nothing."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import mail
from django.utils import translation

from marketplace.challenges.services import funds as services
from payments import api as payments_api
from payments import contribution_services
from payments.models import Contribution, Entry, Refund, Transaction
from tests import factories
from tests.factories import UserFactory
from tests.support.module_data import rolled_back_after_module

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_outage_forgotten")]

UNREACHABLE = "http://127.0.0.1:9"


def _t(message: str, language: str = settings.LANGUAGE_CODE) -> str:
    """The text as the page shows it (Indonesian by default, once translated)."""
    with translation.override(language):
        return translation.gettext(message)


def _login_redirect(path: str) -> str:
    return f"/accounts/login/?{urlencode({'next': path}, safe='/')}"


def _pledge(challenge, sponsor, amount=2_500_000_00, **fields):
    values = {"sponsor_name": "PT Maju Bersama", "email": "csr@maju.co.id", "public": True}
    values.update(fields)
    return payments_api.contribution_create(
        fund=services.challenge_fund(challenge), by=sponsor, amount=amount, **values
    )


def _of(challenge):
    """This test's contributions (the module's scene may hold others)."""
    return Contribution.objects.filter(fund__reference=f"challenge:{challenge.pk}")


def _form(**fields) -> dict:
    data = {
        "amount": "2.500.000",
        "sponsor_name": "PT Maju Bersama",
        "email": "csr@maju.co.id",
        "public": "on",
        "token": uuid.uuid4().hex,
    }
    data.update(fields)
    return data


# Who may use what ----------------------------------------------------------------------------------

ANONYMOUS, SPONSOR, OTHER_SPONSOR, APPLICANT, OFFICIAL, REVIEWER, FINANCE = (
    "anonymous",
    "sponsor",
    "other_sponsor",
    "applicant",
    "official",
    "reviewer",
    "finance",
)
NOT_FINANCE = [SPONSOR, OTHER_SPONSOR, APPLICANT, OFFICIAL, REVIEWER]
STRANGERS = [OTHER_SPONSOR, APPLICANT, OFFICIAL, REVIEWER]


@dataclass
class Scene:
    users: dict
    challenge: object
    pledge: Contribution  # waiting for its transfer
    received: Contribution  # confirmed: has a receipt, may be refunded
    card: Contribution  # a card contribution still to be paid


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    """Built once for the module in a transaction rolled back after its last test; each test runs
    in a savepoint of it."""
    with rolled_back_after_module(django_db_blocker):
        users = {
            SPONSOR: UserFactory(roles=["sponsor"]),
            OTHER_SPONSOR: UserFactory(roles=["sponsor"]),
            APPLICANT: UserFactory(),
            OFFICIAL: UserFactory(roles=["official"]),
            REVIEWER: UserFactory(roles=["reviewer"]),
            FINANCE: UserFactory(roles=["finance"]),
        }
        factories.organisation(users[APPLICANT])
        challenge = factories.challenge(officials=[users[OFFICIAL]])
        pledge = _pledge(challenge, users[SPONSOR])
        received = _pledge(challenge, users[SPONSOR], amount=1_000_000_00)
        payments_api.pledge_confirm(contribution=received, by=users[FINANCE], bank_reference="BNI-SCENE")
        # A card contribution made while Stripe was configured, not yet paid.
        card = Contribution.objects.create(
            fund=received.fund,
            sponsor=users[SPONSOR],
            sponsor_name="PT Maju Bersama",
            email="csr@maju.co.id",
            amount=500_000_00,
            rail="stripe",
        )
        yield Scene(users, challenge, pledge, Contribution.objects.get(pk=received.pk), card)


def _state() -> dict:
    return {
        "contributions": sorted(
            Contribution.objects.values_list(
                "pk", "status", "rail", "refunded_amount", "bank_reference", "gateway_reference"
            )
        ),
        "refunds": Refund.objects.count(),
        "transactions": Transaction.objects.count(),
        "entries": Entry.objects.count(),
    }


@dataclass(frozen=True)
class Page:
    name: str
    url: object  # Scene -> str
    data: object  # Scene -> dict
    refused: list
    post_only: bool = False


PAGES = {
    page.name: page
    for page in [
        Page("detail", lambda s: f"/workspace/contributions/{s.pledge.pk}/", lambda s: {}, STRANGERS),
        Page(
            "receipt", lambda s: f"/workspace/contributions/{s.received.pk}/receipt/", lambda s: {}, STRANGERS
        ),
        Page(
            "pay",
            lambda s: f"/workspace/contributions/{s.card.pk}/pay/",
            lambda s: {},
            [*STRANGERS, FINANCE],
            post_only=True,
        ),
        Page(
            "switch_to_pledge",
            lambda s: f"/workspace/contributions/{s.card.pk}/bank-transfer/",
            lambda s: {},
            [*STRANGERS, FINANCE],
            post_only=True,
        ),
        Page("finance_list", lambda s: "/workspace/finance/contributions/", lambda s: {}, NOT_FINANCE),
        Page(
            "pledge_confirm",
            lambda s: f"/workspace/finance/contributions/{s.pledge.pk}/confirm/",
            lambda s: {"bank_reference": "BNI-1"},
            NOT_FINANCE,
        ),
        Page(
            "pledge_cancel",
            lambda s: f"/workspace/finance/contributions/{s.pledge.pk}/cancel/",
            lambda s: {"reason": "Tidak ada transfer"},
            NOT_FINANCE,
            post_only=True,
        ),
        Page(
            "refund",
            lambda s: f"/workspace/finance/contributions/{s.received.pk}/refund/",
            lambda s: {
                "amount": "100.000",
                "reason": "Batal",
                "bank_reference": "SP2D-1",
                "idempotency_key": "k",
            },
            NOT_FINANCE,
        ),
    ]
}


@pytest.mark.parametrize(
    "page", [*PAGES.values(), Page("contribute", None, None, [])], ids=[*PAGES, "contribute"]
)
def test_anonymous_visitor_is_sent_to_sign_in_and_changes_nothing(client, scene, page):
    if page.name == "contribute":
        url, data = f"/challenges/{scene.challenge.slug}/contribute/", _form()
    else:
        url, data = page.url(scene), page.data(scene)
    before = _state()
    for response in (client.get(url), client.post(url, data)):
        assert response.status_code == 302
        assert response["Location"] == _login_redirect(url)
    assert _state() == before


@pytest.mark.parametrize(
    "page, role",
    [(page, role) for page in PAGES.values() for role in page.refused],
    ids=[f"{page.name}-{role}" for page in PAGES.values() for role in page.refused],
)
def test_a_role_without_the_right_is_refused_and_changes_nothing(client, scene, page, role):
    url = page.url(scene)
    client.force_login(scene.users[role])
    before = _state()
    assert client.get(url).status_code == (405 if page.post_only else 403)
    assert client.post(url, page.data(scene)).status_code == 403
    assert _state() == before


@pytest.mark.parametrize("role", [SPONSOR, FINANCE])
def test_the_sponsor_and_finance_officers_see_the_contribution_and_its_receipt(client, scene, role):
    client.force_login(scene.users[role])
    assert client.get(PAGES["detail"].url(scene)).status_code == 200
    receipt = client.get(PAGES["receipt"].url(scene))
    assert receipt.status_code == 200
    assert scene.received.receipt_number in receipt.content.decode()


@pytest.mark.parametrize("role", [SPONSOR, OTHER_SPONSOR, APPLICANT, OFFICIAL, REVIEWER, FINANCE])
def test_every_signed_in_role_may_contribute(client, scene, role):
    client.force_login(scene.users[role])
    assert client.get(f"/challenges/{scene.challenge.slug}/contribute/").status_code == 200


def test_finance_pages_open_for_a_finance_officer(client, scene):
    client.force_login(scene.users[FINANCE])
    for name in ("finance_list", "pledge_confirm", "refund"):
        assert client.get(PAGES[name].url(scene)).status_code == 200, name


def test_a_pledge_has_no_receipt_before_the_money_arrives(client, scene):
    client.force_login(scene.users[SPONSOR])
    assert client.get(f"/workspace/contributions/{scene.pledge.pk}/receipt/").status_code == 404


def test_a_finance_officer_cannot_confirm_their_own_pledge_through_the_page(client, scene):
    finance = scene.users[FINANCE]
    own = _pledge(scene.challenge, finance)
    client.force_login(finance)
    before = _state()
    response = client.post(f"/workspace/finance/contributions/{own.pk}/confirm/", {"bank_reference": "X-1"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        _t("A finance officer may not handle their own contribution.")
    ]
    assert _state() == before


# The challenge page ------------------------------------------------------------------------------


def test_the_challenge_page_names_public_sponsors_and_lists_the_others_as_anonymous(client):
    challenge = factories.challenge()
    finance = UserFactory(roles=["finance"])
    named = _pledge(challenge, UserFactory(), amount=3_000_000_00, sponsor_name="PT Terbuka Jaya")
    hidden = _pledge(challenge, UserFactory(), amount=1_250_000_00, sponsor_name="Ibu Rahasia", public=False)
    _pledge(challenge, UserFactory(), sponsor_name="PT Belum Transfer")  # not counted yet
    for index, contribution in enumerate([named, hidden]):
        payments_api.pledge_confirm(contribution=contribution, by=finance, bank_reference=f"B-{index}")

    page = client.get(f"/challenges/{challenge.slug}/").content.decode()

    assert "PT Terbuka Jaya" in page and "Rp 3.000.000" in page
    assert _t("Anonymous sponsor") in page and "Rp 1.250.000" in page
    assert "Ibu Rahasia" not in page and "PT Belum Transfer" not in page
    assert "Rp 4.250.000" in page  # the total
    assert f'href="/challenges/{challenge.slug}/contribute/"' in page
    # Says which rail is in use.
    assert (
        _t(
            "Companies and citizens can add money to this challenge's fund by bank transfer to the regional "
            "treasury (card payment is not available on this site)."
        )
        in page
    )

    english = client.get(f"/en/challenges/{challenge.slug}/").content.decode()
    assert "Anonymous sponsor" in english and "Contributions from sponsors" in english


# The form, without Stripe: a pledge --------------------------------------------------------------


def test_without_stripe_the_form_records_a_pledge_with_transfer_instructions(client):
    challenge = factories.challenge()
    sponsor = UserFactory()
    client.force_login(sponsor)
    url = f"/challenges/{challenge.slug}/contribute/"

    form_page = client.get(url)
    assert form_page.status_code == 200
    assert "rail" not in form_page.context["form"].fields  # one rail: said in words instead
    assert _t("Record my pledge") in form_page.content.decode()

    transactions = Transaction.objects.count()
    response = client.post(url, _form())
    contribution = _of(challenge).get()
    assert response.status_code == 302
    assert response["Location"] == f"/workspace/contributions/{contribution.pk}/"
    assert (contribution.rail, contribution.status, contribution.amount) == (
        "pledge",
        "pending",
        2_500_000_00,
    )
    assert Transaction.objects.count() == transactions

    detail = client.get(response["Location"]).content.decode()
    assert f"PTD-{challenge.pk}-0001" in detail  # the transfer reference
    assert "Rp 2.500.000" in detail
    assert challenge.region.title in detail


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"amount": "dua juta"}, "amount", "Enter an amount in rupiah, for example 150.000.000 or 150 juta."),
        ({"amount": "5.000"}, "amount", "The smallest contribution is %(minimum)s."),
        (
            {"amount": "0"},
            "amount",
            "The amount must be greater than zero. Enter an amount between %(min)s and %(max)s.",
        ),
        ({"email": "bukan-email"}, "email", "Enter a valid email address."),
        ({"sponsor_name": ""}, "sponsor_name", "This field is required."),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_stored(client, fields, field, message):
    challenge = factories.challenge()
    client.force_login(UserFactory())
    response = client.post(f"/challenges/{challenge.slug}/contribute/", _form(**fields))
    assert response.status_code == 200
    expected = _t(message)
    if "%(" in message:
        expected = expected % {"minimum": "Rp 10.000", "min": "Rp 1", "max": "Rp 1.000.000.000.000"}
    assert response.context["form"].errors[field] == [expected]
    assert not _of(challenge).exists()


def test_a_form_sent_twice_makes_one_contribution(client):
    challenge = factories.challenge()
    client.force_login(UserFactory())
    data = _form()
    first = client.post(f"/challenges/{challenge.slug}/contribute/", data)
    second = client.post(f"/challenges/{challenge.slug}/contribute/", data)
    assert _of(challenge).count() == 1
    assert first["Location"] == second["Location"]


# The form, with Stripe: the Payment Element -------------------------------------------------------


@pytest.fixture
def card_site(settings, stripe_emulator):
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_marketplace"
    return stripe_emulator


def test_with_stripe_the_sponsor_pays_on_a_page_with_the_payment_element(client, card_site):
    challenge = factories.challenge()
    client.force_login(UserFactory())
    url = f"/challenges/{challenge.slug}/contribute/"
    assert [value for value, _label in client.get(url).context["form"].fields["rail"].choices] == [
        "stripe",
        "pledge",
    ]

    transactions = Transaction.objects.count()
    response = client.post(url, _form(rail="stripe"))
    contribution = _of(challenge).get()
    assert contribution.rail == "stripe" and contribution.gateway_reference.startswith("pi_")
    page = client.get(response["Location"]).content.decode()

    assert '<script src="https://js.stripe.com/v3/" defer></script>' in page
    assert "js/contribution-payment.js" in page
    assert 'data-publishable-key="pk_test_marketplace"' in page
    secret = re.search(r'data-client-secret="([^"]+)"', page).group(1)
    assert secret.startswith(contribution.gateway_reference + "_secret_")
    assert "<noscript>" in page  # says what to do without JavaScript
    assert f"/workspace/contributions/{contribution.pk}/bank-transfer/" in page  # the other way to pay
    assert contribution.status == "pending" and Transaction.objects.count() == transactions


def test_back_from_stripe_the_page_says_the_payment_is_being_confirmed(client, card_site):
    challenge = factories.challenge()
    client.force_login(UserFactory())
    response = client.post(f"/challenges/{challenge.slug}/contribute/", _form(rail="stripe"))
    contribution = _of(challenge).get()
    from payments.gateways.stripe.gateway import client as stripe_client

    stripe_client().v1.payment_intents.confirm(
        contribution.gateway_reference, params={"payment_method": "pm_card_visa"}
    )
    page = client.get(response["Location"] + "?redirect_status=succeeded").content.decode()
    assert (
        _t(
            "Thank you. Stripe has your payment; it counts as soon as Stripe confirms it, "
            "usually within a minute. Reload this page to see it."
        )
        in page
    )
    assert "data-client-secret" not in page
    assert _of(challenge).get().status == "pending"  # until the webhook


def test_when_stripe_is_down_the_sponsor_is_told_and_nothing_is_lost(client, settings, card_site):
    challenge = factories.challenge()
    client.force_login(UserFactory())
    url = f"/challenges/{challenge.slug}/contribute/"
    settings.STRIPE_API_BASE = UNREACHABLE

    response = client.post(url, _form(rail="stripe"), follow=True)

    contribution = _of(challenge).get()
    assert (contribution.status, contribution.amount, contribution.gateway_reference) == (
        "pending",
        2_500_000_00,
        "",
    )
    page = response.content.decode()
    unavailable = _t(
        "Card payment is unavailable right now. Your contribution is saved and nothing has been charged; "
        "try again in a few minutes or pay by bank transfer."
    )
    assert unavailable in page
    assert f"/workspace/contributions/{contribution.pk}/pay/" in page  # try again
    # The form now says so too, and suggests the bank transfer.
    form_page = client.get(url)
    assert form_page.context["form"]["rail"].value() == "pledge"
    assert (
        _t(
            "Card payment is unavailable right now. Choose a bank transfer, or try the card again in a few "
            "minutes: what you enter here is kept and nothing is charged twice."
        )
        in form_page.content.decode()
    )

    settings.STRIPE_API_BASE = card_site  # Stripe is back
    client.post(f"/workspace/contributions/{contribution.pk}/pay/")
    client.post(f"/workspace/contributions/{contribution.pk}/pay/")  # a double click
    contribution.refresh_from_db()
    assert contribution.gateway_reference.startswith("pi_")
    assert "data-client-secret" in client.get(f"/workspace/contributions/{contribution.pk}/").content.decode()


def test_the_sponsor_switches_to_a_bank_transfer(client, card_site):
    challenge = factories.challenge()
    client.force_login(UserFactory())
    client.post(f"/challenges/{challenge.slug}/contribute/", _form(rail="stripe"))
    contribution = _of(challenge).get()
    response = client.post(f"/workspace/contributions/{contribution.pk}/bank-transfer/", follow=True)
    contribution.refresh_from_db()
    assert contribution.rail == "pledge"
    # The card contribution had its transfer reference from the start; it is kept.
    assert contribution.transfer_reference == f"PTD-{challenge.pk}-0001"
    assert contribution.transfer_reference in response.content.decode()


def test_a_failed_card_payment_is_shown_to_the_sponsor(client, card_site):
    challenge = factories.challenge()
    client.force_login(UserFactory())
    client.post(f"/challenges/{challenge.slug}/contribute/", _form(rail="stripe"))
    contribution = _of(challenge).get()
    contribution_services.contribution_record_failure(
        intent={
            "id": contribution.gateway_reference,
            "last_payment_error": {"message": "Your card has insufficient funds."},
        },
        happening="failed",
    )
    page = client.get(f"/workspace/contributions/{contribution.pk}/").content.decode()
    assert _t("The card payment did not go through. Nothing was charged.") in page
    assert "Your card has insufficient funds." in page
    assert "data-client-secret" in page  # another card may be tried


# Finance officers' pages and the receipt -------------------------------------------------------


def test_finance_confirms_a_pledge_and_the_sponsor_prints_the_receipt(
    client, django_capture_on_commit_callbacks
):
    challenge = factories.challenge(title="Pasar digital")
    sponsor, finance = UserFactory(), UserFactory(roles=["finance"])
    contribution = _pledge(challenge, sponsor)

    client.force_login(finance)
    assert f"PTD-{challenge.pk}-0001" in client.get("/workspace/finance/contributions/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/workspace/finance/contributions/{contribution.pk}/confirm/", {"bank_reference": "BNI-2026-01"}
        )
    assert response.status_code == 302 and response["Location"] == "/workspace/finance/contributions/"
    contribution.refresh_from_db()
    assert (contribution.status, contribution.bank_reference) == ("succeeded", "BNI-2026-01")
    assert len(mail.outbox) == 1

    client.force_login(sponsor)
    receipt = client.get(f"/workspace/contributions/{contribution.pk}/receipt/").content.decode()
    for text in (
        contribution.receipt_number,
        "Rp 2.500.000",
        "PT Maju Bersama",
        "Pasar digital",
        "BNI-2026-01",
    ):
        assert text in receipt
    # Printed, the receipt stands alone: the print rule is in the site's stylesheet (the content
    # security policy allows no inline <style>).
    assert 'class="receipt' in receipt and "<style" not in receipt
    assert "body:has(.receipt) .site-header" in Path(finders.find("css/site.css")).read_text()
    workspace = client.get("/workspace/finance/").content.decode()
    assert f"/workspace/contributions/{contribution.pk}/receipt/" in workspace


def test_finance_cancels_a_pledge_that_never_arrived(client):
    challenge = factories.challenge()
    contribution = _pledge(challenge, UserFactory())
    client.force_login(UserFactory(roles=["finance"]))
    url = f"/workspace/finance/contributions/{contribution.pk}/cancel/"
    client.post(url, {"reason": ""})
    assert Contribution.objects.get(pk=contribution.pk).status == "pending"
    client.post(url, {"reason": "Tidak ada transfer dalam 14 hari"})
    assert Contribution.objects.get(pk=contribution.pk).status == "canceled"


def test_finance_refunds_part_of_a_pledge_through_the_page(client):
    challenge = factories.challenge()
    finance = UserFactory(roles=["finance"])
    contribution = _pledge(challenge, UserFactory())
    payments_api.pledge_confirm(contribution=contribution, by=finance, bank_reference="BNI-9")
    client.force_login(finance)
    url = f"/workspace/finance/contributions/{contribution.pk}/refund/"
    form = client.get(url).context["form"]
    key = form["idempotency_key"].value()

    too_much = client.post(
        url, {"amount": "3.000.000", "reason": "Batal", "bank_reference": "SP2D-1", "idempotency_key": key}
    )
    assert too_much.status_code == 200
    assert too_much.context["form"].non_field_errors() == [
        _t("At most %(remaining)s of this contribution can still be refunded.")
        % {"remaining": "Rp 2.500.000"}
    ]
    assert not Refund.objects.filter(contribution=contribution).exists()

    data = {
        "amount": "500.000",
        "reason": "Batal sebagian",
        "bank_reference": "SP2D-1",
        "idempotency_key": key,
    }
    for _ in range(2):  # sent twice: refunded once
        response = client.post(url, data)
        assert (
            response.status_code == 302
            and response["Location"] == f"/workspace/contributions/{contribution.pk}/"
        )
    contribution.refresh_from_db()
    assert (contribution.status, contribution.refunded_amount) == ("partially_refunded", 500_000_00)
    assert Refund.objects.filter(contribution=contribution).count() == 1
    assert Transaction.objects.filter(kind="refund", fund=contribution.fund).count() == 1


def test_the_finance_list_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    finance = UserFactory(roles=["finance"])
    challenges = [factories.challenge() for _ in range(3)]
    for index in range(30):
        contribution = _pledge(challenges[index % 3], UserFactory())
        if index % 2:
            payments_api.pledge_confirm(contribution=contribution, by=finance, bank_reference=f"B-{index}")
    client.force_login(finance)
    with django_assert_max_num_queries(15):  # 14, and the header's unread-notification count
        response = client.get("/workspace/finance/contributions/")
    assert response.status_code == 200
    assert len(response.context["received"]) == payments_api.contributions_received().count() >= 15
    assert len(response.context["pledges"]) == payments_api.pledges_awaiting_confirmation().count() >= 15
