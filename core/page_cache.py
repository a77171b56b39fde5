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
import json
import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie
from django.utils import timezone

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


def page_key(environ: dict) -> str:
    """The stored page's key, from the request's WSGI environ alone (``request.META`` is that
    environ), so that the WSGI front (``CachedPageFront``) and the middleware find the same page:
    the scheme as the proxy and the server saw it, the host, the path and the query string."""
    proxy_header = settings.SECURE_PROXY_SSL_HEADER[0] if settings.SECURE_PROXY_SSL_HEADER else ""
    address = "\n".join(
        (
            environ.get("wsgi.url_scheme", ""),
            environ.get(proxy_header, "") if proxy_header else "",
            environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}",
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
        )
    )
    return f"page-cache:{RELEASE}:{hashlib.sha1(address.encode('utf-8', 'surrogateescape')).hexdigest()}"


def digest(value: object) -> str:
    """A short stable name for ``value`` (request parameters, a search), for a key of
    ``remembered``: JSON with sorted keys, anything else by its ``repr``."""
    text = json.dumps(value, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def forget_public_pages() -> None:
    """Start a new generation: every stored page is forgotten."""
    start_generation(GENERATION_KEY)


def start_generation(key: str) -> None:
    """A new generation under ``key``: what was remembered under the old one is forgotten."""
    try:
        cache.incr(key)
    except ValueError:
        # The key does not exist yet (or expired): any value other than the stored pages' works.
        cache.add(key, 1, timeout=None) or cache.incr(key)


def generation_of(key: str, models: Iterable[type]) -> str:
    """A generation of its own under ``key``, started again after any committed write to one of
    ``models``: for a remembered value that reads those models only, so that other public writes
    do not make it again. Returns ``key``, for ``remembered(..., generation=key)``."""

    def start_after_commit(sender, **kwargs) -> None:
        if settings.DATA_CACHE_SECONDS:
            transaction.on_commit(lambda: start_generation(key))

    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(
                start_after_commit,
                sender=model,
                weak=False,
                dispatch_uid=f"{key}-{signal!r}-{model.__name__}",
            )
    return key


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
    request_started.connect(forget_read_along, dispatch_uid="page-cache-read-along-started")
    request_finished.connect(forget_read_along, dispatch_uid="page-cache-read-along-finished")
    # Bulk writes send no model signals, but every service that makes one also saves a row in
    # the same transaction (its audit entry at least), which is enough to forget the pages.


def _anonymous(environ: dict) -> bool:
    """No session, no message waiting, no credentials: nothing the page could be personal to. A
    CSRF cookie alone is allowed; a page that would use it sets it again, and is not stored."""
    if "HTTP_AUTHORIZATION" in environ:
        return False
    cookies = environ.get("HTTP_COOKIE")
    return not cookies or set(parse_cookie(cookies)) <= {settings.CSRF_COOKIE_NAME}


def _may_be_served(environ: dict) -> bool:
    return bool(
        settings.PAGE_CACHE_SECONDS
        and environ.get("REQUEST_METHOD") in ("GET", "HEAD")
        and not environ.get("PATH_INFO", "").startswith(settings.STATIC_URL)
        and _anonymous(environ)
        # Without Redis each process would keep its own generation and miss the others' writes.
        and not getattr(cache, "redis_down", False)
    )


def _kept(key: str, generation: str = GENERATION_KEY) -> tuple[int, Any]:
    """The current generation under ``generation`` and what is kept under ``key`` if it was kept
    in that generation (else None): one round trip to the cache, which also brings what this
    request said it will read later (``read_along``). Values are kept as
    ``(generation, value)``."""
    if key in _along.found:  # brought along by an earlier round trip of this request
        current, stored = _along.found.pop(key)
    else:
        along = [name for pair in _along.wanted for name in pair]
        found = cache.get_many([generation, key, *along])
        current, stored = found.get(generation) or 0, found.get(key)
        for wanted_key, wanted_generation in _along.wanted:
            _along.found[wanted_key] = (found.get(wanted_generation) or 0, found.get(wanted_key))
        _along.wanted = []
    if stored is not None and stored[0] == current:
        return current, stored[1]
    return current, None


class _ReadAlong(threading.local):
    """What the current request said it will read (``read_along``) and what an earlier round trip
    brought for it: (key, generation) pairs; key -> (generation, stored)."""

    def __init__(self) -> None:
        self.wanted: list[tuple[str, str]] = []
        self.found: dict[str, tuple[int, Any]] = {}


_along = _ReadAlong()


def read_along(key: str, generation: str = GENERATION_KEY) -> None:
    """Say that this request will ask ``remembered(key, generation=generation)`` later: the next
    round trip to the cache brings it too, so that asking costs none. For what every page reads
    late (the footer's site settings) while its first round trip comes earlier (a kept part)."""
    wanted = (f"remembered:{key}", generation)
    if wanted not in _along.wanted:
        _along.wanted.append(wanted)


def forget_read_along(**kwargs) -> None:
    """At the start and the end of a request: nothing of another request's is used."""
    _along.wanted, _along.found = [], {}


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


class StoredPage(NamedTuple):
    """A response as it left the whole middleware stack: what a hit sends back byte for byte."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


class AnonymousPageCacheMiddleware:
    """First in the stack, so that what is stored is the response every other middleware made
    (security headers, policy, length). Serves hits where the WSGI front is not in place (the
    test client, ``runserver``); under gunicorn the front answers them before Django starts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _may_be_served(request.META):
            return self.get_response(request)
        key = page_key(request.META)
        generation, stored = _kept(key)
        if stored is not None:
            return _response_from(stored)
        response = self.get_response(request)
        if request.method == "GET" and _storable(request, response):
            stored = StoredPage(
                response.status_code, response.reason_phrase, list(response.items()), response.content
            )
            cache.set(key, (generation, stored), settings.PAGE_CACHE_SECONDS)
            response[HIT_HEADER] = "miss"
        return response


def _response_from(stored: StoredPage) -> HttpResponse:
    response = HttpResponse(stored.body, status=stored.status, reason=stored.reason)
    for name, value in stored.headers:
        response[name] = value
    response[HIT_HEADER] = "hit"
    return response


class CachedPageFront:
    """The WSGI application's front (config/wsgi.py): a stored page is sent as it was stored, with
    no request object, middleware or view, for the price of one cache round trip. Everything else
    goes on to Django, whose middleware decides what is stored."""

    def __init__(self, application: Callable) -> None:
        self.application = application

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if _may_be_served(environ):
            _, stored = _kept(page_key(environ))
            if stored is not None:
                start_response(f"{stored.status} {stored.reason}", [*stored.headers, (HIT_HEADER, "hit")])
                return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [stored.body]
        return self.application(environ, start_response)


def remembered(
    key: str,
    compute: Callable[[], object],
    *,
    holds: Callable[[object], bool] | None = None,
    keep: Callable[[object], bool] | None = None,
    generation: str = GENERATION_KEY,
) -> object:
    """``compute()``, kept until the next public write (the pages' generation) or for
    ``DATA_CACHE_SECONDS`` at most. For what public pages read that changes only when public
    data does and costs more than it is worth to make each time: figures about everything (how
    many challenges, projects, organisations, rupiah paid), similar items, a challenge's tags and
    sponsors. It also serves the signed-in, whose pages are never stored whole. ``key`` must name
    everything the value depends on (the object, the language).

    ``holds(value)``: whether a value kept still holds now (for what also changes with the clock:
    false makes it again). ``keep(value)``: whether a value just made may be kept at all.

    A value that depends on a few models only may be kept under a ``generation`` of its own,
    which those models' writes start (``start_generation``), so that other public writes do not
    make it again (the footer's site settings)."""
    seconds = settings.DATA_CACHE_SECONDS
    if not seconds or getattr(cache, "redis_down", False):
        return compute()
    cache_key = f"remembered:{key}"
    current, kept = _kept(cache_key, generation)
    if kept is not None and (holds is None or holds(kept)):
        return kept
    value = compute()
    if keep is None or keep(value):
        cache.set(cache_key, (current, value), seconds)
    return value


def holds_until(kept: object) -> bool:
    """For a value kept as ``(value, until)``: whether it still holds (``until`` None or not yet
    come), as ``remembered``'s ``holds`` and ``keep``."""
    until = kept[1]  # type: ignore[index]
    return until is None or timezone.now() < until


def remember_choices(form, names: list[str], key: str, generation: str = GENERATION_KEY) -> None:
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
    kept: dict = remembered(  # type: ignore[assignment]
        f"choices:{key}:{translation.get_language()}:{zone}", listed, generation=generation
    )
    for name in names:
        # As listed already: past django-filter's setter, which would add its empty choices again.
        field = form.fields[name]
        field._choices = field.widget.choices = kept[name]
