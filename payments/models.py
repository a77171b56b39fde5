"""Funds, the double-entry ledger, commitments, recipients, disbursements, gateway calls
and webhook events. Money is always an integer in the currency's minor unit.

payments knows funds, accounts and references ("challenge:12", "milestone:7",
"organisation:3"), never marketplace objects."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import ChainedRow
from core.storage import private_storage


def proof_upload_to(instance, filename: str) -> str:
    """A random name: the uploaded file name is never trusted."""
    return f"payments/proofs/{uuid.uuid4().hex}"


class Fund(models.Model):
    """The pot of money of one challenge (``reference`` is "challenge:<id>")."""

    reference = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255, blank=True)
    currency = models.CharField(max_length=3, default="IDR")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fund")

    def __str__(self) -> str:
        return self.name or self.reference

    @property
    def cash_account_code(self) -> str:
        return f"fund:{self.pk}:cash"


class Account(models.Model):
    class Kind(models.TextChoices):
        FUND = "fund", _("Fund")
        BUDGET_SOURCE = "budget_source", _("Government budget (APBD)")
        SPONSOR_SOURCE = "sponsor_source", _("Sponsor contributions")
        GRANTS_PAID = "grants_paid", _("Grants paid out")
        COMMITTED = "committed", _("Committed to awards")
        RECEIVABLE = "receivable", _("Owed to a grantee")
        CLEARING = "clearing", _("Gateway clearing")
        FEES = "fees", _("Payment provider fees")
        OPERATOR = "operator", _("Operator's budget for provider fees")

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    fund = models.ForeignKey(Fund, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts")
    currency = models.CharField(max_length=3, default="IDR")

    def __str__(self) -> str:
        return self.name


class Transaction(ChainedRow):
    """A set of entries that sums to zero per currency. Never edited; corrections are new ones.
    Hash-chained with its entries (payments/ledger.py, core/chains.py)."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", _("Budget allocation")
        CONTRIBUTION = "contribution", _("Sponsor contribution")
        AWARD = "award", _("Award commitment")
        DISBURSEMENT = "disbursement", _("Disbursement")
        REFUND = "refund", _("Refund")
        REVERSAL = "reversal", _("Reversal")
        CORRECTION = "correction", _("Correction")
        FEE = "fee", _("Payment provider fee")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    fund = models.ForeignKey(Fund, null=True, on_delete=models.PROTECT, related_name="transactions")
    description = models.CharField(max_length=255)
    reference = models.CharField(max_length=64, blank=True, help_text="e.g. SP2D number or gateway id")
    # One money movement is recorded once, whatever retries happen.
    idempotency_key = models.CharField(max_length=100, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # A reversal or correction names the transaction it undoes or mends.
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    # The award commitment a movement belongs to (its reservation, its payments, their
    # reversals), so the public figures can leave out what is not disclosed yet by a join rather
    # than by reading keys. Derived from the reference and key, so outside the chain hash.
    commitment = models.ForeignKey(
        "Commitment", null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The public ledger filtered by kind or by challenge (its fund), newest first: read
            # backwards, each gives a page without walking the rest of the ledger.
            models.Index(fields=["kind", "created_at", "id"], name="transaction_kind_time"),
            models.Index(fields=["fund", "created_at", "id"], name="transaction_fund_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Entry(models.Model):
    """One leg of a transaction. ``amount`` is signed: debit positive, credit negative.
    Covered by its transaction's chain hash."""

    append_only = True

    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="IDR")

    class Meta:
        ordering = ["transaction_id", "id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="entry_amount_not_zero")]
        # A balance is SUM(amount) over one account: this index answers it from the index alone.
        indexes = [models.Index(fields=["account", "currency"], include=["amount"], name="entry_balance_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount:+d} {self.currency}"


class FundBalance(models.Model):
    """A fund's running totals of public money by kind, kept in the same database transaction
    as the ledger entries they add up (payments/fund_balances.py), so the figures pages show
    cost one row instead of a sum over the whole ledger. ``manage.py verify_fund_balances``
    proves they equal the sums of the entries."""

    fund = models.OneToOneField(Fund, primary_key=True, on_delete=models.PROTECT, related_name="balance")
    allocated = models.BigIntegerField(default=0)
    sponsored = models.BigIntegerField(default=0)
    returned = models.BigIntegerField(default=0)
    awarded = models.BigIntegerField(default=0)
    paid = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.fund}: {self.allocated + self.sponsored - self.returned}"


class Commitment(models.Model):
    """Money of a fund promised to a payee (an award). Not a ledger movement: it limits what
    may still be committed and what may be disbursed against it."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="commitments")
    reference = models.CharField(max_length=64, unique=True)
    amount = models.BigIntegerField(validators=[MinValueValidator(1)])
    currency = models.CharField(max_length=3, default="IDR")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # A released commitment (the grantee declined, nothing was paid) no longer holds money back.
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    release_reason = models.CharField(max_length=255, blank=True)
    # Until disclosed, the public ledger and the public figures leave the commitment out: an
    # award is a determination, public only once the challenge's results are published.
    disclosed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.reference}: {self.amount} {self.currency}"


class Recipient(models.Model):
    """Where a payee (``payee_reference`` "organisation:<id>") receives money."""

    class Rail(models.TextChoices):
        MANUAL = "manual", _("Bank transfer by the regional treasury")
        STRIPE = "stripe", _("Stripe Connect")

    payee_reference = models.CharField(max_length=64, unique=True)
    rail = models.CharField(max_length=20, choices=Rail.choices, default=Rail.MANUAL)
    stripe_account_id = models.CharField(max_length=64, blank=True)
    bank_name = models.CharField(max_length=100, blank=True)
    account_holder = models.CharField(max_length=200, blank=True)
    # Only the last digits are kept; the full number stays with the treasury.
    account_number_masked = models.CharField(max_length=40, blank=True)
    # Changed bank details are the classic fraud: they must be checked by an official again
    # before the manual rail pays to them.
    bank_details_changed_at = models.DateTimeField(null=True, blank=True)
    bank_verified_at = models.DateTimeField(null=True, blank=True)
    bank_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Stripe Connect: kept current by the account.updated webhook.
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.payee_reference} ({self.rail})"

    @property
    def bank_verified(self) -> bool:
        return self.bank_verified_at is not None and (
            self.bank_details_changed_at is None or self.bank_verified_at >= self.bank_details_changed_at
        )


class Disbursement(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting release")
        RELEASED = "released", _("Released, waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent, waiting for confirmation")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed, may be retried")
        CANCELLED = "cancelled", _("Cancelled")

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="disbursements")
    reference = models.CharField(max_length=64, unique=True, help_text="e.g. milestone:7")
    amount = models.BigIntegerField(validators=[MinValueValidator(1)])
    currency = models.CharField(max_length=3, default="IDR")
    payee_reference = models.CharField(max_length=64)
    description = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    rail = models.CharField(max_length=20, blank=True)
    gateway_reference = models.CharField(max_length=100, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    # Manual rail: the treasury's transfer proof (SP2D scan or bank receipt), private.
    proof = models.FileField(storage=private_storage, upload_to=proof_upload_to, blank=True, max_length=200)
    cancelled_reason = models.CharField(max_length=255, blank=True)

    # Not a column: the payee's payout settings, set by the selectors that list payments.
    recipient: Recipient | None

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_status_display()})"

    @property
    def fund(self) -> Fund:
        return self.commitment.fund

    @property
    def idempotency_key(self) -> str:
        return f"disbursement:{self.pk}:attempt:{self.attempts}"

    @property
    def status_label(self) -> str:
        """The status as people should read it. On the manual rail "sent" only means handed to
        the regional treasury: nothing is paid until its transfer proof is recorded."""
        if self.rail == "manual" and self.status in (self.Status.SENDING, self.Status.SENT):
            return str(_("Waiting for the transfer proof from the treasury (BPKAD)"))
        return str(self.get_status_display())


class GatewayCall(models.Model):
    """Every call to a payment provider, with its idempotency key (unique per attempt)."""

    disbursement = models.ForeignKey(Disbursement, on_delete=models.PROTECT, related_name="gateway_calls")
    gateway = models.CharField(max_length=20)
    idempotency_key = models.CharField(max_length=100, unique=True)
    request = models.JSONField(default=dict)
    response = models.JSONField(null=True, blank=True)
    succeeded = models.BooleanField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.idempotency_key


class WebhookEvent(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("No handler")
        FAILED = "failed", _("Failed")

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    type = models.CharField(max_length=100)
    body = models.JSONField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    # Failed processing attempts; at WEBHOOK_MAX_ATTEMPTS the event is FAILED and left to finance.
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"


def account_balance(account: Account) -> int:
    return account.entries.aggregate(total=Sum("amount"))["total"] or 0


class Contribution(models.Model):
    """A sponsor's money for a challenge's fund: paid by card through Stripe (counts when the
    ``payment_intent.succeeded`` webhook arrives) or, without Stripe, pledged and confirmed by a
    finance officer against the bank statement."""

    class Rail(models.TextChoices):
        STRIPE = "stripe", _("Card payment (Stripe)")
        PLEDGE = "pledge", _("Bank transfer pledge")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        SUCCEEDED = "succeeded", _("Received")
        FAILED = "failed", _("Payment failed")
        CANCELED = "canceled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partly refunded")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="contributions")
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    sponsor_name = models.CharField(_("name shown"), max_length=200)
    email = models.EmailField(_("email for the receipt"))
    public = models.BooleanField(_("show my name publicly"), default=False)
    amount = models.BigIntegerField(validators=[MinValueValidator(1)])
    currency = models.CharField(max_length=3, default="IDR")
    rail = models.CharField(max_length=10, choices=Rail.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    # Stripe PaymentIntent id (pi_...), unique once set.
    gateway_reference = models.CharField(max_length=100, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    refunded_amount = models.BigIntegerField(default=0)
    # Pledge rail: the bank statement line the finance officer matched it to.
    bank_reference = models.CharField(max_length=64, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt_number = models.CharField(max_length=40, blank=True)
    # The contribution form's one-time token: a second submit of the same form (a double
    # click, a retry over a bad connection, two tabs) finds the first contribution.
    idempotency_key = models.CharField(max_length=64, blank=True)
    # What the sponsor writes on a bank transfer ("PTD-15-0003", payments.transfer_references):
    # the fund's number and this contribution's place among the fund's contributions.
    transfer_sequence = models.PositiveIntegerField(null=True, blank=True)
    transfer_reference = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["gateway_reference"],
                condition=~Q(gateway_reference=""),
                name="contribution_gateway_once",
            ),
            models.UniqueConstraint(
                fields=["sponsor", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="contribution_form_submitted_once",
            ),
            models.UniqueConstraint(
                fields=["fund", "transfer_sequence"], name="contribution_transfer_sequence_once"
            ),
            models.UniqueConstraint(
                fields=["transfer_reference"],
                condition=~Q(transfer_reference=""),
                name="contribution_transfer_reference_once",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0), name="contribution_refund_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=models.F("amount")), name="contribution_refund_within_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sponsor_name}: {self.amount} {self.currency} ({self.status})"


class Refund(models.Model):
    """Money given back to a sponsor by a finance officer (full or partial)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Requested")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Failed")

    contribution = models.ForeignKey(Contribution, on_delete=models.PROTECT, related_name="refunds")
    amount = models.BigIntegerField(validators=[MinValueValidator(1)])
    reason = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    idempotency_key = models.CharField(max_length=100, unique=True)
    gateway_reference = models.CharField(max_length=100, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"refund {self.amount} of {self.contribution_id}"

    @property
    def currency(self) -> str:
        return self.contribution.currency


class ReconciliationRun(models.Model):
    """One comparison of the ledger with the gateway; ``differences`` lists what did not match."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Gateway objects created since this time were compared (the previous run's start).
    since = models.DateTimeField(null=True, blank=True)
    differences = models.JSONField(default=list)
    error = models.TextField(blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"reconciliation {self.started_at:%Y-%m-%d %H:%M}: {len(self.differences)} differences"


class GatewayPayout(models.Model):
    """A payout from the gateway's balance to the platform's bank account, as the books know it
    (the ``payout.*`` webhooks write it, reading the payout from the gateway). Reconciliation
    compares it with the gateway's payouts and their balance transactions."""

    rail = models.CharField(max_length=20, default="stripe")
    gateway_reference = models.CharField(max_length=64, unique=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="IDR")
    # pending, in_transit, paid, failed or canceled, as the gateway says.
    status = models.CharField(max_length=20)
    arrival_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("gateway payout")

    def __str__(self) -> str:
        return f"{self.rail} payout {self.gateway_reference}"
