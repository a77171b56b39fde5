"""The search vocabulary: the names of the query-string parameters, the sorts, the statuses and
the facets that ``/challenges/``, ``/search/`` and their APIs share. Pages, forms, filters and
the API read them from here (through ``search.api``), so a name is written once.

What the values mean for a domain (which sectors, regions, incentive kinds exist) stays with the
domain; this is the engine's side of the contract."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Parameters ----------------------------------------------------------------------------------

Q = "q"
TYPE = "type"
AFTER = "after"  # the cursor of the next page (search only)
SORT = "sort"
# The filters of the challenge list, which the search page and its API take too.
STATUS, SECTOR, REGION, AGENCY, INCENTIVE = "status", "sector", "region", "agency", "incentive"
BUDGET_MIN, BUDGET_MAX = "budget_min", "budget_max"  # whole rupiah
CLOSES_AFTER, CLOSES_BEFORE = "closes_after", "closes_before"  # dates
CHALLENGE_FILTERS = (
    STATUS, SECTOR, REGION, AGENCY, INCENTIVE, BUDGET_MIN, BUDGET_MAX, CLOSES_AFTER, CLOSES_BEFORE,
)  # fmt: skip
# The parameters a saved search keeps (the cursor is where the user was, not what they want).
SAVED = (Q, TYPE, *CHALLENGE_FILTERS, SORT)

# Facets: counted on every search, each under the other active filters.
FACETS = (TYPE, STATUS, SECTOR, REGION, INCENTIVE)
FACET_LABELS = {
    TYPE: _("Type"),
    STATUS: _("Status"),
    SECTOR: _("Sector"),
    REGION: _("Region"),
    INCENTIVE: _("Incentive type"),
}

# Sorts ---------------------------------------------------------------------------------------

RELEVANCE = "relevance"
SORTS = (RELEVANCE, "closes", "amount", "newest")
SORT_LABELS = {
    RELEVANCE: _("Best match"),
    "closes": _("Closing soonest"),
    "amount": _("Largest amount"),
    "newest": _("Newest"),
}

# Statuses ------------------------------------------------------------------------------------

# What a document with opening and closing times is now, computed at query time from its
# ``opens_at``, ``closes_at`` and ``decided`` (the challenges' rule, ``derive_status``).
# "open" also means closing soon when it filters.
STATUSES = ("upcoming", "open", "closing_soon", "in_review", "awarded", "closed")
DECIDED = ("awarded", "closed")


def closing_soon_window() -> datetime.timedelta:
    """How long before it closes an open challenge counts as closing soon (a setting, so the
    engines and the challenge pages agree)."""
    return datetime.timedelta(days=settings.CHALLENGE_CLOSING_SOON_DAYS)
