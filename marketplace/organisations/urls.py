"""Organisations: registration, public profile, editing, members, invitations, verification,
profiles, and the partner board."""

from django.urls import path

from marketplace.organisations.views import organisations as views
from marketplace.organisations.views import partners as partner_views
from marketplace.organisations.views import profiles as profile_views

urlpatterns = [
    path("organisations/new/", profile_views.organisation_create, name="organisation_create"),
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
    path("challenges/<slug:slug>/partners/", partner_views.partner_listing_edit, name="partner_listing_edit"),
    path(
        "workspace/partner-listings/<int:pk>/close/",
        partner_views.partner_listing_close,
        name="partner_listing_close",
    ),
    path(
        "workspace/partner-listings/<int:pk>/request/",
        partner_views.partnership_request_send,
        name="partnership_request_send",
    ),
    path(
        "workspace/partnership-requests/<int:pk>/decide/",
        partner_views.partnership_request_decide,
        name="partnership_request_decide",
    ),
]
