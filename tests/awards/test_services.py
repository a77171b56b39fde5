import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEntry
from marketplace.awards.models import Award, Milestone
from marketplace.awards.services import awards as awards_services
from marketplace.awards.services import determinations as determinations_services
from marketplace.challenges.services import funds as challenges_services
from marketplace.finance import services as payout_services
from marketplace.proposals.models import Proposal
from marketplace.proposals.services import drafts as drafts_proposals_services
from marketplace.proposals.services import submission as submission_proposals_services
from payments.models import Disbursement, Entry, Transaction
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


def test_submission_before_the_deadline_is_accepted(challenge):
    owner = factories.UserFactory()
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
    assert proposal.submitted_at is not None
    assert AuditEntry.objects.filter(action="proposal.submitted", object_id=str(proposal.pk)).exists()


def test_submission_after_the_deadline_is_refused_and_changes_nothing(challenge):
    owner = factories.UserFactory()
    org = factories.organisation(owner)
    proposal = drafts_proposals_services.proposal_create(
        by=owner,
        organisation=org,
        challenge=challenge,
        title="Usulan",
        summary="Ringkasan",
        requested_amount=10_000_00,
    )
    late = challenge.closes_at + datetime.timedelta(minutes=1)
    with pytest.raises(DomainError, match="deadline has passed") as excinfo:
        submission_proposals_services.proposal_submit(proposal=proposal, by=owner, now=late)
    # The message names the deadline in the region's own zone (WITA for this region).
    assert "WITA" in excinfo.value.message
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DRAFT
    assert proposal.submitted_at is None


def test_only_members_may_submit(challenge):
    owner, stranger = factories.UserFactory(), factories.UserFactory()
    org = factories.organisation(owner)
    proposal = drafts_proposals_services.proposal_create(
        by=owner, organisation=org, challenge=challenge, title="U", summary="R", requested_amount=10_000_00
    )
    with pytest.raises(DomainError):
        submission_proposals_services.proposal_submit(proposal=proposal, by=stranger)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DRAFT


def _milestones(*amounts):
    due = timezone.localdate() + datetime.timedelta(days=30)
    return [
        awards_services.MilestonePlan(title=f"Tahap {i + 1}", amount=a, due_date=due)
        for i, a in enumerate(amounts)
    ]


def test_award_beyond_what_the_fund_holds_is_refused(challenge, official, finance):
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=factories.UserFactory())
    challenges_services.allocation_record(
        challenge=challenge, amount=10_000_000_00, by=finance, reference="DPA-1", idempotency_key="a1"
    )
    with pytest.raises(DomainError, match="holds only Rp 10.000.000"):
        factories.close_challenge(proposal.challenge)
        awards_services.award_create(
            proposal=proposal, amount=20_000_000_00, milestones=_milestones(20_000_000_00), by=official
        )
    assert not Award.objects.exists()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED


def test_milestones_must_add_up_to_the_award(challenge, official, finance):
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=factories.UserFactory())
    challenges_services.allocation_record(
        challenge=challenge, amount=50_000_000_00, by=finance, reference="DPA-1", idempotency_key="a1"
    )
    with pytest.raises(DomainError, match="add up"):
        factories.close_challenge(proposal.challenge)
        awards_services.award_create(
            proposal=proposal,
            amount=10_000_000_00,
            milestones=_milestones(4_000_000_00, 5_000_000_00),
            by=official,
        )
    assert not Award.objects.exists()


def test_an_official_of_another_agency_cannot_award(challenge, finance):
    outsider = factories.UserFactory(roles=["official"])
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=factories.UserFactory())
    with pytest.raises(DomainError, match="agency that owns"):
        factories.close_challenge(proposal.challenge)
        awards_services.award_create(
            proposal=proposal, amount=1_000_00, milestones=_milestones(1_000_00), by=outsider
        )


def test_milestone_money_flows_from_fund_to_grantee_once(challenge, official, finance, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path  # for the transfer proof
    owner = factories.UserFactory()
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner)
    challenges_services.allocation_record(
        challenge=challenge, amount=30_000_000_00, by=finance, reference="DPA-7", idempotency_key="k"
    )
    factories.close_challenge(proposal.challenge)
    award = awards_services.award_create(
        proposal=proposal,
        amount=20_000_000_00,
        milestones=_milestones(8_000_000_00, 12_000_000_00),
        by=official,
    )
    first = award.milestones.order_by("position").first()
    # Nothing can be reported before the grantee accepts the agreement.
    with pytest.raises(DomainError, match="Accept the agreement first"):
        determinations_services.milestone_report(milestone=first, by=owner, report="Terlalu dini.")
    factories.accept_agreement(award, owner)
    determinations_services.milestone_report(
        milestone=first, by=owner, report="Aplikasi antrean sudah dipakai 3 puskesmas."
    )
    approved = awards_services.milestone_approve(milestone=first, by=official)
    disbursement = Disbursement.objects.get(pk=approved.disbursement_id)

    # Four eyes: the approving official may not release, even with the finance role.
    official.groups.add(finance.groups.first())
    with pytest.raises(DomainError, match="approved the milestone"):
        awards_services.disbursement_release(disbursement=disbursement, by=official)
    # Nothing is paid before the grantee's bank details are given and verified by an official.
    with pytest.raises(DomainError, match="has not set up how it receives payments"):
        awards_services.disbursement_release(disbursement=disbursement, by=finance)
    organisation = proposal.organisation
    payout_services.organisation_bank_details_set(
        organisation=organisation,
        by=owner,
        bank_name="Bank NTT",
        account_holder=organisation.name,
        account_number="0012345678",
    )
    with pytest.raises(DomainError, match="not verified them yet"):
        awards_services.disbursement_release(disbursement=disbursement, by=finance)
    payout_services.organisation_bank_details_verify(
        organisation=organisation, by=factories.UserFactory(roles=["official"]), changed_at_seen=None
    )
    assert not Transaction.objects.filter(kind="disbursement").exists()

    awards_services.disbursement_release(disbursement=disbursement, by=finance)
    with pytest.raises(DomainError, match="already been released"):
        awards_services.disbursement_release(disbursement=disbursement, by=finance)
    # The treasury pays; finance records the SP2D reference and the transfer proof.
    with pytest.raises(DomainError, match="bank transfer reference"):
        payout_services.disbursement_record_paid(
            disbursement=disbursement, by=finance, bank_reference="  ", proof=_proof()
        )
    payout_services.disbursement_record_paid(
        disbursement=disbursement, by=finance, bank_reference="SP2D-0042", proof=_proof()
    )

    payout = Transaction.objects.get(kind="disbursement", idempotency_key__endswith=":paid")
    assert payout.reference == "SP2D-0042"
    assert sorted(payout.entries.values_list("amount", flat=True)) == [-8_000_000_00, 8_000_000_00]
    first.refresh_from_db()
    assert first.status == Milestone.Status.PAID
    # Every transaction balances.
    for txn in Transaction.objects.all():
        assert sum(txn.entries.values_list("amount", flat=True)) == 0
    # Released (commitment → owed to the grantee), then paid (owed → paid out): two legs each.
    assert Entry.objects.filter(transaction__kind="disbursement").count() == 4


def _proof():
    return SimpleUploadedFile("sp2d.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
