"""Getting a case into the app: shipped examples and uploads. No streamlit.

An upload is read and validated from its bytes, once (:func:`scenat.casefile.check_case`).
A case is identified by a fingerprint of its bytes, so that a result computed once is
shared by every page and every session that looks at the same case.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import scenat
from scenat.casefile import check_case, template_bytes
from scenat.casefile.names import display_name, safe_name
from scenat.casefile.spreadsheet import csv_bytes, frame_rows
from scenat.errors import InputError, Problem
from scenat.report.problems import PROBLEM_COLUMNS, problems_table, problems_xlsx

__all__ = [
    "PROBLEM_COLUMNS",
    "LoadedCase",
    "csv_download",
    "examples",
    "fingerprint_path",
    "load_example",
    "load_upload",
    "problems_table",
    "problems_xlsx",
    "safe_name",
    "template_bytes",
]

UPLOAD_TYPES = ("xlsx", "zip")


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


def csv_download(table: Any) -> bytes:
    """A table as a CSV people open in a spreadsheet: names and comments from partners' files
    never become formulas (:func:`scenat.casefile.spreadsheet.csv_bytes`)."""
    return csv_bytes(frame_rows(table), escape=True)


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


def load_upload(filename: str, data: bytes) -> LoadedCase:
    """Validate an uploaded workbook (.xlsx) or zip of CSVs, and read it when it has no error.

    Never raises for bad input: every problem comes back in ``problems``.
    """
    digest = hashlib.sha256(data).hexdigest()
    label = display_name(filename, default="upload.xlsx")
    suffix = Path(label).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        problem = Problem(
            file=label,
            message="only an Excel workbook (.xlsx) or a .zip of CSV files can be uploaded",
            value=Path(filename).suffix,
            hint="save the workbook as .xlsx, or zip case.csv, nodes.csv and flows.csv",
        )
        return LoadedCase(label, "upload", "", digest, [problem])
    if not data:
        problem = Problem(file=label, message="the uploaded file is empty", hint="upload it again")
        return LoadedCase(label, "upload", "", digest, [problem])
    try:
        checked = check_case(data, filename=label)
        problems, case = checked.problems, checked.case
    except Exception as err:  # a file the readers choke on is still the user's input
        problems = [
            Problem(
                file=label,
                message=f"the file could not be read: {type(err).__name__}: {err}",
                hint="check that it opens in a spreadsheet program and holds the case sheets",
            )
        ]
        case = None
    return LoadedCase(label, "upload", "", digest, problems, case)
