"""Proposals as applicants and officials meet them: the draft page (save, autosave, per-field
messages, checklist), completeness, budget rules, eligibility, deadlines in each Indonesian
zone, the frozen submitted copy, withdrawal, consortium partners, the workspace and the
officials' list, with a permission test for each view and role."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.errors import DomainError
from core.models import AuditEntry, Notification
from marketplace.challenges.models import ApplicationQuestion
from marketplace.proposals import checklist as checklist_services
from marketplace.proposals.models import BudgetLine, Proposal, ProposalPartner, ProposalVersion
from marketplace.proposals.services import consortium as consortium_services
from marketplace.proposals.services import drafts as drafts_services
from marketplace.proposals.services import submission as submission_services
from tests import factories
from tests.proposals.cast import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


@dataclass
class Scene(Cast):
    organisation: object
    roles: dict  # who may or may not use each view
    partner_owner: object
    partner_org: object


def build_scene() -> Scene:
    """What tests/conftest.py's ``official``, ``region``, ``challenge`` and ``owner`` build, the
    applicant's organisation, the other roles of the permission tests and a partner organisation."""
    official = factories.UserFactory(roles=["official"])
    region = factories.region()
    challenge = factories.challenge(region_page=region, officials=[official])
    owner = factories.UserFactory()
    organisation = factories.organisation(owner, name="Koperasi Digital Sumba", region=region)
    other_official = factories.official_elsewhere()
    roles = {
        "other_applicant": factories.applicant(),
        "reviewer": factories.UserFactory(roles=["reviewer"]),
        "other_official": other_official,
        "official": official,
        "applicant": owner,
    }
    partner_owner = factories.UserFactory()
    return Scene(
        official=official,
        region=region,
        challenge=challenge,
        owner=owner,
        organisation=organisation,
        roles=roles,
        partner_owner=partner_owner,
        partner_org=factories.organisation(partner_owner, name="Politeknik Mitra"),
    )


@pytest.fixture
def organisation(scene):
    return scene.organisation


def draft(challenge, owner, organisation, amount=20_000_000_00, **kwargs):
    return drafts_services.proposal_create(
        by=owner,
        organisation=organisation,
        challenge=challenge,
        title=kwargs.pop("title", "Antrean daring"),
        summary="Ringkasan",
        requested_amount=amount,
        **kwargs,
    )


def submit_error(proposal, owner, **kwargs) -> str:
    with pytest.raises(DomainError) as excinfo:
        submission_services.proposal_submit(proposal=proposal, by=owner, **kwargs)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DRAFT
    assert not ProposalVersion.objects.filter(proposal=proposal).exists()
    return excinfo.value.message


# Completeness and budget -------------------------------------------------------------------


def test_an_incomplete_draft_is_refused_naming_each_missing_item(challenge, owner, organisation):
    proposal = draft(challenge, owner, organisation)
    message = submit_error(proposal, owner)
    for item in (
        "Understanding of the problem",
        "Proposed solution",
        "How it serves the target beneficiaries",
        "At least one planned milestone",
        "At least one budget line",
        "At least one team member",
    ):
        assert item in message


def test_budget_lines_must_add_up_to_the_requested_amount(challenge, owner, organisation):
    proposal = factories.complete_proposal(draft(challenge, owner, organisation), by=owner)
    drafts_services.proposal_save(
        proposal=proposal,
        by=owner,
        budget_lines=[
            drafts_services.BudgetLinePlan(category="software", description="Aplikasi", amount=15_000_000_00),
            drafts_services.BudgetLinePlan(category="training", description="Pelatihan", amount=4_000_000_00),
        ],
    )
    message = submit_error(proposal, owner)
    assert "Budget lines add up to the requested amount (Rp 19.000.000 of Rp 20.000.000)" in message
    drafts_services.proposal_save(
        proposal=proposal,
        by=owner,
        budget_lines=[
            drafts_services.BudgetLinePlan(category="software", description="Aplikasi", amount=15_000_000_00),
            drafts_services.BudgetLinePlan(category="training", description="Pelatihan", amount=5_000_000_00),
        ],
    )
    submission_services.proposal_submit(proposal=proposal, by=owner)
    assert proposal.status == Proposal.Status.SUBMITTED


def test_milestones_must_add_up_to_the_requested_amount(challenge, owner, organisation):
    proposal = factories.complete_proposal(draft(challenge, owner, organisation), by=owner)
    due = timezone.localdate() + datetime.timedelta(days=40)
    drafts_services.proposal_save(
        proposal=proposal,
        by=owner,
        milestones=[
            drafts_services.PlannedMilestonePlan(deliverable="Uji coba", due_date=due, amount=1_000_00)
        ],
    )
    assert "Milestone amounts add up" in submit_error(proposal, owner)


def test_requested_amount_above_the_challenge_maximum_is_refused(challenge, owner, organisation):
    ChallengePage = type(challenge)
    ChallengePage.objects.filter(pk=challenge.pk).update(max_requested_amount=10_000_000_00)
    proposal = factories.complete_proposal(draft(challenge, owner, organisation), by=owner)
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert "at most Rp 10.000.000" in submit_error(proposal, owner)


def test_a_bad_budget_row_saves_nothing(challenge, owner, organisation):
    proposal = draft(challenge, owner, organisation)
    with pytest.raises(DomainError):
        drafts_services.proposal_save(
            proposal=proposal,
            by=owner,
            fields={"solution": "Solusi baru"},
            budget_lines=[drafts_services.BudgetLinePlan(category="nonsense", description="x", amount=1_00)],
        )
    proposal.refresh_from_db()
    assert proposal.solution == "" and not BudgetLine.objects.filter(proposal=proposal).exists()


def test_required_questions_must_be_answered_and_optional_ones_need_not(challenge, owner, organisation):
    required = ApplicationQuestion.objects.create(challenge=challenge, text="Berapa desa yang dijangkau?")
    ApplicationQuestion.objects.create(challenge=challenge, text="Ada mitra lokal?", required=False)
    proposal = factories.complete_proposal(draft(challenge, owner, organisation), by=owner)
    drafts_services.proposal_save(proposal=proposal, by=owner, answers={required.pk: "  "})
    assert "Answer: Berapa desa yang dijangkau?" in submit_error(proposal, owner)
    assert "Ada mitra lokal?" not in submit_error(proposal, owner)
    drafts_services.proposal_save(proposal=proposal, by=owner, answers={required.pk: "Dua belas desa."})
    submission_services.proposal_submit(proposal=proposal, by=owner)
    answers = proposal.versions.get().data["answers"]
    assert {"question": required.text, "answer": "Dua belas desa."}.items() <= answers[0].items()


# Eligibility ---------------------------------------------------------------------------------


def test_organisation_kind_must_be_eligible(challenge, owner, organisation):
    type(challenge).objects.filter(pk=challenge.pk).update(eligible_kinds=["umkm", "koperasi"])
    proposal = Proposal.objects.get(
        pk=factories.complete_proposal(draft(challenge, owner, organisation), by=owner).pk
    )
    assert "eligibility rules" in submit_error(proposal, owner)
    type(organisation).objects.filter(pk=organisation.pk).update(kind="koperasi")
    proposal = Proposal.objects.get(pk=proposal.pk)
    submission_services.proposal_submit(proposal=proposal, by=owner)
    assert proposal.status == Proposal.Status.SUBMITTED


def test_organisation_must_be_registered_in_the_region_when_the_challenge_says_so(challenge, owner):
    type(challenge).objects.filter(pk=challenge.pk).update(must_be_registered_in_region=True)
    elsewhere = factories.organisation(owner, region=factories.region())
    proposal = draft(challenge, owner, elsewhere)
    proposal = Proposal.objects.get(pk=factories.complete_proposal(proposal, by=owner).pk)
    assert f"registered in {challenge.region.title}" in submit_error(proposal, owner)


# Deadlines in each Indonesian zone ---------------------------------------------------------


@pytest.mark.parametrize(
    "zone, label", [("Asia/Jakarta", "WIB"), ("Asia/Makassar", "WITA"), ("Asia/Jayapura", "WIT")]
)
def test_a_challenge_closing_at_2359_refuses_a_submission_at_midnight_local_time(zone, label, official):
    tz = zoneinfo.ZoneInfo(zone)
    day = timezone.localdate(timezone=tz) + datetime.timedelta(days=10)
    closes = datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=tz)
    page = factories.challenge(
        agency_obj=factories.agency(factories.region(timezone_name=zone), officials=[official]),
        closes_at=closes,
    )
    owner = factories.UserFactory()
    org = factories.organisation(owner)
    on_time = factories.complete_proposal(draft(page, owner, org, title="Tepat waktu"), by=owner)
    late = factories.complete_proposal(draft(page, owner, org, title="Terlambat"), by=owner)

    submission_services.proposal_submit(
        proposal=on_time, by=owner, now=closes - datetime.timedelta(seconds=1)
    )
    assert on_time.status == Proposal.Status.SUBMITTED

    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0, 0), tzinfo=tz)
    message = submit_error(late, owner, now=midnight)
    assert f"deadline has passed ({day:%d-%m-%Y} 23:59 {label})" in message


# The frozen copy, withdrawal -------------------------------------------------------------------


def test_submission_freezes_a_copy_that_later_edits_cannot_change(challenge, owner, organisation):
    proposal = factories.complete_proposal(draft(challenge, owner, organisation), by=owner)
    submission_services.proposal_submit(proposal=proposal, by=owner)
    version = proposal.versions.get()
    assert version.number == 1
    assert version.data["title"] == "Antrean daring"
    assert version.data["budget_lines"] == [
        {"category": "software", "description": "Pengembangan", "amount": 20_000_000_00}
    ]
    assert version.data["team"][0]["name"] == "Ayu Lestari"
    with pytest.raises(DomainError, match="no longer be edited"):
        drafts_services.proposal_save(proposal=proposal, by=owner, fields={"title": "Diubah diam-diam"})
    version.data["title"] = "Dipalsukan"
    with pytest.raises(ValueError):
        version.save()
    with pytest.raises(ValueError):
        version.delete()
    assert ProposalVersion.objects.get(pk=version.pk).data["title"] == "Antrean daring"
    assert Proposal.objects.get(pk=proposal.pk).title == "Antrean daring"


def test_withdrawal_before_the_deadline_and_not_after(challenge, owner, organisation):
    kept = factories.submitted_proposal(challenge_page=challenge, owner=owner)
    taken_back = factories.submitted_proposal(challenge_page=challenge, owner=owner)
    submission_services.proposal_withdraw(proposal=taken_back, by=owner)
    assert Proposal.objects.get(pk=taken_back.pk).status == Proposal.Status.WITHDRAWN
    with pytest.raises(DomainError, match="can no longer be withdrawn"):
        submission_services.proposal_withdraw(
            proposal=kept, by=owner, now=challenge.closes_at + datetime.timedelta(minutes=1)
        )
    assert Proposal.objects.get(pk=kept.pk).status == Proposal.Status.SUBMITTED


# Consortium ------------------------------------------------------------------------------------


@pytest.fixture
def partner_owner(scene):
    return scene.partner_owner


@pytest.fixture
def partner_org(scene):
    return scene.partner_org


def test_consortium_partner_accepts_in_the_workspace_before_submission(
    client, challenge, owner, organisation, partner_owner, partner_org
):
    proposal = factories.complete_proposal(draft(challenge, owner, organisation), by=owner)
    partner = consortium_services.proposal_partner_invite(
        proposal=proposal,
        by=owner,
        organisation=partner_org,
        role="Pelatihan kader",
        budget_share=5_000_000_00,
    )
    assert Notification.objects.filter(user=partner_owner, message__contains="Antrean daring").exists()
    assert "Every partner has accepted (1 waiting" in submit_error(proposal, owner)

    client.force_login(partner_owner)
    workspace = client.get("/workspace/proposals/")
    assert (
        "Antrean daring" in workspace.text
        and f"/workspace/partnerships/{partner.pk}/respond/" in workspace.text
    )
    response = client.post(f"/workspace/partnerships/{partner.pk}/respond/", {"answer": "accept"})
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.status == ProposalPartner.Status.ACCEPTED and partner.responded_by == partner_owner
    assert Notification.objects.filter(user=owner, message__contains="bersedia bergabung").exists()

    submission_services.proposal_submit(proposal=proposal, by=owner)
    assert proposal.versions.get().data["partners"][0]["organisation"] == "Politeknik Mitra"
    # The partner's members see the submitted proposal in their workspace with its status.
    assert "Antrean daring" in client.get("/workspace/proposals/").text
    assert client.get(f"/workspace/proposals/{proposal.pk}/").status_code == 200


def test_partner_shares_may_not_exceed_the_requested_amount(challenge, owner, organisation, partner_org):
    proposal = draft(challenge, owner, organisation, amount=10_000_000_00)
    with pytest.raises(DomainError, match="more than the requested"):
        consortium_services.proposal_partner_invite(
            proposal=proposal, by=owner, organisation=partner_org, role="Mitra", budget_share=10_000_001_00
        )
    assert not ProposalPartner.objects.exists()


def test_no_partners_where_the_challenge_does_not_allow_consortia(
    challenge, owner, organisation, partner_org
):
    type(challenge).objects.filter(pk=challenge.pk).update(consortium_allowed=False)
    proposal = Proposal.objects.get(pk=draft(challenge, owner, organisation).pk)
    with pytest.raises(DomainError, match="does not accept consortia"):
        consortium_services.proposal_partner_invite(
            proposal=proposal, by=owner, organisation=partner_org, role="Mitra"
        )


def test_only_the_invited_organisation_answers_and_only_once(
    client, challenge, owner, organisation, partner_owner, partner_org
):
    proposal = draft(challenge, owner, organisation)
    partner = consortium_services.proposal_partner_invite(
        proposal=proposal, by=owner, organisation=partner_org, role="Mitra"
    )
    for stranger in (owner, factories.UserFactory(), factories.UserFactory(roles=["official"])):
        client.force_login(stranger)
        assert (
            client.post(f"/workspace/partnerships/{partner.pk}/respond/", {"answer": "accept"}).status_code
            == 403
        )
    partner.refresh_from_db()
    assert partner.status == ProposalPartner.Status.INVITED
    consortium_services.proposal_partner_respond(partner=partner, by=partner_owner, accept=False)
    with pytest.raises(DomainError, match="already been answered"):
        consortium_services.proposal_partner_respond(partner=partner, by=partner_owner, accept=True)
    # A member of another organisation cannot invite on the lead's behalf.
    with pytest.raises(DomainError):
        consortium_services.proposal_partner_invite(
            proposal=proposal, by=partner_owner, organisation=factories.organisation(), role="Mitra"
        )


# The draft page ------------------------------------------------------------------------------


def test_the_draft_page_saves_everything_in_one_go_without_javascript(client, challenge, owner, organisation):
    proposal = draft(challenge, owner, organisation)
    client.force_login(owner)
    page = client.get(f"/workspace/proposals/{proposal.pk}/")
    assert 'href="#id_solution"' in page.text and 'href="#budget"' in page.text  # the checklist links
    assert "perempuan" in page.text.lower() or "women" in page.text.lower()  # the inclusion question asks
    response = client.post(f"/workspace/proposals/{proposal.pk}/", factories.proposal_form_data(proposal))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.solution and proposal.budget_lines.count() == 1 and proposal.team_members.count() == 1
    assert checklist_services.proposal_checklist(proposal) and all(
        i.done for i in checklist_services.proposal_checklist(proposal)
    )
    assert client.post(f"/workspace/proposals/{proposal.pk}/submit/", factories.CONFIRM).status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.SUBMITTED


def test_a_member_who_has_not_confirmed_their_email_cannot_start_a_proposal(client, challenge, organisation):
    member = factories.UserFactory(verified_email=False)
    organisation.memberships.create(user=member, role="member")
    client.force_login(member)
    response = client.post(
        f"/challenges/{challenge.slug}/apply/",
        {"organisation": organisation.pk, "title": "Belum konfirmasi", "requested_amount": "1.000.000"},
    )
    assert response.status_code == 200
    assert "Konfirmasi alamat email Anda terlebih dahulu" in response.text  # the page speaks Indonesian
    assert not Proposal.objects.filter(title="Belum konfirmasi").exists()


def test_field_errors_are_shown_next_to_the_field_and_nothing_is_saved(
    client, challenge, owner, organisation
):
    proposal = draft(challenge, owner, organisation)
    client.force_login(owner)
    data = factories.proposal_form_data(
        proposal, **{"budget-0-amount": "dua juta", "solution": "Solusi baru"}
    )
    response = client.post(f"/workspace/proposals/{proposal.pk}/", data)
    assert response.status_code == 200
    assert 'id="id_budget-0-amount_error"' in response.text
    proposal.refresh_from_db()
    assert proposal.solution == "" and not proposal.budget_lines.exists()


def test_autosave_answers_json_and_saves_quietly(client, challenge, owner, organisation):
    proposal = draft(challenge, owner, organisation)
    client.force_login(owner)
    url = f"/workspace/proposals/{proposal.pk}/"
    response = client.post(
        url, factories.proposal_form_data(proposal, solution="Tersimpan otomatis"), HTTP_X_AUTOSAVE="1"
    )
    assert response.status_code == 200 and response.json()["saved"] is True
    assert Proposal.objects.get(pk=proposal.pk).solution == "Tersimpan otomatis"
    bad = client.post(url, factories.proposal_form_data(proposal, **{"team-0-name": ""}), HTTP_X_AUTOSAVE="1")
    assert bad.status_code == 400 and "team-0-name" in bad.json()["errors"]


# Officials -----------------------------------------------------------------------------------


def test_officials_list_shows_their_agencys_submitted_proposals_with_fixed_queries(
    client, challenge, official
):
    applicants = [factories.UserFactory() for _ in range(3)]
    submitted = [factories.submitted_proposal(challenge_page=challenge, owner=user) for user in applicants]
    hidden_draft = draft(challenge, applicants[0], applicants[0].organisations.first(), title="Draf rahasia")
    elsewhere = factories.submitted_proposal(challenge_page=factories.challenge(), owner=applicants[1])
    client.force_login(official)
    client.get("/workspace/agency/proposals/")  # sessions and caches warm up
    with CaptureQueriesContext(connection) as few:
        response = client.get("/workspace/agency/proposals/")
    assert response.status_code == 200
    for proposal in submitted:
        assert f'href="/workspace/proposals/{proposal.pk}/"' in response.text
    for proposal in (hidden_draft, elsewhere):
        assert f'href="/workspace/proposals/{proposal.pk}/"' not in response.text
    assert 'value="screen"' in response.text and 'value="request_changes"' in response.text
    submitted += [factories.submitted_proposal(challenge_page=challenge, owner=user) for user in applicants]
    with CaptureQueriesContext(connection) as more:
        response = client.get("/workspace/agency/proposals/")
    assert all(f'href="/workspace/proposals/{p.pk}/"' in response.text for p in submitted)
    assert len(more) == len(few)
    screened = client.get("/workspace/agency/proposals/", {"status": "screening"})
    assert not any(f'href="/workspace/proposals/{p.pk}/"' in screened.text for p in submitted)


def test_workspace_lists_next_actions_with_fixed_queries(client, challenge, owner, organisation):
    client.force_login(owner)
    draft(challenge, owner, organisation, title="Draf pertama")
    client.get("/workspace/proposals/")  # sessions and caches warm up
    with CaptureQueriesContext(connection) as few:
        response = client.get("/workspace/proposals/")
    assert "Draf pertama" in response.text
    assert "Complete the checklist" in response.text or "Lengkapi" in response.text
    for n in range(4):
        factories.submitted_proposal(challenge_page=challenge, owner=owner)
        draft(challenge, owner, organisation, title=f"Draf {n}")
    with CaptureQueriesContext(connection) as more:
        client.get("/workspace/proposals/")
    assert len(more) == len(few)


def test_a_withdrawn_proposal_stays_in_the_workspace_below_the_active_ones(
    client, challenge, owner, organisation
):
    taken_back = factories.submitted_proposal(challenge_page=challenge, owner=owner)
    submission_services.proposal_withdraw(proposal=taken_back, by=owner)
    draft(challenge, owner, organisation, title="Draf aktif")
    client.force_login(owner)
    text = client.get("/workspace/proposals/").text
    assert "Belum ada proposal." not in text
    assert "Tidak ada: proposal ditarik" in text
    assert text.index("Draf aktif") < text.index(taken_back.title)


# Permissions for each view and role ------------------------------------------------------------


@pytest.fixture
def roles(scene):
    return scene.roles


def _urls(proposal, partner, attachment_pk: int = 0):
    base = f"/workspace/proposals/{proposal.pk}"
    return {
        "detail": ("get", f"{base}/"),
        "save": ("post", f"{base}/"),
        "submit": ("post", f"{base}/submit/"),
        "withdraw": ("post", f"{base}/withdraw/"),
        "decide": ("post", f"{base}/decide/"),
        "invite": ("post", f"{base}/partners/"),
        "remove_partner": ("post", f"{base}/partners/{partner.pk}/remove/"),
        "respond": ("post", f"/workspace/partnerships/{partner.pk}/respond/"),
        "version": ("get", f"{base}/versions/1/"),
        "agency_list": ("get", "/workspace/agency/proposals/"),
    }


# Who may not use each view, for a draft and for a submitted proposal.
REFUSED = {
    "detail": ["other_applicant", "reviewer", "other_official"],
    "save": ["other_applicant", "reviewer", "other_official", "official"],
    "submit": ["other_applicant", "reviewer", "other_official", "official"],
    "withdraw": ["other_applicant", "reviewer", "other_official", "official"],
    "decide": ["other_applicant", "reviewer", "other_official", "applicant"],
    "invite": ["other_applicant", "reviewer", "other_official", "official"],
    "remove_partner": ["other_applicant", "reviewer", "other_official", "official"],
    "respond": ["other_applicant", "reviewer", "other_official", "official", "applicant"],
    "version": ["other_applicant", "reviewer", "other_official"],
    "agency_list": ["other_applicant", "reviewer", "applicant"],
}


def _state():
    return (
        sorted(Proposal.objects.values_list("pk", "status", "title", "solution")),
        sorted(ProposalPartner.objects.values_list("pk", "status")),
        ProposalVersion.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("view", list(REFUSED))
def test_each_view_refuses_each_role_without_the_right(
    client, challenge, owner, organisation, roles, view, partner_org
):
    submitted = factories.submitted_proposal(challenge_page=challenge, owner=owner)
    proposal = draft(challenge, owner, organisation)
    partner = consortium_services.proposal_partner_invite(
        proposal=proposal, by=owner, organisation=partner_org, role="Mitra"
    )
    data = {
        **factories.proposal_form_data(proposal, title="Dibajak"),
        "transition": "screen",
        "note": "x",
        "answer": "accept",
        "organisation": partner_org.pk,
        "role": "x",
    }
    for target in (proposal, submitted):
        method, url = _urls(target, partner)[view]
        before = _state()
        assert (
            getattr(client, method)(url, data if method == "post" else None).status_code == 302
        )  # anonymous
        for role in REFUSED[view]:
            client.force_login(roles[role])
            response = getattr(client, method)(url, data if method == "post" else None)
            assert response.status_code == 403, (view, role, target.status)
            client.logout()
        assert _state() == before


def test_owning_official_reads_submitted_proposals_but_not_drafts(
    client, challenge, owner, organisation, official
):
    submitted = factories.submitted_proposal(challenge_page=challenge, owner=owner)
    hidden = draft(challenge, owner, organisation)
    client.force_login(official)
    assert client.get(f"/workspace/proposals/{hidden.pk}/").status_code == 403
    page = client.get(f"/workspace/proposals/{submitted.pk}/")
    assert page.status_code == 200 and 'name="transition"' in page.text
    assert client.get(f"/workspace/proposals/{submitted.pk}/versions/1/").status_code == 200


# Long texts and amounts on the draft page ---------------------------------------------------


def indonesian(message: str) -> str:
    with translation.override("id"):
        return gettext(message)


def test_each_long_text_states_its_limit_and_is_never_cut(client, challenge, owner, organisation):
    proposal = draft(challenge, owner, organisation)
    client.force_login(owner)
    page = client.get(f"/workspace/proposals/{proposal.pk}/").text
    # The limit is said in words (the counter script shows "120 / 2.000 karakter" with it), and
    # no maxlength lets the browser cut a paste short.
    assert indonesian("At most %(limit)s characters.") % {"limit": "2.000"} in page
    assert indonesian("At most %(limit)s characters.") % {"limit": "8.000"} in page
    assert 'data-maxlength="2000"' in page and not re.search(r"<textarea[^>]* maxlength=", page)
    assert "js/text-counter.js" in page

    pasted = "x" * 2345
    before = Proposal.objects.values_list("summary", "updated_at").get(pk=proposal.pk)
    response = client.post(
        f"/workspace/proposals/{proposal.pk}/", factories.proposal_form_data(proposal, summary=pasted)
    )
    assert response.status_code == 200
    assert (
        indonesian(
            "This text has %(count)s characters; at most %(limit)s are allowed. "
            "Shorten it by %(over)s characters: nothing was cut off."
        )
        % {"count": "2.345", "limit": "2.000", "over": "345"}
        in response.text
    )
    assert f">\n{pasted}</textarea>" in response.text or f">{pasted}</textarea>" in response.text
    assert Proposal.objects.values_list("summary", "updated_at").get(pk=proposal.pk) == before


@pytest.mark.parametrize(
    "amount, message",
    [
        ("-5.000.000", "An amount cannot be negative. Enter an amount between %(min)s and %(max)s."),
        (
            "999.999.999.999.999",
            "The amount is too large. Enter an amount between %(min)s and %(max)s; "
            "check the number of zeros.",
        ),
    ],
)
def test_a_negative_or_huge_amount_says_what_is_allowed_in_rupiah(
    client, challenge, owner, organisation, amount, message
):
    proposal = draft(challenge, owner, organisation)
    client.force_login(owner)
    typed = factories.proposal_form_data(proposal, requested_amount=amount)
    response = client.post(f"/workspace/proposals/{proposal.pk}/", typed)
    assert response.status_code == 200
    expected = indonesian(message) % {"min": "Rp 1", "max": "Rp 1.000.000.000.000"}
    assert expected in response.text
    assert Proposal.objects.get(pk=proposal.pk).requested_amount == 20_000_000_00
