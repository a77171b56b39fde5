"""URLs for organisations; included by marketplace.urls under the same namespace."""

urlpatterns: list = []
