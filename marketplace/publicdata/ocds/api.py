"""The OCDS endpoints: release packages, record packages, one record, and the bulk files."""

from __future__ import annotations

import datetime

from django.http import FileResponse, Http404
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_naive, make_aware
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from marketplace.publicdata.ocds import bulk, packages

PAGE_PARAMETERS = [
    OpenApiParameter(
        "after", int, description="Where the page starts: the value in the previous page's `links.next`."
    ),
]
SINCE = OpenApiParameter(
    "since",
    OpenApiTypes.DATETIME,
    description="Only releases dated at or after this moment (ISO 8601; without an offset, UTC).",
)
PACKAGE = {200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT}


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _after(request) -> int:
    value = request.query_params.get("after", "")
    return int(value) if value.isdigit() else 0


def _since(request) -> datetime.datetime | None:
    raw = request.query_params.get("since", "").strip()
    if not raw:
        return None
    moment = parse_datetime(raw.replace(" ", "+"))  # a "+07:00" sent unencoded arrives as a space
    if moment is None:
        day = parse_date(raw)
        moment = datetime.datetime.combine(day, datetime.time()) if day else None
    if moment is None:
        raise ValueError(raw)
    return make_aware(moment, datetime.UTC) if is_naive(moment) else moment


def _next_link(request, after: int | None) -> dict:
    if after is None:
        return {}
    params = request.query_params.copy()
    params["after"] = str(after)
    return {"links": {"next": request.build_absolute_uri(f"{request.path}?{params.urlencode()}")}}


@extend_schema(
    operation_id="ocds_releases_list", parameters=[SINCE, *PAGE_PARAMETERS], responses=PACKAGE, tags=["ocds"]
)
@api_view(["GET"])
def releases(request):
    """A release package (OCDS 1.1.5) of every public challenge's contracting process, a page of
    processes at a time (`links.next`), optionally only the releases dated at or after `since`."""
    try:
        since = _since(request)
    except ValueError:
        return Response({"errors": {"since": ["Give an ISO 8601 date or date and time."]}}, status=400)
    page = packages.releases_page(base_url=_base_url(request), after=_after(request), since=since)
    found = [release for group in page.releases.values() for release in group]
    package = packages.release_package(found, uri=request.build_absolute_uri())
    return Response({**package, **_next_link(request, page.next_after)})


@extend_schema(operation_id="ocds_records_list", parameters=PAGE_PARAMETERS, responses=PACKAGE, tags=["ocds"])
@api_view(["GET"])
def records(request):
    """A record package (OCDS 1.1.5): each process's releases and its compiled release, a page of
    processes at a time (`links.next`)."""
    page = packages.releases_page(base_url=_base_url(request), after=_after(request))
    package = packages.record_package(page.releases, uri=request.build_absolute_uri())
    return Response({**package, **_next_link(request, page.next_after)})


@extend_schema(
    operation_id="ocds_record_retrieve",
    responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    tags=["ocds"],
)
@api_view(["GET"])
def record(request, ocid: str):
    """The record package of one contracting process (one challenge)."""
    found = packages.record_releases(ocid, base_url=_base_url(request))
    if not found:
        return Response({"detail": "No public contracting process has this ocid."}, status=404)
    return Response(packages.record_package({ocid: found}, uri=request.build_absolute_uri()))


@extend_schema(
    responses={(200, "application/json"): OpenApiTypes.BINARY, 404: OpenApiTypes.OBJECT}, tags=["ocds"]
)
@api_view(["GET"])
def bulk_file(request, name: str):
    """The latest daily bulk file: `releases.json` or `records.json` (every public release or
    record in one package), or either gzipped (`.json.gz`)."""
    if name not in bulk.FILES:
        raise Http404
    path = bulk.bulk_root() / name
    if not path.is_file():
        return Response({"detail": "The bulk file has not been written yet."}, status=404)
    content_type = "application/gzip" if name.endswith(".gz") else "application/json"
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    return response
