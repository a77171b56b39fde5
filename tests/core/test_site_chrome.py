"""The site's chrome (base.html's header and footer) kept in each process's memory for readers
who are not signed in: every page still shows its own language switch and current section, a
signed-in reader never gets a reader's header, and the footer follows the site's settings."""

import re

import pytest
from django.core.cache import caches

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chrome_cache_on(settings):
    """Off under DEBUG (tests run so); here it is on, as in production."""
    settings.CACHES = {
        **settings.CACHES,
        "chrome": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "chrome-test",
            "TIMEOUT": None,
        },
    }
    caches["chrome"].clear()
    yield
    caches["chrome"].clear()


def _page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def _current_section(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="page">', page)


def _switch(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" lang="(?:id|en)" hreflang=', page)


def test_each_page_keeps_its_own_language_switch_and_current_section(client):
    address = factories.challenge(title="Tantangan kerangka").url
    for _ in range(2):  # made, then from the kept chrome
        challenges = _page(client, "/challenges/?q=air")
        assert _switch(challenges) == ["/challenges/?q=air", "/en/challenges/?q=air"]
        assert _current_section(challenges) == ["/challenges/"]
        projects = _page(client, "/en/projects/")
        assert _switch(projects) == ["/projects/", "/en/projects/"]
        assert _current_section(projects) == ["/en/projects/"]
        assert "Log in" in projects and "Masuk" not in projects
        detail = _page(client, address)
        assert _switch(detail) == [address, f"/en{address}"]
        assert _current_section(detail) == []


def test_the_navigation_marks_the_page_each_reader_is_on_in_their_language(client):
    """Each page still marks itself in the kept navigation, in the page's language, and a
    signed-in reader gets their own links."""
    import re

    def marked(path: str, reader=client) -> list[str]:
        page = reader.get(path).content.decode()
        nav = page[page.index('class="site-nav"') : page.index("</nav>")]
        return re.findall(r'<a href="([^"]+)" aria-current="page">([^<]+)<', nav)

    assert marked("/challenges/") == [("/challenges/", "Tantangan")]
    assert marked("/en/projects/") == [("/en/projects/", "Projects")]
    assert marked("/transparency/") == [("/transparency/", "Transparansi")]
    assert marked("/") == []
    official = factories.UserFactory(roles=["official"])
    signed_in = factories.signed_in_client(official)
    workspace = signed_in.get("/challenges/").content.decode()
    assert "/workspace/" in workspace and "/accounts/login/" not in workspace.split("</nav>")[0]
    assert marked("/challenges/", signed_in) == [("/challenges/", "Tantangan")]


def test_the_footer_follows_the_sites_contact_address(client):
    from wagtail.models import Site

    from cms.models import SiteSettings

    site = Site.objects.get(is_default_site=True)
    SiteSettings.objects.update_or_create(site=site, defaults={"contact_email": "meja-bantuan@example.id"})
    assert "mailto:meja-bantuan@example.id" in _page(client, "/projects/")
    SiteSettings.objects.filter(site=site).update(contact_email="layanan@example.id")
    page = _page(client, "/projects/")
    assert "mailto:layanan@example.id" in page
    assert "meja-bantuan@example.id" not in page
