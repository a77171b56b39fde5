"""Where a sponsor sends a pledge: the region's treasury account (RKUD), entered by the region's
finance officers only, and the short transfer reference (PTD-<challenge>-<sequence>) that finds
the pledge again in a bank statement line."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from core.models import AuditEntry
from marketplace.challenges.services import funds as fund_services
from marketplace.finance.models import TreasuryAccount
from payments import api as payments_api
from tests import factories
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_outage_forgotten")]


def _t(message: str, language: str = settings.LANGUAGE_CODE, **values) -> str:
    with translation.override(language):
        text = translation.gettext(message)
    return text % values if values else text


def _pledge(challenge, sponsor, amount=2_500_000_00):
    return payments_api.contribution_create(
        fund=fund_services.challenge_fund(challenge),
        by=sponsor,
        sponsor_name="PT Maju Bersama",
        email="csr@maju.co.id",
        public=True,
        amount=amount,
    )


@pytest.fixture
def bpkad_officer(region):
    """A finance officer of ``region``: listed on its finance office (BPKAD)."""
    officer = UserFactory(roles=["finance"])
    factories.agency(region, officials=[officer])
    return officer


def _edit_url(region) -> str:
    return f"/workspace/finance/treasury/{region.pk}/"


ACCOUNT = {"bank_name": "Bank NTT", "account_number": "001-0203 0405", "account_holder": "RKUD Kabupaten Uji"}


# Who may enter the account ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["sponsor", "official", "reviewer", "applicant", "finance_elsewhere"])
def test_only_the_regions_finance_officers_may_enter_its_treasury_account(client, region, role):
    if role == "applicant":
        user = UserFactory()
        factories.organisation(user)
    elif role == "finance_elsewhere":
        # A finance officer of another region's finance office.
        user = UserFactory(roles=["finance"])
        factories.agency(factories.region(), officials=[user])
    elif role == "official":
        user = UserFactory(roles=["official"])
        factories.agency(region, officials=[user])  # an official of this very region
    else:
        user = UserFactory(roles=[role])
    client.force_login(user)
    assert client.get(_edit_url(region)).status_code == 403
    assert client.post(_edit_url(region), ACCOUNT).status_code == 403
    assert not TreasuryAccount.objects.exists()
    if role != "finance_elsewhere":
        assert client.get("/workspace/finance/treasury/").status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client, region):
    for url in (_edit_url(region), "/workspace/finance/treasury/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_finance_officer_enters_the_account_and_the_change_is_audited(client, region, bpkad_officer):
    client.force_login(bpkad_officer)
    listing = client.get("/workspace/finance/treasury/").content.decode()
    assert region.title in listing and _t("not entered yet") in listing

    response = client.post(_edit_url(region), ACCOUNT)
    assert response.status_code == 302
    account = TreasuryAccount.objects.get(region=region)
    assert (account.bank_name, account.account_number, account.account_holder) == (
        "Bank NTT",
        "00102030405",
        "RKUD Kabupaten Uji",
    )
    entry = AuditEntry.objects.get(action="treasury_account.saved")
    assert entry.actor == bpkad_officer and entry.before is None
    assert entry.after["account_number"] == "00102030405"

    client.post(_edit_url(region), {**ACCOUNT, "account_number": "9988776655"})
    second = AuditEntry.objects.filter(action="treasury_account.saved").latest("pk")
    assert second.before["account_number"] == "00102030405"
    assert second.after["account_number"] == "9988776655"
    assert "9988776655" in client.get("/workspace/finance/treasury/").content.decode()


def test_a_bad_account_number_is_refused_in_the_users_language_and_nothing_is_saved(
    client, region, bpkad_officer
):
    client.force_login(bpkad_officer)
    response = client.post(_edit_url(region), {**ACCOUNT, "account_number": "12-ab"})
    assert response.status_code == 200
    assert _t("Enter the account number: 6 to 20 digits (spaces and dashes are left out).") in (
        response.content.decode()
    )
    assert (
        not TreasuryAccount.objects.exists()
        and not AuditEntry.objects.filter(action="treasury_account.saved").exists()
    )


# The transfer reference ---------------------------------------------------------------------------


def test_references_are_sequential_and_unique_per_challenge(sponsor):
    first, second = factories.challenge(), factories.challenge()
    a1, a2 = _pledge(first, sponsor), _pledge(first, sponsor)
    b1 = _pledge(second, sponsor)
    a3 = _pledge(first, sponsor)
    assert [c.transfer_reference for c in (a1, a2, a3)] == [
        f"PTD-{first.pk}-0001",
        f"PTD-{first.pk}-0002",
        f"PTD-{first.pk}-0003",
    ]
    assert b1.transfer_reference == f"PTD-{second.pk}-0001"


@pytest.mark.parametrize(
    "line",
    [
        "TRF DARI PT MAJU BERSAMA {ref}",
        "trsf masuk {lower}",
        "setoran ptd {n} 0002 csr",
        "PTD-{n}-2",
        "BERITA:PTD{n}/02 SUMBANGAN",
    ],
)
def test_a_statement_line_naming_the_reference_finds_the_pledge(line, sponsor):
    challenge = factories.challenge()
    _pledge(challenge, sponsor)
    pledge = _pledge(challenge, sponsor)
    text = line.format(ref=pledge.transfer_reference, lower=pledge.transfer_reference.lower(), n=challenge.pk)
    assert payments_api.contributions_in_statement_line(text=text) == [pledge]


def test_a_statement_line_without_a_known_reference_finds_nothing(sponsor):
    challenge = factories.challenge()
    _pledge(challenge, sponsor)
    for text in ("TRF PT MAJU 2500000", f"PTD-{challenge.pk}-0009", f"XPTD-{challenge.pk}-0001", ""):
        assert payments_api.contributions_in_statement_line(text=text) == []


def test_the_finance_officer_matches_a_statement_line_and_confirms_the_pledge(client, sponsor, finance):
    challenge = factories.challenge()
    pledge = _pledge(challenge, sponsor)
    client.force_login(finance)
    page = client.get(
        "/workspace/finance/contributions/statement-line/",
        {"line": f"TRF 2.500.000 ptd {challenge.pk} 1 PT MAJU"},
    ).content.decode()
    assert pledge.transfer_reference in page and "PT Maju Bersama" in page
    assert f"/workspace/finance/contributions/{pledge.pk}/confirm/" in page

    nothing = client.get("/workspace/finance/contributions/statement-line/", {"line": "TRF TANPA BERITA"})
    assert (
        _t(
            "No pledge has a transfer reference written in this line. Look for the sponsor's name and the "
            "amount among the pledges waiting."
        )
        in nothing.content.decode()
    )


@pytest.mark.parametrize("role", ["sponsor", "official", "reviewer"])
def test_only_finance_officers_match_statement_lines(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert (
        client.get("/workspace/finance/contributions/statement-line/", {"line": "PTD-1-1"}).status_code == 403
    )


# The sponsor's pledge page ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_pledge_page_shows_the_treasury_account_and_the_reference(
    client, region, bpkad_officer, language
):
    from marketplace.finance import services

    services.treasury_account_save(region=region, by=bpkad_officer, **ACCOUNT)
    challenge = factories.challenge(region_page=region)
    sponsor = UserFactory()
    pledge = _pledge(challenge, sponsor)
    client.force_login(sponsor)
    prefix = "" if language == "id" else "/en"
    page = client.get(f"{prefix}/workspace/contributions/{pledge.pk}/").content.decode()
    assert "Bank NTT" in page and "00102030405" in page and "RKUD Kabupaten Uji" in page
    assert f"PTD-{challenge.pk}-0001" in page
    assert "challenge:" not in page and f" P{pledge.pk}" not in page
    # The sponsor's part of the workspace lists the pledge with the reference to transfer with.
    workspace = client.get(f"{prefix}/workspace/finance/").content.decode()
    assert f"PTD-{challenge.pk}-0001" in workspace
    assert (
        _t(
            "Send it to the treasury account (Rekening Kas Umum Daerah) of %(region)s:",
            language,
            region=region.title,
        )
        in page
    )


def test_without_an_account_the_pledge_page_says_so_and_whom_to_ask(client, region):
    challenge = factories.challenge(region_page=region)
    challenge.contact_name, challenge.contact_email = "Ibu Maria", "maria@sumbabaratkab.go.id"
    challenge.save_revision().publish()
    sponsor = UserFactory()
    pledge = _pledge(challenge, sponsor)
    client.force_login(sponsor)
    page = client.get(f"/workspace/contributions/{pledge.pk}/").content.decode()
    assert (
        _t(
            "The treasury account of %(region)s has not been entered on this site yet, so please do not "
            "transfer yet.",
            region=region.title,
        )
        in page
    )
    assert "maria@sumbabaratkab.go.id" in page and "Ibu Maria" in page
    assert pledge.transfer_reference in page
