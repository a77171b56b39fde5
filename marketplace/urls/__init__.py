from django.urls import include, path

from marketplace import views

app_name = "marketplace"
urlpatterns = [
    path("challenges/", views.challenge_list, name="challenge_list"),
    path("challenges/<slug:slug>/", views.challenge_detail, name="challenge_detail"),
    path("challenges/<slug:slug>/fund/allocate/", views.fund_allocate, name="fund_allocate"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("search/", views.site_search, name="search"),
    path("transparency/", views.transparency, name="transparency"),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/proposals/<int:pk>/award/", views.award_create, name="award_create"),
    path("workspace/milestones/<int:pk>/report/", views.milestone_report, name="milestone_report"),
    path("workspace/milestones/<int:pk>/approve/", views.milestone_approve, name="milestone_approve"),
]

# Each area keeps its own routes.
from marketplace.urls import (  # noqa: E402
    challenges,
    contributions,
    determinations,
    finance_reports,
    organisations,
    payouts,
    proposals,
    questions,
    reviews,
    scoring,
)

urlpatterns += (
    organisations.urlpatterns
    + questions.urlpatterns
    + proposals.urlpatterns
    + challenges.urlpatterns
    + reviews.urlpatterns
    + scoring.urlpatterns
    + determinations.urlpatterns
    + contributions.urlpatterns
    + payouts.urlpatterns
    + finance_reports.urlpatterns
    # Search's own pages (suggestions, saved searches) share this namespace: no app_name there.
    + [path("", include("search.urls"))]
)
