from django.urls import path  # noqa: F401

from marketplace.views import determinations as views  # noqa: F401

urlpatterns: list = []
