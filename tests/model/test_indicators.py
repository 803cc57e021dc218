"""Indicator definitions: shipped methods/ plus user drop-in files."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest

import scenat
from scenat.errors import InputError
from scenat.model.indicators import COLUMNS, default_indicators, resolve, user_method_dirs
from scenat.paths import scenat_home


def _bundle() -> list[dict]:
    import bw2io

    path = Path(bw2io.__file__).parent / "data" / "lcia" / "lcia_39_ecoinvent.zip"
    with zipfile.ZipFile(path) as archive:
        return json.load(archive.open("data.json"))


def _acidification() -> dict:
    return next(
        m for m in _bundle() if m["name"][0] == "EF v3.1" and m["name"][1] == "acidification"
    )


def _write(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([list(COLUMNS), *rows])
    return path


def _row(ind_id: str, method: str) -> list[str]:
    return [ind_id, "Acidification", method, "mol H+-eq", "other", "EF 3.1 via bw2io", "BSD-3"]


def test_shipped_indicators_are_the_four_defaults() -> None:
    assert [i.id for i in default_indicators()] == [
        "gwp100",
        "fossil_energy",
        "metals_minerals",
        "water",
    ]


def test_a_dropped_in_indicator_is_assessed_end_to_end(tmp_path, monkeypatch, write_case):
    method = _acidification()
    _write(tmp_path / "methods" / "extra.csv", [_row("acidification", " | ".join(method["name"]))])
    monkeypatch.setenv("SCENAT_METHODS", str(tmp_path / "methods"))
    assert tmp_path / "methods" in user_method_dirs()
    ids = [i.id for i in default_indicators()]
    assert ids[-1] == "acidification" and len(ids) == 5
    flows = [
        ["node", "kind", "input", "amount", "unit"],
        ["plant", "node", "supplier", 2, "kg"],
        ["supplier", "emission", "so2", 0.5, "kg"],
    ]
    case = scenat.read_case(write_case(flows=flows))
    result = scenat.assess(case, indicators=["acidification", "gwp100"])
    so2 = "fd7aa71c-508c-480d-81a6-8052aad92646"  # Sulfur dioxide, air (elementary_flows.csv)
    factor = sum(e["amount"] for e in method["exchanges"] if e["input"][1] == so2)
    assert factor > 0
    assert result.total("acidification") == pytest.approx(2 * 0.5 * factor, rel=1e-6)
    assert result.indicator("acidification").method == tuple(method["name"])
    # ensure_project wrote the new method (its stamp lists the chosen methods)
    from scenat.brightway.project import ensure_project

    project = ensure_project(resolve(None))
    assert "acidification" in project.indicator_ids


def test_scenat_home_methods_folder_is_read(tmp_path) -> None:
    folder = scenat_home() / "methods"
    created = not folder.exists()
    path = _write(folder / "home.csv", [_row("acid_home", " | ".join(_acidification()["name"]))])
    try:
        assert "acid_home" in {i.id for i in default_indicators()}
    finally:
        path.unlink()
        if created:
            folder.rmdir()
    assert "acid_home" not in {i.id for i in default_indicators()}


def test_a_duplicate_id_names_file_row_and_column(tmp_path, monkeypatch) -> None:
    method = " | ".join(_acidification()["name"])
    path = _write(tmp_path / "dup.csv", [_row("acidification", method), _row("gwp100", method)])
    monkeypatch.setenv("SCENAT_METHODS", str(tmp_path))
    with pytest.raises(InputError) as err:
        default_indicators()
    (problem,) = err.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        str(path),
        3,
        "id",
        "gwp100",
    )


def test_an_unknown_method_names_file_row_and_column(tmp_path, monkeypatch) -> None:
    path = _write(tmp_path / "bad.csv", [_row("acid", "EF v3.1 | acidification | no such")])
    monkeypatch.setenv("SCENAT_METHODS", str(tmp_path))
    with pytest.raises(InputError) as err:
        default_indicators()
    (problem,) = err.value.problems
    assert (problem.file, problem.row, problem.column) == (str(path), 2, "method")
    assert "bw2io" in problem.message and "EF v3.1 | acidification" in (problem.hint or "")
    assert str(path) in str(err.value)
