"""The bottom layer's records: the audit trail, in-app notifications, their email preferences,
daily digests and reminders sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChainedRow(models.Model):
    """A row of an append-only, hash-chained table (core/chains.py). The database refuses
    UPDATE and DELETE (a trigger) and the application's role may only SELECT and INSERT
    (core/db_roles.py grants by this flag)."""

    append_only = True

    # Empty in the database's default: a row inserted behind the code's back is unchained, and
    # verify_chains names it.
    chain_prev_hash = models.CharField(max_length=64, db_default="", editable=False)
    chain_hash = models.CharField(max_length=64, db_default="", editable=False)

    class Meta:
        abstract = True


def audit_entry_content(entry) -> dict:
    """What an audit entry's chain hash covers (also used by the migration that backfilled it)."""
    return {
        "actor": entry.actor_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
        "ip_address": entry.ip_address,
        "created_at": entry.created_at,
    }


class AuditEntry(ChainedRow):
    """Who did what, when and from where. Append-only and hash-chained; payments writes here
    through a callback. A user with audit history cannot be deleted (deactivate instead): the
    entry naming them can never change."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    def chain_content(self) -> dict:
        return audit_entry_content(self)


class ChainHeadSnapshot(models.Model):
    """A chain's head as it stood on one day, published on /transparency/ and in the API.
    Append-only like the chains it describes."""

    append_only = True

    chain = models.CharField(max_length=20)
    taken_on = models.DateField()
    head_id = models.BigIntegerField(null=True)
    head_hash = models.CharField(max_length=64)
    rows = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-taken_on", "chain"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "taken_on"], name="one_snapshot_per_chain_day")
        ]

    def __str__(self) -> str:
        return f"{self.chain} {self.taken_on}: {self.head_hash}"


class Notification(models.Model):
    """A message in the user's notification centre (/workspace/notifications/). Always kept;
    the user's preference for its kind decides only whether it is emailed now, in the daily
    digest or not at all (``email_state`` records which, when it was worth an email)."""

    class Kind(models.TextChoices):
        PROPOSALS = "proposals", _("Proposals: screening, decisions and consortium partners")
        REVIEWS = "reviews", _("Reviewing: assignments and conflicts of interest")
        AWARDS = "awards", _("Awards and milestones")
        PAYMENTS = "payments", _("Payments and bank details")
        ORGANISATIONS = "organisations", _("Organisations, invitations and partners")
        QUESTIONS = "questions", _("Questions and answers")
        SEARCHES = "searches", _("Saved-search alerts")
        REMINDERS = "reminders", _("Reminders of deadlines")

    class EmailState(models.TextChoices):
        NONE = "", _("No email")
        SENT = "sent", _("Emailed")
        DIGEST = "digest", _("Waiting for the daily digest")
        DIGESTED = "digested", _("Sent in a daily digest")
        OFF = "off", _("Not emailed (turned off)")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=10, choices=EmailState.choices, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The header's unread count and the list, per user.
            models.Index(fields=["user", "-created_at"], name="notification_user_latest"),
            models.Index(
                fields=["user"], condition=models.Q(read_at__isnull=True), name="notification_user_unread"
            ),
            models.Index(
                fields=["user", "created_at"],
                condition=models.Q(email_state="digest"),
                name="notification_digest_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.message


class NotificationPreference(models.Model):
    """How a user wants one kind of notification emailed. No row: instant."""

    class Delivery(models.TextChoices):
        INSTANT = "instant", _("Email at once")
        DIGEST = "digest", _("In the daily digest")
        OFF = "off", _("No email (in the app only)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Notification.Kind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.INSTANT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"


class DigestSent(models.Model):
    """The daily digest sent to one user on one day (the site's date): the row is the "once"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    items = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "sent_on"], name="digest_once_per_user_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.sent_on}"


class Reminder(models.Model):
    """A reminder that has been sent, by its key (e.g. ``draft-closing:<proposal pk>``): the
    unique key is what makes each reminder go out once, however often the task runs."""

    key = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key
