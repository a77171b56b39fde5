"""The workspace: a home that counts what needs each role now, and one page per area."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.challenges.models import ChallengePage
from marketplace.challenges.services import funds
from marketplace.challenges.services import questions as question_services
from marketplace.organisations.services import organisations as organisations_services
from marketplace.proposals.services import drafts as drafts_services
from payments import api as payments_api
from payments.models import Contribution
from tests import factories

pytestmark = pytest.mark.django_db

AREAS = ["proposals", "organisations", "reviews", "approvals", "finance"]


def _task(count: int, url: str) -> str:
    """How the home shows a count that links to where the work is."""
    return f'<a href="{url}"><span class="task__count">{count}</span>'


def _areas_linked(html: str) -> set[str]:
    return {area for area in AREAS if f'href="/workspace/{area}/"' in html}


def _draft(owner, organisation, challenge, title="Draf kios antrean"):
    return drafts_services.proposal_create(
        by=owner, organisation=organisation, challenge=challenge, title=title, requested_amount=10_000_000_00
    )


def _pledge(challenge, sponsor, amount=5_000_000_00):
    return payments_api.contribution_create(
        fund=funds.challenge_fund(challenge),
        by=sponsor,
        sponsor_name="PT Mitra Uji",
        email="mitra@contoh.id",
        public=True,
        amount=amount,
        rail=Contribution.Rail.PLEDGE,
    )


# Who sees what ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in ["/workspace/", *(f"/workspace/{area}/" for area in AREAS), "/en/workspace/finance/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_the_applicant_home_counts_drafts_and_links_to_them(client, challenge, owner):
    organisation = factories.organisation(owner, name="Koperasi Uji")
    _draft(owner, organisation, challenge)
    client.force_login(owner)
    html = client.get("/workspace/").text
    assert _task(1, "/workspace/proposals/#proposals-next") in html
    assert "Draf proposal yang perlu diselesaikan" in html
    # Nothing of other roles: no finance, review or approval counts or areas.
    assert "/workspace/finance/" not in html and "/workspace/approvals/" not in html
    assert _areas_linked(html) == {"proposals", "organisations"}
    proposals = client.get("/workspace/proposals/").text
    assert "Draf kios antrean" in proposals and 'id="proposals-next"' in proposals


def test_an_applicant_may_not_open_other_roles_areas(client, owner):
    factories.organisation(owner)
    client.force_login(owner)
    for area in ["finance", "approvals", "reviews"]:
        response = client.get(f"/workspace/{area}/")
        assert response.status_code == 403, area
        assert "Bagian ruang kerja ini bukan untuk peran Anda." in response.text
    assert client.get("/workspace/proposals/").status_code == 200
    assert client.get("/workspace/organisations/").status_code == 200


def test_the_applicant_counts_invitations_and_milestones(client, challenge, official, finance, owner):
    organisation = factories.organisation(owner, name="Koperasi Uji")
    factories.allocation(challenge, finance=finance)
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner)
    award = factories.awarded_proposal(proposal, official=official, milestones=2, accepted_by=owner)
    inviter = factories.UserFactory()
    other = factories.organisation(inviter, name="Yayasan Pengundang")
    organisations_services.invitation_create(organisation=other, by=inviter, email=owner.email)
    client.force_login(owner)
    html = client.get("/workspace/").text
    assert _task(2, "/workspace/proposals/#milestones") in html
    due = award.milestones.order_by("due_date").first().due_date
    assert f"paling lambat {due.day}" in html  # the earliest due date, in Indonesian
    assert _task(1, "/workspace/organisations/#organisation-invitations") in html
    # Done already: the agreement was accepted, so it is counted as zero and not linked.
    assert "/workspace/proposals/#agreements" not in html
    assert organisation.name in client.get("/workspace/organisations/").text
    assert "Yayasan Pengundang" in client.get("/workspace/organisations/").text


def test_the_reviewer_home_counts_declarations_and_reviews_with_the_due_date(client, challenge, official):
    ChallengePage.objects.filter(pk=challenge.pk).update(review_ends_on=datetime.date(2031, 3, 14))
    reviewer = factories.UserFactory(roles=["reviewer"])
    first = factories.proposal_in_review(challenge, official=official, title="Usulan satu")
    second = factories.proposal_in_review(challenge, official=official, title="Usulan dua")
    factories.assign(first, reviewer, status="awaiting_declaration")
    factories.assign(second, reviewer, status="active")
    client.force_login(reviewer)
    html = client.get("/workspace/").text
    assert html.count(_task(1, "/workspace/reviews/#reviews-to-do")) == 2
    assert "Penilaian yang perlu dikerjakan" in html and "14 Maret 2031" in html
    assert _areas_linked(html) == {"reviews"}
    assert "Usulan satu" in client.get("/workspace/reviews/").text
    for area in ["proposals", "finance", "approvals"]:
        assert client.get(f"/workspace/{area}/").status_code == 403, area


def test_the_official_home_counts_screening_and_questions(client, challenge, official, owner):
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner)
    question_services.question_ask(challenge=challenge, by=owner, body="Apakah boleh konsorsium?")
    client.force_login(official)
    html = client.get("/workspace/").text
    assert _task(1, "/workspace/approvals/#proposals-to-screen") in html
    assert _task(1, "/workspace/approvals/#questions-to-answer") in html
    assert "Proposal untuk seleksi administrasi" in html
    assert _areas_linked(html) == {"reviews", "approvals"}
    approvals = client.get("/workspace/approvals/").text
    assert f"/workspace/proposals/{proposal.pk}/screening/" in approvals
    assert "Apakah boleh konsorsium?" in approvals
    assert client.get("/workspace/finance/").status_code == 403
    assert client.get("/workspace/proposals/").status_code == 403


def test_an_official_sees_no_other_agencys_work(client, challenge, owner):
    factories.submitted_proposal(challenge_page=challenge, owner=owner)
    elsewhere = factories.official_elsewhere()
    client.force_login(elsewhere)
    html = client.get("/workspace/").text
    assert "/workspace/approvals/#proposals-to-screen" not in html
    assert "Tidak ada yang menunggu Anda di sini." in html


def test_the_official_sees_results_to_publish(client, challenge, official, finance, owner):
    factories.allocation(challenge, finance=finance)
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner)
    factories.awarded_proposal(proposal, official=official)
    client.force_login(official)
    assert _task(1, "/workspace/approvals/#results-to-publish") in client.get("/workspace/").text
    assert f"/challenges/{challenge.slug}/#winners" in client.get("/workspace/approvals/").text
    factories.publish_results(challenge, official)
    assert "/workspace/approvals/#results-to-publish" not in client.get("/workspace/").text


def test_the_finance_home_counts_pledges_and_the_sponsor_sees_their_own(client, challenge, finance, sponsor):
    _pledge(challenge, sponsor)
    _pledge(challenge, factories.UserFactory(roles=["sponsor"]))
    client.force_login(finance)
    html = client.get("/workspace/").text
    assert _task(2, "/workspace/finance/#sponsor-contributions") in html
    assert "Janji transfer yang perlu dicocokkan" in html
    assert _areas_linked(html) == {"finance"}
    assert 'id="sponsor-contributions"' in client.get("/workspace/finance/").text
    for area in ["proposals", "approvals", "reviews"]:
        assert client.get(f"/workspace/{area}/").status_code == 403, area

    client.force_login(sponsor)
    html = client.get("/workspace/").text
    assert _task(1, "/workspace/finance/#my-contributions") in html
    assert "/workspace/finance/#sponsor-contributions" not in html
    finance_page = client.get("/workspace/finance/").text
    assert 'id="my-contributions"' in finance_page and 'id="sponsor-contributions"' not in finance_page


def test_a_role_with_nothing_to_do_gets_next_steps(client):
    head = factories.UserFactory(roles=["agency_head"])
    client.force_login(head)
    html = client.get("/workspace/").text
    assert "Tidak ada yang perlu Anda kerjakan saat ini." in html
    assert 'href="/admin/">Buka admin</a>' in html
    assert _areas_linked(html) == set()

    newcomer = factories.UserFactory()
    client.force_login(newcomer)
    html = client.get("/en/workspace/").text
    assert "Nothing needs you right now." in html
    assert "/organisations/new/" in html and "?status=open" in html


# A fixed number of queries ---------------------------------------------------------------------


def test_the_home_runs_the_same_queries_with_one_or_twenty_of_each(
    client, challenge, official, django_assert_max_num_queries
):
    everyone = factories.UserFactory(roles=["official", "reviewer", "finance", "sponsor", "agency_head"])
    challenge.agency.officials.add(everyone)
    organisation = factories.organisation(everyone, name="Koperasi Semua Peran")
    inviter = factories.UserFactory()
    elsewhere = factories.challenge()  # where the official may apply and sponsor

    def add(n: int) -> None:
        for i in range(n):
            _draft(everyone, organisation, elsewhere, title=f"Draf {i}")
            other = factories.organisation(inviter, name=f"Yayasan {i}-{timezone.now().timestamp()}")
            organisations_services.invitation_create(organisation=other, by=inviter, email=everyone.email)
            question_services.question_ask(challenge=challenge, by=inviter, body=f"Pertanyaan {i}?")
            factories.submitted_proposal(challenge_page=challenge, owner=factories.UserFactory())
            _pledge(elsewhere, everyone)
        for proposal in [
            factories.proposal_in_review(challenge, official=official, title=f"U{i}") for i in range(n)
        ]:
            factories.assign(proposal, everyone)

    add(1)
    client.force_login(everyone)
    client.get("/workspace/")  # warm the session and caches
    with CaptureQueriesContext(connection) as one, django_assert_max_num_queries(40):
        first = client.get("/workspace/").text
    add(19)
    with CaptureQueriesContext(connection) as twenty, django_assert_max_num_queries(40):
        html = client.get("/workspace/").text
    assert _task(1, "/workspace/proposals/#proposals-next") in first
    assert _task(20, "/workspace/proposals/#proposals-next") in html
    assert _task(20, "/workspace/approvals/#questions-to-answer") in html
    assert _task(20, "/workspace/finance/#my-contributions") in html
    assert _task(20, "/workspace/organisations/#organisation-invitations") in html
    assert len(twenty) == len(one), [q["sql"] for q in twenty]
