from django.urls import path

from marketplace.views import payouts as views

urlpatterns = [
    path("organisations/<slug:slug>/payouts/", views.organisation_payouts, name="organisation_payouts"),
    path(
        "organisations/<slug:slug>/payouts/stripe/",
        views.organisation_stripe_onboarding,
        name="organisation_stripe_onboarding",
    ),
    path(
        "organisations/<slug:slug>/payouts/stripe/return/",
        views.organisation_stripe_return,
        name="organisation_stripe_return",
    ),
    path(
        "organisations/<slug:slug>/payouts/stripe/refresh/",
        views.organisation_stripe_refresh,
        name="organisation_stripe_refresh",
    ),
    path(
        "organisations/<slug:slug>/payouts/verify/",
        views.organisation_bank_verify,
        name="organisation_bank_verify",
    ),
    path(
        "workspace/disbursements/<int:pk>/release/", views.disbursement_release, name="disbursement_release"
    ),
    path(
        "workspace/disbursements/<int:pk>/paid/",
        views.disbursement_record_paid,
        name="disbursement_record_paid",
    ),
    path("workspace/disbursements/<int:pk>/retry/", views.disbursement_retry, name="disbursement_retry"),
    path("workspace/disbursements/<int:pk>/cancel/", views.disbursement_cancel, name="disbursement_cancel"),
    path("workspace/disbursements/<int:pk>/proof/", views.disbursement_proof, name="disbursement_proof"),
]
