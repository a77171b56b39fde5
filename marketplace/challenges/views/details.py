"""The challenge page's details section: outcomes, who it serves, SDGs, sponsors, attachments,
contact and the timeline of its phases."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core import page_cache
from marketplace.challenges import selectors


def _timeline(challenge) -> list[dict]:
    """The phases in order; times in the region's zone, days as they are."""
    zone = challenge.region.zoneinfo
    today = timezone.localdate(timezone=zone)
    phases = [
        (_("Opens"), challenge.opens_at),
        (_("Questions close"), challenge.qa_closes_at),
        (_("Submissions close"), challenge.closes_at),
        (_("Review ends"), challenge.review_ends_on),
        (_("Winners announced"), challenge.award_on),
        (_("Delivery ends"), challenge.delivery_ends_on),
    ]
    timeline = []
    for label, value in phases:
        if value is None:
            continue
        has_time = hasattr(value, "tzinfo")
        day = timezone.localtime(value, zone).date() if has_time else value
        timeline.append({"label": label, "value": value, "has_time": has_time, "past": day < today})
    return timeline


def challenge_details(request, challenge) -> dict:
    # A preview (Wagtail sets ``request.is_preview``) shows the draft's own tags and sponsors.
    draft = getattr(request, "is_preview", False)
    if draft:
        details = selectors.challenge_details_for(challenge, draft=True)
    else:
        details = page_cache.remembered(
            f"challenge-facts:{challenge.pk}", lambda: selectors.challenge_details_for(challenge)
        )
    return {
        "details": details,
        "timeline": _timeline(challenge),
    }
