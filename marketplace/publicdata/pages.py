"""Public pages made of several apps' parts. Each part is a function ``(request, obj) -> dict``
that lives with its app (and renders in its app's include); the lists below say which parts a
page has, in one place."""

from __future__ import annotations

import datetime

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import page_cache
from core.templatetags import public_parts
from core.templatetags.public_parts import PUBLIC_PARTS
from core.views import merge_contexts
from marketplace.awards.selectors import projects as awards_selectors
from marketplace.awards.views.determinations import challenge_winners
from marketplace.challenges import permissions, selectors
from marketplace.challenges.models import ChallengePage
from marketplace.challenges.views.details import challenge_details
from marketplace.challenges.views.questions import qa_section
from marketplace.finance.views.contributions import contributions_section
from marketplace.organisations import selectors_profiles as organisation_selectors
from marketplace.organisations.views.partners import partners_section
from search import api as search

CHALLENGE_PAGE_PARTS = [
    challenge_details,
    qa_section,
    partners_section,
    challenge_winners,
    contributions_section,
]


def challenge_detail(request, slug, *, draft: ChallengePage | None = None):
    """The public challenge page. With ``draft`` (``ChallengePage.serve_preview``: the admin's
    preview, "view draft" and the workflow's preview), the same page drawn from the draft's
    content instead of the live page's, so whoever approves it sees what will go live.

    For a reader who is not signed in the whole content is one kept part: nothing on it is
    theirs (``public_parts.kept``); a signed-in reader's has their own forms and buttons."""
    if draft is None and not request.user.is_authenticated:
        body = public_parts.kept_body(
            "challenge-page",
            [slug],
            "challenges/challenge_detail_body.html",
            lambda: _anonymous_context(request, slug),
        )
        if body is None:
            raise Http404(_("No challenge at this address."))
        return render(request, "challenges/challenge_detail.html", body.context())
    if draft is not None:
        challenge = draft
        if not hasattr(challenge, "incentive_total"):
            challenge.incentive_total = sum(i.amount or 0 for i in challenge.incentives.all())
    else:
        challenge = _live_challenge(slug)
        if challenge is None:
            raise Http404(_("No challenge at this address."))
    return render(request, "challenges/challenge_detail.html", _challenge_context(request, challenge, draft))


def _anonymous_context(request, slug: str) -> tuple[dict, datetime.datetime] | None:
    challenge = _live_challenge(slug)
    if challenge is None:
        return None
    return _challenge_context(request, challenge, None), _page_changes_at(challenge)


def _challenge_context(request, challenge: ChallengePage, draft: ChallengePage | None) -> dict:
    # A page not saved yet (previewed while being added) has nothing from other apps yet.
    saved = challenge.pk is not None
    parts = CHALLENGE_PAGE_PARTS if saved else [challenge_details]
    context = merge_contexts(part(request, challenge) for part in parts)
    return {
        "challenge": challenge,
        "page": challenge,
        "page_title": challenge.display_title,
        "page_description": Truncator(challenge.display_summary).words(30, truncate=" …"),
        "here": request.path,
        "figures": context["details"]["fund_figures"],
        "zone": challenge.region.zoneinfo,
        "zone_label": challenge.region.zone_label,
        "can_manage_funds": permissions.can_manage_funds(request.user)[0],
        "similar_kind": "challenge",
        "similar_items": _similar_challenges(challenge) if saved else [],
        # Its facts, timeline, texts, incentives and criteria are one kept part
        # (``{% public_part %}``) until its status or a day of its timeline changes; never
        # a draft's (a preview, "view draft").
        PUBLIC_PARTS: draft is None,
        "part_until": lambda: _facts_change_at(challenge),
        **context,
    }


def _page_changes_at(challenge: ChallengePage) -> datetime.datetime:
    """When the whole page next looks different by the clock alone: its facts (status, a day of
    its timeline) or its questions closing."""
    moments = [_facts_change_at(challenge)]
    if challenge.qa_closes_at and challenge.qa_closes_at > timezone.now():
        moments.append(challenge.qa_closes_at)
    return min(moments)


def _facts_change_at(challenge: ChallengePage) -> datetime.datetime:
    """The next status change, or the next midnight in the region (a phase of the timeline is
    then past)."""
    zone = challenge.region.zoneinfo
    tomorrow = timezone.localdate(timezone=zone) + datetime.timedelta(days=1)
    midnight = datetime.datetime.combine(tomorrow, datetime.time(), tzinfo=zone)
    status_change = selectors.next_status_change(challenge, timezone.now())
    return midnight if status_change is None else min(midnight, status_change)


def _live_challenge(slug: str) -> ChallengePage | None:
    """The live challenge with what its page shows of it (``selectors.challenge_get``), kept
    until the next public write or until its status changes by the clock; each request gets
    its own copy."""

    def read() -> tuple[ChallengePage | None, datetime.datetime | None]:
        try:
            challenge = selectors.challenge_get(slug)
        except ChallengePage.DoesNotExist:
            return None, None
        return challenge, selectors.next_status_change(challenge, timezone.now())

    challenge, _until = page_cache.remembered(  # type: ignore[misc]
        f"challenge-page:{slug}",
        read,
        holds=page_cache.holds_until,
        keep=lambda kept: kept[0] is not None and page_cache.holds_until(kept),
    )
    return challenge


def _similar_challenges(challenge: ChallengePage) -> list:
    return page_cache.remembered(  # type: ignore[return-value]
        f"similar-challenges:{challenge.pk}:{get_language()}",
        lambda: search.similar("challenge", challenge.pk),
    )


def organisation_detail(request, slug):
    """For a reader who is not signed in the whole content is one kept part; a member or an
    official sees it with their own links (its facts and record kept parts)."""
    if not request.user.is_authenticated:
        body = public_parts.kept_body(
            "organisation-page",
            [slug],
            "organisations/organisation_detail_body.html",
            lambda: _anonymous_organisation_context(slug),
        )
        if body is None:
            raise Http404
        return render(request, "organisations/organisation_detail.html", body.context())
    organisation = page_cache.remembered(f"organisation:{slug}", lambda: _organisation_or_none(slug))
    if organisation is None:
        raise Http404
    return render(request, "organisations/organisation_detail.html", _organisation_context(organisation))


def _anonymous_organisation_context(slug: str) -> tuple[dict, None] | None:
    organisation = _organisation_or_none(slug)
    return None if organisation is None else (_organisation_context(organisation), None)


def _organisation_context(organisation) -> dict:
    return {
        "organisation": organisation,
        "page_title": organisation.name,
        "page_description": Truncator(organisation.description).chars(160) or organisation.name,
        # Its track record is read only when its part is made.
        "projects": SimpleLazyObject(lambda: awards_selectors.organisation_projects(organisation)),
        PUBLIC_PARTS: True,
    }


def _organisation_or_none(slug: str):
    try:
        return organisation_selectors.organisation_get(slug)
    except Exception:  # an address of no organisation, whatever its form
        return None
