from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "marketplace.challenges"
    verbose_name = "Tantangan"
