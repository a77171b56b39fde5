"""Saved-search alerts: tell people when a newly published challenge matches a search they saved,
exactly once per saved search and challenge.

The test server has no percolator, so each saved search is run, through the one query function
(``search.query.search``), against only the new challenges (``SearchParams.ids``). Challenges
are the kind the domain registered as alerted (``DocumentType.published``); it says which of
them are public and since when, and its documents give the titles and links. The unique
``SavedSearchMatch`` row is the "exactly once": a match is notified only by whoever created its
row, so running the batch twice, the sweep after it, or two workers at once tells nobody twice.
See the README for how a percolator takes over on a real cluster."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.localized import localized_text
from search import registry
from search.documents import localised_path
from search.models import SavedSearch, SavedSearchMatch
from search.query import SearchHit, SearchParams, search

logger = logging.getLogger(__name__)

SWEEP_WINDOW = datetime.timedelta(days=2)


# What a saved search asks ---------------------------------------------------------------------


def saved_search_params(saved: SavedSearch) -> SearchParams | None:
    """The search a saved search asks for, read by the search page's own form (the registered
    query form), so an alert finds what the page finds; None when it cannot find challenges (it
    asks only for projects or organisations). Values no longer valid (a region since removed)
    drop out, as on the page."""
    from search.forms import params_querydict

    alerted = registry.alerted_kind()
    form = registry.query_form()(params_querydict(saved.params))
    form.is_valid()  # an invalid field drops out of the search; the rest still applies
    params = form.to_params(after="")
    if alerted is None or (params.types and alerted.name not in params.types):
        return None
    return replace(params, types=(alerted.name,))


# Matching new challenges ----------------------------------------------------------------------


def match_new_challenges(challenge_ids: Iterable[int], *, now: datetime.datetime | None = None) -> int:
    """Run every saved search against these challenges; record each new match once and tell its
    owner (instant: a notification and an email now; daily: left for ``send_daily_digests``).

    Only challenges published after the search was saved count: the owner saw the older ones
    when saving. Idempotent and safe to run concurrently; returns the number of new matches."""
    alerted = registry.alerted_kind()
    ids = sorted({int(i) for i in challenge_ids})
    if not ids or alerted is None:
        return 0
    published = alerted.published(ids)
    if not published:
        return 0
    now = now or timezone.now()
    created = 0
    saved_searches = (
        SavedSearch.objects.filter(user__is_active=True).select_related("user__profile").order_by("pk")
    )
    for saved in saved_searches.iterator(chunk_size=200):
        params = saved_search_params(saved)
        if params is None:
            continue
        candidates = tuple(i for i, at in published.items() if at is None or at >= saved.created_at)
        if not candidates:
            continue
        page = search(
            replace(
                params,
                ids=candidates,
                size=len(candidates),
                after="",
                sort="relevance",
                highlight=False,
                facets=False,
                suggest=False,
            )
        )
        for hit in page.hits:
            if hit.kind == alerted.name and hit.object_id in published and _record(saved, hit, now):
                created += 1
    return created


def _record(saved: SavedSearch, hit: SearchHit, now: datetime.datetime) -> bool:
    """Create the match row and, for instant alerts, notify in the same transaction: either
    both happen or neither. Whoever loses the race for the row notifies nobody."""
    with transaction.atomic():
        match, created = SavedSearchMatch.objects.get_or_create(
            saved_search=saved, challenge_id=hit.object_id
        )
        if not created:
            return False
        if saved.frequency == SavedSearch.Frequency.INSTANT:
            _notify_instant(saved, hit)
            match.notified_at = now
            match.save(update_fields=["notified_at"])
    return True


def _language(user) -> str:
    try:
        return user.profile.preferred_language or settings.LANGUAGE_CODE
    except ObjectDoesNotExist:  # no profile yet
        return settings.LANGUAGE_CODE


def _absolute(path: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


def _workspace_path(language: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        path = registry.routes().reverse(registry.routes().alerts_settings)
    return localised_path(path, language)


def _notify_instant(saved: SavedSearch, hit: SearchHit) -> None:
    from core import messaging

    language = _language(saved.user)
    with translation.override(language):
        url = localised_path(hit.url, language)
        values = {"name": saved.name, "title": localized_text(hit, "title", language)}
        messaging.notify(
            kind=messaging.Kind.SEARCHES,
            users=[saved.user],
            message=_("New challenge for your saved search “%(name)s”: %(title)s") % values,
            url=url,
            email_subject=_("New challenge: %(title)s") % values,
            email_body=_(
                "A newly published challenge matches your saved search “%(name)s”:\n\n"
                "%(title)s\n%(link)s\n\n"
                "To change or stop these alerts, go to your workspace: %(workspace)s"
            )
            % {**values, "link": _absolute(url), "workspace": _absolute(_workspace_path(language))},
        )


# The periodic sweep ---------------------------------------------------------------------------


def recently_published(now: datetime.datetime | None = None) -> list[int]:
    alerted = registry.alerted_kind()
    if alerted is None or alerted.published_since is None:
        return []
    return sorted(alerted.published_since((now or timezone.now()) - SWEEP_WINDOW))


def sweep(now: datetime.datetime | None = None) -> int:
    """Match the challenges published in the last two days: whatever a lost or failed task
    missed is found here; what was already matched is not told again."""
    return match_new_challenges(recently_published(now), now=now)


# Daily digests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _DigestLine:
    search_name: str
    title: str
    path: str


def send_daily_digests(now: datetime.datetime | None = None) -> int:
    """One email (and one notification) per user listing the matches not told yet, grouped by
    saved search; marks them told. Safe to run twice or concurrently (rows are locked and
    skipped by a concurrent run). Returns the number of users told."""
    now = now or timezone.now()
    user_ids = (
        SavedSearchMatch.objects.filter(notified_at__isnull=True)
        .values_list("saved_search__user_id", flat=True)
        .distinct()
        .order_by("saved_search__user_id")
    )
    told = 0
    for user_id in list(user_ids):
        if _send_digest(user_id, now):
            told += 1
    return told


def _send_digest(user_id: int, now: datetime.datetime) -> bool:
    alerted = registry.alerted_kind()
    with transaction.atomic():
        matches = list(
            SavedSearchMatch.objects.filter(notified_at__isnull=True, saved_search__user_id=user_id)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("saved_search__user__profile")
            .order_by("saved_search__name", "saved_search_id", "matched_at", "pk")
        )
        if not matches:
            return False
        user = matches[0].saved_search.user
        # The documents of those still public: a withdrawn challenge is not listed.
        pages = {
            doc.object_id: (doc.title, doc.url)
            for doc in (alerted.documents([m.challenge_id for m in matches]) if alerted else [])
        }
        language = _language(user)
        lines = [
            _DigestLine(
                m.saved_search.name,
                pages[m.challenge_id][0],
                localised_path(pages[m.challenge_id][1], language),
            )
            for m in matches
            if m.challenge_id in pages
        ]
        SavedSearchMatch.objects.filter(pk__in=[m.pk for m in matches]).update(notified_at=now)
        SavedSearch.objects.filter(pk__in={m.saved_search_id for m in matches}).update(last_digest_at=now)
        if not lines or not user.is_active:
            return False  # the challenges were withdrawn since: nothing to tell
        _notify_digest(user, language, lines)
    return True


def _notify_digest(user, language: str, lines: list[_DigestLine]) -> None:
    from core import messaging

    with translation.override(language):
        by_search: dict[str, list[_DigestLine]] = defaultdict(list)
        for line in lines:
            by_search[line.search_name].append(line)
        parts = []
        for name, items in by_search.items():
            parts.append(f"{name}:")
            parts += [f"- {item.title}\n  {_absolute(item.path)}" for item in items]
            parts.append("")
        count = len(lines)
        message = ngettext(
            "%(count)d new challenge matches your saved searches.",
            "%(count)d new challenges match your saved searches.",
            count,
        ) % {"count": count}
        messaging.notify(
            kind=messaging.Kind.SEARCHES,
            users=[user],
            message=message,
            url=_workspace_path(language),
            email_subject=_("Today's new challenges for your saved searches"),
            email_body=_(
                "%(summary)s\n\n%(list)s\nTo change or stop these alerts, go to your workspace: %(workspace)s"
            )
            % {
                "summary": message,
                "list": "\n".join(parts),
                "workspace": _absolute(_workspace_path(language)),
            },
        )
