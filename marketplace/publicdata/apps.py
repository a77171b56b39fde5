from django.apps import AppConfig


class PublicDataConfig(AppConfig):
    name = "marketplace.publicdata"
    verbose_name = "Data terbuka"

    def ready(self) -> None:
        # What the public may find in search, and the receivers that keep it current.
        from marketplace.publicdata import search_documents

        search_documents.register()
        search_documents.connect()
