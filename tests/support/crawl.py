"""A crawl of the public surface: every page, API list and download an anonymous visitor reaches
from the public entry points by following links (GET only), for tests that look for what must not
be public yet."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

from django.test import Client

START = [
    "/",
    "/en/",
    "/challenges/",
    "/en/challenges/",
    "/projects/",
    "/transparency/",
    "/en/transparency/",
    "/transparency/journal/",
    "/en/transparency/journal/",
    "/transparency/download/challenges.csv",
    "/transparency/download/by-region.csv",
    "/transparency/download/journal.csv",
    "/search/?q=tantangan",
    "/api/v1/challenges/",
    "/api/v1/projects/",
    "/api/v1/organisations/",
    "/api/v1/ledger/",
    "/api/v1/search/?q=tantangan",
    "/api/v1/chain-heads/",
    "/api/v1/ocds/releases/",
    "/api/v1/ocds/records/",
    "/open-data/",
    "/en/open-data/",
]
SKIP = ("/accounts/", "/admin/", "/workspace/", "/i18n/", "/static/", "/media/", "/documents/", "/payments/")
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
LINK = re.compile(r"""(?:href|src)=["']([^"'#]+)|"(https?://testserver/[^"]+)\"""")


def crawl(
    *, also_start: tuple[str, ...] = (), limit: int = 400, client: Client | None = None
) -> dict[str, str]:
    """Every page an anonymous visitor (or ``client``'s user) reaches from START (and
    ``also_start``, such as searches for a test's own words) by following links (GET only): its
    body by address."""
    client = client or Client()
    seen: dict[str, str] = {}
    queue = deque([*START, *also_start])
    while queue and len(seen) < limit:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or path.startswith(SKIP):
            continue
        response = client.get(url, HTTP_ACCEPT="text/html,application/json")
        seen[url] = ""
        if response.status_code != 200 or response.streaming:
            continue
        body = response.content.decode("utf-8", "replace")
        seen[url] = body
        for found in LINK.finditer(body):
            link = urljoin(
                "http://testserver" + url, (found.group(1) or found.group(2)).replace("&amp;", "&")
            )
            parts = urlsplit(link)
            if parts.netloc == "testserver":
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def pages_showing(pages: dict[str, str], markers) -> list[str]:
    return sorted(url for url, body in pages.items() if any(marker in body for marker in markers))
