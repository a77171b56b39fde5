"""Public pages and the signed-in workspace. Views parse input, check permissions, call a
service or selector, and render; they change nothing themselves."""

from __future__ import annotations

from django.core.paginator import Paginator

from core import page_cache

PAGE_SIZE = 20


def paginate(request, queryset, size: int | None = None, *, count_key: str | None = None):
    """A page of ``queryset``. With ``count_key`` (naming everything the count depends on) its
    count is kept until the next public write (``page_cache.remembered``)."""
    paginator = Paginator(queryset, size or PAGE_SIZE)
    if count_key is not None:
        paginator.count = page_cache.remembered(f"count:{count_key}", queryset.count)  # type: ignore[assignment]
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
