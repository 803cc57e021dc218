"""The one writer of spreadsheets people open: ``.xlsx`` where no text becomes a formula, and
CSV for spreadsheets with formula-like text escaped.

Any text scenat writes may come from a partner's file (a node name, a comment, a problem's
value), so nothing is written as a formula: text starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return, also after white space (formula injection, OWASP), is stored in an
``.xlsx`` as a text cell with Excel's quote prefix, which shows and reads back unchanged; in
a CSV meant for spreadsheets it gets a leading ``'``, and every text field is quoted so that
no locale's separator (``;``, a tab, a carriage return) splits it (:func:`csv_bytes` with
``escape=True``). Case files
that scenat itself reads again are written without that CSV escape, so they round-trip.

>>> import io, openpyxl
>>> data = xlsx_bytes({"flows": [["node", "comment"], ["a", "=HYPERLINK(\\"x\\")"]]})
>>> cell = openpyxl.load_workbook(io.BytesIO(data))["flows"]["B2"]
>>> cell.value, cell.data_type
('=HYPERLINK("x")', 's')
>>> csv_bytes([["label"], ["=1+1"], [-2.5]], escape=True).decode()
'"label"\\n"\\'=1+1"\\n-2.5\\n'
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

#: text that a spreadsheet would take for a formula when typed (formula injection)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60

Rows = Sequence[Sequence[Any]]


def cell_value(value: Any) -> Any:
    """A value as a sheet cell: lists joined with ``|``, NaN and None as blanks."""
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple, set)):
        return "|".join(str(v) for v in value)
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def set_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write a value into an openpyxl sheet so that no text ever becomes a formula.

    Infinities and NaN are written as text (``inf``, ``nan``): a workbook has no such numbers.
    """
    cell = ws.cell(row=row, column=column)
    if isinstance(value, float) and not math.isfinite(value):
        value = str(value)
    cell.value = value
    if isinstance(value, str) and is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def xlsx_bytes(
    sheets: Mapping[str, Rows],
    notes: Mapping[str, Mapping[str, str]] | None = None,
    widths: Mapping[str, Mapping[int, float]] | None = None,
) -> bytes:
    """``{sheet: [header, row, ...]}`` as a workbook: bold, filled and frozen header rows,
    filters, columns sized to their text (or ``widths[sheet][column]``), header comments from
    ``notes[sheet][column]``; blanks for None and NaN."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    notes = notes or {}
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    top = Alignment(vertical="top")
    for name, rows in sheets.items():
        ws = book.create_sheet(name[:31])
        sized: dict[int, int] = {}
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                value = cell_value(value)
                if value is None:
                    continue
                set_cell(ws, r, c, value).alignment = top
                sized[c] = max(sized.get(c, 0), len(str(value)))
        header = rows[0] if rows else []
        sheet_notes = notes.get(name, {})
        for c, title in enumerate(header, start=1):
            cell = ws.cell(row=1, column=c)
            cell.font = bold
            cell.fill = fill
            if title in sheet_notes:
                cell.comment = Comment(sheet_notes[title], "scenat")
        fixed = (widths or {}).get(name, {})
        for c in set(sized) | set(fixed):
            width = fixed.get(c, min(MAX_WIDTH, max(10, sized.get(c, 0) + 2)))
            ws.column_dimensions[get_column_letter(c)].width = width
        if len(rows) > 1:
            ws.freeze_panes = "A2"
            if header:
                ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows)}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Rows, escape: bool) -> bytes:
    """Rows as UTF-8 CSV; ``escape`` (for files people open in a spreadsheet) prefixes text
    that a spreadsheet would start as a formula, also after white space (``" =1+1"``), with
    ``'``, and quotes every text field, so that no reader splits one at a carriage return,
    a ``;`` or a tab (the separators of many locales) and starts a cell with its rest."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC if escape else csv.QUOTE_MINIMAL
    )
    for row in rows:
        out = []
        for value in row:
            value = cell_value(value)
            if value is None:
                value = ""
            elif escape and isinstance(value, str) and is_formula_like(value):
                value = "'" + value
            out.append(value)
        writer.writerow(out)
    return buffer.getvalue().encode("utf-8")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would take ``text`` for a formula (white space before it too).

    >>> is_formula_like(" =1+1"), is_formula_like("-A1"), is_formula_like("steel")
    (True, True, False)
    """
    return text.startswith(FORMULA_PREFIXES) or text.lstrip().startswith(FORMULA_PREFIXES[:4])


def frame_rows(frame: Any) -> list[list[Any]]:
    """A polars table as rows, header first (lists of values, e.g. path keys, joined by |)."""
    return [list(frame.columns), *(list(row) for row in frame.iter_rows())]
