"""Editing a case in the browser: its sheets as tables and back, checked as a workbook is.
No streamlit here.

A draft is the case's content (:func:`scenat.store.case_content`: ``{sheet: [header, row,
...]}``), so what the editor changes is exactly what the store keeps and what a workbook
holds. Tables are numbered as the spreadsheet would number them (header = row 1, the first
line = row 2), so a problem's row is the row the editor shows.

>>> content = {"flows": [["node", "kind", "amount"], ["a", "process", 2.0]]}
>>> frame = sheet_frame(content, "flows")
>>> list(frame.index), float(frame.loc[2, "amount"])
([2], 2.0)
>>> rows_of(frame)
[['node', 'kind', 'amount'], ['a', 'process', 2.0]]
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pandas as pd

from scenat.casefile.build import build_case
from scenat.casefile.sheets import sheets_from_rows
from scenat.errors import Problem
from scenat.model.case import Case
from scenat.model.schema import FLOW_COLUMNS, INTERVENTION_COLUMNS, NODE_COLUMNS
from scenat.store import content_hash

EDITABLE = ("flows", "nodes", "interventions", "case")
NUMERIC = {
    "flows": ("amount", "sd", "gsd", "min", "max"),
    "nodes": ("output_amount",),
}
INTEGER = {"nodes": ("tier",)}
#: numbers of the case sheet (a field/value sheet: the value column holds text and numbers)
CASE_NUMBERS = {"reference_amount": float, "annual_volume": float, "year": int}
DEFAULT_COLUMNS = {
    "flows": FLOW_COLUMNS,
    "nodes": NODE_COLUMNS,
    "interventions": INTERVENTION_COLUMNS,
    "case": ("field", "value"),
}


def sheet_frame(content: dict[str, list[list[Any]]], sheet: str) -> pd.DataFrame:
    """One sheet as a table indexed by spreadsheet row number (numbers as numbers, the rest
    as text; an absent sheet is an empty table with its columns)."""
    rows = content.get(sheet) or [list(DEFAULT_COLUMNS[sheet])]
    header, body = [str(h) for h in rows[0]], rows[1:]
    frame = pd.DataFrame(
        [list(r) + [None] * (len(header) - len(r)) for r in body],
        columns=header,
        index=pd.RangeIndex(2, 2 + len(body)),
        dtype=object,
    )
    numeric, integer = list(NUMERIC.get(sheet, ())), list(INTEGER.get(sheet, ()))
    for i, column in enumerate(header):  # other all-number columns (the interventions' costs)
        values = [r[i] for r in body if i < len(r) and r[i] is not None]
        if sheet != "case" and values and all(_is_number(v) for v in values):
            (integer if all(isinstance(v, int) for v in values) else numeric).append(column)
    for column in frame.columns:
        if column in integer:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
        elif column in numeric:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        else:
            frame[column] = frame[column].map(_text).astype("string")
    return frame


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _cell(value.item())
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return text or None


def _number(value: Any) -> Any:
    """Text that is exactly a number's own spelling ("0.75", "20") back to that number; a
    column of text and numbers (an interventions sheet's ``share``) is shown as text."""
    if not isinstance(value, str):
        return value
    for kind in (int, float):
        try:
            number = kind(value)
        except ValueError:
            continue
        return number if _text(number) == value or repr(number) == value else value
    return value


def rows_of(frame: pd.DataFrame, sheet: str | None = None) -> list[list[Any]]:
    """A table back to sheet rows (header first); empty cells are None, blank lines dropped.
    The case sheet's numeric fields go back as numbers (text the reader cannot read as a
    number stays text, for the check to point at)."""
    rows = [list(frame.columns)]
    text = [str(t) == "string" for t in frame.dtypes]
    for values in frame.itertuples(index=False):
        row = [_number(c) if t else c for c, t in zip(map(_cell, values), text)]
        if sheet == "case" and len(row) >= 2 and row[0] in CASE_NUMBERS:
            try:
                row[1] = CASE_NUMBERS[row[0]](row[1])
            except (TypeError, ValueError):
                pass
        if any(v is not None for v in row):
            rows.append(row)
    return rows


def with_sheets(
    content: dict[str, list[list[Any]]], frames: dict[str, pd.DataFrame]
) -> dict[str, list[list[Any]]]:
    """``content`` with the edited sheets replaced (an interventions sheet left empty is
    dropped, as a case without one has none)."""
    draft = copy.deepcopy(content)
    for sheet, frame in frames.items():
        rows = rows_of(frame, sheet)
        if sheet == "interventions" and len(rows) == 1:
            draft.pop(sheet, None)
        else:
            draft[sheet] = rows
    return draft


def check(content: dict[str, list[list[Any]]], label: str) -> tuple[Case | None, list[Problem]]:
    """Build and validate a draft as a workbook would be: every problem located by sheet,
    row and column."""
    case, problems = build_case(sheets_from_rows(content), label)
    if case is not None:
        case.path = None
    return case, problems


def frames_of(content: dict[str, list[list[Any]]]) -> dict[str, pd.DataFrame]:
    """Every editable sheet of ``content`` as a table (the interventions sheet even when
    the case has none, to add one)."""
    return {sheet: sheet_frame(content, sheet) for sheet in EDITABLE}


def round_trip(content: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """``content`` as the editor gives it back unedited (numbers typed as the tables type
    them): the baseline a draft is compared with."""
    return with_sheets(content, frames_of(content))


def changed(baseline: dict[str, Any], draft: dict[str, Any]) -> bool:
    """Whether a draft differs from its :func:`round_trip` baseline."""
    return content_hash(baseline) != content_hash(draft)


def set_input(
    content: dict[str, list[list[Any]]], row: int, process_id: str, unit: str | None = None
) -> dict[str, list[list[Any]]]:
    """The flow on spreadsheet row ``row`` re-pointed at a background process (kind
    ``process`` unless it buys spend or gives a credit; its unit set when given)."""
    draft = copy.deepcopy(content)
    header = draft["flows"][0]
    line = draft["flows"][row - 1]
    line += [None] * (len(header) - len(line))
    line[header.index("input")] = process_id
    kind = header.index("kind")
    if line[kind] not in ("spend", "credit"):
        line[kind] = "process"
    if unit:
        line[header.index("unit")] = unit
    return draft


def flow_choices(content: dict[str, list[list[Any]]]) -> dict[int, str]:
    """Spreadsheet row -> a short description of each flow (for pickers)."""
    header, *body = content["flows"]
    at = {name: header.index(name) for name in ("node", "kind", "input", "amount", "unit")}
    out = {}
    for number, line in enumerate(body, start=2):
        values = {k: line[i] if i < len(line) else None for k, i in at.items()}
        out[number] = (
            f"{number}: {values['node']} · {values['kind']} · {values['input']} "
            f"({_text(values['amount'])} {values['unit']})"
        )
    return out
