from django.apps import AppConfig


class PublicDataConfig(AppConfig):
    name = "marketplace.publicdata"
    verbose_name = "Data terbuka"
