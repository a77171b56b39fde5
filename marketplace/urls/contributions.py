from django.urls import path

from marketplace.views import contributions as views

urlpatterns: list = [
    path("challenges/<slug:slug>/contribute/", views.contribution_create, name="contribution_create"),
    path("workspace/contributions/<int:pk>/", views.contribution_detail, name="contribution_detail"),
    path("workspace/contributions/<int:pk>/pay/", views.contribution_pay, name="contribution_pay"),
    path(
        "workspace/contributions/<int:pk>/bank-transfer/",
        views.contribution_switch_to_pledge,
        name="contribution_switch_to_pledge",
    ),
    path(
        "workspace/contributions/<int:pk>/receipt/", views.contribution_receipt, name="contribution_receipt"
    ),
    path(
        "workspace/finance/contributions/", views.contribution_finance_list, name="contribution_finance_list"
    ),
    path("workspace/finance/contributions/<int:pk>/confirm/", views.pledge_confirm, name="pledge_confirm"),
    path("workspace/finance/contributions/<int:pk>/cancel/", views.pledge_cancel, name="pledge_cancel"),
    path(
        "workspace/finance/contributions/<int:pk>/refund/",
        views.contribution_refund,
        name="contribution_refund",
    ),
]
