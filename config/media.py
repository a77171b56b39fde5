"""Public uploads (organisation logos, Wagtail images and their renditions) served by the site
itself, so a deployment without a separate web server still shows them. Private files live
outside MEDIA_ROOT and are never reachable here. Behind a web server or CDN that serves
MEDIA_ROOT, set SERVE_MEDIA=0."""

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.views.decorators.http import require_safe
from django.views.static import serve

# Uploaded file names are unique (storage adds a suffix), so browsers may keep them a long time.
CACHE_SECONDS = 7 * 24 * 3600


@require_safe
def public_media(request, path: str):
    try:
        # serve() answers 404 for directories and missing files.
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    except SuspiciousFileOperation as exc:  # a path that leaves MEDIA_ROOT
        raise Http404 from exc
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response["X-Content-Type-Options"] = "nosniff"
    # An uploaded SVG or HTML file must never run as a page of the site.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
