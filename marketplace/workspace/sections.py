"""The workspace's sections, per area. Each section is a function ``(request) -> dict`` that
lives with its app and renders in its app's include; an area's page merges its own list, so a
page runs only the queries of the sections it shows."""

from __future__ import annotations

from core.views import merge_contexts
from marketplace.awards.views.determinations import agreements_workspace
from marketplace.challenges.views.questions import (
    notifications_workspace_section,
    questions_asked_workspace_section,
    questions_to_answer_workspace_section,
)
from marketplace.finance.views.contributions import contributions_workspace
from marketplace.finance.views.payouts import (
    bank_details_workspace,
    finance_payments_workspace,
    payouts_workspace,
)
from marketplace.finance.views.reports import finance_reports_section
from marketplace.organisations.views.organisations import (
    organisations_section,
    organisations_to_verify_section,
)
from marketplace.organisations.views.partners import partners_workspace_section
from marketplace.proposals import matching
from marketplace.proposals.views import proposals_workspace
from marketplace.publicdata.search_pages import saved_searches_workspace_section
from marketplace.review.views.reviews import review_overview_section, reviews_workspace_section
from marketplace.review.views.scoring import scoring_workspace
from marketplace.workspace import selectors


def recommendations_workspace_section(request) -> dict:
    """Open challenges that fit the user's organisations, with the reasons (``proposals.matching``)."""
    return {"recommendations": matching.workspace_recommendations(request.user)}


def applicant_section(request) -> dict:
    return selectors.applicant_workspace(request.user)


def official_decisions_section(request) -> dict:
    return selectors.official_decisions(request.user)


def results_to_publish_section(request) -> dict:
    return {"results_to_publish": list(selectors.results_to_publish(request.user))}


# The home shows the counts (selectors.needs_you_now) and these.
HOME_SECTIONS = [notifications_workspace_section]

# Each area's sections; who may open an area is in permissions.AREA_ROLES.
AREA_SECTIONS = {
    "proposals": [
        applicant_section,
        proposals_workspace,
        agreements_workspace,
        questions_asked_workspace_section,
        recommendations_workspace_section,
        saved_searches_workspace_section,
    ],
    "organisations": [
        applicant_section,
        organisations_section,
        payouts_workspace,
        partners_workspace_section,
    ],
    "reviews": [
        reviews_workspace_section,
        review_overview_section,
        scoring_workspace,
    ],
    "approvals": [
        review_overview_section,
        questions_to_answer_workspace_section,
        organisations_to_verify_section,
        bank_details_workspace,
        official_decisions_section,
        results_to_publish_section,
    ],
    "finance": [
        finance_payments_workspace,
        contributions_workspace,
        finance_reports_section,
    ],
}


def home_context(request) -> dict:
    return merge_contexts(section(request) for section in HOME_SECTIONS)


def area_context(request, area: str) -> dict:
    return merge_contexts(section(request) for section in AREA_SECTIONS[area])
