from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "marketsearch"
    verbose_name = "Pencarian"

    def ready(self) -> None:
        from search import receivers, receivers_alerts

        receivers.connect()
        receivers_alerts.connect()
