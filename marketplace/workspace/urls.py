"""The signed-in user's workspace: the home and one page per area."""

from django.urls import path

from marketplace.workspace import views

urlpatterns = [
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/proposals/", views.workspace_proposals, name="workspace_proposals"),
    path("workspace/organisations/", views.workspace_organisations, name="workspace_organisations"),
    path("workspace/reviews/", views.workspace_reviews, name="workspace_reviews"),
    path("workspace/approvals/", views.workspace_approvals, name="workspace_approvals"),
    path("workspace/finance/", views.workspace_finance, name="workspace_finance"),
    path("workspace/notifications/", views.notification_list, name="notification_list"),
    path("workspace/notifications/read/", views.notifications_mark_read, name="notifications_mark_read"),
    path(
        "workspace/notifications/preferences/",
        views.notification_preferences,
        name="notification_preferences",
    ),
    path(
        "workspace/notifications/<int:pk>/read/", views.notification_mark_read, name="notification_mark_read"
    ),
    path("workspace/notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
]
