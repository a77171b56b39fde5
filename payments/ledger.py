"""The double-entry ledger's primitives: accounts, one balanced transaction per money
movement (idempotent by key), and the audit announcement. Every write of money in payments goes
through ``post``; the database refuses to change or delete what it wrote (migration 0002), and each
transaction is hash-chained to the one before it (core/chains.py, migration 0003)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import chains
from core.actors import Actor
from core.money import format_money, max_amount, plausible_amount
from payments import fund_balances, signals
from payments.errors import PaymentError
from payments.models import Account, Commitment, Entry, Fund, Transaction

BUDGET_SOURCE_CODE = "source:apbd"
SPONSOR_SOURCE_CODE = "source:sponsors"
GRANTS_PAID_CODE = "grants:paid"

LEDGER_CHAIN = "ledger"


def transaction_content(txn: Transaction, legs: list[tuple[int, int, str]] | None = None) -> dict:
    """What a ledger transaction's chain hash covers: its fields and its entries (account id,
    amount, currency; sorted). ``legs`` for a transaction whose entries are not saved yet."""
    if legs is None:
        legs = [(entry.account_id, entry.amount, entry.currency) for entry in txn.entries.all()]
    return {
        "kind": txn.kind,
        "fund": txn.fund_id,
        "description": txn.description,
        "reference": txn.reference,
        "idempotency_key": txn.idempotency_key,
        "created_by": txn.created_by_id,
        "created_at": txn.created_at,
        "reverses": txn.reverses_id,
        "entries": sorted([list(leg) for leg in legs]),
    }


chains.register(
    chains.Chain(name=LEDGER_CHAIN, model=Transaction, content=transaction_content, prefetch=("entries",))
)


def audit(*, actor: Actor, action: str, obj, after: dict | None = None, before: dict | None = None) -> None:
    signals.audit.send(
        sender=type(obj),
        actor=actor,
        action=action,
        object_type=f"payments.{type(obj).__name__.lower()}",
        object_id=str(obj.pk),
        before=before,
        after=after,
    )


def require_positive(amount: int) -> None:
    """A positive whole amount below the plausibility ceiling (``MONEY_MAX_RUPIAH``): every
    service checks its amount here, so no write can overflow a bigint column."""
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise PaymentError(_("The amount must be a whole number greater than zero."))
    if not plausible_amount(amount):
        raise PaymentError(_("The amount may be at most %(max)s.") % {"max": format_money(max_amount())})


def account(code: str, *, name: str, kind: str, fund: Fund | None = None, currency: str = "IDR") -> Account:
    account, _created = Account.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "fund": fund, "currency": currency}
    )
    return account


def fund_cash_account(fund: Fund) -> Account:
    return account(
        fund.cash_account_code, name=f"Dana {fund}", kind=Account.Kind.FUND, fund=fund, currency=fund.currency
    )


def post(
    *,
    kind: str,
    fund: Fund,
    description: str,
    idempotency_key: str,
    legs: list[tuple[Account, int]],
    by: Actor = None,
    reference: str = "",
    reverses: Transaction | None = None,
    commitment: Commitment | None = None,
) -> tuple[Transaction, bool]:
    """Write one balanced transaction; returns (transaction, created). A key used before
    returns the transaction it wrote then. ``reverses`` names the transaction a reversal undoes
    (set here because the row can never be updated afterwards); ``commitment`` the award
    commitment the movement belongs to (a reversal belongs to the one its original does). The
    fund's running totals (``FundBalance``) change in the same database transaction."""
    if commitment is None and reverses is not None:
        commitment = reverses.commitment
    if sum(amount for _account, amount in legs) != 0:
        raise PaymentError("Unbalanced transaction")  # a programming error, never user input
    for _account, amount in legs:
        if not plausible_amount(amount):
            raise PaymentError(_("The amount may be at most %(max)s.") % {"max": format_money(max_amount())})
    existing = Transaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            txn = Transaction(
                kind=kind,
                fund=fund,
                description=description[:255],
                reference=reference[:64],
                idempotency_key=idempotency_key,
                created_by=by,
                reverses=reverses,
                commitment=commitment,
            )
            hashed_legs = [(account.pk, amount, fund.currency) for account, amount in legs]
            chains.append(LEDGER_CHAIN, lambda prev_hash: (txn, transaction_content(txn, hashed_legs)))
            Entry.objects.bulk_create(
                Entry(transaction=txn, account=account, amount=amount, currency=fund.currency)
                for account, amount in legs
            )
            reverses_kind = reverses.kind if reverses is not None else None
            fund_balances.add(fund, fund_balances.classify(kind=kind, reverses_kind=reverses_kind, legs=legs))
    except IntegrityError:
        return Transaction.objects.get(idempotency_key=idempotency_key), False
    return txn, True
