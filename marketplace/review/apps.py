from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "marketplace.review"
    verbose_name = "Penilaian"
