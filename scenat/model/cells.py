"""The one reader of located cells: typed values out of spreadsheet rows, problems at their cell.

Every table a person fills in (a case's sheets, an intervention library, a ledger mapping,
an indicator definition file) arrives as ``(row number, {column: value})`` pairs, the row
number as the spreadsheet shows it. :class:`Cells` turns those values into text and numbers
and records a :class:`~scenat.errors.Problem` (file, sheet, row, column, value, hint) for
each one it cannot use, so the same mistake gets the same message wherever it is made.

>>> cells = Cells(file="case.xlsx", sheet="flows")
>>> cells.number(3, {"amount": "12.5"}, "amount", required=True)
12.5
>>> cells.number(4, {"amount": "twelve"}, "amount", required=True) is None
True
>>> print(cells.problems[0])  # doctest: +ELLIPSIS
error: case.xlsx, sheet flows, row 4, column amount: amount must be a number, found text ...
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import numpy as np

from scenat.errors import Problem, Severity


def normalise_header(value: Any) -> str:
    """A header as scenat compares it: trimmed, lower case, inner spaces as ``_``."""
    return re.sub(r"\s+", "_", str(value).strip().lower()) if value is not None else ""


def is_blank(value: Any) -> bool:
    """An empty cell: nothing, or only white space."""
    # Called for most cells of a case: the exact-type test first, as it is the common case.
    if value is None:
        return True
    if value.__class__ is str or isinstance(value, str):
        return not value.strip()
    return False


def to_number(value: Any) -> float | None:
    """A cell's value as a float, or None when it is not a number (text, a date, a boolean).

    Text is a number only as a spreadsheet writes one: white space around it is ignored, but
    none inside it (``1 000`` may be a thousand or a slip, ``2 5`` two numbers) and no
    underscores (Python reads ``1_000``, a spreadsheet never writes it).

    >>> to_number(" 2.5 "), to_number("1 000"), to_number("1_000")
    (2.5, None, None)
    """
    if value.__class__ is float:  # most cells of a workbook's numeric column
        return value
    if isinstance(value, bool) or isinstance(value, (datetime, date, time)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        # split() and isspace() agree on what white space is: one piece means none inside.
        if not text or "_" in text or len(text.split()) != 1:
            return None
        try:
            return float(text)
        except ValueError:
            return None
    return None


def printable(value: Any) -> Any:
    """A cell value as a problem shows it (dates as ISO text)."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value


@dataclass
class Cells:
    """Typed readers over one file's rows that record located problems.

    ``sheet`` is the sheet problems are located on; ``subject`` prefixes messages (e.g.
    ``intervention 'led_lighting'``). :meth:`on` gives a reader for another sheet or
    subject that adds to the same list of problems.
    """

    file: str | None = None
    sheet: str | None = None
    subject: str | None = None
    problems: list[Problem] = field(default_factory=list)

    def on(self, sheet: str | None = None, subject: str | None = None) -> Cells:
        """The same problem list, located on ``sheet`` (default: this one) about ``subject``."""
        return Cells(self.file, sheet if sheet is not None else self.sheet, subject, self.problems)

    def add(
        self,
        row: int | None,
        column: str | None,
        value: Any,
        message: str,
        hint: str | None = None,
        severity: Severity = "error",
    ) -> None:
        """Record a problem at ``row``/``column`` of this reader's sheet."""
        prefix = f"{self.subject}: " if self.subject else ""
        self.problems.append(
            Problem(
                message=prefix + message,
                file=self.file,
                sheet=self.sheet,
                row=row,
                column=column,
                value=None if is_blank(value) else printable(value),
                hint=hint,
                severity=severity,
            )
        )

    def error_count(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    def text(
        self, row: int | None, record: dict, column: str, required: bool = False
    ) -> str | None:
        """The cell as trimmed text (a whole float as an integer); None when blank."""
        value = record.get(column)
        if value.__class__ is str:  # the common case, answered without the general tests
            text = value.strip()
            if text:
                return text
        elif not is_blank(value):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return str(value).strip()
        if required:
            self.add(row, column, value, f"{column} is required", f"fill in {column}")
        return None

    def number(
        self,
        row: int | None,
        record: dict,
        column: str,
        required: bool = False,
        default: float | None = None,
        minimum: float | None = 0.0,
        strictly_positive: bool = False,
        negative_hint: str = "enter the amount as a positive number",
    ) -> float | None:
        """The cell as a finite number; ``default`` when blank; None (and a problem) when bad.

        ``minimum`` (default 0) rejects smaller numbers; ``None`` allows any sign.
        """
        value = record.get(column)
        if is_blank(value):
            if required:
                self.add(row, column, value, f"{column} is required", "enter a number")
            return default
        number = to_number(value)
        if number is None:
            kind = "a date" if isinstance(value, (datetime, date, time)) else "text"
            self.add(
                row,
                column,
                value,
                f"{column} must be a number, found {kind}",
                "type a plain number (use . as decimal separator, no units, spaces or "
                "thousands separators); format the cell as Number",
            )
            return None
        if not math.isfinite(number):
            self.add(row, column, value, f"{column} must be finite", "enter a real number")
            return None
        if strictly_positive and number <= 0:
            self.add(
                row,
                column,
                value,
                f"{column} must be greater than zero",
                "enter a positive number",
            )
            return None
        if minimum is not None and number < minimum:
            self.add(
                row,
                column,
                value,
                f"{column} must not be negative",
                negative_hint,
            )
            return None
        return number
