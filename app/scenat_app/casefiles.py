"""Getting a case into the app: shipped examples, uploads, problems as a table. No streamlit.

An upload is written to a temporary file (the workbook reader needs a path), validated with
:func:`scenat.validate` and, only when no problem is an error, read with
:func:`scenat.read_case`. A case is identified by a fingerprint of its bytes, so that a
result computed once is shared by every page and every session that looks at the same case.
"""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

import scenat
from scenat.errors import InputError, Problem

UPLOAD_TYPES = ("xlsx", "zip")
PROBLEM_COLUMNS = ("severity", "sheet", "row", "column", "value", "message", "hint", "file")


@dataclass
class LoadedCase:
    """A case as the app holds it: where it came from and whether it can be assessed."""

    label: str
    source: str  # "example" | "upload"
    path: str
    fingerprint: str
    problems: list[Problem] = field(default_factory=list)
    case: Any = None  # scenat.model.case.Case when valid
    example: str | None = None  # name of the shipped example

    @property
    def valid(self) -> bool:
        return self.case is not None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def fingerprint_path(path: str | Path) -> str:
    """sha256 over a file, or over every file of a folder (names and bytes)."""
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def examples() -> list[dict[str, str]]:
    """The shipped examples (name, title, path), in the order the library lists them."""
    from scenat.casefile.examples import list_examples

    return list_examples()


def _read(path: Path, problems: list[Problem]) -> Any:
    """Read a case whose validation found no error; its own errors join ``problems``."""
    if any(p.severity == "error" for p in problems):
        return None
    try:
        return scenat.read_case(path)
    except InputError as err:
        known = {(p.sheet, p.row, p.column, p.message) for p in problems}
        problems.extend(
            p for p in err.problems if (p.sheet, p.row, p.column, p.message) not in known
        )
        return None


def load_example(name: str) -> LoadedCase:
    """A shipped example by name (an unknown name is an :class:`InputError`)."""
    found = {e["name"]: e for e in examples()}
    if name not in found:
        raise InputError(
            Problem(
                message=f"no shipped example called {name!r}",
                value=name,
                hint="choose one of " + ", ".join(found),
            )
        )
    entry = found[name]
    path = Path(entry["path"])
    # A shipped example is read once (its warnings travel with the case); an upload is
    # validated first (see load_upload).
    try:
        case = scenat.read_case(path)
        problems = list(case.metadata.get("warnings", []))
    except InputError as err:
        case, problems = None, list(err.problems)
    return LoadedCase(
        label=entry["title"],
        source="example",
        path=str(path),
        fingerprint=fingerprint_path(path),
        problems=problems,
        case=case,
        example=name,
    )


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.\-]+", "_", Path(name).name).strip("._") or "case"
    return stem[:80]


def upload_dir() -> Path:
    folder = Path(tempfile.gettempdir()) / "scenat-app-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def load_upload(filename: str, data: bytes, folder: Path | None = None) -> LoadedCase:
    """Validate an uploaded workbook (.xlsx) or zip of CSVs; read it when it has no error.

    Never raises for bad input: every problem comes back in ``problems``.
    """
    digest = hashlib.sha256(data).hexdigest()
    name = _safe_name(filename)
    suffix = Path(name).suffix.lower().lstrip(".")
    target_dir = (folder or upload_dir()) / digest[:16]
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / name
    label = Path(filename).name
    if suffix not in UPLOAD_TYPES:
        problem = Problem(
            file=label,
            message="only an Excel workbook (.xlsx) or a .zip of CSV files can be uploaded",
            value=Path(filename).suffix,
            hint="save the workbook as .xlsx, or zip case.csv, nodes.csv and flows.csv",
        )
        return LoadedCase(label, "upload", str(path), digest, [problem])
    if not data:
        problem = Problem(file=label, message="the uploaded file is empty", hint="upload it again")
        return LoadedCase(label, "upload", str(path), digest, [problem])
    path.write_bytes(data)
    try:
        problems = list(scenat.validate(path))
        case = _read(path, problems)
    except InputError as err:
        problems, case = list(err.problems), None
    except Exception as err:  # a file the readers choke on is still the user's input
        problems = [
            Problem(
                file=label,
                message=f"the file could not be read: {type(err).__name__}: {err}",
                hint="check that it opens in a spreadsheet program and holds the case sheets",
            )
        ]
        case = None
    # Name the file as the user knows it, not the temporary copy.
    problems = [_renamed(p, str(path), label) for p in problems]
    return LoadedCase(label, "upload", str(path), digest, problems, case)


def _renamed(problem: Problem, temp: str, label: str) -> Problem:
    from dataclasses import replace

    if problem.file and (problem.file == temp or problem.file.startswith(temp)):
        return replace(problem, file=label + problem.file[len(temp) :])
    return problem


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
    """The problems table as a workbook, one sheet ``problems``, header in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "problems"
    sheet.append(list(PROBLEM_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in problems_table(problems).iter_rows():
        sheet.append(list(row))
    widths = {"A": 10, "B": 14, "C": 7, "D": 16, "E": 24, "F": 60, "G": 60, "H": 30}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_bytes() -> bytes:
    """The blank case workbook of :func:`scenat.write_template`."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenat-case-template.xlsx"
        scenat.write_template(path)
        return path.read_bytes()
