import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Imported once Django is set up. Stored anonymous pages are answered here, before Django makes a
# request (core/page_cache.py).
from core.page_cache import CachedPageFront  # noqa: E402

application = CachedPageFront(application)
