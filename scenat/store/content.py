"""A case as the store keeps it: the rows of its sheets, canonical JSON, and back.

>>> from scenat.casefile import read_case, resolve_case
>>> case = read_case(resolve_case("bicycle"))
>>> content = case_content(case)
>>> content_case(content).flows == case.flows
True
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from scenat.atomic import write_atomic
from scenat.casefile.build import build_case
from scenat.casefile.names import output_file
from scenat.casefile.sheets import sheets_from_rows
from scenat.casefile.spreadsheet import xlsx_bytes
from scenat.casefile.writer import case_sheets
from scenat.errors import InputError
from scenat.model.case import Case


def case_content(case: Case) -> dict[str, list[list[Any]]]:
    """A case as the rows of its sheets (header first): the store's canonical, JSON-safe form.

    The same rows the case writer puts in a workbook (:func:`scenat.casefile.writer.case_sheets`);
    reading them back (:func:`content_case`) gives the same case, and two cases are the same
    exactly when their contents are equal.
    """
    return case_sheets(case)


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces (equal content, equal text); no NaN allowed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def content_case(content: dict[str, list[list[Any]]], label: str = "stored case") -> Case:
    """The :class:`Case` of stored content, validated; problems name ``label`` as the file."""
    case, problems = build_case(sheets_from_rows(content), label)
    if case is None:
        errors = [p for p in problems if p.severity == "error"]
        raise InputError(problems, f"{len(errors)} problem(s) in {label}")
    case.path = None
    return case


def export_version(store: Any, key: str, path: str | Path, number: int | None = None) -> Path:
    """Write a version as an ``.xlsx`` case workbook (read back by :func:`scenat.read_case`)."""
    path = output_file(path, (".xlsx",), "--export", what="exports are .xlsx workbooks")
    write_atomic(path, xlsx_bytes(store.version(key, number).content or {}))
    return path
