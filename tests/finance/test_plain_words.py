"""People read names, sentences and the real state, never an internal reference: the main pages
of finance officers, sponsors, applicants and the public journal are rendered on a scene like the
demo's (a paid stage, a stage handed to the treasury, pledges waiting and received) and their
visible text is searched for "milestone:2", "award:3", "disbursement:2:attempt:1" and the like."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from marketplace.awards.services import awards as awards_services
from marketplace.awards.services import determinations
from marketplace.challenges.services import funds
from marketplace.finance import services as payout_services
from payments import api as payments_api
from payments import disbursement_sending
from payments.models import Contribution, Disbursement, Fund
from tests import factories
from tests.factories import UserFactory
from tests.support.module_data import rolled_back_after_module

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_outage_forgotten")]

RAW_REFERENCE = re.compile(
    r"\b(milestone|disbursement|award|challenge|organisation|commitment|contribution|payout|fund):\d+"
)


def _t(message: str, language: str = settings.LANGUAGE_CODE) -> str:
    with translation.override(language):
        return translation.gettext(message)


def visible_text(page: str) -> str:
    """What a person reads or hears: the text outside tags, and the labels read aloud."""
    page = re.sub(r"(?s)<(script|style|head)\b[^>]*>.*?</\1>", " ", page)
    spoken = " ".join(re.findall(r'(?:aria-label|title|placeholder|alt)="([^"]*)"', page))
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + spoken)


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    with rolled_back_after_module(django_db_blocker):
        official, finance, finance2 = (
            UserFactory(roles=["official"]),
            UserFactory(roles=["finance"]),
            UserFactory(roles=["finance"]),
        )
        owner, sponsor = UserFactory(), UserFactory(roles=["sponsor"])
        region = factories.region("Kabupaten Sumba Barat")
        challenge = factories.challenge(region_page=region, officials=[official], title="Posyandu digital")
        organisation = factories.organisation(owner, name="Kode Nusantara", region=region)
        factories.bank_details_verified(organisation, owner=owner, official=official, account_holder="Kode")
        factories.allocation(challenge, finance=finance, amount=100_000_000_00, idempotency_key="dpa")
        proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner, amount=30_000_000_00)
        award = factories.awarded_proposal(proposal, official=official, accepted_by=owner)
        factories.publish_results(challenge, official)
        factories.milestone_paid(award, owner=owner, official=official, finance=finance)
        # Stage 2: handed to the treasury, its transfer not yet recorded.
        second = award.milestones.order_by("position")[1]
        determinations.milestone_report(milestone=second, by=owner, report="Selesai.")
        approved = awards_services.milestone_approve(milestone=second, by=official)
        handed = Disbursement.objects.get(pk=approved.disbursement_id)
        awards_services.disbursement_release(disbursement=handed, by=finance2)
        # What the task queued after the commit does (the module's scene never commits).
        disbursement_sending.disbursement_send(disbursement_id=handed.pk)
        factories.sponsor_pledge(challenge, finance=finance, amount=5_000_000_00, sponsor=sponsor)
        waiting = payments_api.contribution_create(
            fund=funds.challenge_fund(challenge),
            by=sponsor,
            sponsor_name="PT Awan",
            email="csr@awan.id",
            public=True,
            amount=2_000_000_00,
        )
        yield {
            "official": official,
            "finance": finance,
            "owner": owner,
            "sponsor": sponsor,
            "challenge": challenge,
            "organisation": organisation,
            "award": award,
            "handed": Disbursement.objects.get(pk=handed.pk),
            "paid": Disbursement.objects.get(status="paid"),
            "waiting": waiting,
            "received": Contribution.objects.get(status="succeeded"),
        }


def _pages(scene) -> dict[str, list[str]]:
    award, fund = scene["award"], Fund.objects.get(reference=f"challenge:{scene['challenge'].pk}")
    today = timezone.localdate()
    return {
        "finance": [
            "/workspace/",
            "/workspace/finance/",
            "/en/workspace/finance/",
            "/workspace/finance/contributions/",
            f"/workspace/disbursements/{scene['handed'].pk}/release/",
            f"/workspace/disbursements/{scene['paid'].pk}/release/",
            f"/workspace/contributions/{scene['waiting'].pk}/",
            f"/workspace/finance/contributions/{scene['waiting'].pk}/confirm/",
            "/workspace/finance/statements/",
            f"/workspace/finance/statements/{fund.pk}/{today.year}-{today.month}.csv",
        ],
        "sponsor": [
            "/workspace/",
            "/workspace/finance/",
            f"/workspace/contributions/{scene['waiting'].pk}/",
            f"/en/workspace/contributions/{scene['waiting'].pk}/",
            f"/workspace/contributions/{scene['received'].pk}/receipt/",
        ],
        "owner": [
            "/workspace/",
            "/workspace/proposals/",
            "/workspace/organisations/",
            "/en/workspace/organisations/",
            f"/organisations/{scene['organisation'].slug}/payouts/",
            award.get_absolute_url(),
        ],
        "public": [
            "/transparency/",
            "/transparency/journal/",
            "/en/transparency/journal/",
            award.get_absolute_url(),
        ],
    }


@pytest.mark.parametrize("role", ["finance", "sponsor", "owner", "public"])
def test_no_page_shows_an_internal_reference(client, scene, role):
    if role != "public":
        client.force_login(scene[role])
    for url in _pages(scene)[role]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode("utf-8-sig")
        text = body if url.endswith(".csv") else visible_text(body)
        found = [m.group(0) for m in RAW_REFERENCE.finditer(text)]
        assert not found, f"{url} shows {found}"
        assert "attempt:" not in text, url


def test_the_finance_statement_names_what_was_paid(client, scene):
    fund = Fund.objects.get(reference=f"challenge:{scene['challenge'].pk}")
    today = timezone.localdate()
    client.force_login(scene["finance"])
    csv = client.get(f"/workspace/finance/statements/{fund.pk}/{today.year}-{today.month}.csv")
    text = csv.content.decode("utf-8-sig")
    assert f"Pembayaran tahap 1 — {scene['award'].proposal.title}" in text


def test_payments_are_named_by_stage_and_project(client, scene):
    title = scene["award"].proposal.title
    client.force_login(scene["finance"])
    workspace = visible_text(client.get("/workspace/finance/").content.decode())
    assert f"Pembayaran tahap 2 — {title}" in workspace
    client.force_login(scene["owner"])
    english = visible_text(client.get("/en/workspace/organisations/").content.decode())
    assert f"Payment for stage 1 — {title}" in english


def test_a_manual_payment_handed_to_the_treasury_waits_for_its_proof(client, scene):
    """ "Sent" would say the grantee was paid; the treasury has not transferred yet."""
    client.force_login(scene["finance"])
    page = visible_text(
        client.get(f"/workspace/disbursements/{scene['handed'].pk}/release/").content.decode()
    )
    assert scene["handed"].status == "sent" and scene["handed"].rail == "manual"
    assert "Menunggu bukti transfer dari BPKAD" in page
    assert _t("Sent, waiting for confirmation") not in page
    client.force_login(scene["owner"])
    workspace = visible_text(client.get("/workspace/organisations/").content.decode())
    assert "Menunggu bukti transfer dari BPKAD" in workspace
    # Once the proof is recorded it reads as paid.
    payout_services.disbursement_record_paid(
        disbursement=scene["handed"],
        by=UserFactory(roles=["finance"]),
        bank_reference="SP2D-0002",
        proof=SimpleUploadedFile("sp2d.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    workspace = visible_text(client.get("/workspace/organisations/").content.decode())
    assert "Menunggu bukti transfer dari BPKAD" not in workspace


def test_attempts_are_numbered_not_keyed(client, scene):
    client.force_login(scene["finance"])
    page = visible_text(client.get(f"/workspace/disbursements/{scene['paid'].pk}/release/").content.decode())
    assert "Percobaan 1" in page
