from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "marketplace.challenges"
    verbose_name = "Tantangan"

    def ready(self) -> None:
        from django.db.models.signals import pre_save
        from wagtail.signals import page_published

        from core import page_cache
        from marketplace.challenges.filters import CHOICES_GENERATION, CHOICES_MODELS
        from marketplace.challenges.models import ChallengePage
        from marketplace.challenges.revisions import keep_incentive_identity, revision_records_child_ids

        pre_save.connect(
            keep_incentive_identity, sender=ChallengePage, dispatch_uid="challenge-incentive-identity"
        )
        page_published.connect(
            revision_records_child_ids, sender=ChallengePage, dispatch_uid="challenge-revision-child-ids"
        )
        page_cache.generation_of(CHOICES_GENERATION, CHOICES_MODELS)
