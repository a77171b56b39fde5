"""URLs for proposals; included by marketplace.urls under the same namespace."""

from django.urls import path

from marketplace.proposals import views

urlpatterns: list = [
    path("challenges/<slug:slug>/apply/", views.proposal_create, name="proposal_create"),
    path("workspace/proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("workspace/proposals/<int:pk>/submit/", views.proposal_submit, name="proposal_submit"),
    path("workspace/proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("workspace/proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path(
        "workspace/proposals/<int:pk>/conflict/",
        views.proposal_conflict_declare,
        name="proposal_conflict_declare",
    ),
    path(
        "workspace/proposals/<int:pk>/versions/<int:number>/", views.proposal_version, name="proposal_version"
    ),
    path(
        "workspace/proposals/<int:pk>/attachments/",
        views.proposal_attachment_upload,
        name="proposal_attachment_upload",
    ),
    path(
        "workspace/proposals/<int:pk>/attachments/<int:attachment_pk>/",
        views.proposal_attachment_download,
        name="proposal_attachment_download",
    ),
    path(
        "workspace/proposals/<int:pk>/attachments/<int:attachment_pk>/remove/",
        views.proposal_attachment_remove,
        name="proposal_attachment_remove",
    ),
    path(
        "workspace/proposals/<int:pk>/partners/",
        views.proposal_partner_invite,
        name="proposal_partner_invite",
    ),
    path(
        "workspace/proposals/<int:pk>/partners/<int:partner_pk>/remove/",
        views.proposal_partner_remove,
        name="proposal_partner_remove",
    ),
    path(
        "workspace/partnerships/<int:partner_pk>/respond/",
        views.proposal_partner_respond,
        name="proposal_partner_respond",
    ),
    path("workspace/agency/proposals/", views.agency_proposals, name="agency_proposals"),
]
