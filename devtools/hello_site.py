"""The yardstick for `make bench-web`: a bare Django view returning a small static page, served by
the same gunicorn set-up as the product, so each page's cost can be read as a ratio to it.

    gunicorn devtools.hello_site:application"""

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="hello-only",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after settings.configure)
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

PAGE = "<!doctype html><html lang=id><head><title>hello</title></head><body><h1>hello</h1></body></html>"


def hello(request):
    return HttpResponse(PAGE)


urlpatterns = [path("", hello)]
application = get_wsgi_application()
