"""The whole path, through HTTP as each user would walk it, on PostgreSQL, the Elasticsearch
test server and the Stripe emulator: an official posts a challenge in the Wagtail admin, an
applicant applies, finance funds, the official awards, the grantee reports, the official
approves, a different finance officer releases, and the public sees every rupiah."""

import datetime
import re
import urllib.error
import urllib.request

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from marketplace.awards.models import Award, Milestone
from marketplace.challenges.models import ChallengeIndexPage, ChallengePage
from marketplace.challenges.services.challenges import region_setup_permissions
from marketplace.proposals.models import Proposal
from payments.models import Disbursement, Transaction
from search import api as search_services
from search.api import es_client
from tests import factories
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def signed_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"login": username, "password": password})
    assert response.status_code == 302, "sign-in failed"
    return client


def follow_messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.fixture
def region_with_staff(elasticsearch, stripe_emulator):
    region = factories.region("Kabupaten Sumba Barat", timezone_name="Asia/Makassar")
    official = UserFactory(username="pejabat", roles=["official", "finance"], is_staff=True)
    finance = UserFactory(username="bendahara", roles=["finance"])
    head = UserFactory(username="kepala", roles=["agency_head"], is_staff=True)
    agency = factories.agency(region, officials=[official], heads=[head])
    # The region's officials may add and edit under it; the agency head approves publication.
    region_setup_permissions(region=region)
    sector = factories.SectorFactory(slug="kesehatan", name="Kesehatan", name_en="Health")
    return region, agency, sector, official, finance


def test_from_posted_challenge_to_public_payment(region_with_staff, stripe_emulator, settings, tmp_path):
    region, agency, sector, official, finance = region_with_staff
    settings.PRIVATE_MEDIA_ROOT = tmp_path  # the treasury's transfer proof
    index = region.get_children().type(ChallengeIndexPage).first()
    now = timezone.localtime(timezone.now())

    # 1. The official writes the challenge in the Wagtail admin and submits it for approval;
    # it goes live when the agency head (kepala OPD) approves it.
    official_client = signed_in("pejabat")
    form = factories.admin_challenge_form(
        agency_obj=agency,
        sector=sector,
        title="Antrean puskesmas daring",
        slug="antrean-puskesmas-daring",
        opens=(now - datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
        closes=(now + datetime.timedelta(days=20)).strftime("%Y-%m-%d %H:%M"),
        title_en="Online queueing for community health centres",
        summary="Pasien menunggu berjam-jam di puskesmas; kami butuh antrean daring lewat SMS.",
        action="submit",
    )
    form["incentives-0-description"] = "Hibah pengembangan"
    response = official_client.post(
        reverse("wagtailadmin_pages:add", args=("challenges", "challengepage", index.pk)), form
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    challenge = ChallengePage.objects.get(slug="antrean-puskesmas-daring")
    assert not challenge.live and challenge.workflow_in_progress
    task_state = challenge.current_workflow_task_state
    approve = reverse("wagtailadmin_pages:workflow_action", args=(challenge.pk, "approve", task_state.pk))
    assert signed_in("kepala").post(approve, {"comment": "Sesuai DPA."}).status_code == 302
    challenge.refresh_from_db()
    assert challenge.live

    # 2. It is public, filterable, indexed in Elasticsearch after commit, and found by q.
    public = Client()
    listing = public.get("/challenges/", {"sector": "kesehatan", "status": "open"})
    assert "Antrean puskesmas daring" in listing.text
    factories.SectorFactory(slug="pendidikan", name="Pendidikan")
    assert "Antrean puskesmas daring" not in public.get("/challenges/", {"sector": "pendidikan"}).text
    detail = public.get("/challenges/antrean-puskesmas-daring/")
    assert detail.status_code == 200 and "Rp 150.000.000" in detail.text
    assert es_client().exists(index=search_services.alias_name("challenge"), id=str(challenge.pk))
    found = public.get("/challenges/", {"q": "antre puskesmas"})
    assert found.context["filter"].search_backend == "elasticsearch"
    assert "Antrean puskesmas daring" in found.text
    english = public.get("/en/challenges/antrean-puskesmas-daring/")
    assert "Online queueing for community health centres" in english.text

    # 3. An applicant signs up, confirms their email address through the link they are sent,
    # registers an organisation, drafts and submits a proposal.
    applicant = Client()
    response = applicant.post(
        "/accounts/signup/",
        {
            "full_name": "Founder Startup",
            "email": "founder@startup.id",
            "password1": "Kopi-Sumba-2026",
            "password2": "Kopi-Sumba-2026",
        },
        follow=True,
    )
    assert response.status_code == 200 and not response.context["user"].is_authenticated
    (email,) = [m for m in mail.outbox if m.to == ["founder@startup.id"]]
    confirm_path = re.search(r"https?://[^/\s]+(/\S*confirm-email/\S+)", email.body).group(1)
    response = applicant.post(confirm_path, follow=True)
    assert response.context["user"].get_username() == "founder_startup"
    response = applicant.post(
        "/organisations/new/",
        {"name": "PT Kode Nusantara", "kind": "startup", "region": region.pk, "description": ""},
    )
    assert response.status_code == 302
    response = applicant.post(
        "/challenges/antrean-puskesmas-daring/apply/",
        {
            "organisation": _org_pk("PT Kode Nusantara"),
            "title": "AntreSehat",
            "summary": "Antrean lewat SMS.",
            "plan": "Tiga bulan uji coba.",
            "requested_amount": "100.000.000",
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="AntreSehat")
    assert proposal.requested_amount == 100_000_000_00
    # The draft page: solution, inclusion, milestones, budget and team, saved in one go.
    response = applicant.post(f"/workspace/proposals/{proposal.pk}/", factories.proposal_form_data(proposal))
    assert response.status_code == 302
    response = applicant.post(f"/workspace/proposals/{proposal.pk}/submit/", factories.CONFIRM, follow=True)
    assert "Proposal terkirim" in follow_messages(response)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED

    # After the deadline, submitting is refused with a clear message and nothing changes.
    late = applicant.post(
        "/challenges/antrean-puskesmas-daring/apply/",
        {
            "organisation": _org_pk("PT Kode Nusantara"),
            "title": "Terlambat",
            "summary": "x",
            "plan": "",
            "requested_amount": "1.000.000",
        },
    )
    late_proposal = Proposal.objects.get(title="Terlambat")
    ChallengePage.objects.filter(pk=challenge.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = applicant.post(
        f"/workspace/proposals/{late_proposal.pk}/submit/", factories.CONFIRM, follow=True
    )
    assert "WITA" in follow_messages(response)
    late_proposal.refresh_from_db()
    assert late.status_code == 302 and late_proposal.status == Proposal.Status.DRAFT

    # 4. Finance records the APBD allocation; an award beyond what was asked is refused.
    finance_client = signed_in("bendahara")
    allocate_url = "/challenges/antrean-puskesmas-daring/fund/allocate/"
    token = finance_client.get(allocate_url).context["form"].initial["idempotency_key"]
    for _ in range(2):  # a double submit records it once
        finance_client.post(
            allocate_url,
            {
                "amount": "120.000.000",
                "reference": "DPA-2026-017",
                "description": "",
                "idempotency_key": token,
            },
        )
    assert Transaction.objects.filter(kind="allocation").count() == 1

    award_url = f"/workspace/proposals/{proposal.pk}/award/"
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    too_much = official_client.post(award_url, _award_form("150.000.000", [("Uji coba", "150.000.000", due)]))
    assert too_much.status_code == 200 and "Rp 100.000.000" in too_much.text  # what was asked
    assert not Award.objects.exists()
    response = official_client.post(
        award_url,
        _award_form(
            "100.000.000",
            [("Uji coba 3 puskesmas", "40.000.000", due), ("Seluruh puskesmas", "60.000.000", due)],
        ),
    )
    assert response.status_code == 302
    award = Award.objects.get()
    first, second = award.milestones.order_by("position")

    # The grantee's owner accepts the agreement (name, time, IP and the terms' hash are kept);
    # before that, nothing can be reported.
    early = applicant.post(f"/workspace/milestones/{first.pk}/report/", {"report": "Terlalu dini."})
    assert early.status_code == 200 and "Setujui perjanjian terlebih dahulu" in early.text
    agreement_url = f"/workspace/agreements/{award.agreement.pk}/"
    assert "Rp 100.000.000" in applicant.get(agreement_url).text
    accepted = applicant.post(
        agreement_url, {"action": "accept", "signer_name": "Ayu Lestari", "read_terms": "on"}, follow=True
    )
    assert "Perjanjian disetujui" in accepted.text
    award.agreement.refresh_from_db()
    assert (award.agreement.status, award.agreement.signer_name, award.agreement.ip_address) == (
        "accepted",
        "Ayu Lestari",
        "127.0.0.1",
    )

    # 5a. The grantee reports; the official approves; the approver may not release (four eyes).
    assert (
        applicant.post(
            f"/workspace/milestones/{first.pk}/report/", {"report": "Sudah berjalan di 3 puskesmas."}
        ).status_code
        == 302
    )
    assert (
        official_client.post(f"/workspace/milestones/{first.pk}/approve/", factories.CONFIRM).status_code
        == 302
    )
    disbursement = Disbursement.objects.get(reference=f"milestone:{first.pk}")
    refused = official_client.post(
        f"/workspace/disbursements/{disbursement.pk}/release/", {"bank_reference": "SP2D-0001"}
    )
    assert refused.status_code == 200 and "menyetujui tahapan tidak boleh" in refused.text
    assert not Transaction.objects.filter(kind="disbursement").exists()

    # Manual rail: the owner gives the bank details, an official of the region verifies them,
    # finance releases (a second release pays nothing), and records the treasury's SP2D and proof.
    org_slug = _org_slug("PT Kode Nusantara")
    release_url = f"/workspace/disbursements/{disbursement.pk}/release/"
    not_yet = finance_client.post(release_url, factories.CONFIRM)
    assert not_yet.status_code == 200 and not_yet.context["form"].non_field_errors()
    assert Disbursement.objects.get(pk=disbursement.pk).status == "pending"
    bank = {
        "bank_name": "Bank NTT",
        "account_holder": "PT Kode Nusantara",
        "account_number": "0012 3456 78",
        "confirm": "on",
    }
    assert applicant.post(f"/organisations/{org_slug}/payouts/", bank).status_code == 302
    assert "•••• 5678" in applicant.get(f"/organisations/{org_slug}/payouts/").text
    verify_url = f"/organisations/{org_slug}/payouts/verify/"
    changed_at = official_client.get(verify_url).context["form"].initial["changed_at"]
    assert (
        official_client.post(verify_url, {"changed_at": changed_at.isoformat(), "checked": "on"}).status_code
        == 302
    )
    assert finance_client.post(release_url, factories.CONFIRM).status_code == 302
    again = finance_client.post(release_url, factories.CONFIRM)
    assert "sudah dicairkan" in again.text
    record = finance_client.post(
        f"/workspace/disbursements/{disbursement.pk}/paid/",
        {"bank_reference": "SP2D-0001", "proof": _pdf("sp2d-0001.pdf")},
    )
    assert record.status_code == 302
    assert Transaction.objects.filter(kind="disbursement", idempotency_key__endswith=":paid").count() == 1

    # 5b. Stripe rail: the owner connects the organisation's payout account, then the second milestone.
    response = applicant.post(f"/organisations/{org_slug}/payouts/stripe/")
    assert response.status_code == 302 and response["Location"].startswith(stripe_emulator)
    # The founder completes onboarding at Stripe, which sends them back to the payout page.
    back = _visit_without_following(response["Location"])
    assert back.endswith(f"/organisations/{org_slug}/payouts/stripe/return/")
    assert "Stripe Connect" in applicant.get(back, follow=True).text
    applicant.post(f"/workspace/milestones/{second.pk}/report/", {"report": "Semua puskesmas memakai."})
    official_client.post(f"/workspace/milestones/{second.pk}/approve/", factories.CONFIRM)
    second_payment = Disbursement.objects.get(reference=f"milestone:{second.pk}")
    assert (
        finance_client.post(
            f"/workspace/disbursements/{second_payment.pk}/release/", factories.CONFIRM
        ).status_code
        == 302
    )
    second_payment.refresh_from_db()
    assert second_payment.rail == "stripe" and second_payment.gateway_reference.startswith("tr_")
    # Stripe confirms the transfer with its signed webhook.
    confirmed = _stripe_event(
        public, "evt_transfer_created", "transfer.created", second_payment.gateway_reference
    )
    assert confirmed.status_code == 200
    for txn in Transaction.objects.prefetch_related("entries"):
        assert sum(e.amount for e in txn.entries.all()) == 0
    assert set(Milestone.objects.values_list("status", flat=True)) == {"paid"}

    # 6. The official publishes the results; then the public sees the project, the money and the
    # ledger; the API says the same.
    assert "AntreSehat" not in public.get("/projects/").text
    assert public.get(f"/projects/{award.pk}/").status_code == 404
    assert (
        official_client.post(f"/challenges/{challenge.slug}/results/publish/", factories.CONFIRM).status_code
        == 302
    )
    projects = public.get("/projects/")
    assert "AntreSehat" in projects.text
    project = public.get(f"/projects/{award.pk}/")
    assert "Rp 100.000.000" in project.text
    # /transparency/ names the funded project on its challenge's row; its journal shows each
    # payment out of the fund, the first milestone's Rp 40 juta among them.
    transparency = public.get("/transparency/")
    assert f"/projects/{award.pk}/" in transparency.text
    assert "Rp 40.000.000" in public.get("/transparency/journal/").text
    api = public.get("/api/v1/challenges/", {"sector": "kesehatan"}).json()
    item = api["results"][0]
    assert item["slug"] == "antrean-puskesmas-daring" and item["closes_at"].endswith("+08:00")
    assert [
        {k: i[k] for k in ("kind", "amount", "currency", "description", "winners")}
        for i in item["incentives"]
    ] == [
        {
            "kind": "grant",
            "amount": 15_000_000_000,
            "currency": "IDR",
            "description": "Hibah pengembangan",
            "winners": 1,
        }
    ]
    ledger = public.get("/api/v1/ledger/", {"challenge": challenge.pk}).json()["results"]
    assert sum(e["amount"] for e in ledger) == 0 and {e["challenge"] for e in ledger} == {challenge.pk}
    # The allocation, the award's commitment, and each payment released then paid (Stripe's sent
    # through its clearing account first).
    assert len({e["transaction"] for e in ledger}) == 7
    projects_api = public.get("/api/v1/projects/").json()["results"][0]
    assert (
        projects_api["amount_awarded"] == 100_000_000_00
        and projects_api["amount_disbursed"] == 100_000_000_00
    )
    assert public.get("/api/v1/schema/").status_code == 200
    assert (
        public.post("/payments/webhooks/stripe/", data=b"{}", content_type="application/json").status_code
        == 400
    )

    # 7. Health.
    health = public.get("/healthz").json()
    assert health["database"]["ok"] and health["search"]["backend"] == "elasticsearch"
    assert health["payments"]["stripe_configured"] is True


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _pdf(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def _stripe_event(http: Client, event_id: str, event_type: str, transfer_id: str):
    import json
    import time

    import stripe

    from payments.gateways.stripe.gateway import client as stripe_client
    from tests.conftest import STRIPE_WEBHOOK_SECRET

    transfer = stripe_client().v1.transfers.retrieve(transfer_id).to_dict()
    body = json.dumps({"id": event_id, "object": "event", "type": event_type, "data": {"object": transfer}})
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body}", STRIPE_WEBHOOK_SECRET)
    return http.post(
        "/payments/webhooks/stripe/",
        data=body.encode(),
        content_type="application/json",
        headers={"Stripe-Signature": f"t={timestamp},v1={signature}"},
    )


def _visit_without_following(url: str) -> str:
    try:
        urllib.request.build_opener(_NoRedirect).open(url)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302
        return redirect.headers["Location"]
    raise AssertionError("the onboarding link did not send the user back")


def _org_pk(name: str) -> int:
    from marketplace.organisations.models import Organisation

    return Organisation.objects.get(name=name).pk


def _org_slug(name: str) -> str:
    from marketplace.organisations.models import Organisation

    return Organisation.objects.get(name=name).slug


def _award_form(amount: str, milestones: list[tuple[str, str, str]]) -> dict:
    data = {
        "amount": amount,
        "milestones-TOTAL_FORMS": str(len(milestones)),
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "1",
        "milestones-MAX_NUM_FORMS": "1000",
    }
    for i, (title, value, due) in enumerate(milestones):
        data.update(
            {f"milestones-{i}-title": title, f"milestones-{i}-amount": value, f"milestones-{i}-due_date": due}
        )
    return data
