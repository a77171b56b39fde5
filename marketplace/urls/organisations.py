"""URLs for organisations; included by marketplace.urls under the same namespace."""

from django.urls import path

from marketplace.views import organisations as views

urlpatterns: list = [
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<slug:slug>/members/", views.organisation_members, name="organisation_members"),
    path(
        "organisations/<slug:slug>/members/<int:pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path(
        "organisations/<slug:slug>/verification/",
        views.organisation_verification,
        name="organisation_verification",
    ),
    path("organisations/<slug:slug>/verify/", views.organisation_verify, name="organisation_verify"),
    path("organisations/<slug:slug>/unverify/", views.organisation_unverify, name="organisation_unverify"),
    path(
        "organisations/<slug:slug>/documents/<int:pk>/",
        views.organisation_document,
        name="organisation_document",
    ),
    path("invitations/<str:token>/", views.invitation_detail, name="invitation_detail"),
    path("invitations/<str:token>/accept/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<str:token>/decline/", views.invitation_decline, name="invitation_decline"),
    path("workspace/profile/", views.profile_edit, name="profile_edit"),
]
