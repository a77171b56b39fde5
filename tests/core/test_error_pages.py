"""With DEBUG off the site answers errors with its own pages, in the visitor's language, and the
icon browsers ask for on their own is there."""

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import RequestFactory, override_settings
from django.utils import translation
from django.views import defaults

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    ("path", "language", "heading", "link"),
    [
        ("/tidak-ada-di-sini/", "id", "Halaman tidak ditemukan", "Lihat tantangan"),
        ("/en/nothing-here/", "en", "Page not found", "Browse challenges"),
    ],
)
def test_an_unknown_address_shows_the_sites_404_page_in_the_visitors_language(
    client, path, language, heading, link
):
    response = client.get(path)

    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert link in html
    assert 'class="site-nav"' in html  # the site's own page, its navigation and footer around it
    assert 'class="site-footer"' in html


def test_the_500_page_is_the_sites_and_needs_no_database_nor_request(django_assert_num_queries):
    request = RequestFactory().get("/en/")
    with translation.override("en"), django_assert_num_queries(0):
        response = defaults.server_error(request)  # the plain handler500, as settings leave it
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in html
    assert 'href="/en/">Go to the home page' in html
    assert "css/site.css" in html and 'class="site-header"' in html

    with translation.override("id"), django_assert_num_queries(0):
        html = defaults.server_error(request).content.decode()
    assert "<h1>Terjadi kesalahan</h1>" in html


@override_settings(DEBUG=False)
def test_favicon_ico_leads_to_the_site_icon_and_may_be_cached(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert "max-age=" in response["Cache-Control"]
    assert response["Location"] == static("img/favicon.svg")
    with open(finders.find("img/favicon.svg"), encoding="utf-8") as icon:
        assert icon.read().startswith("<svg")
    assert 'rel="icon"' in client.get("/").content.decode()
