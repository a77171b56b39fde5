"""The accounts money passes through on its way to a grantee, and the ledger postings of a
commitment and of a disbursement (the table in ``payments.disbursement_workflow``). Each posting
is idempotent by its key."""

from __future__ import annotations

from core.actors import Actor
from payments import ledger
from payments.models import Account, Commitment, Disbursement, Fund, Recipient, Transaction

# Rails whose provider takes the money at once and confirms later: the money waits in the
# rail's clearing account between "sent" and "paid".
CLEARING_RAILS = {Recipient.Rail.STRIPE}


# Accounts ---------------------------------------------------------------------------------------


def committed_account(fund: Fund) -> Account:
    """What a fund has promised to awards and not yet released to a grantee."""
    return ledger.account(
        f"fund:{fund.pk}:committed",
        name=f"Komitmen {fund}"[:255],
        kind=Account.Kind.COMMITTED,
        fund=fund,
        currency=fund.currency,
    )


def receivable_account(payee_reference: str, currency: str) -> Account:
    """What is owed to one payee: released, not yet paid out (across funds; each entry's
    transaction names its fund)."""
    return ledger.account(
        f"receivable:{payee_reference}"[:64],
        name=f"Hak penerima {payee_reference}",
        kind=Account.Kind.RECEIVABLE,
        currency=currency,
    )


def clearing_account(rail: str, currency: str) -> Account:
    """Money handed to a provider and not yet confirmed by it."""
    return ledger.account(
        f"clearing:{rail}", name=f"Dalam proses di {rail}", kind=Account.Kind.CLEARING, currency=currency
    )


def grants_paid_account() -> Account:
    return ledger.account(
        ledger.GRANTS_PAID_CODE, name="Hibah dan hadiah dibayarkan", kind=Account.Kind.GRANTS_PAID
    )


def commitment_key(commitment: Commitment) -> str:
    return f"commitment:{commitment.pk}"


def commitment_post(commitment: Commitment, amount: int, *, by: Actor) -> Transaction:
    """Move ``amount`` of the fund's cash to its committed account (the caller holds the fund's
    lock and has checked that the fund holds it). Idempotent per commitment."""
    fund = commitment.fund
    txn, _created = ledger.post(
        kind=Transaction.Kind.AWARD,
        fund=fund,
        by=by,
        reference=commitment.reference,
        description=f"Komitmen {commitment.reference}",
        idempotency_key=commitment_key(commitment),
        commitment=commitment,
        legs=[(committed_account(fund), amount), (ledger.fund_cash_account(fund), -amount)],
    )
    return txn


# A disbursement's movements ---------------------------------------------------------------------------------


def description_of(disbursement: Disbursement) -> str:
    return disbursement.description or disbursement.reference


def released_key(disbursement: Disbursement) -> str:
    return f"payout:{disbursement.pk}:released"


def paid_key(disbursement: Disbursement) -> str:
    return f"disbursement:{disbursement.pk}:attempt:{disbursement.attempts}:paid"


def post_released(disbursement: Disbursement, *, by: Actor) -> Transaction:
    """Committed → the payee's receivable. Idempotent (once per disbursement)."""
    fund, amount = disbursement.fund, disbursement.amount
    txn, _created = ledger.post(
        kind=Transaction.Kind.DISBURSEMENT,
        fund=fund,
        by=by,
        reference=disbursement.reference,
        description=description_of(disbursement),
        idempotency_key=released_key(disbursement),
        commitment=disbursement.commitment,
        legs=[
            (receivable_account(disbursement.payee_reference, disbursement.currency), amount),
            (committed_account(fund), -amount),
        ],
    )
    return txn


def post_sent(disbursement: Disbursement) -> None:
    """The payee's receivable → the rail's clearing account (rails that confirm later)."""
    if disbursement.rail not in CLEARING_RAILS:
        return
    amount = disbursement.amount
    ledger.post(
        kind=Transaction.Kind.DISBURSEMENT,
        fund=disbursement.fund,
        reference=disbursement.gateway_reference,
        description=description_of(disbursement),
        idempotency_key=f"payout:{disbursement.pk}:attempt:{disbursement.attempts}:sent",
        commitment=disbursement.commitment,
        legs=[
            (clearing_account(disbursement.rail, disbursement.currency), amount),
            (receivable_account(disbursement.payee_reference, disbursement.currency), -amount),
        ],
    )
