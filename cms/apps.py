from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Situs"

    def ready(self):
        from wagtail.models import Site

        from cms.context_processors import SITE_SETTINGS_GENERATION
        from cms.models import SiteSettings
        from core import page_cache

        # The footer's remembered settings are made again after a write to them or to a site.
        page_cache.generation_of(SITE_SETTINGS_GENERATION, [SiteSettings, Site])
