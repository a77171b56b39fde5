"""URLs for the public Q&A, partner finding and notifications; included by marketplace.urls under
the same namespace."""

from django.urls import path

from marketplace.views import partners, questions

urlpatterns = [
    path("challenges/<slug:slug>/questions/", questions.question_ask, name="question_ask"),
    path("workspace/questions/<int:pk>/", questions.question_manage, name="question_manage"),
    path("workspace/questions/<int:pk>/merge/", questions.question_merge, name="question_merge"),
    path("workspace/questions/<int:pk>/pin/", questions.question_pin, name="question_pin"),
    path("workspace/notifications/read/", questions.notifications_mark_read, name="notifications_mark_read"),
    path("challenges/<slug:slug>/partners/", partners.partner_listing_edit, name="partner_listing_edit"),
    path(
        "workspace/partner-listings/<int:pk>/close/",
        partners.partner_listing_close,
        name="partner_listing_close",
    ),
    path(
        "workspace/partner-listings/<int:pk>/request/",
        partners.partnership_request_send,
        name="partnership_request_send",
    ),
    path(
        "workspace/partnership-requests/<int:pk>/decide/",
        partners.partnership_request_decide,
        name="partnership_request_decide",
    ),
]
