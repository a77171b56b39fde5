from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Situs"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Site

        from cms.models import SiteSettings

        for model in (SiteSettings, Site):
            for signal in (post_save, post_delete):
                uid = f"site-settings-{signal!r}-{model.__name__}"
                signal.connect(_forget_site_settings, sender=model, dispatch_uid=uid)


def _forget_site_settings(sender, **kwargs) -> None:
    """The footer's remembered settings are made again after a write to them or to a site."""
    from django.conf import settings
    from django.db import transaction

    from cms.context_processors import SITE_SETTINGS_GENERATION
    from core import page_cache

    if settings.DATA_CACHE_SECONDS:
        transaction.on_commit(lambda: page_cache.start_generation(SITE_SETTINGS_GENERATION))
