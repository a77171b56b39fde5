"""Screening, the reviewer pool, assignments and conflict-of-interest declarations."""

from django.urls import path

from marketplace.views import reviews as views

urlpatterns: list = [
    path("workspace/proposals/<int:pk>/screening/", views.screening, name="review_screening"),
    path("workspace/challenges/<slug:slug>/reviewers/", views.reviewer_pool, name="review_pool"),
    path(
        "workspace/challenges/<slug:slug>/reviewers/<int:pk>/",
        views.reviewer_expertise,
        name="review_pool_expertise",
    ),
    path(
        "workspace/challenges/<slug:slug>/reviewers/<int:pk>/remove/",
        views.reviewer_pool_remove,
        name="review_pool_remove",
    ),
    path("workspace/challenges/<slug:slug>/assignments/", views.assignments, name="review_assignments"),
    path("workspace/challenges/<slug:slug>/assignments/assign/", views.assign, name="review_assign"),
    path(
        "workspace/challenges/<slug:slug>/assignments/suggested/",
        views.assign_suggested,
        name="review_assign_suggested",
    ),
    path("workspace/reviews/<int:pk>/declare/", views.declare, name="review_declare"),
    path("workspace/reviews/<int:pk>/remove/", views.assignment_remove, name="review_assignment_remove"),
]
