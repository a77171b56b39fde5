"""The ledger's invariants, held over random sequences of money operations (hypothesis).

A state machine drives the public services — budget allocations, awards' commitments and their
release, disbursements requested, released by a finance officer who did not request them (the
send task runs on commit: the manual rail instructs the treasury), recorded as paid with the
treasury's bank reference and proof, or cancelled — and sponsors' pledges, their confirmation
and refunds, and keeps a plain model of what should have happened. After every
step, read through the public selectors and the ledger itself:

* the books balance: every transaction's entries sum to zero per currency;
* a fund never promises more than it holds: its commitments not yet paid out never exceed its
  money in (allocations + contributions received − refunds) less what it paid out, i.e.
  ``fund_available`` ≥ 0;
* an award never pays out more than it promised: a commitment's disbursements (requested, and
  paid) never exceed it;
* no balance goes negative: the fund's cash, what it has available and what it has committed,
  and every account that holds money on its way out (committed, owed to a grantee, in a
  gateway's clearing, paid out); the external sources are never debited past zero;
* the ledger totals match the records: the selectors' figures equal the model's; the budget,
  sponsor and grants-paid accounts equal the sums of the allocations, contributions less
  refunds, and paid disbursements; and at the end of each example the reconciliation finds no
  difference.

Each rule also checks that the service refused exactly what the model says it must refuse.

Every example runs inside a savepoint rolled back at its end (the ledger's rows cannot be
deleted, not even by a test)."""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Sum
from django.test import TestCase
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from payments import api as payments_api
from payments.errors import PaymentError
from payments.models import Account, Commitment, Contribution, Disbursement, Entry, Refund
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.long,
    pytest.mark.usefixtures("english_messages", "private_media"),
]


MILLION = 1_000_000_00  # Rp 1.000.000 in minor units
FUND_COUNT = 2
_unique = itertools.count(1)


def amounts(low: int = 1, high: int = 40):
    """Whole millions of rupiah: big enough to cross every limit, small enough to collide."""
    return st.integers(low, high).map(lambda n: n * MILLION)


# Optional operations: the money-in services plug in when present -----------------------------

HAS_PLEDGES = all(
    hasattr(payments_api, name) for name in ("contribution_create", "pledge_confirm", "contribution_refund")
)


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PAYEES = [f"organisation:prop-{index}" for index in range(3)]


def _proof() -> SimpleUploadedFile:
    return SimpleUploadedFile("sp2d.pdf", PDF, content_type="application/pdf")


# The model ------------------------------------------------------------------------------------


@dataclass
class FundModel:
    allocated: int = 0
    received: int = 0  # contributions counted (gross)
    refunded: int = 0
    paid: int = 0

    @property
    def money_in(self) -> int:
        return self.allocated + self.received - self.refunded


@dataclass
class CommitmentModel:
    pk: int
    fund: int
    amount: int
    released: bool = False
    requested: int = 0  # disbursements requested (any status but cancelled)
    paid: int = 0


@dataclass
class DisbursementModel:
    pk: int
    commitment: int
    amount: int
    requested_by: int
    status: str = Disbursement.Status.PENDING


@dataclass
class ContributionModel:
    pk: int
    fund: int
    amount: int
    received: bool = False
    refunded: int = 0


@dataclass
class Model:
    funds: list[FundModel] = field(default_factory=lambda: [FundModel() for _ in range(FUND_COUNT)])
    commitments: dict[int, CommitmentModel] = field(default_factory=dict)

    def promised(self, fund: int) -> int:
        return sum(c.amount for c in self.commitments.values() if c.fund == fund and not c.released)

    def outstanding(self, fund: int) -> int:
        return self.promised(fund) - self.funds[fund].paid

    def available(self, fund: int) -> int:
        f = self.funds[fund]
        return f.money_in - f.paid - self.outstanding(fund)


# The machine ----------------------------------------------------------------------------------


class LedgerMachine(RuleBasedStateMachine):
    # Set by the test: users and funds made once, outside the examples' savepoints.
    finance_a = finance_b = official = sponsor = None
    fund_objects: list = []

    commitments = Bundle("commitments")
    tried_commitments = Bundle("tried_commitments")  # released, or refused release
    disbursements = Bundle("disbursements")  # requested, not yet paid or cancelled
    pledges = Bundle("pledges")
    received = Bundle("received")

    def __init__(self):
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.model = Model()
        self.steps = 0
        self.open_pledges = 0

    def fund(self, index: int):
        return self.fund_objects[index]

    def expect(self, allowed: bool, operation, what: str):
        """Run ``operation``; it must succeed when ``allowed`` and be refused with a
        PaymentError otherwise. Returns its result (None when refused)."""
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                result = operation()
        except PaymentError as exc:
            assert not allowed, f"{what} was refused although the model allows it: {exc.message}"
            return None
        assert allowed, f"{what} went through although the model forbids it"
        return result

    # Money promised and paid out --------------------------------------------------------------

    @rule(target=commitments, fund=st.integers(0, FUND_COUNT - 1), amount=amounts(1, 30))
    def commit(self, fund, amount):
        allowed = amount <= self.model.available(fund)
        commitment = self.expect(
            allowed,
            lambda: payments_api.commitment_create(
                fund=self.fund(fund), reference=f"award:{next(_unique)}", amount=amount, by=self.official
            ),
            f"commitment of {amount} (available {self.model.available(fund)})",
        )
        if commitment is None:
            return multiple()
        state = CommitmentModel(pk=commitment.pk, fund=fund, amount=amount)
        self.model.commitments[commitment.pk] = state
        return state

    @rule(target=tried_commitments, commitment=consumes(commitments))
    def release_commitment(self, commitment):
        """The grantee declines. Refused while a payment (not cancelled) exists; either way the
        commitment leaves the main pool, so most commitments live long enough to be paid."""
        allowed = commitment.requested == 0
        result = self.expect(
            allowed or commitment.released,
            lambda: payments_api.commitment_release(
                commitment=Commitment.objects.get(pk=commitment.pk),
                by=self.official,
                reason="Ditolak pemenang",
            ),
            "commitment release",
        )
        if result is not None:
            commitment.released = True
        return commitment

    @rule(target=tried_commitments, commitment=tried_commitments)
    def release_commitment_again(self, commitment):
        return self.release_commitment(commitment)

    @rule(
        target=disbursements,
        commitment=commitments,
        share=st.sampled_from([1, 2, 3]),
        extra=st.booleans(),
        by_finance=st.booleans(),
        payee=st.sampled_from(PAYEES),
    )
    def request_disbursement(self, commitment, share, extra, by_finance, payee):
        return self._request(commitment, share, extra, by_finance, payee)

    @rule(
        target=disbursements,
        commitment=tried_commitments,
        share=st.sampled_from([1, 2]),
        by_finance=st.booleans(),
    )
    def request_after_release(self, commitment, share, by_finance):
        """Nothing can be paid against a released commitment."""
        return self._request(commitment, share, False, by_finance, PAYEES[0])

    def _request(self, commitment, share, extra, by_finance, payee):
        # Sometimes exactly what is left, sometimes a bit more than is left.
        left = commitment.amount - commitment.requested
        amount = max(commitment.amount // share, 1) + (MILLION if extra else 0)
        allowed = not commitment.released and amount <= left
        # An official approves a milestone; a finance officer may have asked too (four-eyes then
        # bars them from releasing it).
        requester = self.finance_a if by_finance else self.official
        disbursement = self.expect(
            allowed,
            lambda: payments_api.disbursement_create(
                commitment=Commitment.objects.get(pk=commitment.pk),
                reference=f"milestone:{next(_unique)}",
                amount=amount,
                payee_reference=payee,
                requested_by=requester,
                description="Tahap pembayaran",
            ),
            f"disbursement of {amount} (left {left}, released {commitment.released})",
        )
        if disbursement is None:
            return multiple()
        commitment.requested += amount
        return DisbursementModel(
            pk=disbursement.pk, commitment=commitment.pk, amount=amount, requested_by=requester.pk
        )

    def releaser(self, disbursement):
        """A finance officer who did not request it."""
        return self.finance_b if disbursement.requested_by == self.finance_a.pk else self.finance_a

    @rule(disbursement=disbursements)
    def release(self, disbursement):
        """Released and, on commit, sent: the manual rail hands the instruction to the treasury."""
        allowed = disbursement.status == Disbursement.Status.PENDING
        result = self.expect(
            allowed,
            lambda: payments_api.disbursement_release(
                disbursement=Disbursement.objects.get(pk=disbursement.pk), by=self.releaser(disbursement)
            ),
            f"release of a {disbursement.status} disbursement",
        )
        if result is not None:
            disbursement.status = Disbursement.objects.get(pk=disbursement.pk).status
            assert disbursement.status in (Disbursement.Status.RELEASED, Disbursement.Status.SENT)

    @rule(target=disbursements, disbursement=consumes(disbursements))
    def release_and_record_paid(self, disbursement):
        """The whole way in one step (else few examples get that far)."""
        if disbursement.status == Disbursement.Status.PENDING:
            self.release(disbursement)
        return self.record_paid(disbursement)

    @rule(target=disbursements, disbursement=consumes(disbursements))
    def record_paid(self, disbursement):
        allowed = disbursement.status in (Disbursement.Status.RELEASED, Disbursement.Status.SENT)
        result = self.expect(
            allowed,
            lambda: payments_api.disbursement_record_paid(
                disbursement=Disbursement.objects.get(pk=disbursement.pk),
                by=self.releaser(disbursement),
                bank_reference=f"SP2D-{next(_unique)}",
                proof=_proof(),
            ),
            f"payment recorded for a {disbursement.status} disbursement",
        )
        if result is None:
            return multiple(disbursement)  # still open: keep it
        disbursement.status = Disbursement.Status.PAID
        commitment = self.model.commitments[disbursement.commitment]
        commitment.paid += disbursement.amount
        self.model.funds[commitment.fund].paid += disbursement.amount
        return multiple()

    @rule(target=disbursements, disbursement=consumes(disbursements))
    def cancel(self, disbursement):
        # Manual rail: until the payment is recorded, it can be cancelled (the treasury did not
        # pay, or the bank returned the transfer).
        allowed = disbursement.status in (
            Disbursement.Status.PENDING,
            Disbursement.Status.RELEASED,
            Disbursement.Status.SENT,
        )
        result = self.expect(
            allowed,
            lambda: payments_api.disbursement_cancel(
                disbursement=Disbursement.objects.get(pk=disbursement.pk),
                by=self.releaser(disbursement),
                reason="Tahap dibatalkan",
            ),
            f"cancellation of a {disbursement.status} disbursement",
        )
        if result is None:
            return multiple(disbursement)
        disbursement.status = Disbursement.Status.CANCELLED
        self.model.commitments[disbursement.commitment].requested -= disbursement.amount
        return multiple()

    @rule(disbursement=disbursements)
    def requester_cannot_release(self, disbursement):
        """Four-eyes: whoever asked for the payment may not release it (an official may not
        release at all)."""
        requester = self.finance_a if disbursement.requested_by == self.finance_a.pk else self.official
        self.expect(
            False,
            lambda: payments_api.disbursement_release(
                disbursement=Disbursement.objects.get(pk=disbursement.pk), by=requester
            ),
            "release by the requester",
        )

    # Money in ---------------------------------------------------------------------------------

    @initialize(first=amounts(10, 60), second=amounts(0, 60))
    def budgets(self, first, second):
        """Most examples start with money in the funds, so that awards and payments happen."""
        for fund, amount in enumerate((first, second)[:FUND_COUNT]):
            if amount:
                self.allocate(fund, amount)

    # Rules that need nothing from a bundle would be drawn most of the time: these two wait
    # until money runs low or the pledges are dealt with.
    @precondition(lambda self: sum(self.model.available(i) for i in range(FUND_COUNT)) < 40 * MILLION)
    @rule(fund=st.integers(0, FUND_COUNT - 1), amount=amounts(5, 60))
    def allocate(self, fund, amount):
        payments_api.allocation_record(
            fund=self.fund(fund),
            amount=amount,
            by=self.finance_a,
            description="APBD",
            reference=f"DPA-{next(_unique)}",
            idempotency_key=f"prop-{next(_unique)}",
        )
        self.model.funds[fund].allocated += amount

    @precondition(lambda self: HAS_PLEDGES and self.open_pledges < 2)
    @rule(target=pledges, fund=st.integers(0, FUND_COUNT - 1), amount=amounts(1, 20), public=st.booleans())
    def pledge(self, fund, amount, public):
        contribution = payments_api.contribution_create(
            fund=self.fund(fund),
            by=self.sponsor,
            sponsor_name="PT Mitra Sejahtera",
            email="csr@mitra.example.id",
            public=public,
            amount=amount,
            rail=Contribution.Rail.PLEDGE,
        )
        self.open_pledges += 1
        return ContributionModel(pk=contribution.pk, fund=fund, amount=amount)

    @precondition(lambda self: HAS_PLEDGES)
    @rule(target=received, pledge=consumes(pledges))
    def confirm_pledge(self, pledge):
        payments_api.pledge_confirm(
            contribution=Contribution.objects.get(pk=pledge.pk),
            by=self.finance_a,
            bank_reference=f"MUTASI-{next(_unique)}",
        )
        pledge.received = True
        self.open_pledges -= 1
        self.model.funds[pledge.fund].received += pledge.amount
        return pledge

    @precondition(lambda self: HAS_PLEDGES)
    @rule(contribution=received, share=st.sampled_from([1, 2, 4]))
    def refund(self, contribution, share):
        remaining = contribution.amount - contribution.refunded
        amount = max(remaining // share // 100 * 100, 100) if remaining else 100
        allowed = 0 < amount <= remaining and amount <= self.model.available(contribution.fund)
        result = self.expect(
            allowed,
            lambda: payments_api.contribution_refund(
                contribution=Contribution.objects.get(pk=contribution.pk),
                amount=amount,
                reason="Sponsor membatalkan",
                by=self.finance_b,
                idempotency_key=f"refund-{next(_unique)}",
                bank_reference=f"SP2D-R-{next(_unique)}",
            ),
            f"refund of {amount} (remaining {remaining})",
        )
        if result is not None:
            contribution.refunded += amount
            self.model.funds[contribution.fund].refunded += amount

    # Invariants ---------------------------------------------------------------------------------

    @invariant()
    def books_balance(self):
        unbalanced = (
            Entry.objects.values("transaction_id", "currency").annotate(total=Sum("amount")).exclude(total=0)
        )
        assert not unbalanced.exists(), list(unbalanced)

    @invariant()
    def funds_never_promise_more_than_they_hold(self):
        all_figures = payments_api.fund_figures(references=[fund.reference for fund in self.fund_objects])
        for index, fund in enumerate(self.fund_objects):
            model = self.model.funds[index]
            outstanding = payments_api.fund_outstanding_commitments(fund=fund)
            available = payments_api.fund_available(fund=fund)
            assert outstanding == self.model.outstanding(index)
            assert available == self.model.available(index)
            assert 0 <= outstanding <= model.money_in - model.paid, (outstanding, model)
            assert available >= 0
            assert payments_api.fund_balance(fund=fund) == model.money_in - model.paid >= 0
            assert all_figures[fund.reference] == {
                "received": model.money_in,
                "committed": self.model.promised(index),
                "disbursed": model.paid,
            }

    @invariant()
    def awards_never_pay_more_than_promised(self):
        rows = Commitment.objects.filter(fund__in=self.fund_objects).values("pk", "amount")
        requested = dict(
            Disbursement.objects.exclude(status=Disbursement.Status.CANCELLED)
            .values_list("commitment_id")
            .annotate(total=Sum("amount"))
            .values_list("commitment_id", "total")
        )
        paid = dict(
            Disbursement.objects.filter(status=Disbursement.Status.PAID)
            .values_list("commitment_id")
            .annotate(total=Sum("amount"))
            .values_list("commitment_id", "total")
        )
        for row in rows:
            assert requested.get(row["pk"], 0) <= row["amount"]
            assert paid.get(row["pk"], 0) <= row["amount"]
            model = self.model.commitments[row["pk"]]
            assert (requested.get(row["pk"], 0), paid.get(row["pk"], 0)) == (model.requested, model.paid)

    @invariant()
    def no_balance_goes_negative_and_totals_match(self):
        holding = (
            Account.Kind.FUND,
            Account.Kind.COMMITTED,
            Account.Kind.RECEIVABLE,
            Account.Kind.CLEARING,
            Account.Kind.GRANTS_PAID,
        )
        balances = defaultdict(int)
        per_account = Entry.objects.values("account_id", "account__kind").annotate(total=Sum("amount"))
        for row in per_account:
            balances[row["account__kind"]] += row["total"]
            # Accounts that hold money (debit balances) never go below zero; the sources are
            # credited as money comes in and never debited past what they gave.
            if row["account__kind"] in holding:
                assert row["total"] >= 0, row
            else:
                assert row["total"] <= 0, row
        funds = self.model.funds
        assert balances[Account.Kind.BUDGET_SOURCE] == -sum(f.allocated for f in funds)
        assert balances[Account.Kind.SPONSOR_SOURCE] == -sum(f.received - f.refunded for f in funds)
        assert balances[Account.Kind.GRANTS_PAID] == sum(f.paid for f in funds)
        # What the records say, against the model.
        refunded = Refund.objects.filter(status=Refund.Status.SUCCEEDED).aggregate(total=Sum("amount"))[
            "total"
        ]
        assert (refunded or 0) == sum(f.refunded for f in funds)
        paid = Disbursement.objects.filter(status=Disbursement.Status.PAID).aggregate(total=Sum("amount"))[
            "total"
        ]
        assert (paid or 0) == sum(f.paid for f in funds)

    @invariant()
    def reconciliation_finds_nothing(self):
        """Every few steps (it reads everything): the books agree with their records."""
        self.steps += 1
        if self.steps % 10:
            return
        run = payments_api.reconcile(full=True, settle=datetime.timedelta(0)).run
        assert run.differences == [] and run.error == "", (run.differences, run.error)

    def teardown(self):
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)


def test_ledger_invariants_hold_over_random_operations():
    LedgerMachine.finance_a = UserFactory(roles=["finance"])
    LedgerMachine.finance_b = UserFactory(roles=["finance"])
    LedgerMachine.official = UserFactory(roles=["official"])
    LedgerMachine.sponsor = UserFactory(roles=["sponsor"])
    LedgerMachine.fund_objects = [
        payments_api.fund_get_or_create(reference=f"challenge:prop-{index}", name=f"Dana uji {index}")
        for index in range(FUND_COUNT)
    ]
    for payee in PAYEES:  # the manual rail pays only to bank details an official verified
        payments_api.recipient_set_bank_account(
            payee_reference=payee,
            bank_name="Bank NTT",
            account_holder="Koperasi Uji",
            account_number="0012345678",
        )
        payments_api.recipient_verify_bank_account(payee_reference=payee, by=LedgerMachine.official)
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
        ),
    )
