"""Public pages and the signed-in workspace. Views parse input, check permissions, call a
service or selector, and render; they change nothing themselves."""

from __future__ import annotations

from django.core.paginator import Paginator

PAGE_SIZE = 20


def paginate(request, queryset, size: int | None = None):
    return Paginator(queryset, size or PAGE_SIZE).get_page(request.GET.get("page"))


def querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
