from allauth.account import views as account_views
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config import admin_signin, favicon, health, media
from marketplace.publicdata import api, api_schema
from marketplace.publicdata.ocds import api as ocds_api

router = DefaultRouter()
router.register("challenges", api.ChallengeViewSet, basename="challenge")
router.register("projects", api.ProjectViewSet, basename="project")
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("ledger", api.LedgerViewSet, basename="ledger")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", favicon.favicon, name="favicon"),
    # One way in: the admin's sign-in and password reset are the site's (config/admin_signin.py).
    path("admin/login/", admin_signin.admin_login, name="admin_login"),
    path("admin/password_reset/", admin_signin.admin_password_reset, name="admin_password_reset"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", api_schema.ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/search/", api.search_api, name="api-search"),
    path("api/v1/chain-heads/", api.chain_heads_api, name="api-chain-heads"),
    path("api/v1/ocds/releases/", ocds_api.releases, name="api-ocds-releases"),
    path("api/v1/ocds/records/", ocds_api.records, name="api-ocds-records"),
    path("api/v1/ocds/records/<str:ocid>/", ocds_api.record, name="api-ocds-record"),
    path("api/v1/ocds/bulk/<str:name>", ocds_api.bulk_file, name="api-ocds-bulk"),
    path("api/v1/", include(router.urls)),
    # Ending in a slash, so an address without one is still redirected to it (APPEND_SLASH).
    re_path(r"^api/v1/.*/$", api.not_found, name="api-not-found"),
    path("payments/", include("payments.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    # Sign-up, sign-in, email verification and password reset (django-allauth). "login" and
    # "logout" stay as names for the same addresses.
    path("accounts/", include("allauth.urls")),
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    # The home page is Wagtail's, as every page below; named here so that it is found at once
    # instead of after every address of the marketplace (the most visited page of the site).
    path("", wagtail_views.serve, {"path": ""}, name="home"),
    path("", include("marketplace.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.SERVE_MEDIA and settings.MEDIA_URL.startswith("/"):
    media_prefix = settings.MEDIA_URL.strip("/")
    urlpatterns.insert(0, re_path(rf"^{media_prefix}/(?P<path>.+)$", media.public_media, name="public_media"))
