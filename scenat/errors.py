"""Exceptions and problem records shared by the library, the CLI and the app.

Like pint's errors, every exception here also derives from :class:`ValueError`
where it describes bad input, and carries structured fields so that callers can
render it (a CLI message, an app table, a test assertion) without parsing text.

>>> p = Problem(file="case.xlsx", sheet="flows", row=7, column="unit", value="kgg",
...             message="unknown unit", hint="use a unit such as kg, t, kWh")
>>> p.location()
'case.xlsx, sheet flows, row 7, column unit'
>>> err = InputError([p])
>>> isinstance(err, ValueError), err.problems[0].row
(True, 7)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One problem found in user input, located as precisely as the input allows.

    ``row`` is the row number as the spreadsheet (or CSV file, header = row 1) shows it.
    """

    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    hint: str | None = None
    severity: Severity = "error"

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = (
            f"{self.severity}: {self.location()}: {self.message}"
            if self.location()
            else (f"{self.severity}: {self.message}")
        )
        if self.value is not None and self.value != "":
            text += f" (value: {self.value!r})"
        if self.hint:
            text += f". Hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if data["value"] is not None and not isinstance(data["value"], (str, int, float, bool)):
            data["value"] = str(data["value"])
        return data


class ScenatError(Exception):
    """Base class of every error scenat raises on purpose.

    Every scenat error pickles with its fields (Dask moves errors between processes): a
    subclass whose constructor takes other arguments than the message says how to rebuild
    it in ``__reduce__``.
    """


class InputError(ScenatError, ValueError):
    """Bad user input: carries every problem found, not only the first.

    >>> import pickle
    >>> err = InputError(Problem("unknown unit", sheet="flows", row=3), "1 problem")
    >>> again = pickle.loads(pickle.dumps(err))
    >>> again.problems == err.problems and str(again) == str(err)
    True
    """

    def __init__(self, problems: list[Problem] | Problem, message: str | None = None):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        self.message = message
        errors = [p for p in self.problems if p.severity == "error"]
        head = message or f"{len(errors)} problem(s) in the input"
        super().__init__(head + "".join(f"\n  - {p}" for p in self.problems))

    def __reduce__(self) -> tuple:
        return (type(self), (self.problems, self.message))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    # Convenience accessors for the common single-problem case.
    @property
    def file(self) -> str | None:
        return self.problems[0].file if self.problems else None

    @property
    def sheet(self) -> str | None:
        return self.problems[0].sheet if self.problems else None

    @property
    def row(self) -> int | None:
        return self.problems[0].row if self.problems else None

    @property
    def column(self) -> str | None:
        return self.problems[0].column if self.problems else None

    @property
    def value(self) -> Any:
        return self.problems[0].value if self.problems else None

    @property
    def hint(self) -> str | None:
        return self.problems[0].hint if self.problems else None


class UnitError(InputError):
    """A unit that pint does not know, or that cannot convert to the one required."""


class UnitMismatch(ScenatError, ValueError):
    """One unit that pint does not know, or two that do not convert: a message and a hint,
    which the readers turn into a located :class:`Problem`."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __reduce__(self) -> tuple:
        return (type(self), (self.message, self.hint))


class BackgroundError(ScenatError):
    """The Brightway project or a background database is missing or inconsistent."""
