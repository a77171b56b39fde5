"""The proposal state machine: every transition allowed from where it may start and by whom,
refused everywhere else (and then nothing changes), each audited with who, when, IP and note."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEntry
from marketplace.awards.models import Award
from marketplace.awards.services import awards as awards_services
from marketplace.challenges.services import funds as challenges_services
from marketplace.proposals import workflows
from marketplace.proposals.models import Proposal
from marketplace.proposals.services import drafts as drafts_proposals_services
from marketplace.proposals.services import submission as submission_proposals_services
from tests import factories
from tests.proposals.cast import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


Scene = Cast  # this module needs the shared cast alone


def build_scene() -> Scene:
    """What tests/conftest.py's ``official``, ``region``, ``challenge`` and ``owner`` build."""
    official = factories.UserFactory(roles=["official"])
    region = factories.region()
    challenge = factories.challenge(region_page=region, officials=[official])
    return Scene(official=official, region=region, challenge=challenge, owner=factories.UserFactory())


S = Proposal.Status

# How to bring a proposal to each state, as the people who may do it would.
PATHS = {
    S.DRAFT: [],
    S.SUBMITTED: ["submit"],
    S.CHANGES_REQUESTED: ["submit", "request_changes"],
    S.SCREENING: ["submit", "screen"],
    S.IN_REVIEW: ["submit", "screen", "review"],
    S.SHORTLISTED: ["submit", "screen", "review", "shortlist"],
    S.REJECTED: ["submit", "reject"],
    S.WITHDRAWN: ["withdraw"],
}

# Every transition the applicant or the owning official may take, and where it leads.
ALLOWED = [
    ("submit", S.DRAFT, S.SUBMITTED),
    ("submit", S.CHANGES_REQUESTED, S.SUBMITTED),
    ("withdraw", S.DRAFT, S.WITHDRAWN),
    ("withdraw", S.SUBMITTED, S.WITHDRAWN),
    ("withdraw", S.CHANGES_REQUESTED, S.WITHDRAWN),
    ("screen", S.SUBMITTED, S.SCREENING),
    ("request_changes", S.SUBMITTED, S.CHANGES_REQUESTED),
    ("request_changes", S.SCREENING, S.CHANGES_REQUESTED),
    ("review", S.SCREENING, S.IN_REVIEW),
    ("shortlist", S.IN_REVIEW, S.SHORTLISTED),
    ("reject", S.SUBMITTED, S.REJECTED),
    ("reject", S.SCREENING, S.REJECTED),
    ("reject", S.IN_REVIEW, S.REJECTED),
    ("reject", S.SHORTLISTED, S.REJECTED),
]
APPLICANT_TRANSITIONS = {"submit", "withdraw"}
ALLOWED_PAIRS = {(name, source) for name, source, _target in ALLOWED}
REFUSED = [
    (name, state)
    for name in ("submit", "withdraw", "screen", "request_changes", "review", "shortlist", "reject")
    for state in PATHS
    if (name, state) not in ALLOWED_PAIRS
]


def step(proposal, name, *, owner, official, note="Mohon perbaiki anggaran."):
    if name == "submit":
        return submission_proposals_services.proposal_submit(proposal=proposal, by=owner)
    if name == "withdraw":
        return submission_proposals_services.proposal_withdraw(proposal=proposal, by=owner)
    return submission_proposals_services.proposal_decide(
        proposal=proposal, by=official, transition=name, note=note
    )


def proposal_in(state, *, challenge, owner, official) -> Proposal:
    org = owner.organisations.first() or factories.organisation(owner)
    proposal = drafts_proposals_services.proposal_create(
        by=owner, organisation=org, challenge=challenge, title="Usulan", requested_amount=10_000_000_00
    )
    factories.complete_proposal(proposal, by=owner)
    for name in PATHS[state]:
        step(proposal, name, owner=owner, official=official)
    assert Proposal.objects.get(pk=proposal.pk).status == state
    return Proposal.objects.get(pk=proposal.pk)


@pytest.mark.parametrize("name, source, target", ALLOWED, ids=[f"{n}-from-{s}" for n, s, _t in ALLOWED])
def test_allowed_transition_changes_the_status_and_is_audited(
    challenge, owner, official, name, source, target
):
    proposal = proposal_in(source, challenge=challenge, owner=owner, official=official)
    step(proposal, name, owner=owner, official=official)
    assert Proposal.objects.get(pk=proposal.pk).status == target
    entry = AuditEntry.objects.filter(object_type="proposals.proposal", object_id=str(proposal.pk)).first()
    assert entry.action == f"proposal.{target}"
    assert entry.actor == (owner if name in APPLICANT_TRANSITIONS else official)
    assert entry.before == {"status": source}
    assert entry.after["status"] == target and entry.after["transition"] == name
    assert entry.after["note"] == ("" if name in APPLICANT_TRANSITIONS else "Mohon perbaiki anggaran.")


@pytest.mark.parametrize("state", list(PATHS))
def test_illegal_transitions_raise_and_change_nothing(challenge, owner, official, state):
    proposal = proposal_in(state, challenge=challenge, owner=owner, official=official)
    audit_entries, versions = AuditEntry.objects.count(), proposal.versions.count()
    refused = [name for name, source in REFUSED if source == state]
    assert refused
    for name in refused:
        with pytest.raises(DomainError):
            step(proposal, name, owner=owner, official=official)
        assert Proposal.objects.get(pk=proposal.pk).status == state, name
    assert AuditEntry.objects.count() == audit_entries and proposal.versions.count() == versions


@pytest.mark.parametrize("name", ["screen", "request_changes", "review", "shortlist", "reject", "award"])
def test_applicants_may_not_take_the_officials_transitions(challenge, owner, official, name):
    proposal = proposal_in(S.SUBMITTED, challenge=challenge, owner=owner, official=official)
    with pytest.raises(DomainError, match="official of the agency"):
        workflows.proposal_perform(proposal=proposal, name=name, by=owner, note="x")
    assert Proposal.objects.get(pk=proposal.pk).status == S.SUBMITTED


@pytest.mark.parametrize("name", ["submit", "withdraw"])
def test_officials_may_not_take_the_applicants_transitions(challenge, owner, official, name):
    proposal = proposal_in(S.DRAFT, challenge=challenge, owner=owner, official=official)
    with pytest.raises(DomainError, match="members of the applying organisation"):
        workflows.proposal_perform(proposal=proposal, name=name, by=official)
    assert Proposal.objects.get(pk=proposal.pk).status == S.DRAFT


def test_an_official_of_another_agency_decides_nothing(challenge, owner, official):
    outsider = factories.official_elsewhere()
    proposal = proposal_in(S.SUBMITTED, challenge=challenge, owner=owner, official=official)
    for name in ("screen", "request_changes", "reject"):
        with pytest.raises(DomainError):
            submission_proposals_services.proposal_decide(
                proposal=proposal, by=outsider, transition=name, note="x"
            )
    assert Proposal.objects.get(pk=proposal.pk).status == S.SUBMITTED


def test_asking_for_changes_needs_a_note(challenge, owner, official):
    proposal = proposal_in(S.SUBMITTED, challenge=challenge, owner=owner, official=official)
    with pytest.raises(DomainError, match="Say what should change"):
        submission_proposals_services.proposal_request_changes(proposal=proposal, by=official, note="   ")
    assert Proposal.objects.get(pk=proposal.pk).status == S.SUBMITTED


def test_the_request_changes_cycle_makes_a_new_version_and_keeps_the_first(challenge, owner, official):
    proposal = proposal_in(S.SCREENING, challenge=challenge, owner=owner, official=official)
    submission_proposals_services.proposal_request_changes(
        proposal=proposal, by=official, note="Rinci biaya perawatan."
    )
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert proposal.changes_requested_note == "Rinci biaya perawatan."
    assert (
        proposal.organisation.memberships.get()
        .user.notifications.filter(message__contains="Rinci biaya perawatan.")
        .exists()
    )
    drafts_proposals_services.proposal_save(
        proposal=proposal, by=owner, fields={"plan": "Ditambah biaya perawatan tahun kedua."}
    )
    # Resubmission is not bound by the deadline: the agency reopened the proposal.
    later = challenge.closes_at + datetime.timedelta(days=3)
    submission_proposals_services.proposal_submit(proposal=proposal, by=owner, now=later)
    first, second = proposal.versions.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert first.data["plan"] == "Uji coba tiga bulan, lalu perluasan."
    assert second.data["plan"] == "Ditambah biaya perawatan tahun kedua."
    assert Proposal.objects.get(pk=proposal.pk).changes_requested_note == ""


def test_a_shortlisted_proposal_can_be_awarded(challenge, owner, official):
    finance = factories.UserFactory(roles=["finance"])
    challenges_services.allocation_record(
        challenge=challenge, amount=50_000_000_00, by=finance, reference="DPA-1", idempotency_key="k"
    )
    proposal = proposal_in(S.SHORTLISTED, challenge=challenge, owner=owner, official=official)
    due = timezone.localdate() + datetime.timedelta(days=30)
    factories.close_challenge(proposal.challenge)
    awards_services.award_create(
        proposal=proposal,
        amount=10_000_000_00,
        milestones=[awards_services.MilestonePlan(title="Tahap 1", amount=10_000_000_00, due_date=due)],
        by=official,
    )
    assert Proposal.objects.get(pk=proposal.pk).status == S.AWARDED
    assert Award.objects.filter(proposal=proposal).exists()


def test_screening_cannot_be_awarded(challenge, owner, official):
    proposal = proposal_in(S.SCREENING, challenge=challenge, owner=owner, official=official)
    due = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(DomainError):
        factories.close_challenge(proposal.challenge)
        awards_services.award_create(
            proposal=proposal,
            amount=10_000_000_00,
            milestones=[awards_services.MilestonePlan(title="Tahap 1", amount=10_000_000_00, due_date=due)],
            by=official,
        )
    assert not Award.objects.exists()


def test_a_decision_through_the_page_records_who_the_ip_and_the_note(client, challenge, owner, official):
    proposal = proposal_in(S.SUBMITTED, challenge=challenge, owner=owner, official=official)
    client.force_login(official)
    response = client.post(
        f"/workspace/proposals/{proposal.pk}/decide/",
        {
            "transition": "request_changes",
            "note": "Lampirkan surat dukungan desa.",
            "next": "/workspace/agency/proposals/",
        },
        REMOTE_ADDR="10.20.30.40",
    )
    assert response.status_code == 302 and response["Location"] == "/workspace/agency/proposals/"
    entry = AuditEntry.objects.get(action="proposal.changes_requested", object_id=str(proposal.pk))
    assert entry.actor == official and entry.ip_address == "10.20.30.40"
    assert entry.after["note"] == "Lampirkan surat dukungan desa."
    assert entry.created_at <= timezone.now()
    # The applicant sees the note and may edit again.
    client.force_login(owner)
    page = client.get(f"/workspace/proposals/{proposal.pk}/")
    assert "Lampirkan surat dukungan desa." in page.text and 'id="proposal-form"' in page.text


def test_a_refused_decision_through_the_page_says_why_and_changes_nothing(client, challenge, owner, official):
    proposal = proposal_in(S.SUBMITTED, challenge=challenge, owner=owner, official=official)
    client.force_login(official)
    response = client.post(
        f"/workspace/proposals/{proposal.pk}/decide/", {"transition": "shortlist"}, follow=True
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Proposal.objects.get(pk=proposal.pk).status == S.SUBMITTED
