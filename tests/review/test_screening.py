"""Eligibility screening of submitted proposals: the checklist derived from the challenge's
rules and pre-filled by the automatic checks, confirmations and overrides with notes, passing
on to review, rejecting with a reason the applicant reads, the audit record, and who may use
the screening page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from core.errors import DomainError
from core.models import AuditEntry, Notification
from marketplace.challenges.models import ApplicationQuestion, ChallengePage
from marketplace.proposals.models import Proposal
from marketplace.proposals.services import consortium as consortium_services
from marketplace.proposals.services import drafts as drafts_services
from marketplace.proposals.services import submission as submission_services
from marketplace.review.models import ScreeningCheck
from marketplace.review.services import screening as reviews
from marketplace.review.services.screening import ItemDecision
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(challenge, owner, region):
    factories.organisation(owner, name="Koperasi Digital Sumba", kind="koperasi", region=region)
    return factories.submitted_proposal(challenge_page=challenge, owner=owner)


def _rules(challenge, **fields) -> ChallengePage:
    ChallengePage.objects.filter(pk=challenge.pk).update(**fields)
    return ChallengePage.objects.get(pk=challenge.pk)


def _fresh(proposal) -> Proposal:
    return Proposal.objects.select_related("challenge__agency__region", "organisation").get(pk=proposal.pk)


def _items(proposal) -> dict:
    return {item["key"]: item for item in reviews.screening_automatic_items(_fresh(proposal))}


# The checklist -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("english_messages")
def test_the_checklist_follows_the_challenges_rules_and_is_pre_filled(
    challenge, official, owner, region, proposal
):
    question = ApplicationQuestion.objects.create(challenge=challenge, text="Berapa desa?")
    # Rules tightened after submission: the automatic checks see what the official sees now.
    _rules(
        challenge,
        eligible_kinds=["umkm", "koperasi"],
        must_be_registered_in_region=True,
        max_requested_amount=10_000_000_00,
        consortium_allowed=False,
    )
    items = _items(proposal)
    assert list(items) == [
        "eligible_kind",
        "eligible_region",
        "consortium",
        "eligible_amount",
        f"answer-{question.pk}",
        "in_scope",
    ]
    assert items["eligible_kind"]["automatic"] is True  # a koperasi may apply
    assert items["eligible_region"]["automatic"] is True
    assert items["eligible_region"]["label"] == f"The organisation is registered in {region.title}"
    assert items["consortium"]["automatic"] is True  # applies alone
    assert items["eligible_amount"]["automatic"] is False  # Rp 20.000.000 asked, at most Rp 10.000.000
    assert items["eligible_amount"]["label"] == "The requested amount is at most Rp 10.000.000"
    assert items[f"answer-{question.pk}"]["automatic"] is False  # asked after it was answered
    assert items["in_scope"]["automatic"] is None  # the official judges it

    # Pre-filled: the official starts from the automatic results.
    check = reviews.screening_start(proposal=_fresh(proposal), by=official)
    stored = {item["key"]: item for item in check.items}
    assert stored["eligible_amount"]["passed"] is False and stored["eligible_kind"]["passed"] is True
    assert stored["in_scope"]["passed"] is None


@pytest.mark.usefixtures("english_messages")
def test_a_consortium_lists_its_partners_and_a_forbidden_consortium_fails(challenge, owner, region):
    lead = factories.organisation(owner, region=region)
    partner_owner = factories.UserFactory()
    partner = factories.organisation(partner_owner, name="Politeknik Mitra")
    draft = drafts_services.proposal_create(
        by=owner, organisation=lead, challenge=challenge, title="Konsorsium", requested_amount=20_000_000_00
    )
    invitation = consortium_services.proposal_partner_invite(
        proposal=draft, by=owner, organisation=partner, role="Mitra"
    )
    consortium_services.proposal_partner_respond(partner=invitation, by=partner_owner, accept=True)
    factories.complete_proposal(draft, by=owner)
    submission_services.proposal_submit(proposal=draft, by=owner)
    items = _items(draft)
    assert items["consortium"] == {
        "key": "consortium",
        "label": "A consortium may apply to this challenge",
        "automatic": True,
    }
    assert items["partners"]["label"] == "Every consortium partner has accepted (1 of 1)"
    assert items["partners"]["automatic"] is True
    _rules(challenge, consortium_allowed=False)
    assert _items(draft)["consortium"]["automatic"] is False


# Saving, passing, rejecting ---------------------------------------------------------------------


@pytest.mark.usefixtures("english_messages")
def test_saving_starts_screening_and_an_override_needs_a_note(challenge, official, owner, proposal):
    _rules(challenge, max_requested_amount=10_000_000_00)
    with pytest.raises(DomainError) as refused:
        reviews.screening_save(
            proposal=_fresh(proposal), by=official, decisions={"eligible_amount": ItemDecision(True)}
        )
    assert refused.value.field == "item-eligible_amount-note"
    assert "why you do not follow the automatic check" in refused.value.message
    assert _fresh(proposal).status == Proposal.Status.SUBMITTED  # nothing happened
    assert not ScreeningCheck.objects.exists()

    check = reviews.screening_save(
        proposal=_fresh(proposal),
        by=official,
        decisions={"eligible_amount": ItemDecision(True, "Plafon dinaikkan lewat adendum.")},
    )
    assert _fresh(proposal).status == Proposal.Status.SCREENING
    item = next(i for i in check.items if i["key"] == "eligible_amount")
    assert item == item | {"automatic": False, "passed": True, "note": "Plafon dinaikkan lewat adendum."}
    assert AuditEntry.objects.filter(action="screening.saved", object_id=str(proposal.pk)).exists()
    assert AuditEntry.objects.filter(action="proposal.screening", object_id=str(proposal.pk)).exists()
    # Saved decisions stay when the form is saved again without them.
    again = reviews.screening_save(proposal=_fresh(proposal), by=official, decisions={})
    assert next(i for i in again.items if i["key"] == "eligible_amount")["passed"] is True


@pytest.mark.usefixtures("english_messages")
def test_passing_needs_every_item_met_and_refusal_changes_nothing(challenge, official, owner, proposal):
    with pytest.raises(DomainError, match="Not met or not checked yet: The proposal addresses the problem"):
        reviews.screening_pass(proposal=_fresh(proposal), by=official)
    assert _fresh(proposal).status == Proposal.Status.SUBMITTED
    assert not ScreeningCheck.objects.exists()

    check = reviews.screening_pass(
        proposal=_fresh(proposal), by=official, decisions={"in_scope": ItemDecision(True)}
    )
    assert check.outcome == ScreeningCheck.Outcome.PASSED and check.decided_by == official
    assert _fresh(proposal).status == Proposal.Status.IN_REVIEW
    with translation.override(settings.LANGUAGE_CODE):
        told = gettext("Your proposal “%(title)s” has passed screening and is being reviewed.") % {
            "title": proposal.title
        }
    assert Notification.objects.filter(user=owner, message=told).exists()
    with pytest.raises(DomainError, match="not waiting for screening"):
        reviews.screening_reject(proposal=_fresh(proposal), by=official, reason="Terlambat.")


@pytest.mark.usefixtures("english_messages")
def test_rejecting_needs_a_reason_which_the_applicant_reads(
    client, challenge, official, owner, proposal, django_capture_on_commit_callbacks
):
    with pytest.raises(DomainError) as refused:
        reviews.screening_reject(proposal=_fresh(proposal), by=official, reason="  ")
    assert refused.value.field == "reason"
    assert _fresh(proposal).status == Proposal.Status.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        reviews.screening_reject(
            proposal=_fresh(proposal), by=official, reason="Organisasi belum berbadan hukum koperasi."
        )
    assert _fresh(proposal).status == Proposal.Status.REJECTED
    check = ScreeningCheck.objects.get(proposal=proposal)
    assert check.outcome == ScreeningCheck.Outcome.FAILED
    assert check.reason == "Organisasi belum berbadan hukum koperasi."
    notice = Notification.objects.filter(user=owner, message__contains="belum berbadan hukum").get()
    assert notice.url == f"/workspace/proposals/{proposal.pk}/"
    assert any("belum berbadan hukum" in m.body and owner.email in m.to for m in mail.outbox)
    entry = AuditEntry.objects.get(action="screening.failed")
    assert entry.actor == official and entry.after["reason"] == check.reason

    client.force_login(owner)
    page = client.get(f"/workspace/proposals/{proposal.pk}/")
    assert "Organisasi belum berbadan hukum koperasi." in page.text


def test_the_screening_page_works_without_javascript(client, challenge, official, owner, proposal):
    _rules(challenge, max_requested_amount=10_000_000_00)
    client.force_login(official)
    url = f"/workspace/proposals/{proposal.pk}/screening/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="item-eligible_amount-passed"' in page.text and 'value="pass"' in page.text

    # An override without a note: the message is next to the item's note, nothing saved.
    data = {
        "item-eligible_amount-passed": "yes",
        "item-in_scope-passed": "yes",
        "action": "pass",
    }
    response = client.post(url, data, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    with translation.override("id"):
        label = gettext("The requested amount is at most %(max)s") % {"max": "Rp 10.000.000"}
        expected = gettext("Explain in a note why you do not follow the automatic check for “%(item)s”.")
    assert expected % {"item": label} in response.text
    assert 'id="id_item-eligible_amount-note_error"' in response.text
    assert _fresh(proposal).status == Proposal.Status.SUBMITTED

    # Rejecting without a reason: the reason field says so.
    response = client.post(url, {"action": "reject"})
    assert response.status_code == 200 and 'id="id_reason_error"' in response.text
    with translation.override("id"):
        assert gettext("Give the reason: the applicant will read it.") in response.text
    assert _fresh(proposal).status == Proposal.Status.SUBMITTED

    data["item-eligible_amount-note"] = "Disetujui kepala OPD."
    response = client.post(url, data, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    assert response["Location"] == f"/workspace/challenges/{challenge.slug}/assignments/"
    assert _fresh(proposal).status == Proposal.Status.IN_REVIEW
    passed = AuditEntry.objects.get(action="screening.passed")
    assert passed.ip_address == "10.1.2.3" and passed.actor == official
    # Decided: the page shows the record and takes no further decision.
    page = client.get(url)
    assert "Disetujui kepala OPD." in page.text and 'value="pass"' not in page.text
    assert client.post(url, {"action": "reject", "reason": "x"}).status_code == 302
    assert _fresh(proposal).status == Proposal.Status.IN_REVIEW


def test_the_official_finds_screening_from_the_proposal_and_the_workspace(client, official, proposal):
    client.force_login(official)
    link = f'href="/workspace/proposals/{proposal.pk}/screening/"'
    assert link in client.get(f"/workspace/proposals/{proposal.pk}/").text
    assert link in client.get("/workspace/approvals/").text


# Who may screen -------------------------------------------------------------------------------------


@pytest.fixture
def roles(challenge, official, owner, proposal):
    other_official = factories.official_elsewhere()
    other_applicant = factories.applicant()
    return {
        "applicant": owner,
        "other_applicant": other_applicant,
        "reviewer": factories.UserFactory(roles=["reviewer"]),
        "other_official": other_official,
        "finance": factories.UserFactory(roles=["finance"]),
    }


def _state():
    return (
        sorted(Proposal.objects.values_list("pk", "status")),
        list(ScreeningCheck.objects.values_list("pk", "outcome", "items")),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_screening_page_refuses_each_role_without_the_right(client, proposal, roles, method):
    url = f"/workspace/proposals/{proposal.pk}/screening/"
    data = {"action": "reject", "reason": "Tidak memenuhi syarat.", "item-in_scope-passed": "no"}
    before = _state()
    response = getattr(client, method)(url, data if method == "post" else None)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for role, user in roles.items():
        client.force_login(user)
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 403, role
        client.logout()
    assert _state() == before


def test_a_draft_cannot_be_screened_even_by_the_owning_official(client, challenge, official, owner):
    organisation = factories.organisation(owner)
    draft = drafts_services.proposal_create(
        by=owner, organisation=organisation, challenge=challenge, title="Draf", requested_amount=1_000_00
    )
    client.force_login(official)
    assert client.get(f"/workspace/proposals/{draft.pk}/screening/").status_code == 403
    assert client.post(f"/workspace/proposals/{draft.pk}/screening/", {"action": "save"}).status_code == 403
    assert Proposal.objects.get(pk=draft.pk).status == Proposal.Status.DRAFT
