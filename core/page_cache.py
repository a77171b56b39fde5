"""Anonymous pages answered from the cache, and forgotten as soon as what they show changes.

A GET by somebody with no session is answered from the cache when the same address was rendered
for an anonymous visitor before and nothing public has changed since. What may be stored is
decided on the way out, from the response alone, so a view never has to remember to opt in or
out:

- only a complete 200 answer to an anonymous GET;
- only for a request with no cookie but a CSRF one and no credentials, so the page cannot be
  personal; nothing that set a cookie (a CSRF token in a form, a message, a session), so no form
  token is ever stored;
- nothing marked private or no-store, nothing streamed, nothing large;
- nothing whose Content Security Policy carries a nonce (a stored nonce would be reused).

Every stored page belongs to a *generation*. Any committed write to a model that public pages
read (a page published, an award, a payment, a ledger entry, a proposal, an organisation …)
starts a new generation, so every stored page is forgotten at once; changing a translation
changes the key (``RELEASE``). Pages also expire after ``PAGE_CACHE_SECONDS`` so that what
depends on the clock alone (a challenge closing at its deadline) is at most that late.

The language is part of the address (/en/…), so it is part of the key. One round trip to the
cache serves a hit: the generation and the page are read together and the page is used only if
it was stored under the current generation."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

GENERATION_KEY = "page-cache:generation"
MAX_BODY_BYTES = 512 * 1024
HIT_HEADER = "X-Page-Cache"

# Apps whose writes never change what an anonymous visitor sees: sessions, sign-in records,
# notifications, page-editing records. Any other write starts a new generation; the services' audit
# entries are kept in on purpose, so that every audited change forgets the pages.
PRIVATE_APPS = frozenset(
    {"sessions", "admin", "account", "socialaccount", "mfa", "otp_static", "otp_totp", "django_otp"}
)
PRIVATE_MODELS = frozenset(
    {
        "core.notification",
        "core.notificationpreference",
        "core.digestsent",
        "core.reminder",
        "wagtailcore.pagelogentry",
        "wagtailcore.modellogentry",
        "wagtailcore.revision",
        "wagtailcore.pagesubscription",
        "wagtailusers.userprofile",
        "wagtailadmin.editingsession",
    }
)


def _release() -> str:
    """Changes with the compiled translations, so a new translation is never served from an
    old page."""
    digest = hashlib.sha1(settings.PAGE_CACHE_RELEASE.encode())
    for path in sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/*.mo")):
        digest.update(str(path.stat().st_mtime_ns).encode())
    return digest.hexdigest()[:12]


RELEASE = _release()


def page_key(request: HttpRequest) -> str:
    address = f"{request.get_host()}{request.get_full_path()}"
    return f"page-cache:{RELEASE}:{hashlib.sha1(address.encode()).hexdigest()}"


def current_generation() -> int:
    return cache.get(GENERATION_KEY) or 0


def forget_public_pages() -> None:
    """Start a new generation: every stored page is forgotten."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        # The key does not exist yet (or expired): any value other than the stored pages' works.
        cache.add(GENERATION_KEY, 1, timeout=None) or cache.incr(GENERATION_KEY)


def _forget_after_commit(sender, **kwargs) -> None:
    if not (settings.PAGE_CACHE_SECONDS or settings.DATA_CACHE_SECONDS):
        return  # nothing is kept, so there is nothing to forget
    if _affects_public_pages(sender):
        transaction.on_commit(forget_public_pages)


def _affects_public_pages(model) -> bool:
    meta = model._meta
    return meta.app_label not in PRIVATE_APPS and meta.label_lower not in PRIVATE_MODELS


def connect_signals() -> None:
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_forget_after_commit, dispatch_uid=f"page-cache-{signal!r}")
    # Bulk writes send no model signals, but every service that makes one also saves a row in
    # the same transaction (its audit entry at least), which is enough to forget the pages.


def _anonymous(request: HttpRequest) -> bool:
    """No session, no message waiting, no credentials: nothing the page could be personal to. A
    CSRF cookie alone is allowed; a page that would use it sets it again, and is not stored."""
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    return set(request.COOKIES) <= {settings.CSRF_COOKIE_NAME}


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if len(response.content) > MAX_BODY_BYTES:
        return False
    # "Vary: Cookie" is on every page that asked whether somebody is signed in; the request had
    # no cookie it could vary on (``_anonymous``), so it does not stop the page being stored.
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache", "max-age=0")):
        return False
    policy = response.get("Content-Security-Policy", "")
    if "'nonce-" in policy:
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


class AnonymousPageCacheMiddleware:
    """Right after SecurityMiddleware: a hit skips sessions, CSRF, authentication and the view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if (
            not seconds
            or request.method not in ("GET", "HEAD")
            or not _anonymous(request)
            # Without Redis each process would keep its own generation and miss the others' writes.
            or getattr(cache, "redis_down", False)
        ):
            return self.get_response(request)
        key = page_key(request)
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY) or 0
        stored = found.get(key)
        if stored is not None and stored[0] == generation:
            response = stored[1]
            response[HIT_HEADER] = "hit"
            return response
        response = self.get_response(request)
        if request.method == "GET" and _storable(request, response):
            response[HIT_HEADER] = "miss"
            cache.set(key, (generation, response), seconds)
        return response


def remembered(
    key: str,
    compute: Callable[[], object],
    *,
    holds: Callable[[object], bool] | None = None,
    keep: Callable[[object], bool] | None = None,
) -> object:
    """``compute()``, kept until the next public write (the pages' generation) or for
    ``DATA_CACHE_SECONDS`` at most. For what public pages read that changes only when public
    data does and costs more than it is worth to make each time: figures about everything (how
    many challenges, projects, organisations, rupiah paid), similar items, a challenge's tags and
    sponsors. It also serves the signed-in, whose pages are never stored whole. ``key`` must name
    everything the value depends on (the object, the language).

    ``holds(value)``: whether a value kept still holds now (for what also changes with the clock:
    false makes it again). ``keep(value)``: whether a value just made may be kept at all."""
    seconds = settings.DATA_CACHE_SECONDS
    if not seconds or getattr(cache, "redis_down", False):
        return compute()
    cache_key = f"remembered:{key}"
    found = cache.get_many([GENERATION_KEY, cache_key])
    generation = found.get(GENERATION_KEY) or 0
    stored = found.get(cache_key)
    if stored is not None and stored[0] == generation and (holds is None or holds(stored[1])):
        return stored[1]
    value = compute()
    if keep is None or keep(value):
        cache.set(cache_key, (generation, value), seconds)
    return value


def remember_choices(form, names: list[str], key: str) -> None:
    """The choices of the form's fields ``names`` (a filter's sectors, regions, agencies, years)
    as the form would list them, kept as ``remembered`` keeps a part, in the language and time
    zone of the request: listing them costs no query while they are kept. The fields still
    validate a value as before (a model choice through its queryset)."""
    from django.utils import timezone, translation

    def listed() -> dict[str, list[tuple[str, str]]]:
        return {
            name: [(str(value), str(label)) for value, label in form.fields[name].choices] for name in names
        }

    zone = timezone.get_current_timezone_name()
    kept: dict = remembered(f"choices:{key}:{translation.get_language()}:{zone}", listed)  # type: ignore[assignment]
    for name in names:
        # As listed already: past django-filter's setter, which would add its empty choices again.
        field = form.fields[name]
        field._choices = field.widget.choices = kept[name]
