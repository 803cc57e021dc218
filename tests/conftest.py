"""Shared fixtures: a private SCENAT_HOME for the whole session and case-writing helpers.

``write_case`` builds a case from Python lists (one list per sheet, header row first) as a
folder of CSVs, an ``.xlsx`` workbook or a ``.zip`` of CSVs, so that each test writes exactly
the broken input it needs. Starting from :data:`VALID_SHEETS` and replacing one sheet is the
usual pattern::

    path = write_case(flows=[FLOW_HEADER, ["plant", "proces", "water_supply", 1, "m3"]])
"""

from __future__ import annotations

import copy
import csv
import os
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
BICYCLE = ROOT / "examples" / "bicycle"

CASE_HEADER = ["field", "value"]
NODE_HEADER = ["id", "name", "tier", "stage", "location", "output_amount", "output_unit"]
FLOW_HEADER = ["node", "kind", "input", "amount", "unit"]

#: A small valid case: a plant (reference, tier 0) buying 2 kg from one supplier per item.
VALID_SHEETS: dict[str, list[list[Any]]] = {
    "case": [CASE_HEADER, ["name", "Test case"], ["reference_node", "plant"]],
    "nodes": [
        NODE_HEADER,
        ["plant", "Plant", 0, "assembly", "GB", 1, "item"],
        ["supplier", "Supplier", 1, "materials", "GB", 1, "kg"],
    ],
    "flows": [
        FLOW_HEADER,
        ["plant", "node", "supplier", 2, "kg"],
        ["plant", "process", "electricity_uk_grid_delivered", 10, "kWh"],
        ["supplier", "emission", "co2_fossil", 0.5, "kg"],
    ],
}


@pytest.fixture(scope="session", autouse=True)
def scenat_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Everything scenat writes (Brightway project, pint cache) goes to a private folder.

    Set before any test runs, hence before :mod:`scenat.brightway.project` imports bw2data.
    """
    assert "bw2data" not in sys.modules, "bw2data was imported before SCENAT_HOME was set"
    home = tmp_path_factory.mktemp("scenat_home")
    previous = os.environ.get("SCENAT_HOME")
    os.environ["SCENAT_HOME"] = str(home)
    yield home
    if previous is None:
        os.environ.pop("SCENAT_HOME", None)
    else:
        os.environ["SCENAT_HOME"] = previous


@pytest.fixture
def bicycle() -> Path:
    """The shipped bicycle example (a folder of CSVs)."""
    return BICYCLE


@pytest.fixture(scope="session")
def cli_env(scenat_home: Path) -> dict[str, str]:
    """Environment for ``python -m scenat.cli`` subprocesses: this checkout, private home."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["SCENAT_HOME"] = str(scenat_home)
    env.pop("SCENAT_DEBUG", None)
    return env


def _csv_text(rows: list[list[Any]]) -> str:
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def save_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """Write ``sheets`` (name -> rows, header first) as an .xlsx; an empty row stays empty."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=number, column=column, value=value)
    book.save(path)
    return path


def write_sheets(path: Path, sheets: dict[str, list[list[Any]]], fmt: str) -> Path:
    """Write ``sheets`` to ``path`` as ``csv`` (a folder), ``xlsx`` or ``zip`` (of CSVs)."""
    if fmt == "csv":
        path.mkdir(parents=True, exist_ok=True)
        for name, rows in sheets.items():
            (path / f"{name}.csv").write_text(_csv_text(rows), encoding="utf-8")
    elif fmt == "xlsx":
        save_xlsx(path, sheets)
    elif fmt == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            for name, rows in sheets.items():
                archive.writestr(f"{name}.csv", _csv_text(rows))
    else:  # pragma: no cover
        raise ValueError(fmt)
    return path


@pytest.fixture
def write_case(tmp_path: Path) -> Callable[..., Path]:
    """``write_case(fmt="csv", sheets=None, name="case", **changes) -> Path``.

    ``sheets`` replaces the whole case (sheet names used verbatim); otherwise the case starts
    from :data:`VALID_SHEETS` and each keyword replaces one sheet (``None`` removes it).
    """
    counter = iter(range(1_000_000))

    def write(
        fmt: str = "csv",
        sheets: dict[str, list[list[Any]]] | None = None,
        name: str | None = None,
        **changes: list[list[Any]] | None,
    ) -> Path:
        if sheets is None:
            sheets = copy.deepcopy(VALID_SHEETS)
            for key, rows in changes.items():
                if rows is None:
                    sheets.pop(key, None)
                else:
                    sheets[key] = rows
        stem = name or f"case{next(counter)}"
        suffix = {"csv": "", "xlsx": ".xlsx", "zip": ".zip"}[fmt]
        return write_sheets(tmp_path / f"{stem}{suffix}", sheets, fmt)

    return write
