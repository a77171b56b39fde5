"""Each fund's kept totals (FundBalance) against the sums of its ledger entries: the public
figures read the kept totals, so they must always equal what the entries add up to, and what
an undisclosed award moved must stay out of them."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from payments import api as payments_api
from payments import fund_balances
from payments.models import Entry, FundBalance
from payments.selectors import hidden_from_public
from tests import factories

pytestmark = pytest.mark.django_db


def public_sums_from_entries() -> dict[str, dict[str, int]]:
    """The public figures the slow way: every entry the public may see, summed."""
    from payments.models import Fund

    reference_of = dict(Fund.objects.values_list("pk", "reference"))
    summed = fund_balances.sums(Entry.objects.exclude(hidden_from_public("transaction__")))
    return {reference_of[fund_id]: totals for fund_id, totals in summed.items()}


@pytest.fixture
def funded_world(finance, official):
    """Two challenges: one whose award is published and partly paid, with a sponsor; one whose
    award is decided but not yet published."""
    owner = factories.UserFactory()
    published = factories.challenge(officials=[official])
    factories.allocation(published, finance=finance, amount=300_000_000_00)
    factories.sponsor_pledge(published, finance=finance, amount=25_000_000_00)
    proposal = factories.submitted_proposal(challenge_page=published, owner=owner, amount=45_000_000_00)
    award = factories.awarded_proposal(proposal, official=official)
    factories.publish_results(published, official)
    factories.milestone_paid(award, owner=owner, official=official, finance=finance)

    undisclosed = factories.challenge(officials=[official], title="Tantangan belum diumumkan")
    factories.allocation(undisclosed, finance=finance, amount=200_000_000_00, idempotency_key="dpa-2")
    other = factories.submitted_proposal(
        challenge_page=undisclosed, owner=factories.UserFactory(), amount=30_000_000_00
    )
    factories.awarded_proposal(other, official=official)
    return published, undisclosed


def test_kept_totals_equal_the_sums_of_the_entries(funded_world):
    assert fund_balances.mismatches() == {}
    call_command("verify_fund_balances")


def test_public_figures_equal_the_visible_entries_and_leave_the_undisclosed_award_out(funded_world):
    published, undisclosed = funded_world
    figures = payments_api.public_fund_totals()
    assert figures == public_sums_from_entries()
    assert figures[f"challenge:{published.pk}"] == {
        "allocated": 300_000_000_00,
        "sponsored": 25_000_000_00,
        "returned": 0,
        "awarded": 45_000_000_00,
        "paid": 15_000_000_00,
    }
    # The undecided award reserved Rp 30 juta: the public still sees the whole allocation free.
    assert figures[f"challenge:{undisclosed.pk}"]["awarded"] == 0
    assert figures[f"challenge:{undisclosed.pk}"]["allocated"] == 200_000_000_00


def test_publishing_the_results_shows_the_award_without_touching_the_kept_totals(funded_world, official):
    _published, undisclosed = funded_world
    kept_before = fund_balances.kept()
    factories.publish_results(undisclosed, official)
    assert payments_api.public_fund_totals()[f"challenge:{undisclosed.pk}"]["awarded"] == 30_000_000_00
    assert fund_balances.kept() == kept_before


def test_the_check_names_a_fund_whose_kept_totals_drifted(funded_world):
    published, _undisclosed = funded_world
    FundBalance.objects.filter(fund__reference=f"challenge:{published.pk}").update(paid=1)
    with pytest.raises(CommandError, match="1 fund"):
        call_command("verify_fund_balances")
    call_command("verify_fund_balances", "--rebuild")
    assert fund_balances.mismatches() == {}


def test_public_figures_cost_the_same_queries_for_one_fund_or_many(funded_world, django_assert_num_queries):
    with django_assert_num_queries(3):
        payments_api.public_fund_totals()
    published, _undisclosed = funded_world
    with django_assert_num_queries(3):
        payments_api.public_fund_totals(references=[f"challenge:{published.pk}"])
