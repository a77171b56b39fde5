"""Awards: public projects, determinations, agreements, results and milestones."""

from django.urls import path

from marketplace.awards.views import awards as award_views
from marketplace.awards.views import determinations as views
from marketplace.awards.views import projects as project_views

urlpatterns = [
    path("projects/", project_views.project_list, name="project_list"),
    path("projects/<int:pk>/", project_views.project_detail, name="project_detail"),
    path("workspace/proposals/<int:pk>/award/", award_views.award_create, name="award_create"),
    path("workspace/milestones/<int:pk>/report/", award_views.milestone_report, name="milestone_report"),
    path("workspace/milestones/<int:pk>/progress/", award_views.progress_report, name="progress_report"),
    path("workspace/milestones/<int:pk>/approve/", award_views.milestone_approve, name="milestone_approve"),
    path("workspace/agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("challenges/<slug:slug>/results/publish/", views.results_publish, name="results_publish"),
    path("workspace/milestones/<int:pk>/revise/", views.milestone_revise, name="milestone_revise"),
    path(
        "workspace/milestones/<int:pk>/evidence/<int:evidence_pk>/",
        views.milestone_evidence,
        name="milestone_evidence",
    ),
    path("workspace/awards/<int:pk>/replan/", views.award_replan, name="award_replan"),
    path("workspace/awards/<int:pk>/english/", views.project_english, name="project_english"),
    path("workspace/proposals/<int:pk>/timeline/", views.proposal_timeline, name="proposal_timeline"),
]
