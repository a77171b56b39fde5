"""URLs for questions; included by marketplace.urls under the same namespace."""

urlpatterns: list = []
