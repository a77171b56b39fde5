"""Review: screening, the reviewer pool, assignments, conflict declarations, the review form,
reopening and the comparison table."""

from django.urls import path

from marketplace.review.views import reviews as review_views
from marketplace.review.views import scoring as scoring_views

urlpatterns = [
    path("workspace/proposals/<int:pk>/screening/", review_views.screening, name="review_screening"),
    path("workspace/challenges/<slug:slug>/reviewers/", review_views.reviewer_pool, name="review_pool"),
    path(
        "workspace/challenges/<slug:slug>/reviewers/<int:pk>/",
        review_views.reviewer_expertise,
        name="review_pool_expertise",
    ),
    path(
        "workspace/challenges/<slug:slug>/reviewers/<int:pk>/remove/",
        review_views.reviewer_pool_remove,
        name="review_pool_remove",
    ),
    path(
        "workspace/challenges/<slug:slug>/assignments/", review_views.assignments, name="review_assignments"
    ),
    path("workspace/challenges/<slug:slug>/assignments/assign/", review_views.assign, name="review_assign"),
    path(
        "workspace/challenges/<slug:slug>/assignments/suggested/",
        review_views.assign_suggested,
        name="review_assign_suggested",
    ),
    path("workspace/reviews/<int:pk>/declare/", review_views.declare, name="review_declare"),
    path(
        "workspace/reviews/<int:pk>/remove/", review_views.assignment_remove, name="review_assignment_remove"
    ),
    path("workspace/reviews/<int:pk>/", scoring_views.review_edit, name="review_edit"),
    path(
        "workspace/reviews/<int:pk>/attachments/<int:attachment_pk>/",
        scoring_views.review_attachment,
        name="review_attachment",
    ),
    path("workspace/reviews/<int:pk>/reopen/", scoring_views.review_reopen, name="review_reopen"),
    path(
        "workspace/challenges/<slug:slug>/comparison/",
        scoring_views.review_comparison,
        name="review_comparison",
    ),
]
