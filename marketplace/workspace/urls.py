"""The signed-in user's workspace."""

from django.urls import path

from marketplace.workspace import views

urlpatterns = [
    path("workspace/", views.workspace, name="workspace"),
]
