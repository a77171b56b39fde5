"""The reviewer pool, assigning reviewers (by hand and by suggestion) and conflict-of-interest
declarations: the ranking with exact numbers, the conflict rules (a member or former member of
the applicant or of its partners never reviews it), the cap and the number per proposal, the
declaration flow, fixed query counts, and a permission test for each view and role."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from core.errors import DomainError
from core.models import AuditEntry, Notification
from marketplace.challenges.models import ChallengePage, Sector
from marketplace.organisations.models import Organisation, PastMembership, UserProfile
from marketplace.organisations.services import organisations as organisations_services
from marketplace.proposals.models import Proposal, ProposalPartner
from marketplace.proposals.services import consortium as consortium_proposals_services
from marketplace.proposals.services import drafts as drafts_proposals_services
from marketplace.proposals.services import submission as submission_proposals_services
from marketplace.review.models import ChallengeReviewer, ConflictDeclaration, ReviewAssignment
from marketplace.review.selectors import assignments as assignments_reviews
from marketplace.review.services import assignments as assignments_reviews_review
from tests import factories
from tests.support.module_data import own_copy, rolled_back_after_module

pytestmark = pytest.mark.django_db
A = ReviewAssignment.Status


# The ranking as pure functions: tests/review/test_matching.py


# Real data -----------------------------------------------------------------------------------------


def in_review(proposal, official):
    for step in ("screen", "review"):
        submission_proposals_services.proposal_decide(proposal=proposal, by=official, transition=step)
    return Proposal.objects.select_related("challenge__agency__region", "organisation").get(pk=proposal.pk)


def reviewer(challenge=None, *, name="", tags=(), sectors=(), official=None):
    """A user with the reviewer role, with expertise, in the challenge's pool when given."""
    user = factories.UserFactory(roles=["reviewer"])
    profile = UserProfile.objects.create(user=user, full_name=name or user.username)
    if tags:
        profile.expertise.set(list(tags))
    profile.expertise_sectors.set(list(sectors))
    if challenge is not None:
        ChallengeReviewer.objects.create(challenge=challenge, user=user, invited_by=official)
    return user


@dataclass
class Scene:
    """A challenge in the health sector (the ranking counts shared sectors) that ``official``
    runs, and ``owner``, who applies: with ``proposal``, led by ``lead``, in review; with
    ``others``, the users of the permission tests besides those."""

    official: object
    owner: object
    health: Sector
    education: Sector
    challenge: ChallengePage
    lead: Organisation | None = None
    proposal: Proposal | None = None
    others: dict = field(default_factory=dict)


def build_scene(*, with_proposal: bool, with_others: bool = False) -> Scene:
    official = factories.UserFactory(roles=["official"])
    region = factories.region()
    health = factories.SectorFactory(name="Kesehatan", name_en="Health", slug="kesehatan")
    challenge = factories.challenge(region_page=region, officials=[official], sector=health)
    owner = factories.UserFactory()
    education = factories.SectorFactory(name="Pendidikan", name_en="Education", slug="pendidikan")
    scene = Scene(official=official, owner=owner, health=health, education=education, challenge=challenge)
    if with_proposal:
        scene.lead = factories.organisation(owner, name="Koperasi Digital Sumba")
        scene.lead.sectors.set([education])
        scene.lead.capabilities.set(["Mobile apps", "GIS"])
        submitted = factories.submitted_proposal(challenge_page=challenge, owner=owner)
        scene.proposal = in_review(submitted, official)
    if with_others:
        scene.others = {
            "other_official": factories.official_elsewhere(),
            "other_applicant": factories.applicant(),
            "reviewer": reviewer(challenge, name="Belum Ditugasi"),  # in the pool, not assigned
            "finance": factories.UserFactory(roles=["finance"]),
        }
    return scene


@dataclass
class Scenes:
    """Each its own challenge, official and applicant, so that what one holds (a proposal, a
    reviewer in the pool) is not in the challenge of the tests that use another."""

    open: Scene
    reviewed: Scene
    permissions: Scene


@pytest.fixture(scope="module")
def _scenes_built(django_db_setup, django_db_blocker):
    """Built once, rolled back after the module; each test runs in a savepoint of it. None holds
    a review assignment: tests count them all, so each test makes its own."""
    with rolled_back_after_module(django_db_blocker):
        yield Scenes(
            open=build_scene(with_proposal=False),
            reviewed=build_scene(with_proposal=True),
            permissions=build_scene(with_proposal=True, with_others=True),
        )


@pytest.fixture
def scene(request, _scenes_built, db) -> Scene:
    """The test's own copy of the scene it needs: for the permission tests (``roles``) theirs;
    for a test of a proposal in review (``proposal``) the one with it; else the open challenge
    without any proposal."""
    if "roles" in request.fixturenames:
        return own_copy(_scenes_built.permissions)
    if "proposal" in request.fixturenames:
        return own_copy(_scenes_built.reviewed)
    return own_copy(_scenes_built.open)


@pytest.fixture
def official(scene):
    return scene.official


@pytest.fixture
def owner(scene):
    return scene.owner


@pytest.fixture
def health(scene):
    return scene.health


@pytest.fixture
def education(scene):
    return scene.education


@pytest.fixture
def challenge(scene):
    """The shared challenge, in the health sector: the ranking counts shared sectors."""
    return scene.challenge


@pytest.fixture
def proposal(scene):
    return scene.proposal


def fresh(challenge) -> ChallengePage:
    return ChallengePage.objects.select_related("agency__region").get(pk=challenge.pk)


def _set(challenge, **fields) -> ChallengePage:
    ChallengePage.objects.filter(pk=challenge.pk).update(**fields)
    return fresh(challenge)


def consortium_proposal(challenge, owner, official, *, partner_owner, accept: bool = True, title="K"):
    """A proposal in review led by ``owner``'s organisation with one partner organisation that
    accepted; with ``accept=False`` the invitation is left unanswered and the draft returned."""
    organisation = factories.organisation(owner)
    partner = factories.organisation(partner_owner, name=f"Mitra {title}")
    draft = drafts_proposals_services.proposal_create(
        by=owner, organisation=organisation, challenge=challenge, title=title, requested_amount=20_000_000_00
    )
    invitation = consortium_proposals_services.proposal_partner_invite(
        proposal=draft, by=owner, organisation=partner, role="Mitra"
    )
    if not accept:
        return draft, partner
    consortium_proposals_services.proposal_partner_respond(partner=invitation, by=partner_owner, accept=True)
    factories.complete_proposal(draft, by=owner)
    submission_proposals_services.proposal_submit(proposal=draft, by=owner)
    return in_review(draft, official), partner


# Suggestions on real data: fit and load, exact order ---------------------------------------------


@pytest.mark.usefixtures("english_messages")
def test_suggestions_rank_by_expertise_fit_then_load_on_real_data(
    client, challenge, official, owner, proposal, health, education
):
    # The proposal: tags {mobile apps, gis} (the lead's capabilities), sectors {health (the
    # challenge's), education (the lead's)}.
    r1 = reviewer(challenge, name="Rina GIS", tags=["gis"], sectors=[health], official=official)  # 1/2 + 1/2
    r2 = reviewer(
        challenge, name="Budi Apps", tags=["Mobile Apps", "GIS", "payments"], official=official
    )  # 2/3
    r3 = reviewer(challenge, name="Sari Sektor", sectors=[health, education], official=official)  # 0 + 1
    r4 = reviewer(challenge, name="Tono Umum", official=official)  # 0
    member = reviewer(challenge, name="Anggota", tags=["gis", "mobile apps"], official=official)
    lead = proposal.organisation
    lead.memberships.create(user=member, role="member")
    # r3 already reviews another proposal of this challenge: load 1.
    other = in_review(
        factories.submitted_proposal(challenge_page=challenge, owner=factories.UserFactory()), official
    )
    assignments_reviews_review.assignment_create(proposal=other, reviewer=r3, by=official)

    board = assignments_reviews.assignment_board(fresh(challenge))
    row = next(r for r in board.rows if r.proposal.pk == proposal.pk)
    assert [(member_.user, s.fit, s.load) for s, member_ in row.ranked] == [
        (r1, Fraction(1), 0),
        (r3, Fraction(1), 1),
        (r2, Fraction(2, 3), 0),
        (r4, Fraction(0), 0),
    ]
    assert [m.user for _s, m in row.suggested] == [r1, r3, r2]  # three reviewers per proposal

    client.force_login(official)
    page = client.get(f"/workspace/challenges/{challenge.slug}/assignments/").text
    select = re.search(rf'<select name="reviewer" id="reviewer-{proposal.pk}".*?</select>', page, re.S).group(
        0
    )
    assert re.findall(r'<option value="(\d+)"', select) == [str(u.pk) for u in (r1, r3, r2, r4)]
    assert "1.00" in select and "0.67" in select and "0.00" in select
    assert f'value="{member.pk}"' not in select


# Conflict rules: members and former members never review -------------------------------------------


@pytest.mark.usefixtures("english_messages")
def test_a_member_of_the_applicant_is_never_suggested_nor_assignable(challenge, official, proposal):
    member = reviewer(challenge, name="Ayu Anggota", tags=["gis"], official=official)
    proposal.organisation.memberships.create(user=member, role="member")
    board = assignments_reviews.assignment_board(fresh(challenge))
    assert member not in [m.user for _s, m in board.rows[0].ranked]
    with pytest.raises(DomainError) as refused:
        assignments_reviews_review.assignment_create(proposal=proposal, reviewer=member, by=official)
    assert refused.value.message == (
        "Ayu Anggota is a member of Koperasi Digital Sumba, which takes part in this proposal: a member "
        "may never review it."
    )
    plan = assignments_reviews_review.assignments_create_suggested(challenge=fresh(challenge), by=official)
    assert not plan.created and not ReviewAssignment.objects.filter(reviewer=member).exists()


@pytest.mark.usefixtures("english_messages")
def test_a_former_member_of_the_applicant_is_never_suggested_nor_assignable(
    challenge, official, owner, proposal
):
    former = reviewer(challenge, name="Dedi Mantan", tags=["gis"], official=official)
    membership = proposal.organisation.memberships.create(user=former, role="member")
    organisations_services.membership_remove(membership=membership, by=owner)
    assert PastMembership.objects.filter(user=former, organisation=proposal.organisation).exists()
    assert former not in [
        m.user for _s, m in assignments_reviews.assignment_board(fresh(challenge)).rows[0].ranked
    ]
    with pytest.raises(DomainError, match="Dedi Mantan was a member of Koperasi Digital Sumba"):
        assignments_reviews_review.assignment_create(proposal=proposal, reviewer=former, by=official)
    assignments_reviews_review.assignments_create_suggested(challenge=fresh(challenge), by=official)
    assert not ReviewAssignment.objects.filter(reviewer=former).exists()


@pytest.mark.usefixtures("english_messages")
def test_members_and_former_members_of_a_partner_never_review_but_a_declined_partners_may(
    challenge, official
):
    partner_owner = reviewer(name="Pemilik Mitra")  # a reviewer who owns the partner organisation
    ChallengeReviewer.objects.create(challenge=challenge, user=partner_owner)
    accepted, partner = consortium_proposal(
        challenge, factories.UserFactory(), official, partner_owner=partner_owner, title="Diterima"
    )
    former = reviewer(challenge, name="Mantan Mitra")
    membership = partner.memberships.create(user=former, role="member")
    organisations_services.membership_remove(membership=membership, by=partner_owner)

    # A partner that declined takes no part: its members may review (declined partners are
    # removed before submission; one left on record here stands for such history).
    declined_owner = reviewer(challenge, name="Pemilik Mitra Menolak")
    declined = in_review(
        factories.submitted_proposal(challenge_page=challenge, owner=factories.UserFactory()), official
    )
    ProposalPartner.objects.create(
        proposal=declined,
        organisation=factories.organisation(declined_owner, name="Mitra Menolak"),
        role="Mitra",
        status=ProposalPartner.Status.DECLINED,
        invited_by=declined.created_by,
    )
    board = {
        row.proposal.pk: [m.user for _s, m in row.ranked]
        for row in assignments_reviews.assignment_board(fresh(challenge)).rows
    }
    assert partner_owner not in board[accepted.pk] and former not in board[accepted.pk]
    assert declined_owner in board[declined.pk]
    with pytest.raises(DomainError, match="Pemilik Mitra is a member of Mitra Diterima"):
        assignments_reviews_review.assignment_create(proposal=accepted, reviewer=partner_owner, by=official)
    with pytest.raises(DomainError, match="Mantan Mitra was a member of Mitra Diterima"):
        assignments_reviews_review.assignment_create(proposal=accepted, reviewer=former, by=official)
    assignments_reviews_review.assignment_create(proposal=declined, reviewer=declined_owner, by=official)


def test_a_partner_still_invited_counts_as_taking_part(challenge, official):
    partner_owner = reviewer(challenge, name="Mitra Diundang")
    draft, _partner = consortium_proposal(
        challenge, factories.UserFactory(), official, partner_owner=partner_owner, accept=False
    )
    assert assignments_reviews_review.exclusion_reason(draft, partner_owner) is not None


# Hand assignment rules ---------------------------------------------------------------------------


@pytest.mark.usefixtures("english_messages")
def test_hand_assignment_refuses_what_breaks_a_rule_and_changes_nothing(challenge, official, proposal, owner):
    challenge = _set(challenge, reviewers_per_proposal=2, reviewer_max_load=1)
    proposal.challenge = challenge
    outsider = reviewer(name="Luar Pool")
    with pytest.raises(DomainError, match="not one of this challenge's reviewers"):
        assignments_reviews_review.assignment_create(proposal=proposal, reviewer=outsider, by=official)

    first, second, third = (reviewer(challenge, name=n) for n in ("Satu", "Dua", "Tiga"))
    assignments_reviews_review.assignment_create(proposal=proposal, reviewer=first, by=official)
    with pytest.raises(DomainError, match="Satu is already assigned to this proposal"):
        assignments_reviews_review.assignment_create(proposal=proposal, reviewer=first, by=official)
    assignments_reviews_review.assignment_create(proposal=proposal, reviewer=second, by=official)
    with pytest.raises(DomainError, match="already has its 2 reviewers"):
        assignments_reviews_review.assignment_create(proposal=proposal, reviewer=third, by=official)

    other = in_review(
        factories.submitted_proposal(challenge_page=challenge, owner=factories.UserFactory()), official
    )
    other.challenge = challenge
    with pytest.raises(
        DomainError, match=r"Satu already reviews 1 proposals of this challenge, the most allowed \(1\)"
    ):
        assignments_reviews_review.assignment_create(proposal=other, reviewer=first, by=official)

    submitted = factories.submitted_proposal(challenge_page=challenge, owner=factories.UserFactory())
    with pytest.raises(DomainError, match="assigned to proposals in review"):
        assignments_reviews_review.assignment_create(proposal=submitted, reviewer=third, by=official)
    with pytest.raises(DomainError):
        assignments_reviews_review.assignment_create(
            proposal=other, reviewer=third, by=owner
        )  # not an official
    assert ReviewAssignment.objects.count() == 2


def test_a_hand_assignment_is_audited_and_the_reviewer_told(challenge, official, proposal):
    chosen = reviewer(challenge, name="Rina")
    assignment = assignments_reviews_review.assignment_create(proposal=proposal, reviewer=chosen, by=official)
    assert assignment.status == A.AWAITING_DECLARATION and assignment.assigned_by == official
    entry = AuditEntry.objects.get(action="review_assignment.created")
    assert entry.actor == official and entry.after == {
        "proposal": proposal.pk,
        "reviewer": chosen.pk,
        "status": "awaiting_declaration",
    }
    assert Notification.objects.filter(user=chosen, url="/workspace/reviews/#reviews-to-do").exists()


# Bulk assignment by suggestion ------------------------------------------------------------------------


def test_assign_all_by_suggestion_gives_each_proposal_n_reviewers_under_the_cap(
    client, challenge, official, owner
):
    challenge = _set(challenge, reviewers_per_proposal=2, reviewer_max_load=2)
    a, b, c = (reviewer(challenge, name=n) for n in ("A", "B", "C"))
    first = in_review(factories.submitted_proposal(challenge_page=challenge, owner=owner), official)
    first.organisation.memberships.create(user=a, role="member")  # a may never review the first
    second = in_review(
        factories.submitted_proposal(challenge_page=challenge, owner=factories.UserFactory()), official
    )
    third = in_review(
        factories.submitted_proposal(challenge_page=challenge, owner=factories.UserFactory()), official
    )

    client.force_login(official)
    response = client.post(f"/workspace/challenges/{challenge.slug}/assignments/suggested/")
    assert response.status_code == 302
    got = {
        p: sorted(
            ReviewAssignment.objects.filter(proposal=p).values_list("reviewer__profile__full_name", flat=True)
        )
        for p in (first, second, third)
    }
    # The first (fewest eligible) goes first: B, C. Then the second: A (load 0), B (lower id
    # than C at load 1). The third: A and C (B is at the cap).
    assert got == {first: ["B", "C"], second: ["A", "B"], third: ["A", "C"]}
    assert AuditEntry.objects.filter(action="challenge.reviewers_assigned_by_suggestion").count() == 1
    assert Notification.objects.filter(user=a).count() == 1  # one message for two proposals

    fourth = in_review(
        factories.submitted_proposal(challenge_page=challenge, owner=factories.UserFactory()), official
    )
    response = client.post(f"/workspace/challenges/{challenge.slug}/assignments/suggested/", follow=True)
    assert not ReviewAssignment.objects.filter(proposal=fourth).exists()
    assert fourth.title in response.text  # reported as short of reviewers


# Declarations -------------------------------------------------------------------------------------------


@pytest.fixture
def assignment(challenge, official, proposal):
    chosen = reviewer(challenge, name="Rina Penilai", official=official)
    return assignments_reviews_review.assignment_create(proposal=proposal, reviewer=chosen, by=official)


def test_declaring_no_conflict_opens_the_review(client, challenge, assignment, proposal):
    client.force_login(assignment.reviewer)
    workspace = client.get("/workspace/reviews/")
    assert f'href="/workspace/reviews/{assignment.pk}/declare/"' in workspace.text
    page = client.get(f"/workspace/reviews/{assignment.pk}/declare/")
    assert page.status_code == 200
    assert proposal.title in page.text and challenge.title in page.text
    assert "Koperasi Digital Sumba" in page.text
    assert "Warga menunggu lama" not in page.text  # nothing of the proposal itself before declaring

    response = client.post(
        f"/workspace/reviews/{assignment.pk}/declare/", {"declaration": "none"}, REMOTE_ADDR="10.9.8.7"
    )
    assert response.status_code == 302
    assert response["Location"] == f"/workspace/reviews/{assignment.pk}/"
    assignment.refresh_from_db()
    assert assignment.status == A.ACTIVE
    declaration = ConflictDeclaration.objects.get(assignment=assignment)
    assert declaration.has_conflict is False and declaration.ip_address == "10.9.8.7"
    entry = AuditEntry.objects.get(action="review_assignment.no_conflict")
    assert entry.ip_address == "10.9.8.7" and entry.after["status"] == "active"
    workspace = client.get("/workspace/reviews/")
    assert f'href="/workspace/reviews/{assignment.pk}/"' in workspace.text
    # Declared once.
    again = client.post(
        f"/workspace/reviews/{assignment.pk}/declare/", {"declaration": "conflict", "note": "x"}
    )
    assert again.status_code == 302 and ConflictDeclaration.objects.count() == 1


def test_a_blind_review_hides_the_organisations_on_the_declaration(client, challenge, assignment, proposal):
    _set(challenge, blind_review=True)
    client.force_login(assignment.reviewer)
    page = client.get(f"/workspace/reviews/{assignment.pk}/declare/")
    assert proposal.title in page.text and "Koperasi Digital Sumba" not in page.text


def test_declaring_a_conflict_ends_the_assignment_and_tells_the_officials(
    client, challenge, official, assignment, proposal, django_capture_on_commit_callbacks
):
    url = f"/workspace/reviews/{assignment.pk}/declare/"
    client.force_login(assignment.reviewer)
    response = client.post(url, {"declaration": "conflict", "note": ""})
    assert response.status_code == 200 and 'id="id_note_error"' in response.text
    with translation.override("id"):
        assert (
            gettext("Explain the conflict of interest: the officials read it to assign someone else.")
            in response.text
        )
    assert not ConflictDeclaration.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"declaration": "conflict", "note": "Adik saya bekerja di koperasi ini."})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == A.CONFLICT
    declaration = ConflictDeclaration.objects.get(assignment=assignment)
    assert declaration.has_conflict and declaration.note == "Adik saya bekerja di koperasi ini."
    told = Notification.objects.get(user=official)
    assert (
        "Rina Penilai" in told.message and told.url == f"/workspace/challenges/{challenge.slug}/assignments/"
    )
    assert any(official.email in m.to for m in mail.outbox)
    # No longer in the reviewer's list; not suggested again for this proposal; officials see it.
    assert f"/workspace/reviews/{assignment.pk}/" not in client.get("/workspace/reviews/").text
    row = assignments_reviews.assignment_board(fresh(challenge)).rows[0]
    assert assignment.reviewer not in [m.user for _s, m in row.ranked] and row.conflicts == [assignment]
    with pytest.raises(DomainError):
        assignments_reviews_review.assignment_create(
            proposal=proposal, reviewer=assignment.reviewer, by=official
        )
    client.force_login(official)
    board = client.get(f"/workspace/challenges/{challenge.slug}/assignments/").text
    assert "Adik saya bekerja di koperasi ini." in board


@pytest.mark.usefixtures("english_messages")
def test_declaring_is_for_the_assigned_reviewer_and_only_while_awaiting(assignment, official):
    with pytest.raises(DomainError, match="Only the reviewer asked"):
        assignments_reviews_review.assignment_declare(assignment=assignment, by=official, has_conflict=False)
    assignments_reviews_review.assignment_remove(assignment=assignment, by=official, reason="Salah pilih.")
    with pytest.raises(DomainError, match="This assignment was removed"):
        assignments_reviews_review.assignment_declare(
            assignment=assignment, by=assignment.reviewer, has_conflict=False
        )
    assert not ConflictDeclaration.objects.exists()


# Removal -------------------------------------------------------------------------------------------------


def test_officials_remove_an_assignment_with_a_reason(client, challenge, official, assignment):
    client.force_login(official)
    url = f"/workspace/reviews/{assignment.pk}/remove/"
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    with translation.override("id"):
        assert gettext("Give the reason for removing this reviewer.") in response.text
    assert ReviewAssignment.objects.get(pk=assignment.pk).status == A.AWAITING_DECLARATION

    response = client.post(url, {"reason": "Beban kerja terlalu tinggi."})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == A.REMOVED and assignment.removed_reason == "Beban kerja terlalu tinggi."
    assert (
        AuditEntry.objects.get(action="review_assignment.removed").after["reason"]
        == assignment.removed_reason
    )
    assert Notification.objects.filter(user=assignment.reviewer, message__contains="Beban kerja").exists()
    assert client.post(url, {"reason": "Lagi."}).status_code == 200  # already ended: says so
    client.force_login(assignment.reviewer)
    assert client.get(f"/workspace/reviews/{assignment.pk}/declare/").status_code == 200
    assert (
        client.post(f"/workspace/reviews/{assignment.pk}/declare/", {"declaration": "none"}).status_code
        == 302
    )
    assert ReviewAssignment.objects.get(pk=assignment.pk).status == A.REMOVED


def test_a_refused_hand_assignment_shows_its_reason_in_the_row(client, challenge, official, proposal):
    member = reviewer(challenge, name="Anggota Koperasi")
    proposal.organisation.memberships.create(user=member, role="member")
    client.force_login(official)
    response = client.post(
        f"/workspace/challenges/{challenge.slug}/assignments/assign/",
        {"proposal": proposal.pk, "reviewer": member.pk},
    )
    assert response.status_code == 200
    assert f'id="reviewer-{proposal.pk}_error"' in response.text and "Anggota Koperasi" in response.text
    response = client.post(
        f"/workspace/challenges/{challenge.slug}/assignments/assign/", {"proposal": proposal.pk}
    )
    assert response.status_code == 200 and f'id="reviewer-{proposal.pk}_error"' in response.text
    assert not ReviewAssignment.objects.exists()
    chosen = reviewer(challenge, name="Boleh")
    response = client.post(
        f"/workspace/challenges/{challenge.slug}/assignments/assign/",
        {"proposal": proposal.pk, "reviewer": chosen.pk},
    )
    assert response.status_code == 302 and ReviewAssignment.objects.get().reviewer == chosen


# The pool ----------------------------------------------------------------------------------------------


@pytest.fixture
def cheap_passwords(cheap_passwords):
    """The shared one, and an empty cache: allauth counts password resets and sign-ins there."""
    cache.clear()
    yield
    cache.clear()


def test_officials_add_staff_reviewers_and_edit_their_expertise(client, challenge, official, health):
    staff = factories.UserFactory(roles=["reviewer"])
    applicant = factories.UserFactory()
    client.force_login(official)
    url = f"/workspace/challenges/{challenge.slug}/reviewers/"
    page = client.get(url)
    assert f'<option value="{staff.pk}"' in page.text and f'<option value="{applicant.pk}"' not in page.text
    response = client.post(url, {"form": "add", "add-user": applicant.pk})
    assert response.status_code == 200 and 'id="id_add-user_error"' in response.text
    assert client.post(url, {"form": "add", "add-user": staff.pk}).status_code == 302
    member = ChallengeReviewer.objects.get(challenge=challenge, user=staff)
    assert member.external is False and member.invited_by == official

    expertise_url = f"{url}{member.pk}/"
    assert client.get(expertise_url).status_code == 200
    response = client.post(expertise_url, {"expertise": "GIS, kesehatan ibu", "sectors": [health.pk]})
    assert response.status_code == 302
    profile = UserProfile.objects.get(user=staff)
    assert sorted(profile.expertise.names()) == ["GIS", "kesehatan ibu"]
    assert list(profile.expertise_sectors.all()) == [health]
    assert AuditEntry.objects.filter(action="reviewer.expertise_updated", object_id=str(staff.pk)).exists()
    page = client.get(url).text
    assert "kesehatan ibu" in page and "Kesehatan" in page


def test_inviting_an_external_expert_makes_a_limited_account_with_a_set_password_link(
    client, challenge, official, education, cheap_passwords, django_capture_on_commit_callbacks
):
    client.force_login(official)
    url = f"/workspace/challenges/{challenge.slug}/reviewers/"
    data = {
        "form": "invite",
        "invite-full_name": "Dr. Maria Ndapa",
        "invite-email": "maria@unwira.ac.id",
        "invite-expertise": "kesehatan masyarakat, GIS",
        "invite-sectors": [education.pk],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    expert = get_user_model().objects.get(email="maria@unwira.ac.id")
    assert not expert.has_usable_password()
    assert list(expert.groups.values_list("name", flat=True)) == ["reviewer"]
    assert EmailAddress.objects.filter(
        user=expert, email="maria@unwira.ac.id", verified=True, primary=True
    ).exists()
    assert ChallengeReviewer.objects.get(user=expert).external is True
    assert sorted(expert.profile.expertise.names()) == ["GIS", "kesehatan masyarakat"]
    assert expert.profile.full_name == "Dr. Maria Ndapa"
    assert AuditEntry.objects.get(action="challenge.reviewer_invited").after["email"] == "maria@unwira.ac.id"

    (email,) = mail.outbox
    assert email.to == ["maria@unwira.ac.id"] and challenge.title in email.subject
    link = re.search(r"https?://[^/\s]+(/\S*password/reset/key/\S*)", email.body).group(1)
    client.logout()
    reset = client.get(link, follow=True)
    assert reset.status_code == 200
    response = client.post(
        reset.redirect_chain[-1][0], {"password1": "Penilai-Ahli-2026", "password2": "Penilai-Ahli-2026"}
    )
    assert response.status_code == 302
    expert.refresh_from_db()
    assert expert.check_password("Penilai-Ahli-2026")
    # The account sees nothing it is not assigned to.
    client.force_login(expert)
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=factories.UserFactory())
    assert client.get(f"/workspace/proposals/{proposal.pk}/").status_code == 403
    assert client.get(url).status_code == 403

    # The same address again: refused on the email field, nothing created.
    client.force_login(official)
    response = client.post(url, data)
    assert response.status_code == 200 and 'id="id_invite-email_error"' in response.text
    assert get_user_model().objects.filter(email="maria@unwira.ac.id").count() == 1


def test_a_reviewer_with_open_assignments_stays_in_the_pool(client, challenge, official, assignment):
    member = ChallengeReviewer.objects.get(user=assignment.reviewer)
    client.force_login(official)
    response = client.post(
        f"/workspace/challenges/{challenge.slug}/reviewers/{member.pk}/remove/", follow=True
    )
    assert ChallengeReviewer.objects.filter(pk=member.pk).exists()
    with translation.override("id"):
        assert "Rina Penilai" in response.text
    assignments_reviews_review.assignment_remove(assignment=assignment, by=official, reason="Diganti.")
    client.post(f"/workspace/challenges/{challenge.slug}/reviewers/{member.pk}/remove/")
    assert not ChallengeReviewer.objects.filter(pk=member.pk).exists()


# Query counts -------------------------------------------------------------------------------------------


def _add_reviewed_proposal(challenge, official, tags=("gis",)):
    owner = factories.UserFactory()
    organisation = factories.organisation(owner)
    organisation.capabilities.set(list(tags))
    proposal = in_review(factories.submitted_proposal(challenge_page=challenge, owner=owner), official)
    return proposal


def test_the_assignment_table_has_a_fixed_number_of_queries(client, challenge, official, health):
    challenge = _set(challenge, reviewer_max_load=50)
    pool = [reviewer(challenge, tags=["gis", f"t{i}"], sectors=[health]) for i in range(2)]
    first = _add_reviewed_proposal(challenge, official)
    assignments_reviews_review.assignment_create(proposal=first, reviewer=pool[0], by=official)
    client.force_login(official)
    url = f"/workspace/challenges/{challenge.slug}/assignments/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    pool += [reviewer(challenge, tags=["gis", f"u{i}"], sectors=[health]) for i in range(4)]
    proposals = [_add_reviewed_proposal(challenge, official) for _ in range(4)]
    for proposal in proposals:
        for chosen in pool[:2]:
            assignments_reviews_review.assignment_create(proposal=proposal, reviewer=chosen, by=official)
    conflicted = assignments_reviews_review.assignment_create(
        proposal=proposals[0], reviewer=pool[3], by=official
    )
    assignments_reviews_review.assignment_declare(
        assignment=conflicted, by=pool[3], has_conflict=True, note="Keluarga."
    )
    with CaptureQueriesContext(connection) as more:
        response = client.get(url)
    assert all(f'id="proposal-{p.pk}"' in response.text for p in proposals)
    assert len(more) == len(few), [q["sql"] for q in more]


def test_the_reviewers_list_in_the_workspace_has_a_fixed_number_of_queries(client, challenge, official):
    challenge = _set(challenge, reviewer_max_load=50)
    chosen = reviewer(challenge)
    assignments_reviews_review.assignment_create(
        proposal=_add_reviewed_proposal(challenge, official), reviewer=chosen, by=official
    )
    client.force_login(chosen)
    client.get("/workspace/reviews/")
    with CaptureQueriesContext(connection) as few:
        client.get("/workspace/reviews/")
    for _ in range(4):
        assignment = assignments_reviews_review.assignment_create(
            proposal=_add_reviewed_proposal(challenge, official), reviewer=chosen, by=official
        )
    assignments_reviews_review.assignment_declare(assignment=assignment, by=chosen, has_conflict=False)
    with CaptureQueriesContext(connection) as more:
        response = client.get("/workspace/reviews/")
    assert response.text.count("/declare/") == 4 and f"/workspace/reviews/{assignment.pk}/" in response.text
    assert len(more) == len(few)


# Permissions for each view and role -----------------------------------------------------------------------


@pytest.fixture
def roles(scene, official, owner, assignment):
    return {
        "applicant": owner,
        "other_applicant": scene.others["other_applicant"],
        "reviewer": scene.others["reviewer"],  # in the pool, not assigned to this proposal
        "other_official": scene.others["other_official"],
        "finance": scene.others["finance"],
        "official": official,
        "assigned_reviewer": assignment.reviewer,
    }


def _views(challenge, assignment, roles):
    member = ChallengeReviewer.objects.get(challenge=challenge, user=roles["reviewer"])
    base = f"/workspace/challenges/{challenge.slug}"
    return {
        "pool": ("get", f"{base}/reviewers/", {}),
        "pool_add": ("post", f"{base}/reviewers/", {"form": "add", "add-user": roles["reviewer"].pk}),
        "pool_invite": (
            "post",
            f"{base}/reviewers/",
            {"form": "invite", "invite-full_name": "Pakar", "invite-email": "pakar@example.id"},
        ),
        "expertise": ("get", f"{base}/reviewers/{member.pk}/", {}),
        "expertise_save": ("post", f"{base}/reviewers/{member.pk}/", {"expertise": "dibajak"}),
        "pool_remove": ("post", f"{base}/reviewers/{member.pk}/remove/", {}),
        "assignments": ("get", f"{base}/assignments/", {}),
        "assign": (
            "post",
            f"{base}/assignments/assign/",
            {"proposal": assignment.proposal_id, "reviewer": roles["reviewer"].pk},
        ),
        "assign_suggested": ("post", f"{base}/assignments/suggested/", {}),
        "assignment_remove": ("post", f"/workspace/reviews/{assignment.pk}/remove/", {"reason": "Dibajak."}),
        "declare": ("get", f"/workspace/reviews/{assignment.pk}/declare/", {}),
        "declare_post": (
            "post",
            f"/workspace/reviews/{assignment.pk}/declare/",
            {"declaration": "conflict", "note": "Dibajak."},
        ),
    }


MANAGING = ["applicant", "other_applicant", "reviewer", "other_official", "finance", "assigned_reviewer"]
DECLARING = ["applicant", "other_applicant", "reviewer", "other_official", "finance", "official"]
REFUSED = {
    "pool": MANAGING,
    "pool_add": MANAGING,
    "pool_invite": MANAGING,
    "expertise": MANAGING,
    "expertise_save": MANAGING,
    "pool_remove": MANAGING,
    "assignments": MANAGING,
    "assign": MANAGING,
    "assign_suggested": MANAGING,
    "assignment_remove": MANAGING,
    "declare": DECLARING,
    "declare_post": DECLARING,
}


def _state():
    return (
        sorted(ChallengeReviewer.objects.values_list("pk", "user_id")),
        sorted(ReviewAssignment.objects.values_list("pk", "status", "removed_reason")),
        ConflictDeclaration.objects.count(),
        get_user_model().objects.count(),
        sorted(UserProfile.objects.values_list("pk", "full_name")),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


@pytest.mark.parametrize("view", list(REFUSED))
def test_each_view_refuses_each_role_without_the_right(client, challenge, assignment, roles, view):
    method, url, data = _views(challenge, assignment, roles)[view]
    before = _state()
    response = getattr(client, method)(url, data)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), view
    for role in REFUSED[view]:
        client.force_login(roles[role])
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (view, role)
        client.logout()
    assert _state() == before


@pytest.mark.parametrize("view", ["pool", "expertise", "assignments"])
def test_the_owning_official_uses_the_management_pages(client, challenge, assignment, roles, view):
    method, url, data = _views(challenge, assignment, roles)[view]
    client.force_login(roles["official"])
    assert getattr(client, method)(url, data).status_code == 200


def test_only_the_assigned_reviewer_declares(client, challenge, assignment, roles):
    method, url, _data = _views(challenge, assignment, roles)["declare"]
    client.force_login(roles["assigned_reviewer"])
    assert client.get(url).status_code == 200
