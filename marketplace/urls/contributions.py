from django.urls import path  # noqa: F401

from marketplace.views import contributions as views  # noqa: F401

urlpatterns: list = []
