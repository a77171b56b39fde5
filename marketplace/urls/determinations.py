from django.urls import path

from marketplace.views import determinations as views

urlpatterns = [
    path("workspace/agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("challenges/<slug:slug>/results/publish/", views.results_publish, name="results_publish"),
    path("workspace/milestones/<int:pk>/revise/", views.milestone_revise, name="milestone_revise"),
    path(
        "workspace/milestones/<int:pk>/evidence/<int:evidence_pk>/",
        views.milestone_evidence,
        name="milestone_evidence",
    ),
    path("workspace/awards/<int:pk>/replan/", views.award_replan, name="award_replan"),
    path("workspace/proposals/<int:pk>/timeline/", views.proposal_timeline, name="proposal_timeline"),
]
