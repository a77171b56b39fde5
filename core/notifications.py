"""The notification centre: reads (unread count, the list), marking read, each user's email
preference per kind, and the one daily digest email.

Decision (docs/marketplace.md, "Notifications"): the in-app notification is always kept; the
preference for its kind governs only email: instant (sent at once), daily digest (listed in the
next morning's email) or off (no email)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.actors import Person
from core.errors import DomainError
from core.messaging import send_email_later
from core.models import DigestSent, Notification, NotificationPreference

Delivery = NotificationPreference.Delivery
EmailState = Notification.EmailState

# Addresses outside the language prefixes (config/urls.py): never localised.
_UNPREFIXED = ("/admin/", "/api/", "/payments/", "/documents/", "/i18n/", "/healthz")


# Language and addresses --------------------------------------------------------------------


def language_of(user) -> str:
    """The user's preferred language (their profile's), else the site's."""
    profile = getattr(user, "profile", None)  # the organisations app's profile, when there is one
    language = getattr(profile, "preferred_language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def localised_path(path: str, language: str) -> str:
    """Notifications keep paths in the site's language; other languages live under /<code>/."""
    if (
        language == settings.LANGUAGE_CODE
        or not path.startswith("/")
        or path.startswith("//")
        or path.startswith(f"/{language}/")
        or path.startswith(_UNPREFIXED)
    ):
        return path
    return f"/{language}{path}"


def absolute_url(path: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


# Reads --------------------------------------------------------------------------------------


def unread_count(user: Person) -> int:
    """One COUNT query (the partial index on unread rows answers it)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_of(user: Person) -> QuerySet[Notification]:
    """The user's notifications, newest first (the list page paginates it)."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def preferences_of(user: Person) -> dict[str, str]:
    """The user's delivery for every kind, in the kinds' order; instant unless they chose."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, Delivery.INSTANT) for kind in Notification.Kind.values}


# Writes -------------------------------------------------------------------------------------


def notification_mark_read(*, user: Person, pk: int) -> Notification:
    """Mark one of the user's notifications read (idempotent) and return it. Raises
    ``Notification.DoesNotExist`` when it is not theirs, so nobody learns it exists."""
    notification = Notification.objects.get(pk=pk, user=user)
    if notification.read_at is None:
        notification.read_at = now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
    return notification


def notifications_mark_all_read(*, user: Person) -> int:
    """Mark every unread notification of ``user`` read; returns how many. Idempotent."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def preferences_set(*, user: Person, deliveries: dict[str, str]) -> dict[str, str]:
    """Store the user's delivery per kind (kinds not given keep theirs). Raises DomainError on
    an unknown kind or delivery, changing nothing. Affects notifications created from now on."""
    for kind, delivery in deliveries.items():
        if kind not in Notification.Kind.values or delivery not in Delivery.values:
            raise DomainError(_("Choose how each kind of notification is emailed."))
    with transaction.atomic():
        NotificationPreference.objects.bulk_create(
            [NotificationPreference(user=user, kind=k, delivery=d) for k, d in deliveries.items()],
            update_conflicts=True,
            unique_fields=["user", "kind"],
            update_fields=["delivery"],
        )
    return preferences_of(user)


# The daily digest ---------------------------------------------------------------------------


def send_daily_digests(*, now: datetime.datetime | None = None) -> int:
    """One email per user listing their notifications waiting for the digest (kinds they chose
    "daily digest" for), at most once per user per day (the site's date; the unique
    ``DigestSent`` row decides). Safe to run twice or concurrently. Returns the emails queued."""
    now = now or timezone.now()
    user_ids = list(
        Notification.objects.filter(email_state=EmailState.DIGEST, created_at__lte=now)
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )
    return sum(1 for user_id in user_ids if _send_digest(user_id, now))


def _send_digest(user_id: int, now: datetime.datetime) -> bool:
    today = timezone.localdate(now)
    with transaction.atomic():
        items = list(
            Notification.objects.filter(user_id=user_id, email_state=EmailState.DIGEST, created_at__lte=now)
            .select_for_update(skip_locked=True)
            .order_by("created_at", "pk")
        )
        if not items:
            return False
        try:
            with transaction.atomic():
                DigestSent.objects.create(user_id=user_id, sent_on=today, items=len(items), created_at=now)
        except IntegrityError:
            return False  # today's digest has gone out; these wait for tomorrow's
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(email_state=EmailState.DIGESTED)
        user = items[0].user
        if user.is_active and user.email:
            subject, body = _digest_email(user, items)
            send_email_later(to=[user.email], subject=subject, body=body)
    return True


def _digest_email(user, items: list[Notification]) -> tuple[str, str]:
    language = language_of(user)
    with translation.override(language):
        by_kind: dict[str, list[Notification]] = defaultdict(list)
        for item in items:
            by_kind[item.kind].append(item)
        lines: list[str] = []
        for kind in Notification.Kind:
            if kind.value not in by_kind:
                continue
            lines.append(f"{kind.label}:")
            for item in by_kind[kind.value]:
                lines.append(f"- {item.message}")
                if item.url:
                    lines.append(f"  {absolute_url(localised_path(item.url, language))}")
            lines.append("")
        count = len(items)
        subject = ngettext(
            "Your daily summary: %(count)d notification",
            "Your daily summary: %(count)d notifications",
            count,
        ) % {"count": count}
        body = _(
            "Since your last daily summary:\n\n%(list)s\nAll your notifications: %(all)s\n"
            "Choose which notifications are emailed, and when: %(preferences)s"
        ) % {
            "list": "\n".join(lines),
            "all": absolute_url(reverse("marketplace:notification_list")),
            "preferences": absolute_url(reverse("marketplace:notification_preferences")),
        }
    return subject, body
