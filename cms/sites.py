"""Wagtail's site for a request, kept instead of looked up on every page Wagtail serves."""

from __future__ import annotations

from django.http.request import split_domain_port
from wagtail import views as wagtail_views
from wagtail.models import Site

from cms.context_processors import bring_site_settings_along
from core import page_cache
from core.templatetags.public_parts import part_key

# The name of the home page's kept part, as its template names it (cms/templates/cms/home_page.html).
HOME_PART = "home"


class KeptSiteMiddleware:
    """Before Wagtail serves a page, give the request its site as Wagtail would find it
    (``Site.find_for_request``: by host and port), kept until the next public write with its
    root page, specific, read, and whether that page has a view restriction: Wagtail's lookup,
    its root page and its restrictions cost four queries and about 5 ms on every visit to the
    home page. The home page's kept part comes in the same round trip to the cache. Before every
    view, it says the footer's site settings will be read (``bring_site_settings_along``), so
    that they come with the first kept value."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        bring_site_settings_along(request)
        if view_func is wagtail_views.serve and not hasattr(request, "_wagtail_site"):
            site = site_key(request)
            if view_kwargs.get("path") == "":
                page_cache.read_along(part_key(HOME_PART, [site]))
            request._wagtail_site = page_cache.remembered(
                f"wagtail-site:{site}", lambda: _site_with_root(request)
            )
        return None


def site_key(request) -> str:
    """The host and port a site is found by (``Site.find_for_request``)."""
    return f"{split_domain_port(request._get_raw_host())[0]}:{request.get_port()}"


def _site_with_root(request) -> Site | None:
    site = Site._find_for_request(request)
    if site is not None:
        root = site.root_page.specific  # read now, so that it is kept with the site
        if hasattr(root, "kept_without_view_restrictions"):
            root.kept_without_view_restrictions = not root.get_view_restrictions().exists()
    return site
