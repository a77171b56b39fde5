"""Reads shaped for their pages: every list here runs a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from core import page_cache
from marketplace.awards.models import Award
from marketplace.awards.selectors.projects import PUBLIC_PROJECT
from marketplace.challenges.models import ChallengePage
from marketplace.organisations.models import Organisation
from payments import api as payments_api


def headline_figures() -> dict[str, int]:
    """The home page's figures about everything, kept until something public changes."""
    return page_cache.remembered("headline-figures", _headline_figures)  # type: ignore[return-value]


def _headline_figures() -> dict[str, int]:
    now = timezone.now()
    challenges = ChallengePage.objects.live().aggregate(
        open=Count("pk", filter=Q(opens_at__lte=now, closes_at__gt=now, outcome="")), total=Count("pk")
    )
    return {
        "open_challenges": challenges["open"],
        "challenges": challenges["total"],
        "funded_projects": Award.objects.filter(PUBLIC_PROJECT).count(),
        "organisations": Organisation.objects.count(),
        "disbursed": payments_api.total_disbursed(),
    }
