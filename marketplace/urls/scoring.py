"""The review form, reopening, and the officials' comparison table with exports."""

from django.urls import path

from marketplace.views import scoring as views

urlpatterns: list = [
    path("workspace/reviews/<int:pk>/", views.review_edit, name="review_edit"),
    path(
        "workspace/reviews/<int:pk>/attachments/<int:attachment_pk>/",
        views.review_attachment,
        name="review_attachment",
    ),
    path("workspace/reviews/<int:pk>/reopen/", views.review_reopen, name="review_reopen"),
    path("workspace/challenges/<slug:slug>/comparison/", views.review_comparison, name="review_comparison"),
]
