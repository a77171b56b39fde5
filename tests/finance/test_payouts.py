"""Payouts at the HTTP edge: an owner's payout page and Stripe onboarding, the officials'
verification of bank details, and the finance officers' page for one payment (release, the
treasury's transfer with its proof, retry, cancel, the proof itself). Every view is tried by
every role that may not use it (refused, nothing changes), and by the role that may."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import Notification
from marketplace.awards.models import Milestone
from marketplace.awards.services import awards as awards_services
from marketplace.awards.services import determinations as determinations_services
from marketplace.finance import services as payout_services
from marketplace.organisations.models.organisations import Membership, Organisation
from payments import api as payments_api
from payments.models import Disbursement, GatewayCall, Recipient, Transaction
from tests import factories
from tests.payments.test_disbursements import post_event, transfer_object
from tests.support.module_data import rolled_back_after_module

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
OWNER = "owner"
MEMBER = "member"
OTHER_APPLICANT = "other_applicant"
OFFICIAL = "official"
OTHER_OFFICIAL = "other_official"
FINANCE = "finance"
REVIEWER = "reviewer"
SPONSOR = "sponsor"
ROLES = [OWNER, MEMBER, OTHER_APPLICANT, OFFICIAL, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR]
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def pdf(name: str = "sp2d.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@dataclass
class Scene:
    users: dict
    organisation: Organisation
    paid: Disbursement  # milestone 1: released, the treasury's transfer recorded with its proof
    pending: Disbursement  # milestone 2: approved, waiting for release
    milestones: list


def build_scene() -> Scene:
    users = {
        OWNER: factories.UserFactory(),
        MEMBER: factories.UserFactory(),
        OTHER_APPLICANT: factories.UserFactory(),
        OFFICIAL: factories.UserFactory(roles=["official"]),
        OTHER_OFFICIAL: factories.UserFactory(roles=["official"]),
        FINANCE: factories.UserFactory(roles=["finance"]),
        REVIEWER: factories.UserFactory(roles=["reviewer"]),
        SPONSOR: factories.UserFactory(roles=["sponsor"]),
    }
    region = factories.region()
    factories.official_elsewhere(users[OTHER_OFFICIAL])
    challenge = factories.challenge(region_page=region, officials=[users[OFFICIAL]])
    organisation = factories.organisation(users[OWNER], name="Koperasi Bayar", region=region)
    Membership.objects.create(user=users[MEMBER], organisation=organisation, role=Membership.Role.MEMBER)
    factories.organisation(users[OTHER_APPLICANT], name="Startup Lain", region=region)
    factories.bank_details_verified(
        organisation, owner=users[OWNER], official=users[OFFICIAL], account_holder="Koperasi Bayar"
    )
    factories.allocation(challenge, finance=users[FINANCE], amount=100_000_000_00, idempotency_key="dpa")
    proposal = factories.submitted_proposal(
        challenge_page=challenge, owner=users[OWNER], amount=30_000_000_00
    )
    award = factories.awarded_proposal(
        proposal, official=users[OFFICIAL], amount=30_000_000_00, accepted_by=users[OWNER]
    )
    milestones = list(award.milestones.order_by("position"))
    for milestone in milestones[:2]:
        determinations_services.milestone_report(milestone=milestone, by=users[OWNER], report="Selesai.")
        awards_services.milestone_approve(milestone=milestone, by=users[OFFICIAL])
    paid = Disbursement.objects.get(reference=f"milestone:{milestones[0].pk}")
    awards_services.disbursement_release(disbursement=paid, by=users[FINANCE])
    payout_services.disbursement_record_paid(
        disbursement=paid, by=users[FINANCE], bank_reference="SP2D-0001", proof=pdf()
    )
    return Scene(
        users=users,
        organisation=organisation,
        paid=Disbursement.objects.get(pk=paid.pk),
        pending=Disbursement.objects.get(reference=f"milestone:{milestones[1].pk}"),
        milestones=milestones,
    )


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once, inside a transaction rolled back after the module's last test; each test
    runs in a savepoint of it (see tests/test_permissions.py)."""
    with rolled_back_after_module(django_db_blocker, PRIVATE_MEDIA_ROOT=tmp_path_factory.mktemp("private")):
        yield build_scene()


def sign_in(client, scene: Scene, role: str):
    if role != ANONYMOUS:
        client.force_login(scene.users[role])
    return client


def state() -> dict:
    return {
        "recipients": sorted(
            Recipient.objects.values_list(
                "payee_reference",
                "rail",
                "account_number_masked",
                "bank_details_changed_at",
                "bank_verified_at",
            )
        ),
        "disbursements": sorted(
            Disbursement.objects.values_list("pk", "status", "attempts", "proof", "cancelled_reason")
        ),
        "transactions": Transaction.objects.count(),
        "gateway_calls": GatewayCall.objects.count(),
        "milestones": sorted(Milestone.objects.values_list("pk", "status")),
        "notifications": Notification.objects.count(),
    }


@dataclass(frozen=True)
class Action:
    name: str
    url: Callable[[Scene], str]
    data: Callable[[Scene], dict]
    post_only: bool = False


def _slug(s: Scene) -> str:
    return s.organisation.slug


BANK = {
    "bank_name": "Bank Lain",
    "account_holder": "Orang Lain",
    "account_number": "9988776655",
    "confirm": "on",
}
ACTIONS = {
    a.name: a
    for a in [
        Action("organisation_payouts", lambda s: f"/organisations/{_slug(s)}/payouts/", lambda s: BANK),
        Action(
            "organisation_stripe_onboarding",
            lambda s: f"/organisations/{_slug(s)}/payouts/stripe/",
            lambda s: {},
            post_only=True,
        ),
        Action(
            "organisation_stripe_return",
            lambda s: f"/organisations/{_slug(s)}/payouts/stripe/return/",
            lambda s: {},
        ),
        Action(
            "organisation_stripe_refresh",
            lambda s: f"/organisations/{_slug(s)}/payouts/stripe/refresh/",
            lambda s: {},
        ),
        Action(
            "organisation_bank_verify",
            lambda s: f"/organisations/{_slug(s)}/payouts/verify/",
            lambda s: {"checked": "on"},
        ),
        Action(
            "disbursement_release",
            lambda s: f"/workspace/disbursements/{s.pending.pk}/release/",
            lambda s: factories.CONFIRM,
        ),
        Action(
            "disbursement_record_paid",
            lambda s: f"/workspace/disbursements/{s.pending.pk}/paid/",
            lambda s: {"bank_reference": "SP2D-9", "proof": pdf()},
            post_only=True,
        ),
        Action(
            "disbursement_retry",
            lambda s: f"/workspace/disbursements/{s.pending.pk}/retry/",
            lambda s: {},
            post_only=True,
        ),
        Action(
            "disbursement_cancel",
            lambda s: f"/workspace/disbursements/{s.pending.pk}/cancel/",
            lambda s: {"reason": "Salah rekening"},
            post_only=True,
        ),
        Action("disbursement_proof", lambda s: f"/workspace/disbursements/{s.paid.pk}/proof/", lambda s: {}),
    ]
}
OWNERS_ONLY = [MEMBER, OTHER_APPLICANT, OFFICIAL, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR]
FINANCE_ONLY = [OWNER, MEMBER, OTHER_APPLICANT, OFFICIAL, OTHER_OFFICIAL, REVIEWER, SPONSOR]
REFUSED = {
    "organisation_payouts": OWNERS_ONLY,
    "organisation_stripe_onboarding": OWNERS_ONLY,
    "organisation_stripe_return": OWNERS_ONLY,
    "organisation_stripe_refresh": OWNERS_ONLY,
    # An official of the organisation's region who is not a member of it.
    "organisation_bank_verify": [OWNER, MEMBER, OTHER_APPLICANT, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
    "disbursement_release": FINANCE_ONLY,
    "disbursement_record_paid": FINANCE_ONLY,
    "disbursement_retry": FINANCE_ONLY,
    "disbursement_cancel": FINANCE_ONLY,
    # Finance officers and the owners of the organisation paid.
    "disbursement_proof": [MEMBER, OTHER_APPLICANT, OFFICIAL, OTHER_OFFICIAL, REVIEWER, SPONSOR],
}


@pytest.mark.parametrize("action", ACTIONS.values(), ids=list(ACTIONS))
def test_anonymous_visitors_are_sent_to_sign_in(client, scene, action):
    url = action.url(scene)
    before = state()
    for response in (client.get(url), client.post(url, action.data(scene))):
        if action.post_only and response.request["REQUEST_METHOD"] == "GET":
            assert response.status_code in (302, 405)
            continue
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert state() == before


@pytest.mark.parametrize(
    ("action", "role"),
    [(ACTIONS[name], role) for name, roles in REFUSED.items() for role in roles],
    ids=[f"{name}-{role}" for name, roles in REFUSED.items() for role in roles],
)
def test_each_role_without_the_right_is_refused_and_changes_nothing(client, scene, action, role):
    url = action.url(scene)
    sign_in(client, scene, role)
    before = state()
    assert client.get(url).status_code == (405 if action.post_only else 403)
    assert client.post(url, action.data(scene)).status_code == 403
    assert state() == before


def test_an_official_who_is_a_member_cannot_verify_their_own_organisation(client, scene):
    member = scene.users[MEMBER]
    member.groups.add(scene.users[OFFICIAL].groups.get(name="official"))
    member.agencies.add(*scene.users[OFFICIAL].agencies.all())
    sign_in(client, scene, MEMBER)
    before = state()
    url = ACTIONS["organisation_bank_verify"].url(scene)
    assert client.get(url).status_code == 403
    assert client.post(url, {"checked": "on"}).status_code == 403
    assert state() == before


# The owner's payout page -------------------------------------------------------------------------


def test_the_owner_sees_how_the_organisation_is_paid_and_its_payments(client, scene):
    sign_in(client, scene, OWNER)
    page = client.get(f"/organisations/{_slug(scene)}/payouts/")
    assert page.status_code == 200
    text = page.text
    assert "Transfer bank oleh kas daerah" in text  # the rail in use, in Indonesian
    assert "•••• 5678" in text and "0012345678" not in text  # masked
    assert "SP2D-0001" in text and "Rp 10.000.000" in text
    assert f"/workspace/disbursements/{scene.paid.pk}/proof/" in text
    # Without Stripe keys the page says so, and offers no Stripe button.
    assert "/payouts/stripe/" not in text


def test_changed_bank_details_wait_for_an_official_and_the_others_are_told(client, scene):
    second_owner = factories.UserFactory()
    Membership.objects.create(user=second_owner, organisation=scene.organisation, role=Membership.Role.OWNER)
    sign_in(client, scene, OWNER)
    response = client.post(f"/organisations/{_slug(scene)}/payouts/", BANK)
    assert response.status_code == 302 and response["Location"] == f"/organisations/{_slug(scene)}/payouts/"
    recipient = Recipient.objects.get(payee_reference=f"organisation:{scene.organisation.pk}")
    assert (recipient.bank_name, recipient.account_number_masked) == ("Bank Lain", "•••• 6655")
    assert not recipient.bank_verified
    assert Notification.objects.filter(user=second_owner).exists()  # a change they did not make
    assert Notification.objects.filter(user=scene.users[OFFICIAL], url__endswith="/payouts/verify/").exists()
    assert not Notification.objects.filter(user=scene.users[OTHER_OFFICIAL]).exists()  # another region

    # Finance cannot release to them until an official verified them again.
    sign_in(client, scene, FINANCE)
    release = client.post(ACTIONS["disbursement_release"].url(scene))
    assert release.status_code == 200 and release.context["form"].non_field_errors()
    assert Disbursement.objects.get(pk=scene.pending.pk).status == "pending"
    workspace = client.get("/workspace/finance/")
    # Named by its stage and project, not by its reference.
    assert f"Pembayaran tahap 2 — {scene.milestones[1].award.proposal.title}" in workspace.text
    assert scene.pending.reference not in workspace.text


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**BANK, "bank_name": ""}, "bank_name"),
        ({**BANK, "account_holder": ""}, "account_holder"),
        ({**BANK, "account_number": "12345"}, "account_number"),
        ({**BANK, "account_number": "0012-ABC-678"}, "account_number"),
        ({k: v for k, v in BANK.items() if k != "confirm"}, "confirm"),
    ],
)
def test_bad_bank_details_are_explained_and_nothing_is_saved(client, scene, data, field):
    sign_in(client, scene, OWNER)
    before = state()
    response = client.post(f"/organisations/{_slug(scene)}/payouts/", data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert 'class="error-summary"' in response.text
    assert state() == before


# The official's verification ---------------------------------------------------------------------


def test_the_official_verifies_what_they_saw_not_what_changed_since(client, scene):
    payout_services.organisation_bank_details_set(
        organisation=scene.organisation,
        by=scene.users[OWNER],
        bank_name="Bank Lain",
        account_holder="Koperasi Bayar",
        account_number="5555666677",
    )
    sign_in(client, scene, OFFICIAL)
    url = f"/organisations/{_slug(scene)}/payouts/verify/"
    page = client.get(url)
    assert page.status_code == 200 and "•••• 6677" in page.text
    assert scene.users[OWNER].get_username() in page.text  # who changed them
    seen = page.context["form"].initial["changed_at"]
    # The owner changes them again while the official is looking.
    payout_services.organisation_bank_details_set(
        organisation=scene.organisation,
        by=scene.users[OWNER],
        bank_name="Bank Lain",
        account_holder="Koperasi Bayar",
        account_number="5555666688",
    )
    stale = client.post(url, {"changed_at": seen.isoformat(), "checked": "on"})
    assert stale.status_code == 200 and stale.context["form"].non_field_errors()
    assert not Recipient.objects.get(payee_reference=f"organisation:{scene.organisation.pk}").bank_verified

    fresh = client.get(url).context["form"].initial["changed_at"]
    assert client.post(url, {"changed_at": fresh.isoformat()}).status_code == 200  # must tick the box
    response = client.post(url, {"changed_at": fresh.isoformat(), "checked": "on"})
    assert response.status_code == 302
    assert Recipient.objects.get(payee_reference=f"organisation:{scene.organisation.pk}").bank_verified
    assert 'id="bank-verify-title"' not in client.get("/workspace/approvals/").text  # nothing left to verify


def test_the_official_finds_bank_details_to_verify_in_the_workspace(client, scene):
    payout_services.organisation_bank_details_set(
        organisation=scene.organisation,
        by=scene.users[OWNER],
        bank_name="Bank Lain",
        account_holder="Koperasi Bayar",
        account_number="5555666677",
    )
    sign_in(client, scene, OFFICIAL)
    assert f"/organisations/{_slug(scene)}/payouts/verify/" in client.get("/workspace/approvals/").text
    client.force_login(scene.users[OTHER_OFFICIAL])  # another region's official does not
    assert f"/organisations/{_slug(scene)}/payouts/verify/" not in client.get("/workspace/approvals/").text


# The finance officers' payment page ----------------------------------------------------------------


def test_finance_releases_then_records_the_treasury_transfer_with_its_proof(client, scene, settings):
    sign_in(client, scene, FINANCE)
    url = ACTIONS["disbursement_release"].url(scene)
    page = client.get(url)
    assert page.status_code == 200 and "Transfer bank oleh kas daerah" in page.text
    released = client.post(url, factories.CONFIRM, follow=True)
    assert released.redirect_chain[0][1] == 302
    # Nothing is "sent" on the manual rail: the treasury transfers, then its proof is recorded.
    assert "Pembayaran dicairkan. Kini menunggu BPKAD mentransfernya" in released.text
    assert Disbursement.objects.get(pk=scene.pending.pk).status == "released"

    record_url = f"/workspace/disbursements/{scene.pending.pk}/paid/"
    disguised = client.post(
        record_url, {"bank_reference": "SP2D-0002", "proof": pdf("sp2d.pdf", b"<html>bukan pdf</html>")}
    )
    assert disguised.status_code == 200 and "proof" in disguised.context["record_form"].errors
    no_reference = client.post(record_url, {"bank_reference": " ", "proof": pdf()})
    assert "bank_reference" in no_reference.context["record_form"].errors
    assert Disbursement.objects.get(pk=scene.pending.pk).status == "released"

    response = client.post(record_url, {"bank_reference": "SP2D-0002", "proof": pdf()})
    assert response.status_code == 302 and response["Location"] == url
    paid = Disbursement.objects.get(pk=scene.pending.pk)
    assert (paid.status, paid.gateway_reference) == ("paid", "SP2D-0002")
    assert Milestone.objects.get(pk=scene.milestones[1].pk).status == Milestone.Status.PAID
    assert _disbursed(scene) == 20_000_000_00  # what the project page and the API show

    proof = client.get(f"/workspace/disbursements/{paid.pk}/proof/")
    assert proof.status_code == 200 and proof["Content-Type"] == "application/pdf"
    assert proof["X-Content-Type-Options"] == "nosniff" and "attachment" in proof["Content-Disposition"]
    assert b"".join(proof.streaming_content).startswith(b"%PDF-")
    sign_in(client, scene, OWNER)
    assert client.get(f"/workspace/disbursements/{paid.pk}/proof/").status_code == 200


def _disbursed(scene: Scene) -> int:
    from marketplace.awards.selectors import projects as selectors

    return selectors.project_queryset().get(pk=scene.milestones[1].award_id).amount_disbursed


def test_a_payment_without_a_proof_has_no_proof_to_download(client, scene):
    sign_in(client, scene, FINANCE)
    assert client.get(f"/workspace/disbursements/{scene.pending.pk}/proof/").status_code == 404


def test_cancelling_sends_the_milestone_back_and_a_new_approval_requests_a_new_payment(client, scene):
    sign_in(client, scene, FINANCE)
    cancel_url = f"/workspace/disbursements/{scene.pending.pk}/cancel/"
    blank = client.post(cancel_url, {"reason": "  "})
    assert blank.status_code == 200 and "reason" in blank.context["cancel_form"].errors
    assert client.post(cancel_url, {"reason": "Nilai tahap salah"}).status_code == 302
    cancelled = Disbursement.objects.get(pk=scene.pending.pk)
    assert (cancelled.status, cancelled.cancelled_reason) == ("cancelled", "Nilai tahap salah")
    milestone = Milestone.objects.get(pk=scene.milestones[1].pk)
    assert milestone.status == Milestone.Status.REPORTED
    assert Notification.objects.filter(
        user=scene.users[OFFICIAL], message__contains="Nilai tahap salah"
    ).exists()

    approved = awards_services.milestone_approve(milestone=milestone, by=scene.users[OFFICIAL])
    again = Disbursement.objects.get(pk=approved.disbursement_id)
    assert again.reference == f"milestone:{milestone.pk}:2" and again.status == "pending"
    assert again.amount == 10_000_000_00


def test_finance_workspace_lists_payments_in_a_fixed_number_of_queries(
    client, scene, django_assert_max_num_queries
):
    sign_in(client, scene, FINANCE)
    client.get("/workspace/finance/")  # warm the session and the user's groups
    with django_assert_max_num_queries(200) as few:
        client.get("/workspace/finance/")
    baseline = len(few.captured_queries)
    references = []
    for _ in range(6):
        organisation = factories.organisation(factories.UserFactory())
        payee = f"organisation:{organisation.pk}"
        payments_api.recipient_set_bank_account(
            payee_reference=payee, bank_name="Bank NTT", account_holder="X", account_number="0012345678"
        )
        references.append(
            payments_api.disbursement_create(
                commitment=scene.pending.commitment,
                reference=f"extra:{organisation.pk}",
                amount=1_00,
                payee_reference=payee,
                requested_by=scene.users[OFFICIAL],
                description=f"Pembayaran tambahan {organisation.name}",
            ).description
        )
    with django_assert_max_num_queries(baseline) as many:
        response = client.get("/workspace/finance/")
    assert all(reference in response.text for reference in references)
    assert len(many.captured_queries) <= baseline


# Stripe Connect onboarding through the pages (the Stripe emulator) ---------------------------------


def _follow_stripe_link(url: str) -> str:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        urllib.request.build_opener(NoRedirect).open(url)
    except urllib.error.HTTPError as redirect:
        return redirect.headers["Location"]
    raise AssertionError("the onboarding link did not send the owner back")


@pytest.fixture
def stripe_scene(stripe_emulator, scene):
    return scene


def test_the_owner_connects_stripe_and_payments_then_go_through_stripe(
    client, stripe_scene, stripe_emulator, django_capture_on_commit_callbacks
):
    scene = stripe_scene
    slug = _slug(scene)
    sign_in(client, scene, OWNER)
    assert "/payouts/stripe/" in client.get(f"/organisations/{slug}/payouts/").text
    response = client.post(f"/organisations/{slug}/payouts/stripe/")
    assert response.status_code == 302 and response["Location"].startswith(stripe_emulator)
    # An expired link sends the owner to the refresh address, which makes a fresh link.
    fresh = client.get(f"/organisations/{slug}/payouts/stripe/refresh/")
    assert fresh.status_code == 302 and fresh["Location"].startswith(stripe_emulator)
    back = _follow_stripe_link(fresh["Location"])
    assert back == f"http://testserver/organisations/{slug}/payouts/stripe/return/"
    page = client.get(back, follow=True)
    recipient = Recipient.objects.get(payee_reference=f"organisation:{scene.organisation.pk}")
    assert (recipient.rail, recipient.payouts_enabled) == ("stripe", True)
    assert "Stripe Connect" in page.text

    # Finance releases; the transfer is made; Stripe's webhook confirms it; the milestone is paid.
    sign_in(client, scene, FINANCE)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(ACTIONS["disbursement_release"].url(scene), factories.CONFIRM).status_code == 302
    sent = Disbursement.objects.get(pk=scene.pending.pk)
    assert (sent.status, sent.rail) == ("sent", "stripe")
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, "evt_tr_created", "transfer.created", transfer_object(sent.gateway_reference))
    assert Milestone.objects.get(pk=scene.milestones[1].pk).status == Milestone.Status.PAID

    # Stripe reverses it: the payment failed, the milestone waits for its payment again.
    from payments.gateways.stripe.gateway import client as stripe_client

    stripe_client().v1.transfers.reversals.create(sent.gateway_reference)
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, "evt_tr_reversed", "transfer.reversed", transfer_object(sent.gateway_reference))
    assert Disbursement.objects.get(pk=sent.pk).status == "failed"
    assert Milestone.objects.get(pk=scene.milestones[1].pk).status == Milestone.Status.APPROVED
    assert _disbursed(scene) == 10_000_000_00
    page = client.get(ACTIONS["disbursement_release"].url(scene))
    assert Disbursement.objects.get(pk=sent.pk).failure_reason in page.text
    assert f"/workspace/disbursements/{sent.pk}/retry/" in page.text

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/workspace/disbursements/{sent.pk}/retry/").status_code == 302
    retried = Disbursement.objects.get(pk=sent.pk)
    assert (retried.status, retried.attempts) == ("sent", 2)
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, "evt_tr_created_2", "transfer.created", transfer_object(retried.gateway_reference))
    assert Milestone.objects.get(pk=scene.milestones[1].pk).status == Milestone.Status.PAID
