"""``{% load tables %}``: the column headers of a table, repeated on each of its cells.

On a phone the design system's table (cms/templates/includes/table.html) shows each row as a
small card, every cell after its column's name (CSS reads it from ``data-label``). The names are
written once, in the table's ``<thead>``; ``{% labelled_cells %}`` copies them onto the cells of
the body and footer when the table is rendered, so no table template repeats them.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_SPACES = re.compile(r"\s+")


class _Cells(HTMLParser):
    """Finds the header names and where each body/footer cell's start tag ends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headers: list[str] = []
        self.inserts: list[tuple[int, str]] = []  # (offset just before ">", label)
        self._section = ""
        self._header_row: list[str] = []
        self._header_text: list[str] | None = None
        self._column = 0
        self._line_starts: list[int] = [0]

    def feed_all(self, html: str) -> None:
        self._line_starts = [0] + [match.end() for match in re.finditer("\n", html)]
        self.feed(html)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif tag == "tr":
            self._column = 0
            if self._section == "thead":
                self._header_row = []
        elif tag in ("th", "td"):
            named = dict(attrs)
            span = int(named.get("colspan") or 1) if (named.get("colspan") or "1").isdigit() else 1
            if self._section == "thead":
                self._header_text = []
                self._header_row.extend([""] * (span - 1))
            elif (
                self._section in ("tbody", "tfoot")
                and span == 1
                and "data-label" not in named
                and self._column < len(self.headers)
                and self.headers[self._column]
            ):
                text = self.get_starttag_text() or ""
                end = self._offset() + len(text) - (2 if text.endswith("/>") else 1)
                self.inserts.append((end, self.headers[self._column]))
            self._column += span

    def handle_endtag(self, tag: str) -> None:
        if tag == "th" and self._section == "thead" and self._header_text is not None:
            self._header_row.append(_SPACES.sub(" ", "".join(self._header_text)).strip())
            self._header_text = None
        elif tag == "tr" and self._section == "thead":
            # The last header row names the columns (a first row may group them).
            self.headers = self._header_row
        elif tag in ("thead", "tbody", "tfoot"):
            self._section = ""

    def handle_data(self, data: str) -> None:
        if self._header_text is not None:
            self._header_text.append(data)


def label_cells(html: str) -> str:
    """``html`` (one table) with ``data-label="<column header>"`` on each body and footer cell.

    Cells that span several columns, cells under an empty header and cells that already carry a
    ``data-label`` are left as they are."""
    parser = _Cells()
    parser.feed_all(html)
    pieces, start = [], 0
    for offset, label in parser.inserts:
        pieces += [html[start:offset], f' data-label="{escape(label)}"']
        start = offset
    pieces.append(html[start:])
    return "".join(pieces)


class LabelledCellsNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        # The content is already-rendered, autoescaped template output; labels are escaped.
        return mark_safe(label_cells(self.nodelist.render(context)))  # noqa: S308


@register.tag
def labelled_cells(parser: template.base.Parser, token: template.base.Token) -> LabelledCellsNode:
    """``{% labelled_cells %}<table>…</table>{% endlabelled_cells %}``."""
    nodelist = parser.parse(("endlabelled_cells",))
    parser.delete_first_token()
    return LabelledCellsNode(nodelist)
