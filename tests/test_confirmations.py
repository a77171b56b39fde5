"""Irreversible steps ask first: the button's POST answers with a page saying what will happen
(what, to whom, how much, that it cannot be undone), and only the POST from that page's "Yes"
does it. The review's submission is covered in tests/review/test_review_form.py."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from django.utils.translation import gettext

from core.money import format_money
from marketplace.awards.models import Milestone
from marketplace.proposals.models import Proposal
from payments.models import Disbursement
from tests import factories
from tests.support.module_data import rolled_back_after_module
from tests.test_permissions import (
    ANONYMOUS,
    APPLICANT,
    FINANCE,
    OFFICIAL,
    OTHER_APPLICANT,
    OTHER_OFFICIAL,
    REFUSED,
    REVIEWER,
    SPONSOR,
    Scene,
    build_scene,
    login_redirect,
    sign_in,
    state,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    """The permission tests' scene, built once and rolled back after the module."""
    with rolled_back_after_module(django_db_blocker):
        yield build_scene()


def indonesian(message: str) -> str:
    with translation.override("id"):
        return gettext(message)


@dataclass(frozen=True)
class Step:
    name: str
    role: str
    url: Callable[[Scene], str]
    # What the page must say: the question, the facts (amounts in rupiah, the payee).
    says: Callable[[Scene], list[str]]
    button: str
    done: Callable[[Scene], bool]
    refused: list[str]
    prepare: Callable[[Scene], None] = lambda s: None


def _publish_ready(s: Scene) -> None:
    factories.close_challenge(s.challenge)


STEPS = [
    Step(
        "proposal_submit",
        APPLICANT,
        lambda s: f"/workspace/proposals/{s.draft.pk}/submit/",
        lambda s: [
            indonesian("Submit “%(title)s”?") % {"title": "Draf"},
            "Rp 20.000.000",
            s.challenge.agency.name,
            "Koperasi Digital Sumba",
        ],
        "Yes, submit the proposal",
        lambda s: Proposal.objects.get(pk=s.draft.pk).status == Proposal.Status.SUBMITTED,
        REFUSED["proposal_submit"],
        lambda s: factories.complete_proposal(s.draft, by=s.users[APPLICANT]),
    ),
    Step(
        "proposal_withdraw",
        APPLICANT,
        lambda s: f"/workspace/proposals/{s.submitted.pk}/withdraw/",
        lambda s: [
            indonesian("Withdraw “%(title)s”?") % {"title": "Menunggu keputusan"},
            "Rp 20.000.000",
            s.challenge.agency.name,
        ],
        "Yes, withdraw the proposal",
        lambda s: Proposal.objects.get(pk=s.submitted.pk).status == Proposal.Status.WITHDRAWN,
        [OTHER_APPLICANT, OFFICIAL, OTHER_OFFICIAL, FINANCE, REVIEWER, SPONSOR],
    ),
    Step(
        "milestone_approve",
        OFFICIAL,
        lambda s: f"/workspace/milestones/{s.reported.pk}/approve/",
        lambda s: [
            indonesian("Approve the milestone “%(title)s”?") % {"title": s.reported.title},
            format_money(s.reported.amount),
            "Koperasi Digital Sumba",
        ],
        "Yes, approve the milestone",
        lambda s: Milestone.objects.get(pk=s.reported.pk).status == Milestone.Status.APPROVED,
        REFUSED["milestone_approve"],
    ),
    Step(
        "disbursement_release",
        FINANCE,
        lambda s: f"/workspace/disbursements/{s.disbursement.pk}/release/",
        lambda s: [
            indonesian("Release %(amount)s to %(payee)s?")
            % {"amount": format_money(s.disbursement.amount), "payee": "Koperasi Digital Sumba"},
            "Pembayaran tahap",  # named by its stage and project, not by its reference
            indonesian("Bank transfer by the regional treasury"),
        ],
        "Yes, release %(amount)s",
        lambda s: Disbursement.objects.get(pk=s.disbursement.pk).status == Disbursement.Status.RELEASED,
        REFUSED["disbursement_release"],
    ),
    Step(
        "results_publish",
        OFFICIAL,
        lambda s: f"/challenges/{s.challenge.slug}/results/publish/",
        lambda s: [
            indonesian("Publish the results of “%(title)s”?") % {"title": s.challenge.title},
            "Koperasi Digital Sumba",
            format_money(s.award.amount),
        ],
        "Yes, publish the results",
        lambda s: type(s.challenge).objects.get(pk=s.challenge.pk).results_published_at is not None,
        REFUSED["results_publish"],
        _publish_ready,
    ),
]


@pytest.mark.parametrize("step", STEPS, ids=[s.name for s in STEPS])
def test_the_step_asks_first_and_only_the_confirmation_does_it(client, scene, step):
    step.prepare(scene)
    url = step.url(scene)
    sign_in(client, scene, step.role)
    before = state()

    asked = client.post(url)
    assert asked.status_code == 200
    page = asked.text
    for fact in step.says(scene):
        assert fact in page, fact
    assert indonesian("This cannot be undone.") in page
    button = indonesian(step.button) % {"amount": format_money(scene.disbursement.amount)}
    assert button in page and indonesian("Back") in page
    # "Yes" posts back here with the confirm field; nothing has happened yet.
    assert f'<form method="post" action="{url}">' in page and 'name="confirm" value="yes"' in page
    assert state() == before and not step.done(scene)

    # Anything but the confirmation's own "yes" still does nothing.
    assert client.post(url, {"confirm": "1"}).status_code == 200
    assert state() == before

    done = client.post(url, factories.CONFIRM)
    assert done.status_code == 302
    assert step.done(scene)


@pytest.mark.parametrize(
    "step, role",
    [(step, role) for step in STEPS for role in [ANONYMOUS, *step.refused]],
    ids=[f"{step.name}-{role}" for step in STEPS for role in [ANONYMOUS, *step.refused]],
)
def test_whoever_may_not_take_the_step_never_sees_its_confirmation(client, scene, step, role):
    step.prepare(scene)
    url = step.url(scene)
    sign_in(client, scene, role)
    before = state()
    response = client.post(url)
    if role == ANONYMOUS:
        assert response.status_code == 302 and response["Location"] == login_redirect(url)
    else:
        assert response.status_code == 403
        assert indonesian("This cannot be undone.") not in response.text
    assert state() == before


def test_the_confirmation_speaks_english_under_en(client, scene):
    sign_in(client, scene, FINANCE)
    page = client.post(f"/en/workspace/disbursements/{scene.disbursement.pk}/release/").text
    amount = format_money(scene.disbursement.amount)
    assert f"Release {amount} to Koperasi Digital Sumba?" in page
    assert "This cannot be undone." in page and f"Yes, release {amount}" in page


def test_a_step_that_would_be_refused_is_not_asked_about(client, scene):
    """An incomplete draft, or a payment the officer may not release: the refusal shows at once,
    with no confirmation page to say yes to first."""
    sign_in(client, scene, APPLICANT)
    before = state()
    response = client.post(f"/workspace/proposals/{scene.draft.pk}/submit/", follow=True)
    assert indonesian("Yes, submit the proposal") not in response.text
    assert response.redirect_chain[-1][0] == f"/workspace/proposals/{scene.draft.pk}/"
    assert response.context["messages"] and state() == before

    official = scene.users[OFFICIAL]  # approved the milestone: four eyes keep them off its payment
    official.groups.add(Group.objects.get(name="finance"))
    sign_in(client, scene, OFFICIAL)
    response = client.post(f"/workspace/disbursements/{scene.disbursement.pk}/release/")
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert indonesian("This cannot be undone.") not in response.text
    assert state() == before
