"""Search's own routes. They declare no namespace: the host app includes them in its own, next
to its search page (``search.api.register_routes``), so every public address keeps one namespace."""

from django.urls import path

from search import views

urlpatterns = [
    path("search/suggest/", views.suggest, name="search_suggest"),
    path("search/saved/", views.saved_list, name="saved_search_list"),
    path("search/saved/new/", views.saved_create, name="saved_search_create"),
    path("search/saved/<int:pk>/", views.saved_update, name="saved_search_update"),
    path("search/saved/<int:pk>/delete/", views.saved_delete, name="saved_search_delete"),
]
