"""Charts drawn on the server as inline SVG: no chart library, no JavaScript.

Every chart is an ``<svg role="img">`` with a ``<title>`` (and ``aria-labelledby`` pointing at
it), sized by its ``viewBox`` so it scales to the column it sits in. The page puts the same
numbers in an HTML table next to it. Series are told apart by pattern (solid, hatched, dotted,
outlined) and by text labels, never by colour alone; the colours reach 3:1 against white and
against each other's outlines (WCAG 1.4.11), text is near-black on white.

The functions take plain numbers and a ``money`` formatter (e.g. ``core.money.format_money``)
and return a ``SafeString``; every text that goes in is escaped here."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1b1b1b"
MUTED = "#4a4a4a"
GRID = "#b1b4b6"
FONT = 'font-family="system-ui, sans-serif"'
WIDTH = 360  # the viewBox width: text stays readable when a 375 px phone shows it at full width

_ids = itertools.count(1)


@dataclass(frozen=True)
class Style:
    """How one series is drawn: a fill (a colour or a pattern) and the word for its pattern."""

    key: str
    colour: str


# Solid dark blue, hatched blue, dotted purple, outlined grey: distinct without colour.
STYLES = [
    Style("solid", "#0b4f7c"),
    Style("hatch", "#0b4f7c"),
    Style("dots", "#5b2a86"),
    Style("outline", "#4a4a4a"),
]


def _defs(prefix: str) -> str:
    return (
        "<defs>"
        f'<pattern id="{prefix}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#ffffff"/>'
        '<rect width="3" height="6" fill="#0b4f7c"/></pattern>'
        f'<pattern id="{prefix}-dots" width="5" height="5" patternUnits="userSpaceOnUse">'
        '<rect width="5" height="5" fill="#ffffff"/>'
        '<circle cx="2.5" cy="2.5" r="1.6" fill="#5b2a86"/></pattern>'
        "</defs>"
    )


def _fill(prefix: str, style: Style) -> str:
    if style.key == "solid":
        return style.colour
    if style.key == "outline":
        return "#ffffff"
    return f"url(#{prefix}-{style.key})"


def _rect(prefix: str, style: Style, x: float, y: float, width: float, height: float) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{height:.1f}" '
        f'fill="{_fill(prefix, style)}" stroke="{INK}" stroke-width="1"/>'
    )


def _text(x: float, y: float, text: str, *, size: int = 14, anchor: str = "start", bold: bool = False) -> str:
    weight = ' font-weight="700"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{INK}" text-anchor="{anchor}"{weight}>'
        f"{escape(text)}</text>"
    )


def _svg(prefix: str, title: str, height: float, body: str, desc: str = "") -> SafeString:
    description = f'<desc id="{prefix}-desc">{escape(desc)}</desc>' if desc else ""
    described = f' aria-describedby="{prefix}-desc"' if desc else ""
    return mark_safe(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'role="img" aria-labelledby="{prefix}-title"{described} {FONT}>'
        f'<title id="{prefix}-title">{escape(title)}</title>{description}{_defs(prefix)}{body}</svg>'
    )


def _legend(prefix: str, names: Sequence[str], y: float) -> tuple[str, float]:
    """One line per series: its swatch and its name. Returns the markup and the next y."""
    parts = []
    for name, style in zip(names, STYLES, strict=False):
        parts.append(_rect(prefix, style, 8, y - 11, 14, 14))
        parts.append(_text(28, y, name))
        y += 20
    return "".join(parts), y


def bar_chart(
    *,
    title: str,
    series: Sequence[str],
    rows: Sequence[tuple[str, Sequence[int]]],
    money: Callable[[int], str],
    chart_id: str = "",
) -> SafeString:
    """Horizontal bars grouped per row (a region, say): for each row its label, then one bar per
    series with the amount written after it. ``rows`` is ``[(label, [value per series])]``."""
    prefix = chart_id or f"chart{next(_ids)}"
    biggest = max((value for _label, values in rows for value in values), default=0) or 1
    bar_area = WIDTH - 8 - 136  # room for the amount after the longest bar
    parts: list[str] = []
    legend, y = _legend(prefix, series, 20)
    parts.append(legend)
    y += 6
    for label, values in rows:
        parts.append(_text(8, y + 12, label, bold=True))
        y += 20
        for value, style in zip(values, STYLES, strict=False):
            width = bar_area * max(value, 0) / biggest
            parts.append(_rect(prefix, style, 8, y, width, 16))
            parts.append(_text(8 + width + 6, y + 13, money(value), size=13))
            y += 22
        y += 8
    return _svg(prefix, title, y, "".join(parts))


def line_chart(
    *,
    title: str,
    points: Sequence[tuple[str, int]],
    money: Callable[[int], str],
    chart_id: str = "",
) -> SafeString:
    """A line through ``points`` (``[(label, value)]``, in order), each point a marked dot, the
    highest value written on its grid line and every label under the axis when there is room (a
    few of them otherwise)."""
    prefix = chart_id or f"chart{next(_ids)}"
    left, right, top, plot_height = 12, WIDTH - 16, 40, 150
    biggest = max((value for _label, value in points), default=0) or 1
    count = len(points)
    step = (right - left) / (count - 1) if count > 1 else 0
    bottom = top + plot_height

    def x_of(index: int) -> float:
        return left + index * step if count > 1 else (left + right) / 2

    def y_of(value: int) -> float:
        return bottom - plot_height * max(value, 0) / biggest

    parts = [
        f'<line x1="{left}" y1="{top}" x2="{right}" y2="{top}" stroke="{GRID}" stroke-dasharray="4 3"/>',
        _text(right, top - 8, money(biggest), size=13, anchor="end") if count > 4 else "",
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{INK}"/>',
    ]
    if count > 1:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x_of(i):.1f},{y_of(value):.1f}"
            for i, (_label, value) in enumerate(points)
        )
        parts.append(f'<path d="{path}" fill="none" stroke="#0b4f7c" stroke-width="2.5"/>')
    for i, (_label, value) in enumerate(points):
        parts.append(
            f'<circle cx="{x_of(i):.1f}" cy="{y_of(value):.1f}" r="4" fill="#ffffff" stroke="#0b4f7c" '
            'stroke-width="2.5"/>'
        )
    if count <= 4:  # few points: each one's amount beside it
        for i, (_label, value) in enumerate(points):
            anchor = "start" if i == 0 and count > 1 else "end" if i == count - 1 and count > 1 else "middle"
            parts.append(_text(x_of(i), y_of(value) - 10, money(value), size=13, anchor=anchor))
    every = max(1, -(-count // 6))  # at most six labels under the axis
    for i, (label, _value) in enumerate(points):
        if i % every == 0 or i == count - 1:
            anchor = "start" if i == 0 and count > 1 else "end" if i == count - 1 and count > 1 else "middle"
            parts.append(_text(x_of(i), bottom + 18, label, size=13, anchor=anchor))
    return _svg(prefix, title, bottom + 28, "".join(parts))


def flow_chart(
    *,
    title: str,
    sources_heading: str,
    sources: Sequence[tuple[str, int]],
    middle: str,
    outcomes_heading: str,
    outcomes: Sequence[tuple[str, int]],
    money: Callable[[int], str],
    chart_id: str = "",
) -> SafeString:
    """Where the money comes from and where it is, top to bottom: the sources stacked in one bar,
    the funds they fill (``middle``, with the total), and what became of it stacked in a third
    bar, joined by shaded bands; each part is named with its amount under its bar. The sources
    and the outcomes add up to the same total."""
    prefix = chart_id or f"chart{next(_ids)}"
    left, right, bar = 8, WIDTH - 8, 26
    total = sum(max(value, 0) for _label, value in sources)
    scale = total or 1
    parts: list[str] = []

    def stacked(y: float, items: Sequence[tuple[str, int]], heading: str) -> float:
        parts.append(_text(left, y, heading, bold=True))
        y += 8
        x = float(left)
        for (_label, value), style in zip(items, STYLES, strict=False):
            width = (right - left) * max(value, 0) / scale
            if width > 0:
                parts.append(_rect(prefix, style, x, y, width, bar))
            x += width
        y += bar + 20
        for (label, value), style in zip(items, STYLES, strict=False):
            parts.append(_rect(prefix, style, left, y - 11, 14, 14))
            parts.append(_text(left + 20, y, f"{label}: {money(value)}", size=13))
            y += 19
        return y

    def band(y_from: float, y_to: float) -> None:
        parts.append(
            f'<path d="M{left},{y_from:.1f} L{right},{y_from:.1f} L{right - 40},{y_to:.1f} '
            f'L{left + 40},{y_to:.1f} Z" fill="#dce6ee" stroke="{GRID}"/>'
        )

    y = stacked(18, sources, sources_heading)
    band(y - 4, y + 14)
    y += 34
    parts.append(_text(left, y, middle, bold=True))
    y += 8
    parts.append(
        f'<rect x="{left}" y="{y:.1f}" width="{right - left}" height="{bar}" fill="#ffffff" '
        f'stroke="{INK}" stroke-width="2"/>'
    )
    parts.append(_text(WIDTH / 2, y + 18, money(total), anchor="middle", bold=True))
    y += bar + 4
    band(y, y + 18)
    y += 40
    y = stacked(y, outcomes, outcomes_heading)
    return _svg(prefix, title, y + 4, "".join(parts))
