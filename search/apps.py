from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The engine. It listens to nothing itself: the domain apps register their documents
    (``search.api.register``) and call ``search.api`` when something changes."""

    name = "search"
    label = "marketsearch"
    verbose_name = "Pencarian"
