"""Who may use what, checked at the HTTP edge for every role.

Each signed-in page and each write is tried by every role that may not use it: an anonymous
visitor is sent to sign in, a signed-in user without the right is refused (403, or 405 for a
GET on a POST-only action), and nothing changes. The role that may use it is tried too, so
each check fails both ways. Public pages answer anonymous visitors, and the read-only API
refuses writes."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.utils import timezone, translation
from wagtail.models import GroupPagePermission, Page

from core.models import AuditEntry, Notification
from marketplace.awards.models import Agreement, Award, Milestone, MilestoneEvidence, MilestoneReplan
from marketplace.awards.services import awards as awards_services
from marketplace.awards.services import determinations as determinations_services
from marketplace.challenges.models import ChallengeIndexPage, ChallengePage, Question
from marketplace.challenges.services import questions as question_services
from marketplace.organisations.models import Organisation, PartnerListing, PartnershipRequest
from marketplace.organisations.services import partners as partner_services
from marketplace.proposals.models import Proposal
from marketplace.proposals.services import drafts as drafts_proposals_services
from marketplace.proposals.services import submission as submission_proposals_services
from payments.models import Commitment, Disbursement, Entry, GatewayCall, Recipient, Transaction
from tests import factories
from tests.support.module_data import rolled_back_after_module

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
APPLICANT = "applicant"
OTHER_APPLICANT = "other_applicant"
OFFICIAL = "official"
OTHER_OFFICIAL = "other_official"
FINANCE = "finance"
REVIEWER = "reviewer"
SPONSOR = "sponsor"
SIGNED_IN_ROLES = [APPLICANT, OTHER_APPLICANT, OFFICIAL, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR]
ADMIN_ROLES = {OFFICIAL, OTHER_OFFICIAL}


@dataclass
class Scene:
    users: dict
    index: ChallengeIndexPage
    challenge: ChallengePage
    organisation: Organisation
    other_organisation: Organisation
    draft: Proposal  # the applicant's draft, still editable
    submitted: Proposal  # submitted, waiting for a decision
    awarded: Proposal  # funded, with three milestones
    award: Award
    planned: Milestone  # may be reported by the grantee
    reported: Milestone  # may be approved by the owning official
    approved: Milestone  # approved; its payment waits for a finance officer
    disbursement: Disbursement


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back after its last test.
    Each test runs in a savepoint of that transaction (as with Django's setUpTestData), so what
    one test changes is undone before the next starts from the same data."""
    with rolled_back_after_module(django_db_blocker):
        yield build_scene()


def build_scene() -> Scene:
    users = {
        APPLICANT: factories.UserFactory(),
        OTHER_APPLICANT: factories.UserFactory(),
        OFFICIAL: factories.UserFactory(roles=["official"]),
        OTHER_OFFICIAL: factories.UserFactory(roles=["official"]),
        FINANCE: factories.UserFactory(roles=["finance"]),
        REVIEWER: factories.UserFactory(roles=["reviewer"]),
        SPONSOR: factories.UserFactory(roles=["sponsor"]),
    }
    official, applicant = users[OFFICIAL], users[APPLICANT]

    region = factories.region()
    # Page permissions are granted per region: only this region's officials edit its pages.
    editors = Group.objects.create(name=f"official: {region.title}")
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=editors, page=region, permission=Permission.objects.get(codename=codename)
        )
    official.groups.add(editors)
    factories.official_elsewhere(users[OTHER_OFFICIAL])
    challenge = factories.challenge(region_page=region, officials=[official])
    index = region.get_children().type(ChallengeIndexPage).first().specific

    organisation = factories.organisation(applicant, name="Koperasi Digital Sumba")
    other_organisation = factories.organisation(users[OTHER_APPLICANT], name="Startup Lain")
    factories.bank_details_verified(
        organisation, owner=applicant, official=official, account_holder="Koperasi Digital Sumba"
    )

    def proposal(title: str) -> Proposal:
        return drafts_proposals_services.proposal_create(
            by=applicant,
            organisation=organisation,
            challenge=challenge,
            title=title,
            summary="Ringkasan",
            requested_amount=20_000_000_00,
        )

    def complete(draft: Proposal) -> Proposal:
        return factories.complete_proposal(draft, by=applicant)

    draft = proposal("Draf")
    submitted = submission_proposals_services.proposal_submit(
        proposal=complete(proposal("Menunggu keputusan")), by=applicant
    )
    awarded = submission_proposals_services.proposal_submit(
        proposal=complete(proposal("Didanai")), by=applicant
    )
    factories.allocation(challenge, finance=users[FINANCE], amount=100_000_000_00, idempotency_key="dpa-1")
    award = factories.awarded_proposal(awarded, official=official, accepted_by=applicant)
    # Then the agency extends the call and makes room for a second winner, so the scene has an
    # award and a challenge still open for proposals, questions and a second award.
    ChallengePage.objects.filter(pk=challenge.pk).update(
        closes_at=timezone.now() + datetime.timedelta(days=30)
    )
    challenge.incentives.update(winners=2)
    approved, reported, planned = award.milestones.order_by("position")
    determinations_services.milestone_report(milestone=approved, by=applicant, report="Tahap 1 selesai.")
    approved = awards_services.milestone_approve(milestone=approved, by=official)
    reported = determinations_services.milestone_report(
        milestone=reported, by=applicant, report="Tahap 2 selesai.", links=["https://contoh.id/bukti"]
    )
    return Scene(
        users=users,
        index=index,
        challenge=challenge,
        organisation=organisation,
        other_organisation=other_organisation,
        draft=draft,
        submitted=submitted,
        awarded=awarded,
        award=award,
        planned=planned,
        reported=reported,
        approved=approved,
        disbursement=Disbursement.objects.get(pk=approved.disbursement_id),
    )


def sign_in(client, scene: Scene, role: str):
    if role != ANONYMOUS:
        client.force_login(scene.users[role])
    return client


def state() -> dict:
    """Everything a refused request must leave as it was."""
    return {
        "proposals": sorted(Proposal.objects.values_list("pk", "status", "title", "requested_amount")),
        "awards": Award.objects.count(),
        "commitments": Commitment.objects.count(),
        "milestones": sorted(Milestone.objects.values_list("pk", "status", "report")),
        "disbursements": sorted(Disbursement.objects.values_list("pk", "status", "released_by")),
        "gateway_calls": GatewayCall.objects.count(),
        "transactions": Transaction.objects.count(),
        "organisations": Organisation.objects.count(),
        "recipients": Recipient.objects.count(),
        "pages": Page.objects.count(),
        "audit": AuditEntry.objects.count(),
        "questions": sorted(Question.objects.values_list("pk", "answer", "pinned", "duplicate_of")),
        "partner_listings": sorted(PartnerListing.objects.values_list("pk", "active", "offers")),
        "partnership_requests": sorted(PartnershipRequest.objects.values_list("pk", "status")),
        "unread_notifications": Notification.objects.filter(read_at__isnull=True).count(),
        "agreements": sorted(Agreement.objects.values_list("pk", "status", "signer_name")),
        "released_commitments": Commitment.objects.filter(released_at__isnull=False).count(),
        "replans": MilestoneReplan.objects.count(),
        "evidence": MilestoneEvidence.objects.count(),
        "results": sorted(ChallengePage.objects.values_list("pk", "results_published_at")),
    }


def login_redirect(path: str, login_url: str = "/accounts/login/") -> str:
    return f"{login_url}?{urlencode({'next': path}, safe='/')}"


# The signed-in workspace -------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    url: Callable[[Scene], str]
    data: Callable[[Scene], dict]
    post_only: bool = False


ACTIONS = {
    a.name: a
    for a in [
        Action("workspace", lambda s: "/workspace/", lambda s: {}),
        *(
            Action(f"workspace_{area}", lambda s, area=area: f"/workspace/{area}/", lambda s: {})
            for area in ("proposals", "organisations", "reviews", "approvals", "finance")
        ),
        Action(
            "organisation_create",
            lambda s: "/organisations/new/",
            lambda s: {"name": "Organisasi Baru", "kind": "startup"},
        ),
        Action(
            "proposal_create",
            lambda s: f"/challenges/{s.challenge.slug}/apply/",
            lambda s: {
                "organisation": s.organisation.pk,
                "title": "Usulan baru",
                "summary": "Ringkasan",
                "plan": "",
                "requested_amount": "1.000.000",
            },
        ),
        Action(
            "proposal_detail",
            lambda s: f"/workspace/proposals/{s.draft.pk}/",
            # The whole draft page, complete, with the title changed.
            lambda s: factories.proposal_form_data(s.draft, title="Diubah"),
        ),
        Action(
            "proposal_submit",
            lambda s: f"/workspace/proposals/{s.draft.pk}/submit/",
            lambda s: factories.CONFIRM,
            post_only=True,
        ),
        Action(
            "award_create",
            lambda s: f"/workspace/proposals/{s.submitted.pk}/award/",
            lambda s: {
                "amount": "20.000.000",
                "milestones-TOTAL_FORMS": "1",
                "milestones-INITIAL_FORMS": "0",
                "milestones-MIN_NUM_FORMS": "1",
                "milestones-MAX_NUM_FORMS": "1000",
                "milestones-0-title": "Uji coba",
                "milestones-0-amount": "20.000.000",
                "milestones-0-due_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
            },
        ),
        Action(
            "fund_allocate",
            lambda s: f"/challenges/{s.challenge.slug}/fund/allocate/",
            lambda s: {
                "amount": "5.000.000",
                "reference": "DPA-2",
                "description": "",
                "idempotency_key": "k2",
            },
        ),
        Action(
            "milestone_report",
            lambda s: f"/workspace/milestones/{s.planned.pk}/report/",
            lambda s: {"report": "Tahap 3 selesai."},
        ),
        Action(
            "milestone_approve",
            lambda s: f"/workspace/milestones/{s.reported.pk}/approve/",
            lambda s: factories.CONFIRM,
            post_only=True,
        ),
        Action(
            "disbursement_release",
            lambda s: f"/workspace/disbursements/{s.disbursement.pk}/release/",
            lambda s: factories.confirmed({"bank_reference": "SP2D-0042"}),
        ),
        Action(
            "organisation_stripe_onboarding",
            lambda s: f"/organisations/{s.organisation.slug}/payouts/stripe/",
            lambda s: {},
            post_only=True,
        ),
        # Organisations and people (tests/organisations/test_organisations.py covers documents,
        # invitations and officials of another region in depth).
        Action(
            "organisation_edit",
            lambda s: f"/organisations/{s.organisation.slug}/edit/",
            lambda s: {"name": "Diambil alih", "kind": "company"},
        ),
        Action(
            "organisation_members",
            lambda s: f"/organisations/{s.organisation.slug}/members/",
            lambda s: {"email": "penyusup@contoh.id", "role": "owner"},
        ),
        Action(
            "organisation_verification",
            lambda s: f"/organisations/{s.organisation.slug}/verification/",
            lambda s: {"kind": "other"},
        ),
        Action(
            "organisation_verify",
            lambda s: f"/organisations/{s.organisation.slug}/verify/",
            lambda s: {},
            post_only=True,
        ),
        Action("profile_edit", lambda s: "/workspace/profile/", lambda s: {"full_name": "X"}),
        # Determinations, agreements and delivery.
        Action(
            "agreement_detail",
            lambda s: f"/workspace/agreements/{s.award.agreement.pk}/",
            lambda s: {"action": "decline", "reason": "Tidak jadi."},
        ),
        Action(
            "results_publish",
            lambda s: f"/challenges/{s.challenge.slug}/results/publish/",
            lambda s: factories.CONFIRM,
            post_only=True,
        ),
        Action(
            "milestone_revise",
            lambda s: f"/workspace/milestones/{s.reported.pk}/revise/",
            lambda s: {"reason": "Kurang bukti."},
            post_only=True,
        ),
        Action(
            "milestone_evidence",
            lambda s: f"/workspace/milestones/{s.reported.pk}/evidence/{s.reported.evidence.get().pk}/",
            lambda s: {},
        ),
        Action(
            "award_replan",
            lambda s: f"/workspace/awards/{s.award.pk}/replan/",
            lambda s: {
                "milestones-TOTAL_FORMS": "0",
                "milestones-INITIAL_FORMS": "0",
                "reason": "Cuaca buruk.",
            },
        ),
        Action("proposal_timeline", lambda s: f"/workspace/proposals/{s.awarded.pk}/timeline/", lambda s: {}),
    ]
}

# Signed-in roles that may not use each action. proposal_create is not here: whoever has no
# organisation of their own is sent to register one first (tested below).
REFUSED = {
    # The owning official too: the draft is not submitted yet.
    "proposal_detail": [OFFICIAL, OTHER_APPLICANT, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
    "proposal_submit": [OFFICIAL, OTHER_APPLICANT, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
    "award_create": [APPLICANT, OTHER_APPLICANT, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
    "fund_allocate": [APPLICANT, OTHER_APPLICANT, OFFICIAL, OTHER_OFFICIAL, REVIEWER, SPONSOR],
    "milestone_report": [OTHER_APPLICANT, OFFICIAL, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
    "milestone_approve": [APPLICANT, OTHER_APPLICANT, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
    "disbursement_release": [APPLICANT, OTHER_APPLICANT, OFFICIAL, OTHER_OFFICIAL, REVIEWER, SPONSOR],
    "organisation_stripe_onboarding": [OTHER_APPLICANT, OFFICIAL, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
    # Owners only; the scene's applicant owns the organisation.
    "organisation_edit": [OTHER_APPLICANT, OFFICIAL, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
    "organisation_members": [OTHER_APPLICANT, OFFICIAL, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
    # Members and officials of its region (the scene's organisation names no region, so any
    # official) see the documents page; nobody else.
    "organisation_verification": [OTHER_APPLICANT, FINANCE, REVIEWER, SPONSOR],
    # Officials, but never a member verifying their own organisation.
    "organisation_verify": [APPLICANT, OTHER_APPLICANT, FINANCE, REVIEWER, SPONSOR],
    # The grantee reads and answers the agreement (owners answer), the agency's officials read it.
    "agreement_detail": [OTHER_APPLICANT, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
    "results_publish": [APPLICANT, OTHER_APPLICANT, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
    "milestone_revise": [APPLICANT, OTHER_APPLICANT, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
    "milestone_evidence": [OTHER_APPLICANT, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
    "award_replan": [APPLICANT, OTHER_APPLICANT, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
    "proposal_timeline": [APPLICANT, OTHER_APPLICANT, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
}


# Public Q&A and partner finding. Their objects are made on first use by the actions' urls, which
# are computed before the state is read, so what they add is part of "before".


def qa_questions(s: Scene) -> tuple[Question, Question]:
    """Two unanswered questions on the scene's challenge, asked by the other applicant."""
    questions = list(Question.objects.filter(challenge=s.challenge).order_by("pk")[:2])
    while len(questions) < 2:
        questions.append(
            question_services.question_ask(
                challenge=s.challenge, by=s.users[OTHER_APPLICANT], body=f"Pertanyaan {len(questions)}?"
            )
        )
    return questions[0], questions[1]


def qa_listing(s: Scene) -> PartnerListing:
    """The applicant's organisation looks for partners on the scene's challenge."""
    listing = PartnerListing.objects.filter(challenge=s.challenge, organisation=s.organisation).first()
    return listing or partner_services.partner_listing_save(
        challenge=s.challenge,
        organisation=s.organisation,
        by=s.users[APPLICANT],
        offers="Data",
        needs="Kader",
    )


def qa_partnership_request(s: Scene) -> PartnershipRequest:
    """The other applicant's organisation asks to partner; the request waits for an answer."""
    listing = qa_listing(s)
    sender = s.users[OTHER_APPLICANT]
    return PartnershipRequest.objects.filter(listing=listing).first() or (
        partner_services.partnership_request_send(
            listing=listing, from_organisation=s.other_organisation, by=sender, message="Halo"
        )
    )


ACTIONS.update(
    {
        a.name: a
        for a in [
            Action(
                "question_ask",
                lambda s: f"/challenges/{s.challenge.slug}/questions/",
                lambda s: {"qa-body": "Pertanyaan baru?"},
            ),
            Action(
                "question_manage",
                lambda s: f"/workspace/questions/{qa_questions(s)[0].pk}/",
                lambda s: {"answer": "Jawaban resmi."},
            ),
            Action(
                "question_merge",
                lambda s: f"/workspace/questions/{qa_questions(s)[1].pk}/merge/",
                lambda s: {"duplicate_of": qa_questions(s)[0].pk},
                post_only=True,
            ),
            Action(
                "question_pin",
                lambda s: f"/workspace/questions/{qa_questions(s)[0].pk}/pin/",
                lambda s: {"pinned": "1"},
                post_only=True,
            ),
            Action(
                "notifications_mark_read",
                lambda s: "/workspace/notifications/read/",
                lambda s: {},
                post_only=True,
            ),
            Action(
                "partner_listing_edit",
                lambda s: f"/challenges/{s.challenge.slug}/partners/",
                lambda s: {
                    "partner-organisation": s.organisation.pk,
                    "partner-offers": "Aplikasi",
                    "partner-needs": "Kader",
                },
            ),
            Action(
                "partner_listing_close",
                lambda s: f"/workspace/partner-listings/{qa_listing(s).pk}/close/",
                lambda s: {},
                post_only=True,
            ),
            Action(
                "partnership_request_send",
                lambda s: f"/workspace/partner-listings/{qa_listing(s).pk}/request/",
                lambda s: {"from_organisation": s.other_organisation.pk, "message": "Mari bermitra."},
            ),
            Action(
                "partnership_request_decide",
                lambda s: f"/workspace/partnership-requests/{qa_partnership_request(s).pk}/decide/",
                lambda s: {"decision": "accept"},
                post_only=True,
            ),
        ]
    }
)
# Every signed-in user may ask a question and read their notifications. Listing for partners and
# sending requests send those without an organisation to register one (tested below).
REFUSED.update(
    {
        "question_manage": [APPLICANT, OTHER_APPLICANT, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
        "question_merge": [APPLICANT, OTHER_APPLICANT, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
        "question_pin": [APPLICANT, OTHER_APPLICANT, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
        "partner_listing_close": [OTHER_APPLICANT, OFFICIAL, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
        # A member of the listed organisation may not ask their own organisation.
        "partnership_request_send": [APPLICANT],
        "partnership_request_decide": [OTHER_APPLICANT, OFFICIAL, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
        # The workspace's areas, each for the roles that use it (staff in no organisation are
        # not applicants).
        "workspace_proposals": [OFFICIAL, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
        "workspace_organisations": [OFFICIAL, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
        "workspace_reviews": [APPLICANT, OTHER_APPLICANT, FINANCE, SPONSOR],
        "workspace_approvals": [APPLICANT, OTHER_APPLICANT, FINANCE, REVIEWER, SPONSOR],
        "workspace_finance": [APPLICANT, OTHER_APPLICANT, OFFICIAL, OTHER_OFFICIAL, REVIEWER],
    }
)


@pytest.mark.parametrize("action", list(ACTIONS.values()), ids=list(ACTIONS))
def test_anonymous_visitor_is_sent_to_sign_in_and_changes_nothing(client, scene, action):
    url = action.url(scene)
    before = state()
    for response in (client.get(url), client.post(url, action.data(scene))):
        assert response.status_code == 302
        assert response["Location"] == login_redirect(url)
    assert state() == before


@pytest.mark.parametrize(
    "action, role",
    [(ACTIONS[name], role) for name, roles in REFUSED.items() for role in roles],
    ids=[f"{name}-{role}" for name, roles in REFUSED.items() for role in roles],
)
def test_signed_in_role_without_the_right_is_refused_and_changes_nothing(client, scene, action, role):
    url = action.url(scene)
    sign_in(client, scene, role)
    before = state()
    assert client.get(url).status_code == (405 if action.post_only else 403)
    assert client.post(url, action.data(scene)).status_code == 403
    assert state() == before


@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
@pytest.mark.parametrize("url", ["/workspace/", "/organisations/new/"])
def test_every_signed_in_role_has_a_workspace_and_may_register_an_organisation(client, scene, role, url):
    sign_in(client, scene, role)
    assert client.get(url).status_code == 200


def test_signed_in_user_registers_an_organisation(client, scene):
    sign_in(client, scene, SPONSOR)
    response = client.post("/organisations/new/", ACTIONS["organisation_create"].data(scene))
    organisation = Organisation.objects.get(name="Organisasi Baru")
    assert response.status_code == 302 and response["Location"] == organisation.get_absolute_url()
    assert organisation.memberships.filter(user=scene.users[SPONSOR], role="owner").exists()


@pytest.mark.parametrize("role", [OFFICIAL, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR])
def test_applying_without_an_organisation_leads_to_registering_one(client, scene, role):
    action = ACTIONS["proposal_create"]
    sign_in(client, scene, role)
    before = state()
    for response in (client.get(action.url(scene)), client.post(action.url(scene), action.data(scene))):
        assert response.status_code == 302
        assert response["Location"] == "/organisations/new/"
    assert state() == before


def test_applicant_of_another_organisation_cannot_apply_on_its_behalf(client, scene):
    action = ACTIONS["proposal_create"]
    sign_in(client, scene, OTHER_APPLICANT)
    assert client.get(action.url(scene)).status_code == 200  # for their own organisation
    before = state()
    response = client.post(action.url(scene), action.data(scene))
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert state() == before


def test_owning_official_reads_a_proposal_but_cannot_edit_it(client, scene):
    # A submitted one: drafts stay private to the applicants until they submit.
    url = f"/workspace/proposals/{scene.submitted.pk}/"
    sign_in(client, scene, OFFICIAL)
    before = state()
    assert client.get(url).status_code == 200
    assert client.post(url, factories.proposal_form_data(scene.submitted, title="Diubah")).status_code == 403
    assert state() == before


def test_approving_official_who_is_also_finance_cannot_release_the_same_payment(client, scene):
    official = scene.users[OFFICIAL]
    official.groups.add(Group.objects.get(name="finance"))
    action = ACTIONS["disbursement_release"]
    sign_in(client, scene, OFFICIAL)
    before = state()
    response = client.post(action.url(scene), action.data(scene))
    assert response.status_code == 200
    with translation.override(settings.LANGUAGE_CODE):
        four_eyes = translation.gettext(
            "The person who approved the milestone may not also release its payment."
        )
    assert response.context["form"].non_field_errors() == [four_eyes]
    assert state() == before


# The role that may use each action gets through, so the refusals above mean something.


def test_member_edits_and_submits_their_draft(client, scene):
    sign_in(client, scene, APPLICANT)
    detail = ACTIONS["proposal_detail"].url(scene)
    assert client.get(detail).status_code == 200
    response = client.post(detail, ACTIONS["proposal_detail"].data(scene))
    assert response.status_code == 302 and response["Location"] == detail
    response = client.post(ACTIONS["proposal_submit"].url(scene), factories.CONFIRM)
    assert response.status_code == 302 and response["Location"] == detail
    draft = Proposal.objects.get(pk=scene.draft.pk)
    assert (draft.title, draft.status) == ("Diubah", Proposal.Status.SUBMITTED)


def test_member_applies_for_their_organisation(client, scene):
    action = ACTIONS["proposal_create"]
    sign_in(client, scene, APPLICANT)
    assert client.get(action.url(scene)).status_code == 200
    response = client.post(action.url(scene), action.data(scene))
    proposal = Proposal.objects.get(title="Usulan baru")
    assert response.status_code == 302 and response["Location"] == f"/workspace/proposals/{proposal.pk}/"
    assert proposal.organisation == scene.organisation


def test_owning_official_awards_a_submitted_proposal(client, scene):
    action = ACTIONS["award_create"]
    factories.close_challenge(scene.challenge)  # awards wait for the call to close
    sign_in(client, scene, OFFICIAL)
    assert client.get(action.url(scene)).status_code == 200
    response = client.post(action.url(scene), action.data(scene))
    assert response.status_code == 302
    award = Award.objects.get(proposal=scene.submitted)
    assert response["Location"] == award.get_absolute_url()
    assert award.milestones.count() == 1


def test_finance_officer_records_an_allocation(client, scene):
    action = ACTIONS["fund_allocate"]
    sign_in(client, scene, FINANCE)
    assert client.get(action.url(scene)).status_code == 200
    allocations = Transaction.objects.filter(kind="allocation").count()
    response = client.post(action.url(scene), action.data(scene))
    assert response.status_code == 302 and response["Location"] == f"/challenges/{scene.challenge.slug}/"
    assert Transaction.objects.filter(kind="allocation").count() == allocations + 1


def test_grantee_reports_a_milestone(client, scene):
    action = ACTIONS["milestone_report"]
    sign_in(client, scene, APPLICANT)
    assert client.get(action.url(scene)).status_code == 200
    response = client.post(action.url(scene), action.data(scene))
    assert response.status_code == 302 and response["Location"] == "/workspace/proposals/"
    assert Milestone.objects.get(pk=scene.planned.pk).status == Milestone.Status.REPORTED


def test_owning_official_approves_a_reported_milestone(client, scene):
    action = ACTIONS["milestone_approve"]
    sign_in(client, scene, OFFICIAL)
    assert client.get(action.url(scene)).status_code == 405
    response = client.post(action.url(scene), action.data(scene))
    assert response.status_code == 302 and response["Location"] == "/workspace/approvals/"
    milestone = Milestone.objects.get(pk=scene.reported.pk)
    assert milestone.status == Milestone.Status.APPROVED
    assert Disbursement.objects.filter(pk=milestone.disbursement_id, status="pending").exists()


def test_finance_officer_releases_an_approved_payment(client, scene):
    action = ACTIONS["disbursement_release"]
    sign_in(client, scene, FINANCE)
    assert client.get(action.url(scene)).status_code == 200
    response = client.post(action.url(scene), action.data(scene))
    assert response.status_code == 302 and response["Location"] == "/workspace/finance/"
    disbursement = Disbursement.objects.get(pk=scene.disbursement.pk)
    # Released; the bank transfer is recorded later (tests/finance/test_payouts.py).
    assert disbursement.status == Disbursement.Status.RELEASED
    assert disbursement.released_by == scene.users[FINANCE]


def test_member_may_start_payout_onboarding(client, scene):
    action = ACTIONS["organisation_stripe_onboarding"]
    sign_in(client, scene, APPLICANT)
    assert client.get(action.url(scene)).status_code == 405
    response = client.post(action.url(scene))
    # Without Stripe keys the owner is told so on the payout page; with them, sent to Stripe.
    assert (
        response.status_code == 302
        and response["Location"] == f"/organisations/{scene.organisation.slug}/payouts/"
    )


# The Wagtail admin -------------------------------------------------------------------------


def add_challenge_url(scene: Scene) -> str:
    return f"/admin/pages/add/challenges/challengepage/{scene.index.pk}/"


@pytest.mark.parametrize("role", [ANONYMOUS, *sorted(set(SIGNED_IN_ROLES) - ADMIN_ROLES)])
@pytest.mark.parametrize("url", [lambda s: "/admin/", add_challenge_url], ids=["dashboard", "add_challenge"])
def test_admin_is_closed_to_everyone_but_officials(client, scene, role, url):
    url = url(scene)
    sign_in(client, scene, role)
    before = state()
    for response in (client.get(url), client.post(url, {"title": "Tantangan liar", "slug": "liar"})):
        assert response.status_code == 302
        assert response["Location"] == login_redirect(url, login_url="/admin/login/")
    assert state() == before


def test_official_cannot_add_a_challenge_in_another_region(client, scene):
    sign_in(client, scene, OTHER_OFFICIAL)
    url = add_challenge_url(scene)
    before = state()
    for response in (client.get(url), client.post(url, {"title": "Tantangan liar", "slug": "liar"})):
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert state() == before


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES))
def test_officials_use_the_admin(client, scene, role):
    sign_in(client, scene, role)
    assert client.get("/admin/").status_code == 200


def test_owning_official_opens_the_add_challenge_form(client, scene):
    sign_in(client, scene, OFFICIAL)
    assert client.get(add_challenge_url(scene)).status_code == 200


# Public pages and the read-only API ----------------------------------------------------------

PUBLIC_PAGES = {
    "home": lambda s: "/",
    "challenge_list": lambda s: "/challenges/",
    "challenge_detail": lambda s: f"/challenges/{s.challenge.slug}/",
    "project_list": lambda s: "/projects/",
    "project_detail": lambda s: f"/projects/{s.award.pk}/",
    "organisation_detail": lambda s: f"/organisations/{s.organisation.slug}/",
    "search": lambda s: "/search/?q=tantangan",
    "transparency": lambda s: "/transparency/",
    "healthz": lambda s: "/healthz",
    "signup": lambda s: "/accounts/signup/",
    "api_challenges": lambda s: "/api/v1/challenges/",
    "api_projects": lambda s: "/api/v1/projects/",
    "api_organisations": lambda s: "/api/v1/organisations/",
    "api_ledger": lambda s: "/api/v1/ledger/",
    "api_search": lambda s: "/api/v1/search/?q=tantangan",
    "api_schema": lambda s: "/api/v1/schema/",
    "open_data": lambda s: "/open-data/",
    "api_ocds_releases": lambda s: "/api/v1/ocds/releases/",
    "api_ocds_records": lambda s: "/api/v1/ocds/records/",
}


@pytest.mark.parametrize("url", list(PUBLIC_PAGES.values()), ids=list(PUBLIC_PAGES))
def test_public_page_is_open_to_anonymous_visitors(client, scene, url):
    # The funded project is public once the official publishes the challenge's results.
    factories.close_challenge(scene.challenge)
    factories.publish_results(scene.challenge, scene.users[OFFICIAL])
    assert client.get(url(scene)).status_code == 200


def first_ledger_entry(scene: Scene) -> int:
    return Entry.objects.order_by("pk").values_list("pk", flat=True).first()


API_RESOURCES = {
    "challenges": lambda s: s.challenge.pk,
    "projects": lambda s: s.award.pk,
    "organisations": lambda s: s.organisation.slug,
    "ledger": first_ledger_entry,
}
API_WRITE_TARGETS = {
    **{f"{name}_list": (lambda s, name=name: f"/api/v1/{name}/") for name in API_RESOURCES},
    **{
        f"{name}_item": (lambda s, name=name, key=key: f"/api/v1/{name}/{key(s)}/")
        for name, key in API_RESOURCES.items()
    },
    "search": lambda s: "/api/v1/search/",
    "schema": lambda s: "/api/v1/schema/",
    "ocds_releases": lambda s: "/api/v1/ocds/releases/",
    "ocds_records": lambda s: "/api/v1/ocds/records/",
}


@pytest.mark.parametrize("role", [ANONYMOUS, FINANCE])
@pytest.mark.parametrize("url", list(API_WRITE_TARGETS.values()), ids=list(API_WRITE_TARGETS))
def test_api_refuses_writes_and_changes_nothing(client, scene, url, role):
    factories.close_challenge(scene.challenge)
    factories.publish_results(scene.challenge, scene.users[OFFICIAL])
    url = url(scene)
    sign_in(client, scene, role)
    assert client.get(url).status_code == 200
    before = state()
    payload = {"title": "Ditulis lewat API", "name": "Ditulis lewat API", "amount": 1}
    for method in (client.post, client.put, client.patch, client.delete):
        response = method(url, payload, content_type="application/json")
        assert response.status_code == 405, f"{method.__name__.upper()} {url}"
    assert state() == before


def test_stripe_webhook_only_accepts_posts(client, scene):
    before = state()
    assert client.get("/payments/webhooks/stripe/").status_code == 405
    assert state() == before


# Public Q&A and partner finding: the roles that may use them get through --------------------


@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_every_signed_in_role_may_ask_a_question(client, scene, role):
    action = ACTIONS["question_ask"]
    sign_in(client, scene, role)
    response = client.post(action.url(scene), action.data(scene))
    assert response.status_code == 302 and response["Location"] == f"/challenges/{scene.challenge.slug}/#qa"
    assert Question.objects.get(body="Pertanyaan baru?").asked_by == scene.users[role]


def test_owning_official_answers_merges_and_pins(client, scene):
    original, repeat = qa_questions(scene)
    sign_in(client, scene, OFFICIAL)
    for name in ("question_manage", "question_pin", "question_merge"):
        action = ACTIONS[name]
        assert client.get(action.url(scene)).status_code == (405 if action.post_only else 200)
        assert client.post(action.url(scene), action.data(scene)).status_code == 302
    original, repeat = Question.objects.get(pk=original.pk), Question.objects.get(pk=repeat.pk)
    assert (original.answer, original.pinned, repeat.duplicate_of) == ("Jawaban resmi.", True, original)


def test_signed_in_user_marks_their_notifications_read(client, scene):
    question = qa_questions(scene)[0]
    question_services.question_answer(question=question, by=scene.users[OFFICIAL], answer="Ya.")
    sign_in(client, scene, OTHER_APPLICANT)
    response = client.post(ACTIONS["notifications_mark_read"].url(scene))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=scene.users[OTHER_APPLICANT], read_at__isnull=True).exists()


@pytest.mark.parametrize("name", ["partner_listing_edit", "partnership_request_send"])
@pytest.mark.parametrize("role", [OFFICIAL, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR])
def test_partner_finding_without_an_organisation_leads_to_registering_one(client, scene, role, name):
    action = ACTIONS[name]
    url = action.url(scene)
    sign_in(client, scene, role)
    before = state()
    for response in (client.get(url), client.post(url, action.data(scene))):
        assert response.status_code == 302 and response["Location"] == "/organisations/new/"
    assert state() == before


def test_applicant_of_another_organisation_cannot_list_it_for_partners(client, scene):
    action = ACTIONS["partner_listing_edit"]
    sign_in(client, scene, OTHER_APPLICANT)
    assert client.get(action.url(scene)).status_code == 200  # for their own organisation
    before = state()
    response = client.post(action.url(scene), action.data(scene))
    assert response.status_code == 200 and "organisation" in response.context["form"].errors
    assert state() == before


def test_member_lists_their_organisation_and_closes_the_listing(client, scene):
    sign_in(client, scene, APPLICANT)
    action = ACTIONS["partner_listing_edit"]
    assert client.get(action.url(scene)).status_code == 200
    assert client.post(action.url(scene), action.data(scene)).status_code == 302
    assert client.post(ACTIONS["partner_listing_close"].url(scene)).status_code == 302
    assert not PartnerListing.objects.get(organisation=scene.organisation).active


def test_another_organisation_requests_and_the_listed_one_accepts(client, scene):
    send = ACTIONS["partnership_request_send"]
    sign_in(client, scene, OTHER_APPLICANT)
    assert client.get(send.url(scene)).status_code == 200
    assert client.post(send.url(scene), send.data(scene)).status_code == 302
    sign_in(client, scene, APPLICANT)
    decide = ACTIONS["partnership_request_decide"]
    assert client.post(decide.url(scene), decide.data(scene)).status_code == 302
    assert PartnershipRequest.objects.get(from_organisation=scene.other_organisation).status == "accepted"
