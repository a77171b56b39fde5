"""The design system's table names each cell after its column (read on phones as a card)."""

from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation

from core.templatetags.tables import label_cells


def test_each_body_cell_is_labelled_with_its_column_header():
    html = label_cells(
        "<table><thead><tr><th scope='col'>Proposal</th><th>Amount <span>(Rp)</span></th>"
        "<th><span class='visually-hidden'>Tindakan &amp; catatan</span></th></tr></thead>"
        "<tbody><tr><th scope='row'>Usulan</th><td class='num'>Rp 1</td><td><a href='/x'>Ubah</a></td></tr>"
        "<tr><td colspan='3'>Kosong</td></tr></tbody>"
        "<tfoot><tr><th>Total</th><td data-label='Jumlah'>Rp 1</td><td></td></tr></tfoot></table>"
    )
    assert "<th scope='row' data-label=\"Proposal\">Usulan</th>" in html
    assert "<td class='num' data-label=\"Amount (Rp)\">Rp 1</td>" in html
    assert '<td data-label="Tindakan &amp; catatan"><a' in html
    assert "<td colspan='3'>Kosong</td>" in html  # a cell across columns has no single name
    assert "<td data-label='Jumlah'>Rp 1</td>" in html  # a label of its own is kept


def test_a_table_of_the_design_system_labels_its_cells_in_the_page_language():
    line = SimpleNamespace(
        get_category_display="Personel", description="Pemrogram", amount=150_000_000_000_00
    )
    with translation.override("en"):
        html = render_to_string(
            "proposals/budget_lines_table.html", {"lines": [line], "currency": "IDR", "label": "Budget"}
        )
    assert '<table class="stacked">' in html
    assert '<td data-label="Category">Personel</td>' in html
    assert '<td class="num" data-label="Amount">Rp 150.000.000.000</td>' in html
