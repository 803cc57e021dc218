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
    "example_case",
    "example_cases",
    "csv_download",
    "examples",
    "fingerprint_path",
    "load_example",
    "load_upload",
    "stored_case",
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
    store_key: str | None = None  # the case in the store (every valid case the app opens)
    version: int | None = None  # its version number

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


def example_cases() -> list[dict[str, str]]:
    """Every shipped case file, variants included, by the store key it opens as.

    ``key`` is what the command line calls it too (``scenat history car_ice``): the file or
    folder name; ``example`` the example folder; ``title`` the example's title, with the
    variant's name when it is not the example's default case.
    """
    from scenat.store import case_key_for

    out = []
    for entry in examples():
        for i, path in enumerate(entry["cases"]):
            key = case_key_for(Path(path))
            title = entry["title"] if i == 0 else f"{entry['title']}: {key.replace('_', ' ')}"
            out.append({"key": key, "example": entry["name"], "title": title, "path": path})
    return out


def example_case(name: str) -> dict[str, str] | None:
    """A shipped case by store key (``car_ice``), example name (``stadium_retrofit``) or
    ``example/variant`` (``stadium_retrofit/stadium_retrofit_after``); None if none."""
    name = name.strip().removesuffix(".xlsx")
    cases = example_cases()
    for entry in cases:
        if name in (entry["key"], f"{entry['example']}/{entry['key']}"):
            return entry
    return next((e for e in cases if e["example"] == name), None)


def upload_key(filename: str) -> str:
    """The store key an uploaded workbook is kept under (as ``scenat submit`` would name it)."""
    from scenat.store import case_key_for

    return case_key_for(Path(display_name(filename, default="upload.xlsx")))


def stored_case(version: Any, title: str | None = None) -> LoadedCase:
    """A stored version as the app's current case (read and validated from its content)."""
    case = version.case()
    return LoadedCase(
        label=f"{title or version.case_key} · v{version.number}",
        source="store",
        path=f"store:{version.case_key}:{version.number}",
        fingerprint=f"store-{version.sha256}",
        # the warnings of its content, read again (a stored case is checked as a workbook)
        problems=list(case.metadata.get("warnings", [])),
        case=case,
        store_key=version.case_key,
        version=version.number,
    )


def load_example(name: str) -> LoadedCase:
    """A shipped case by name (an example, or a variant: ``car_ice``); an unknown name is an
    :class:`InputError`."""
    entry = example_case(name)
    if entry is None:
        raise InputError(
            Problem(
                message=f"no shipped example called {name!r}",
                value=name,
                hint="choose one of " + ", ".join(e["key"] for e in example_cases()),
            )
        )
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
        example=entry["example"],
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
