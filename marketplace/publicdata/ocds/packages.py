"""Release and record packages (OCDS 1.1.5) of the public challenges, a page at a time.

A page holds the contracting processes of up to ``OCDS_PAGE_SIZE`` challenges (in id order) and
names the next one in ``links.next``; ``since`` keeps the releases dated at or after it. The
number of queries of a page does not depend on how many challenges it holds."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from marketplace.publicdata.ocds import sources
from marketplace.publicdata.ocds.merge import compile_releases
from marketplace.publicdata.ocds.releases import ocid_for, process_releases

VERSION = "1.1"
# A page with ``since`` that finds nothing looks further, up to this many pages of challenges,
# before it answers with an empty page and the link to go on.
SINCE_LOOKAHEAD = 20


@dataclass
class Page:
    """The releases of one page of processes, by ocid, and where the next page starts."""

    releases: dict[str, list[dict[str, Any]]]
    next_after: int | None


def metadata(*, uri: str, published: datetime.datetime | None = None) -> dict[str, Any]:
    """What every package says about itself."""
    package: dict[str, Any] = {
        "uri": uri,
        "version": VERSION,
        "publishedDate": (published or timezone.now()).replace(microsecond=0).isoformat(),
        "publisher": {"name": settings.OCDS_PUBLISHER_NAME},
        "license": settings.OPEN_DATA_LICENSE,
    }
    if settings.OCDS_PUBLICATION_POLICY_URL:
        package["publicationPolicy"] = settings.OCDS_PUBLICATION_POLICY_URL
    return package


def releases_page(
    *, base_url: str, after: int = 0, since: datetime.datetime | None = None, size: int | None = None
) -> Page:
    size = size or settings.OCDS_PAGE_SIZE
    for _attempt in range(SINCE_LOOKAHEAD if since else 1):
        challenges = list(sources.public_challenges().filter(pk__gt=after)[: size + 1])
        more = len(challenges) > size
        challenges = challenges[:size]
        found: dict[str, list[dict[str, Any]]] = {}
        for process in sources.processes(challenges):
            releases = process_releases(process, base_url=base_url)
            if since is not None:
                releases = [r for r in releases if _moment(r["date"]) >= since]
            if releases:
                found[ocid_for(process.challenge)] = releases
        next_after = challenges[-1].pk if more else None
        if found or next_after is None:
            return Page(found, next_after)
        after = next_after
    return Page({}, after)


def record_releases(ocid: str, *, base_url: str) -> list[dict[str, Any]] | None:
    """The releases of one process, or None when no public challenge has this ocid."""
    prefix = settings.OCDS_PREFIX
    if not ocid.startswith(prefix):
        return None
    _region, _sep, pk = ocid[len(prefix) :].rpartition("-")
    if not pk.isdigit():
        return None
    challenge = sources.public_challenges().filter(pk=int(pk)).first()
    if challenge is None or ocid_for(challenge) != ocid:
        return None
    (process,) = sources.processes([challenge])
    return process_releases(process, base_url=base_url)


def release_package(releases: list[dict[str, Any]], *, uri: str) -> dict[str, Any]:
    return {**metadata(uri=uri, published=_latest(releases)), "releases": releases}


def record(ocid: str, releases: list[dict[str, Any]]) -> dict[str, Any]:
    return {"ocid": ocid, "releases": releases, "compiledRelease": compile_releases(releases)}


def record_package(by_ocid: dict[str, list[dict[str, Any]]], *, uri: str) -> dict[str, Any]:
    every = [release for releases in by_ocid.values() for release in releases]
    return {
        **metadata(uri=uri, published=_latest(every)),
        "records": [record(ocid, releases) for ocid, releases in by_ocid.items()],
    }


def _moment(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


def _latest(releases: list[dict[str, Any]]) -> datetime.datetime | None:
    """A package made on demand is dated by the last change it contains (the standard's advice)."""
    if not releases:
        return None
    return max(_moment(release["date"]) for release in releases)
