"""The validation report of a partner submission: the workbook as sent, every problem at its
cell (red: error, yellow: warning, with a comment), and a ``problems`` sheet linking to them.
"""

from __future__ import annotations

import io
import re
from typing import Any

from scenat.casefile.screening import column_index, column_letter, screen_file, sniff
from scenat.casefile.spreadsheet import set_cell
from scenat.paths import private_folder, write_private
from scenat.store import Submission
from scenat.store.submissions import json_value

_ERROR_FILL = "FFC7CE"
_WARNING_FILL = "FFEB9C"


def validation_report(submission: Submission) -> bytes:
    """An ``.xlsx``: the submission as sent with offending cells highlighted (red: error,
    yellow: warning) and commented with the problem and its hint, and a ``problems`` sheet
    listing every problem with a link to its cell.

    Formulas are replaced by their saved values and text that would read as a formula is
    stored as text, so the report is safe to open. When the file cannot be read as a workbook
    (not an .xlsx, damaged, too big), the report has the ``problems`` sheet and the rows
    scenat could read, if any.
    """
    book = _submission_book(submission)
    _annotate(book, submission)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _submission_book(submission: Submission) -> Any:
    import openpyxl

    data = submission.data
    if data and sniff(data[:4096]) == "zip":
        with private_folder("report") as tmp:  # a partner's data: owner-only, in SCENAT_HOME
            path = write_private(tmp / "submission.xlsx", data)
            if screen_file(path).ok:
                try:
                    book = openpyxl.load_workbook(path, data_only=True, keep_links=False)
                except Exception:  # damaged beyond what screening sees: fall back to rows
                    book = None
                if book is not None:
                    for ws in book.worksheets:
                        for row in ws.iter_rows():
                            for cell in row:
                                if isinstance(cell.value, str) and cell.data_type != "s":
                                    set_cell(ws, cell.row, cell.column, cell.value)
                    return book
    book = openpyxl.Workbook()
    book.remove(book.active)
    for key, sheet in (submission.parsed or {}).items():
        ws = book.create_sheet(str(sheet.get("name") or key)[:31])
        header_row = sheet.get("header_row", 1)
        for c, title in enumerate(sheet.get("headers", []), start=1):
            if title:
                set_cell(ws, header_row, c, title)
        headers = sheet.get("headers", [])
        for number, record in sheet.get("rows", []):
            for c, title in enumerate(headers, start=1):
                if title and record.get(title) is not None:
                    set_cell(ws, number, c, record[title])
    return book


def _annotate(book: Any, submission: Submission) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    by_name = {ws.title.strip().lower(): ws for ws in book.worksheets}
    parsed = submission.parsed or {}
    notes: dict[tuple[str, int, int], list[str]] = {}
    worst: dict[tuple[str, int, int], str] = {}
    links: list[str | None] = []
    for p in submission.problems:
        ws = by_name.get((p.sheet or "").strip().lower())
        target = None
        if ws is not None:
            if ws.sheet_state != "visible":
                ws.sheet_state = "visible"
            info = parsed.get(ws.title.strip().lower(), {})
            header_row = info.get("header_row", 1)
            column = _column_of(ws, p.column, header_row, info.get("headers"))
            row = p.row or (header_row if column else None)
            if row:
                cell = _writable(ws, row, column or 1)
                target = (ws.title, cell.row, cell.column)
                notes.setdefault(target, []).append(
                    f"{p.severity}: {p.message}" + (f"\nHint: {p.hint}" if p.hint else "")
                )
                if worst.get(target) != "error":
                    worst[target] = p.severity
            else:
                ws.sheet_properties.tabColor = "C00000"
        links.append(f"#'{target[0]}'!{_ref(target[1], target[2])}" if target else None)
    for (title, row, column), texts in notes.items():
        cell = book[title].cell(row=row, column=column)
        colour = _ERROR_FILL if worst[(title, row, column)] == "error" else _WARNING_FILL
        cell.fill = PatternFill("solid", fgColor=colour)
        comment = Comment("\n\n".join(texts)[:30000], "scenat")
        comment.width, comment.height = 320, 160
        cell.comment = comment
    ws = book.create_sheet("problems", 0)
    header = ["severity", "sheet", "row", "column", "value", "problem", "hint", "go to"]
    for c, title in enumerate(header, start=1):
        set_cell(ws, 1, c, title).font = Font(bold=True)
    for r, (p, link) in enumerate(zip(submission.problems, links), start=2):
        values = [p.severity, p.sheet, p.row, p.column, json_value(p.value), p.message, p.hint]
        for c, value in enumerate(values, start=1):
            if value is not None:
                set_cell(ws, r, c, value)
        if p.severity == "error":
            ws.cell(row=r, column=1).fill = PatternFill("solid", fgColor=_ERROR_FILL)
        if link:
            cell = set_cell(ws, r, 8, "show cell")
            cell.hyperlink = link
            cell.font = Font(color="0563C1", underline="single")
    if not submission.problems:
        set_cell(ws, 2, 1, "no problems found")
    for letter, width in zip("ABCDEFGH", (9, 14, 6, 14, 24, 70, 70, 10)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    book.active = 0


def _writable(ws: Any, row: int, column: int) -> Any:
    """The cell, or the first cell of the merged range it lies in (the one that can change)."""
    from openpyxl.cell.cell import MergedCell

    cell = ws.cell(row=row, column=column)
    if isinstance(cell, MergedCell):
        for merged in ws.merged_cells.ranges:
            if cell.coordinate in merged:
                return ws.cell(row=merged.min_row, column=merged.min_col)
    return cell


def _column_of(ws: Any, column: str | None, header_row: int, headers: list | None) -> int | None:
    if not column:
        return None
    wanted = column.strip().lower()
    if headers and wanted in headers:
        return headers.index(wanted) + 1
    for cell in next(ws.iter_rows(min_row=header_row, max_row=header_row), ()):
        if cell.value is not None and re.sub(r"\s+", "_", str(cell.value).strip().lower()) == (
            wanted
        ):
            return cell.column
    if re.fullmatch(r"[A-Z]{1,3}", column):
        return column_index(column)
    return None


def _ref(row: int, column: int) -> str:
    return f"{column_letter(column)}{row}"
