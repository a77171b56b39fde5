"""Public data pages: the site search and the transparency page."""

from django.urls import path, re_path

from marketplace.publicdata import open_data, pages, views

urlpatterns = [
    path("challenges/<slug:slug>/", pages.challenge_detail, name="challenge_detail"),
    path("organisations/<slug:slug>/", pages.organisation_detail, name="organisation_detail"),
    path("search/", views.site_search, name="search"),
    path("transparency/", views.transparency_page, name="transparency"),
    path("transparency/journal/", views.journal, name="transparency_journal"),
    re_path(
        r"^transparency/download/(?P<table>[a-z-]+)\.(?P<fmt>csv|xlsx)$",
        views.download,
        name="transparency_download",
    ),
    path("open-data/", open_data.open_data, name="open_data"),
]
