"""URLs for challenges; included by marketplace.urls under the same namespace."""

urlpatterns: list = []
