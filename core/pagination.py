"""Public pages and the signed-in workspace. Views parse input, check permissions, call a
service or selector, and render; they change nothing themselves."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.core.paginator import Paginator

from core import page_cache

PAGE_SIZE = 20


def paginate(
    request,
    queryset,
    size: int | None = None,
    *,
    count_key: str | None = None,
    changes_at: Callable[[list], Any] | None = None,
):
    """A page of ``queryset`` whose rows are read only when used (``LazyRows``). With
    ``count_key`` (naming everything the count depends on) its count is kept until the next
    public write (``page_cache.remembered``). ``changes_at(rows)``: see ``LazyRows``."""
    paginator = Paginator(queryset, size or PAGE_SIZE)
    if count_key is not None:
        paginator.count = page_cache.remembered(f"count:{count_key}", queryset.count)  # type: ignore[assignment]
    page = paginator.get_page(request.GET.get("page"))
    if not isinstance(page.object_list, LazyRows):
        length = page.end_index() - page.start_index() + 1 if paginator.count else 0
        rows = page.object_list
        page.object_list = LazyRows(lambda: list(rows), length, changes_at)
    return page


def querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


class LazyRows(Sequence):
    """A page's rows, read only when something uses them: a page whose cards are kept
    (``{% public_part %}``) costs no query for them. ``length`` is known without reading (the
    paginator's count says it); ``changes_at()`` the next moment the rows' statuses change by
    the clock alone (None: never), for how long their rendering holds."""

    def __init__(
        self,
        read: Callable[[], list],
        length: int | None = None,
        changes_at: Callable[[list], Any] | None = None,
    ) -> None:
        self._read, self._length, self._changes_at = read, length, changes_at
        self._rows: list | None = None

    def rows(self) -> list:
        if self._rows is None:
            self._rows = list(self._read())
        return self._rows

    def __len__(self) -> int:
        return len(self.rows()) if self._length is None else self._length

    def __getitem__(self, index):
        return self.rows()[index]

    def __iter__(self) -> Iterator:
        return iter(self.rows())

    def changes_at(self):
        return self._changes_at(self.rows()) if self._changes_at else None
