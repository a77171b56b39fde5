"""/favicon.ico: browsers ask for it on their own, whatever the page says; send them to the
site's icon (cms/static/img/favicon.svg, also named by <link rel="icon"> in base.html)."""

from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request):
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
