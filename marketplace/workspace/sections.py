"""The workspace's sections, in one list. Each section is a function ``(request) -> dict`` that
lives with its app and renders in its app's include; the workspace page merges them."""

from __future__ import annotations

from core.views import merge_contexts
from marketplace.awards.views.determinations import agreements_workspace
from marketplace.challenges.views.questions import qa_workspace_section
from marketplace.finance.views.contributions import contributions_workspace
from marketplace.finance.views.payouts import payouts_workspace
from marketplace.finance.views.reports import finance_reports_section
from marketplace.organisations.views.organisations import organisations_section
from marketplace.organisations.views.partners import partners_workspace_section
from marketplace.proposals import matching
from marketplace.proposals.views import proposals_workspace
from marketplace.publicdata.search_pages import saved_searches_workspace_section
from marketplace.review.views.reviews import reviews_workspace_section
from marketplace.review.views.scoring import scoring_workspace


def recommendations_workspace_section(request) -> dict:
    """Open challenges that fit the user's organisations, with the reasons (``proposals.matching``)."""
    return {"recommendations": matching.workspace_recommendations(request.user)}


WORKSPACE_SECTIONS = [
    organisations_section,
    proposals_workspace,
    qa_workspace_section,
    partners_workspace_section,
    reviews_workspace_section,
    scoring_workspace,
    agreements_workspace,
    contributions_workspace,
    payouts_workspace,
    finance_reports_section,
    saved_searches_workspace_section,
    recommendations_workspace_section,
]


def workspace_context(request) -> dict:
    return merge_contexts(section(request) for section in WORKSPACE_SECTIONS)
