"""Conflicts of interest: nobody acts on a proposal of an organisation they belong or belonged to.

The probe: an official who was a member of the applicant organisation shortlisted its proposal,
awarded it and approved a milestone payment to it. The rule (``proposals.conflicts``): whoever is
or was a member of the lead or of a partner organisation of a proposal, or declared a conflict on
it, may not screen it, decide on it, award it, approve or re-plan its milestones, nor (finance)
release or record its payments. They still read it. A colleague without a conflict acts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEntry, Notification
from marketplace.awards.models import Award, Milestone
from marketplace.awards.services import awards as awards_services
from marketplace.awards.services import determinations as determinations_services
from marketplace.challenges.models import ChallengePage
from marketplace.finance import services as payout_services
from marketplace.organisations.models import Membership, PastMembership
from marketplace.organisations.services import organisations as organisations_services
from marketplace.proposals.models import DeclaredConflict, Proposal, ProposalPartner
from marketplace.proposals.services import conflicts as conflicts_services
from marketplace.proposals.services import submission as submission_services
from marketplace.review.models import ScreeningCheck
from marketplace.review.services import screening as screening_services
from payments.api import PaymentError
from payments.models import Disbursement, Transaction
from tests import factories
from tests.support.module_data import rolled_back_after_module

pytestmark = pytest.mark.django_db

AMOUNT = 30_000_000_00
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

# How a person comes to have a conflict on every proposal of the scene.
MEMBER, FORMER, PARTNER, DECLARED = "member", "former member", "partner member", "declared"
KINDS = [MEMBER, FORMER, PARTNER, DECLARED]


@dataclass
class Scene:
    owner: object
    officials: dict  # kind → a conflicted official of the agency
    finance: dict  # kind → a conflicted finance officer
    colleague: object  # an official of the agency without a conflict
    clean_finance: object  # a finance officer without a conflict
    submitted: Proposal  # waits for screening
    screening: Proposal  # being screened
    in_review: Proposal  # reviewed: to shortlist or award
    award: Award  # the project: milestone 1 reported, 2 approved (payment pending), 3 released
    milestones: list

    def proposals(self) -> list[Proposal]:
        return [self.submitted, self.screening, self.in_review, self.award.proposal]


def _closed(challenge: ChallengePage) -> None:
    """The call for proposals is over: awards are made after it closes."""
    ChallengePage.objects.filter(pk=challenge.pk).update(
        closes_at=timezone.now() - datetime.timedelta(hours=1)
    )


def build_scene() -> Scene:
    owner = factories.UserFactory()
    officials = {kind: factories.UserFactory(roles=["official"]) for kind in KINDS}
    finance = {kind: factories.UserFactory(roles=["finance"]) for kind in KINDS}
    colleague = factories.UserFactory(roles=["official"])
    clean_finance = factories.UserFactory(roles=["finance"])
    region = factories.region()
    agency = factories.agency(region, officials=[colleague, *officials.values()])
    challenges = [factories.challenge(agency_obj=agency) for _ in range(4)]

    applicant = factories.organisation(owner, name="Koperasi Sendiri", region=region)
    for person in (officials[MEMBER], finance[MEMBER], officials[FORMER], finance[FORMER]):
        Membership.objects.create(user=person, organisation=applicant, role=Membership.Role.MEMBER)
    for person in (officials[FORMER], finance[FORMER]):  # they left: the record of it stays
        organisations_services.membership_remove(
            membership=Membership.objects.get(user=person, organisation=applicant), by=owner
        )
    partner = factories.organisation(factories.UserFactory(), name="Mitra Konsorsium", region=region)
    for person in (officials[PARTNER], finance[PARTNER]):
        Membership.objects.create(user=person, organisation=partner, role=Membership.Role.MEMBER)

    proposals = [
        factories.submitted_proposal(challenge_page=challenge, owner=owner, amount=AMOUNT)
        for challenge in challenges
    ]
    for proposal in proposals:
        ProposalPartner.objects.create(
            proposal=proposal, organisation=partner, role="Pelatihan kader", budget_share=0, invited_by=owner
        )
        for person in (officials[DECLARED], finance[DECLARED]):
            conflicts_services.proposal_conflict_declare(
                proposal=proposal, by=person, note="Adik saya bekerja di koperasi ini."
            )
    submitted, screening, in_review, to_award = proposals
    submission_services.proposal_decide(proposal=screening, by=colleague, transition="screen")
    factories.send_to_review(in_review, colleague)
    factories.send_to_review(to_award, colleague)

    for challenge, key in ((challenges[2], "dpa-3"), (challenges[3], "dpa-4")):
        factories.allocation(challenge, finance=clean_finance, amount=100_000_000_00, idempotency_key=key)
        _closed(challenge)
    factories.bank_details_verified(
        applicant, owner=owner, official=colleague, account_holder="Koperasi Sendiri"
    )
    award = factories.awarded_proposal(to_award, official=colleague, amount=AMOUNT, accepted_by=owner)
    milestones = list(award.milestones.order_by("position"))
    for milestone in milestones:
        determinations_services.milestone_report(milestone=milestone, by=owner, report="Selesai.")
    for milestone in milestones[1:]:
        awards_services.milestone_approve(milestone=milestone, by=colleague)
    awards_services.disbursement_release(disbursement=_payment(milestones[2]), by=clean_finance)
    return Scene(
        owner=owner,
        officials=officials,
        finance=finance,
        colleague=colleague,
        clean_finance=clean_finance,
        submitted=Proposal.objects.get(pk=submitted.pk),
        screening=Proposal.objects.get(pk=screening.pk),
        in_review=Proposal.objects.get(pk=in_review.pk),
        award=Award.objects.get(pk=award.pk),
        milestones=milestones,
    )


def _payment(milestone: Milestone) -> Disbursement:
    return Disbursement.objects.get(reference=f"milestone:{milestone.pk}")


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once, rolled back after the module; each test runs in a savepoint of it."""
    with rolled_back_after_module(django_db_blocker, PRIVATE_MEDIA_ROOT=tmp_path_factory.mktemp("private")):
        yield build_scene()


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def state() -> dict:
    """What the officials' and finance officers' actions change."""
    return {
        "proposals": sorted(Proposal.objects.values_list("pk", "status")),
        "screenings": sorted(ScreeningCheck.objects.values_list("proposal_id", "outcome")),
        "awards": Award.objects.count(),
        "milestones": sorted(Milestone.objects.values_list("pk", "status", "due_date", "amount")),
        "payments": sorted(Disbursement.objects.values_list("pk", "status", "gateway_reference")),
        "ledger": Transaction.objects.count(),
    }


def _replan(s: Scene, by):
    milestone = s.milestones[0]
    return determinations_services.milestones_replan(
        award=s.award,
        by=by,
        changes=[
            determinations_services.MilestoneChange(
                milestone_id=milestone.pk,
                due_date=milestone.due_date + datetime.timedelta(days=14),
                amount=milestone.amount,
            )
        ],
        reason="Musim hujan menunda pemasangan.",
    )


def _award(s: Scene, by):
    due = timezone.localdate() + datetime.timedelta(days=30)
    return awards_services.award_create(
        proposal=s.in_review,
        amount=AMOUNT,
        milestones=[awards_services.MilestonePlan(title="Tahap 1", amount=AMOUNT, due_date=due)],
        by=by,
    )


def _decide(attribute: str, transition: str):
    def act(s: Scene, by):
        proposal = Proposal.objects.get(pk=getattr(s, attribute).pk)
        return submission_services.proposal_decide(
            proposal=proposal, by=by, transition=transition, note="Lengkapi anggaran."
        )

    return act


# What an official does to a proposal, each on a proposal in a state where it can be done.
OFFICIAL_ACTIONS = {
    "screening_start": lambda s, by: screening_services.screening_start(
        proposal=Proposal.objects.get(pk=s.submitted.pk), by=by
    ),
    "screening_reject": lambda s, by: screening_services.screening_reject(
        proposal=Proposal.objects.get(pk=s.screening.pk), by=by, reason="Bukan koperasi di wilayah ini."
    ),
    "decide_screen": _decide("submitted", "screen"),
    "decide_request_changes": _decide("screening", "request_changes"),
    "decide_review": _decide("screening", "review"),
    "decide_reject": _decide("screening", "reject"),
    "decide_shortlist": _decide("in_review", "shortlist"),
    "award": _award,
    "milestone_approve": lambda s, by: awards_services.milestone_approve(milestone=s.milestones[0], by=by),
    "milestone_request_revision": lambda s, by: determinations_services.milestone_request_revision(
        milestone=s.milestones[0], by=by, reason="Foto bukti kurang jelas."
    ),
    "milestones_replan": _replan,
}

# What a finance officer does to a milestone's payment.
FINANCE_ACTIONS = {
    "release": lambda s, by: awards_services.disbursement_release(
        disbursement=_payment(s.milestones[1]), by=by
    ),
    "record_paid": lambda s, by: payout_services.disbursement_record_paid(
        disbursement=_payment(s.milestones[2]),
        by=by,
        bank_reference="SP2D-0420",
        proof=SimpleUploadedFile("sp2d.pdf", PDF, content_type="application/pdf"),
    ),
    "cancel": lambda s, by: payout_services.disbursement_cancel(
        disbursement=_payment(s.milestones[1]), by=by, reason="Salah rekening"
    ),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("action", OFFICIAL_ACTIONS)
def test_a_conflicted_official_is_refused_with_the_reason_and_nothing_changes(
    scene, english_messages, action, kind
):
    before = state()

    with pytest.raises(DomainError) as refused:
        OFFICIAL_ACTIONS[action](scene, scene.officials[kind])

    assert "Conflict of interest" in refused.value.message
    if kind == DECLARED:
        assert "you declared a conflict" in refused.value.message
    elif kind == FORMER:
        assert "you were a member of Koperasi Sendiri" in refused.value.message
    elif kind == PARTNER:
        assert "you are a member of Mitra Konsorsium" in refused.value.message
    else:
        assert "you are a member of Koperasi Sendiri" in refused.value.message
    assert state() == before


@pytest.mark.parametrize("action", OFFICIAL_ACTIONS)
def test_a_colleague_without_a_conflict_does_it(scene, action):
    before = state()

    OFFICIAL_ACTIONS[action](scene, scene.colleague)

    assert state() != before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("action", FINANCE_ACTIONS)
def test_a_conflicted_finance_officer_is_refused_and_nothing_is_paid(scene, english_messages, action, kind):
    before = state()

    with pytest.raises((DomainError, PaymentError)) as refused:
        FINANCE_ACTIONS[action](scene, scene.finance[kind])

    assert "Conflict of interest" in str(refused.value.message)
    assert state() == before


@pytest.mark.parametrize("action", FINANCE_ACTIONS)
def test_a_finance_officer_without_a_conflict_does_it(scene, action):
    before = state()

    FINANCE_ACTIONS[action](scene, scene.clean_finance)

    assert state() != before


def test_the_payment_page_offers_a_conflicted_finance_officer_nothing(client, scene):
    url = f"/workspace/disbursements/{_payment(scene.milestones[1]).pk}/release/"
    client.force_login(scene.finance[FORMER])
    page = client.get(url)
    assert page.status_code == 200
    assert "Konflik kepentingan" in page.text and "Koperasi Sendiri" in page.text
    assert "Cairkan pembayaran" not in page.text  # no "Release payment" button

    response = client.post(url, {})

    assert response.status_code == 200 and "Konflik kepentingan" in response.text
    assert _payment(scene.milestones[1]).status == Disbursement.Status.PENDING

    client.force_login(scene.clean_finance)
    assert "Cairkan pembayaran" in client.get(url).text


def test_a_conflicted_official_reads_the_proposal_but_is_offered_no_decision(client, scene):
    url = f"/workspace/proposals/{scene.in_review.pk}/"
    client.force_login(scene.officials[MEMBER])
    page = client.get(url)

    assert page.status_code == 200 and scene.in_review.title in page.text
    assert "Konflik kepentingan" in page.text
    assert page.context["decision_form"] is None and not page.context["can_award"]
    assert f"/workspace/proposals/{scene.in_review.pk}/award/" not in page.text

    client.force_login(scene.colleague)
    page = client.get(url)
    assert page.context["decision_form"] is not None and page.context["can_award"]
    assert "Konflik kepentingan" not in page.text


@pytest.mark.parametrize("kind", KINDS)
def test_a_conflicted_official_posting_a_decision_or_an_award_is_refused(client, scene, kind):
    client.force_login(scene.officials[kind])
    before = state()

    decide = client.post(f"/workspace/proposals/{scene.in_review.pk}/decide/", {"transition": "shortlist"})
    award_page = client.get(f"/workspace/proposals/{scene.in_review.pk}/award/")
    screening = client.get(f"/workspace/proposals/{scene.submitted.pk}/screening/")
    approve = client.post(f"/workspace/milestones/{scene.milestones[0].pk}/approve/", factories.CONFIRM)

    assert [decide.status_code, award_page.status_code, screening.status_code, approve.status_code] == [
        403
    ] * 4
    assert "Konflik kepentingan" in decide.text
    assert state() == before


def test_the_agency_list_and_the_workspace_offer_a_conflicted_official_nothing(client, scene):
    client.force_login(scene.officials[PARTNER])
    listing = client.get("/workspace/agency/proposals/")
    assert listing.status_code == 200
    rows = {row["proposal"].pk: row for row in listing.context["rows"]}
    assert set(rows) == {p.pk for p in scene.proposals()}  # listed, to read
    assert all(not row["decisions"] and not row["can_award"] for row in rows.values())
    assert f"/workspace/proposals/{scene.in_review.pk}/decide/" not in listing.text

    workspace = client.get("/workspace/approvals/")
    assert f"/workspace/milestones/{scene.milestones[0].pk}/approve/" not in workspace.text

    client.force_login(scene.colleague)
    assert (
        f"/workspace/proposals/{scene.in_review.pk}/decide/"
        in client.get("/workspace/agency/proposals/").text
    )
    approvals = client.get("/workspace/approvals/").text
    assert f"/workspace/milestones/{scene.milestones[0].pk}/approve/" in approvals


def test_the_project_page_shows_a_conflicted_official_the_milestones_without_actions(client, scene):
    url = f"/projects/{scene.award.pk}/"
    client.force_login(scene.officials[DECLARED])
    page = client.get(url)
    assert page.status_code == 200 and "Tahap 1" in page.text and "Konflik kepentingan" in page.text
    assert f"/workspace/milestones/{scene.milestones[0].pk}/approve/" not in page.text
    assert f"/workspace/awards/{scene.award.pk}/replan/" not in page.text

    client.force_login(scene.colleague)
    assert f"/workspace/milestones/{scene.milestones[0].pk}/approve/" in client.get(url).text


# Declaring a conflict --------------------------------------------------------------------------


def _declare_url(proposal: Proposal) -> str:
    return f"/workspace/proposals/{proposal.pk}/conflict/"


def test_an_official_declares_a_conflict_then_may_read_but_not_act(client, scene):
    proposal = scene.in_review
    client.force_login(scene.colleague)
    assert "Nyatakan konflik kepentingan" in client.get(f"/workspace/proposals/{proposal.pk}/").text
    assert client.get(_declare_url(proposal)).status_code == 200
    others = set(scene.officials.values())
    earlier = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    response = client.post(_declare_url(proposal), {"note": "Saya pernah menjadi konsultan koperasi ini."})

    assert response.status_code == 302 and response["Location"] == f"/workspace/proposals/{proposal.pk}/"
    declared = DeclaredConflict.objects.get(proposal=proposal, user=scene.colleague)
    assert declared.note == "Saya pernah menjadi konsultan koperasi ini." and declared.ip_address
    assert AuditEntry.objects.filter(
        action="proposal.conflict_declared", object_id=str(proposal.pk), actor_id=scene.colleague.pk
    ).exists()
    told = set(Notification.objects.filter(pk__gt=earlier).values_list("user_id", flat=True))
    assert {u.pk for u in others} <= told and scene.colleague.pk not in told

    page = client.get(f"/workspace/proposals/{proposal.pk}/")
    assert page.status_code == 200 and "Konflik kepentingan" in page.text
    assert page.context["decision_form"] is None
    before = state()
    assert (
        client.post(f"/workspace/proposals/{proposal.pk}/decide/", {"transition": "shortlist"}).status_code
        == 403
    )
    assert state() == before
    # Declared once: the page is no longer offered.
    assert client.get(_declare_url(proposal)).status_code == 403


def test_a_finance_officer_declares_a_conflict_from_the_payment_page(client, scene):
    url = f"/workspace/disbursements/{_payment(scene.milestones[1]).pk}/release/"
    client.force_login(scene.clean_finance)
    assert _declare_url(scene.award.proposal) in client.get(url).text

    response = client.post(_declare_url(scene.award.proposal), {"note": "Suami saya pengurus koperasi."})

    assert response.status_code == 302 and response["Location"] == "/workspace/"
    page = client.get(url)
    assert "Konflik kepentingan" in page.text and "Cairkan pembayaran" not in page.text
    with pytest.raises(DomainError):
        FINANCE_ACTIONS["release"](scene, scene.clean_finance)


def test_a_declaration_needs_its_reason_and_records_nothing_without_it(client, scene):
    client.force_login(scene.colleague)

    response = client.post(_declare_url(scene.submitted), {"note": "  "})

    assert response.status_code == 200 and "note" in response.context["form"].errors
    assert not DeclaredConflict.objects.filter(user=scene.colleague).exists()


@pytest.mark.parametrize("who", ["owner", "official_elsewhere", "reviewer", "applicant"])
def test_only_the_agencys_officials_and_finance_officers_may_declare(client, scene, who):
    user = {
        "owner": lambda: scene.owner,
        "official_elsewhere": factories.official_elsewhere,
        "reviewer": lambda: factories.UserFactory(roles=["reviewer"]),
        "applicant": factories.applicant,
    }[who]()
    client.force_login(user)

    assert client.get(_declare_url(scene.submitted)).status_code == 403
    assert client.post(_declare_url(scene.submitted), {"note": "Coba-coba."}).status_code == 403
    assert not DeclaredConflict.objects.filter(user=user).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, scene):
    response = client.get(_declare_url(scene.submitted))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_former_member_is_recorded_when_leaving(scene):
    """The rule rests on this record: leaving an organisation keeps who was in it."""
    assert PastMembership.objects.filter(
        user=scene.officials[FORMER], organisation__name="Koperasi Sendiri"
    ).exists()
    assert not Membership.objects.filter(user=scene.officials[FORMER]).exists()
