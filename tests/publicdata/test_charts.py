"""The server-drawn SVG charts: well-formed images with a title, sizes that follow the numbers,
series told apart without colour, and text escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from core.money import format_money
from marketplace.publicdata import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def bars(root: ET.Element) -> list[float]:
    """Widths of the drawn bars (legend swatches are 14 wide and 14 high; bars are 16 high)."""
    return [float(rect.get("width")) for rect in root.iter(f"{SVG}rect") if rect.get("height") == "16.0"]


def test_a_bar_chart_is_an_image_with_a_title_and_bars_in_proportion():
    root = parse(
        charts.bar_chart(
            title="Uang per daerah",
            series=["Diterima", "Dibayarkan"],
            rows=[("Sumba Barat", [400_00, 100_00]), ("Pontianak", [200_00, 0])],
            money=format_money,
            chart_id="t",
        )
    )
    assert root.get("role") == "img" and root.get("aria-labelledby") == "t-title"
    assert root.find(f"{SVG}title").text == "Uang per daerah"
    widths = bars(root)
    assert widths[0] == 2 * widths[2] and widths[0] == 4 * widths[1] and widths[3] == 0
    # Every amount is written out, and each series is named in the legend.
    assert {"Rp 400", "Rp 100", "Rp 200", "Rp 0", "Diterima", "Dibayarkan", "Sumba Barat"} <= set(texts(root))


def test_series_differ_by_pattern_not_only_by_colour():
    svg = str(charts.bar_chart(title="t", series=["a", "b", "c", "d"], rows=[("x", [1, 2, 3, 4])], money=str))
    fills = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="16.0" fill="([^"]+)"', svg)
    assert len(set(fills)) == 4
    assert any(fill.startswith("url(#") and fill.endswith("-hatch)") for fill in fills)
    assert any(fill.endswith("-dots)") for fill in fills)


def test_text_is_escaped():
    svg = charts.bar_chart(
        title='<script>alert("x")</script>', series=["<b>"], rows=[("A & B", [5])], money=str, chart_id="e"
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = parse(svg)
    assert "A & B" in texts(root)


def test_a_line_chart_marks_every_month_and_scales_to_the_highest():
    points = [(f"M{n}", value) for n, value in enumerate([0, 50_00, 100_00, 25_00, 0, 75_00, 10_00])]
    root = parse(charts.line_chart(title="Per bulan", points=points, money=format_money, chart_id="l"))
    assert root.get("role") == "img" and root.find(f"{SVG}title").text == "Per bulan"
    circles = [circle for circle in root.iter(f"{SVG}circle") if circle.get("r") == "4"]
    assert len(circles) == len(points)
    ys = [float(circle.get("cy")) for circle in circles]
    assert ys[2] == min(ys) and ys[0] == ys[4] == max(ys)  # the highest at the top, zeros on the axis
    assert "Rp 100" in texts(root)  # the scale's top is written
    # With few points each amount is written beside it.
    few = parse(charts.line_chart(title="t", points=[("Jan", 10_00), ("Feb", 20_00)], money=format_money))
    assert {"Rp 10", "Rp 20", "Jan", "Feb"} <= set(texts(few))


def test_a_flow_chart_names_every_part_with_its_amount():
    root = parse(
        charts.flow_chart(
            title="Aliran dana",
            sources_heading="Masuk",
            sources=[("APBD", 300_00), ("Sponsor", 100_00)],
            middle="Dana tantangan",
            outcomes_heading="Sekarang",
            outcomes=[("Dibayar", 100_00), ("Belum dibayar", 100_00), ("Kembali", 0), ("Tersedia", 200_00)],
            money=format_money,
        )
    )
    assert root.get("role") == "img" and root.find(f"{SVG}title").text == "Aliran dana"
    words = texts(root)
    assert {"APBD: Rp 300", "Sponsor: Rp 100", "Dibayar: Rp 100", "Tersedia: Rp 200", "Rp 400"} <= set(words)
    # The stacked parts of each bar (26 high) fill the same width.
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect") if rect.get("height") == "26.0"]
    sources, outcomes = widths[:2], widths[2:]
    assert abs(sum(sources) - sum(outcomes)) < 0.5


def test_an_empty_chart_still_draws():
    assert parse(charts.line_chart(title="t", points=[], money=str)).get("role") == "img"
    assert parse(charts.bar_chart(title="t", series=["a"], rows=[], money=str)).get("role") == "img"
