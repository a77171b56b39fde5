"""``site_settings`` in every template: the footer's contact and text (``SiteSettings``).

Looking the settings up costs two queries (the site for the request's host, then its settings) on
every page; they change only when an editor saves them, which is a public write, so they are
remembered until then (``core.page_cache.remembered``) and read only when a template uses them.
They are kept under a generation of their own (``SITE_SETTINGS_GENERATION``), started by a write to
the settings or to a site (``cms.apps``), so that the first page after another public write does
not look them up again. They come with the request's first round trip to the cache, which
``cms.sites.KeptSiteMiddleware`` asks for before each view (``bring_site_settings_along``)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from core import page_cache

SITE_SETTINGS_GENERATION = "site-settings:generation"


def site_settings(request):
    from cms.models import SiteSettings

    def load():
        return page_cache.remembered(
            _key(request), lambda: SiteSettings.for_request(request), generation=SITE_SETTINGS_GENERATION
        )

    return {"site_settings": SimpleLazyObject(load)}


def bring_site_settings_along(request) -> None:
    """Before a view runs: the footer reads the settings last, so the request's first round trip
    to the cache (the site, a kept part) brings them too (``page_cache.read_along``)."""
    if request.method in ("GET", "HEAD"):
        page_cache.read_along(_key(request), SITE_SETTINGS_GENERATION)


def _key(request) -> str:
    return f"site-settings:{request.get_host()}"
