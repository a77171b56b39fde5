"""URLs for proposals; included by marketplace.urls under the same namespace."""

urlpatterns: list = []
