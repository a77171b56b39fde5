"""Reconciliation: does the ledger agree with the records that caused it, and with the gateway?

One run compares what changed since the previous run (with some overlap, so nothing falls
between two runs) and stores a ``ReconciliationRun`` listing every difference as a small JSON
record (``code`` plus the facts; :func:`describe` words it in the reader's language). It then
announces ``signals.reconciliation_finished`` after the commit; marketplace tells the finance
officers.

What is compared:

* Always (both rails): every transaction of the window balances to zero per currency; every
  disbursement that is paid, every contribution that was received (a card payment or a pledge
  confirmed against the bank statement) and every refund that succeeded has its ledger
  transaction, for its amount, with its bank or gateway reference; and every such ledger
  transaction belongs to a record in that state (a disbursement's transaction, less its
  reversals, equals its amount when paid and nothing otherwise).
* With Stripe configured: the payment intents, refunds and transfers (with their reversals)
  created at Stripe since the window opened, against the Contribution, Refund and Disbursement
  rows, both ways (at Stripe and not here; here and not at Stripe), and their amount, currency,
  status and destination; more than one transfer for one disbursement is a double payment.
  Transfers reversed later are found through the ``transfer.reversed`` events received.
  Stripe's balance transactions: each payment, refund and transfer moved the balance by what the
  ledger records; each fee Stripe took on a received payment is in the ledger (a ``fee``
  transaction, ``payments.gateway_balance``) for its amount; each payout to the bank is in the
  books (``GatewayPayout``) for its amount, and each payout in the books is at Stripe.

Objects younger than ``settle`` are left to the next run: a webhook may still be on its way."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actors import Actor
from payments import signals
from payments.gateways import stripe_configured
from payments.interface import GatewayUnavailable
from payments.models import (
    ReconciliationRun,
)
from payments.reconciliation_checks import Checker

logger = logging.getLogger(__name__)

# A run looks back this far before the previous run's start, so an object created while that run
# was running, or younger than its settle time, is compared by this one.
OVERLAP = datetime.timedelta(minutes=15)
# Objects younger than this are compared by the next run (their webhook may not have arrived).
SETTLE = datetime.timedelta(minutes=5)


@dataclass
class ReconciliationResult:
    run: ReconciliationRun
    # "manual" always; "stripe" when Stripe is configured.
    rails: list[str]
    # How many records of each kind were compared, e.g. {"transfers": 12}.
    compared: dict[str, int] = field(default_factory=dict)

    @property
    def differences(self) -> list[dict]:
        return self.run.differences


def last_run() -> ReconciliationRun | None:
    return ReconciliationRun.objects.filter(finished_at__isnull=False).first()


def reconcile(
    *, by: Actor = None, settle: datetime.timedelta = SETTLE, full: bool = False
) -> ReconciliationResult:
    """Compare the ledger with its records and, when configured, with Stripe; store and return
    the run. ``full`` compares everything instead of what changed since the previous run. Never
    raises for a gateway outage: the run records the error (and the local comparison)."""
    previous = ReconciliationRun.objects.filter(finished_at__isnull=False, error="").first()
    run = ReconciliationRun.objects.create(
        since=None if full or previous is None else previous.started_at, triggered_by=by
    )
    window_start = run.since - OVERLAP if run.since else None
    checker = Checker(window_start=window_start, cutoff=run.started_at - settle)
    rails = ["manual"]
    try:
        checker.check_ledger()
        if stripe_configured():
            rails.append("stripe")
            checker.check_stripe()
    except GatewayUnavailable as exc:
        run.error = _("The payment provider could not be reached: %(error)s") % {"error": exc}
    except Exception as exc:  # a run must always be recorded, whatever failed
        logger.exception("Reconciliation run %s failed", run.pk)
        run.error = f"{type(exc).__name__}: {exc}"
    run.differences = checker.differences
    run.finished_at = timezone.now()
    run.save(update_fields=["differences", "finished_at", "error"])
    transaction.on_commit(
        lambda: signals.reconciliation_finished.send(sender=ReconciliationRun, run=run), robust=True
    )
    return ReconciliationResult(run=run, rails=rails, compared=dict(checker.compared))
