"""The one writer of spreadsheets people open: no text a partner wrote becomes a formula.

A spreadsheet takes a cell for a formula when its text starts with ``=``, ``+``, ``-`` or
``@`` (OWASP, CSV injection), also after white space, and it splits a line at a carriage
return and, in many locales, at ``;`` or a tab: text holding those must stay one quoted
field, or its second half starts a cell of its own.
"""

from __future__ import annotations

import csv
import io

import openpyxl

from scenat.casefile.spreadsheet import csv_bytes, xlsx_bytes

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    " =1+1",
    "\u00a0=1+1",
    "\t=1+1",
    "\r=1+1",
    "label\r=1+1",
    "label\n=1+1",
    "a;=1+1",
    "a\t=1+1",
    "-A1",
    "+cmd|' /C calc'!A0",
    "@SUM(A1)",
]
TRIGGERS = ("=", "+", "-", "@")


def test_csv_for_spreadsheets_never_starts_a_cell_with_a_formula():
    raw = csv_bytes([["label", "value"], *([h, -2.5] for h in HOSTILE)], escape=True).decode()
    rows = list(csv.reader(io.StringIO(raw)))
    assert len(rows) == 1 + len(HOSTILE)  # no text split a record
    for (text, number), hostile in zip(rows[1:], HOSTILE):
        assert number == "-2.5"  # numbers stay numbers
        # shown as written; behind the quote prefix when a formula would start the cell
        assert text == ("'" + hostile if hostile.lstrip().startswith(TRIGGERS) else hostile)
        # Every text field is quoted, so no reader splits it at \r, ; or a tab.
        assert '"' + text.replace('"', '""') + '"' in raw


def test_csv_with_plain_text_is_unchanged():
    raw = csv_bytes([["label"], ["steel, hot rolled"], ["kg CO2-eq"]], escape=True).decode()
    assert [r[0] for r in csv.reader(io.StringIO(raw))] == ["label", "steel, hot rolled",
                                                            "kg CO2-eq"]  # fmt: skip


def test_xlsx_never_holds_a_formula_and_shows_text_as_written():
    data = xlsx_bytes({"s": [["text"], *([h] for h in HOSTILE)]})
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [row[0] for row in book["s"].iter_rows(min_row=2)]
    assert [c.value for c in cells] == [h.replace("\r\n", "\n") for h in HOSTILE]
    assert all(c.data_type == "s" for c in cells)
