"""An award stays within what was asked and what the challenge offers, and waits for the call
to close: the probe awarded more than requested, more than the challenge's maximum, more
winners than it names, and published results while the challenge was still open."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from core.errors import DomainError
from marketplace.awards.models import Award
from marketplace.awards.services import awards as awards_services
from marketplace.challenges.models import ChallengePage
from payments.models import Commitment
from tests import factories

pytestmark = pytest.mark.django_db


def _award(proposal, official, amount):
    due = timezone.localdate() + datetime.timedelta(days=30)
    return awards_services.award_create(
        proposal=proposal,
        amount=amount,
        milestones=[awards_services.MilestonePlan("Tahap 1", amount, due)],
        by=official,
    )


@pytest.fixture
def call():
    """A challenge with one grant for two winners, a maximum of Rp 50 juta per winner, money in
    its fund and three proposals asking Rp 40 juta each."""
    official = factories.UserFactory(roles=["official"])
    challenge = factories.challenge(officials=[official], incentives=(("grant", 100_000_000_00),))
    challenge.incentives.update(winners=2)
    ChallengePage.objects.filter(pk=challenge.pk).update(max_requested_amount=50_000_000_00)
    factories.allocation(challenge, finance=factories.UserFactory(roles=["finance"]), amount=300_000_000_00)
    proposals = [
        factories.submitted_proposal(
            challenge_page=challenge, owner=factories.UserFactory(), amount=40_000_000_00
        )
        for _ in range(3)
    ]
    return challenge, official, proposals


def _refused(proposal, official, amount) -> str:
    """The refusal's message (in Indonesian); nothing is awarded and no money is committed."""
    commitments = Commitment.objects.count()
    with translation.override("id"), pytest.raises(DomainError) as refusal:
        _award(proposal, official, amount)
    assert not Award.objects.filter(proposal=proposal).exists()
    assert Commitment.objects.count() == commitments
    return refusal.value.message


def test_nothing_is_awarded_while_the_challenge_is_open(call):
    challenge, official, proposals = call
    message = _refused(proposals[0], official, 30_000_000_00)
    assert "ditutup" in message and challenge.agency.region.zone_label in message
    assert Award.objects.count() == 0


def test_results_are_not_published_while_the_challenge_is_open(call):
    challenge, official, proposals = call
    factories.close_challenge(challenge)
    _award(proposals[0], official, 30_000_000_00)
    ChallengePage.objects.filter(pk=challenge.pk).update(
        closes_at=timezone.now() + datetime.timedelta(days=1)
    )

    with pytest.raises(DomainError):
        factories.publish_results(challenge, official)
    assert ChallengePage.objects.get(pk=challenge.pk).results_published_at is None


def test_an_award_may_not_exceed_the_amount_requested(call):
    challenge, official, proposals = call
    factories.close_challenge(challenge)
    message = _refused(proposals[0], official, 40_000_000_01)
    assert "Rp 40.000.000" in message
    assert _award(proposals[0], official, 40_000_000_00).amount == 40_000_000_00


def test_an_award_may_not_exceed_the_challenges_maximum_per_winner(call):
    challenge, official, proposals = call
    factories.close_challenge(challenge)
    proposals[0].__class__.objects.filter(pk=proposals[0].pk).update(requested_amount=90_000_000_00)
    proposals[0].refresh_from_db()
    message = _refused(proposals[0], official, 60_000_000_00)
    assert "Rp 50.000.000" in message


def test_no_more_winners_than_the_challenge_names(call):
    challenge, official, proposals = call
    factories.close_challenge(challenge)
    _award(proposals[0], official, 30_000_000_00)
    _award(proposals[1], official, 30_000_000_00)

    message = _refused(proposals[2], official, 30_000_000_00)

    assert "2" in message
    assert Award.objects.filter(proposal__challenge=challenge).count() == 2


def test_a_declined_award_frees_its_place(call):
    challenge, official, proposals = call
    factories.close_challenge(challenge)
    first = _award(proposals[0], official, 30_000_000_00)
    _award(proposals[1], official, 30_000_000_00)
    from marketplace.awards.services import determinations

    determinations.agreement_decline(
        agreement=first.agreement, by=proposals[0].created_by, reason="Tidak jadi."
    )

    assert _award(proposals[2], official, 30_000_000_00).amount == 30_000_000_00
