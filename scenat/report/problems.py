"""Problems as a table and as a workbook people download: one row per problem, located.

>>> from scenat.errors import Problem
>>> table = problems_table([Problem("unknown unit", sheet="flows", row=7, column="unit",
...                                 value="=kgg")])
>>> table.select("sheet", "row", "column", "value").row(0)
('flows', 7, 'unit', '=kgg')
"""

from __future__ import annotations

import polars as pl

from scenat.casefile.spreadsheet import frame_rows, xlsx_bytes
from scenat.errors import Problem

PROBLEM_COLUMNS = ("severity", "sheet", "row", "column", "value", "message", "hint", "file")
_WIDTHS = {1: 10, 2: 14, 3: 7, 4: 16, 5: 24, 6: 60, 7: 60, 8: 30}


def problems_table(problems: list[Problem]) -> pl.DataFrame:
    """Every problem as a row: severity, sheet, row, column, value, message, hint, file."""
    rows = [
        {
            "severity": p.severity,
            "sheet": p.sheet,
            "row": p.row,
            "column": p.column,
            "value": None if p.value is None else str(p.value),
            "message": p.message,
            "hint": p.hint,
            "file": p.file,
        }
        for p in problems
    ]
    schema = {c: pl.String for c in PROBLEM_COLUMNS} | {"row": pl.Int64}
    return pl.DataFrame(rows, schema=schema).select(PROBLEM_COLUMNS)


def problems_xlsx(problems: list[Problem]) -> bytes:
    """The problems table as a workbook with one sheet ``problems`` (no value a formula)."""
    return xlsx_bytes(
        {"problems": frame_rows(problems_table(problems))}, widths={"problems": _WIDTHS}
    )
