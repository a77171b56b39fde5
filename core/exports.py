"""Spreadsheet exports (CSV and XLSX) that a spreadsheet program opens safely.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) as a formula: a proposal title such as ``=HYPERLINK("http://…","klik")``
would run on the reader's machine (CSV/formula injection). Every export writes its cells
through this module, so no column can forget: such text gets a leading apostrophe and, in
XLSX, is stored as a string cell, never as a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A plain number ("-1250000", "-12.50") is read as a number, not a formula: left as it is.
_PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def spreadsheet_safe(value: Any) -> Any:
    """The value as a spreadsheet should see it: text that would start a formula is prefixed
    with an apostrophe; numbers, dates and empty cells pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads it as UTF-8), comma-separated; ``None``
    is an empty cell."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(["" if value is None else spreadsheet_safe(value) for value in row])
    return out.getvalue().encode("utf-8")


def xlsx_append(sheet, row: Sequence[Any]) -> None:
    """Append a row to an openpyxl worksheet: openpyxl itself turns any text starting with
    ``=`` into a formula, so text cells are forced to the string type after the check. (The
    cells are made here: finding the appended row again through ``sheet.max_row`` scans every
    cell of the sheet, which made a sheet of 10,000 rows take a minute.)"""
    from openpyxl.cell.cell import Cell

    values: list[Any] = []
    for value in row:
        value = spreadsheet_safe(value)
        if isinstance(value, str):
            text = Cell(sheet, value=value)
            text.data_type = "s"
            value = text
        values.append(value)
    sheet.append(values)
