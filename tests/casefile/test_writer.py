"""scenat.casefile.writer: a case written out reads back the same; writes are atomic."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

import scenat
from scenat.casefile.writer import case_sheets, write_case, write_sheets

ROOT = Path(__file__).resolve().parents[2]
BICYCLE = ROOT / "examples" / "bicycle"
STADIUM = ROOT / "examples" / "stadium_retrofit" / "stadium_retrofit.xlsx"

TINY = {
    "case": [["field", "value"], ["name", "Tiny"], ["reference_node", "plant"], ["year", 2024]],
    "nodes": [["id", "name", "tier", "output_unit"], ["plant", "Plant", 0, "item"]],
    "flows": [
        ["node", "kind", "input", "amount", "unit", "source"],
        ["plant", "process", "electricity_uk_grid_delivered", 12.5, "kWh", "meter"],
    ],
}


def _flows(case):
    return [
        (
            f.node,
            f.kind,
            f.input,
            f.amount,
            f.unit,
            f.amount_in_reference,
            f.uncertainty,
            f.source,
            f.comment,
        )
        for f in case.flows
    ]


def _nodes(case):
    return [
        (n.id, n.name, n.tier, n.stage, n.location, n.output_amount, n.output_unit, n.metadata)
        for n in case.nodes.values()
    ]


@pytest.mark.parametrize("suffix", [".xlsx", ""], ids=["xlsx", "csv"])
def test_bicycle_round_trips(tmp_path, suffix):
    case = scenat.read_case(BICYCLE)
    out = write_case(case, tmp_path / f"bicycle{suffix}")
    again = scenat.read_case(out)
    assert _flows(again) == _flows(case)  # uncertainty, sources and comments included
    assert _nodes(again) == _nodes(case)  # the bicycle's extra 'note' column too
    for field in ("name", "reference_node", "reference_amount", "functional_unit"):
        assert getattr(again, field) == getattr(case, field)
    for field in ("annual_volume", "currency", "year", "region", "description"):
        assert getattr(again, field) == getattr(case, field)
    assert scenat.validate(out) == []


def test_a_workbook_with_interventions_round_trips(tmp_path):
    from scenat.interventions import case_interventions

    case = scenat.read_case(STADIUM)
    again = scenat.read_case(write_case(case, tmp_path / "stadium"))
    assert _flows(again) == _flows(case)  # CSV keeps every float digit
    assert [i.id for i in case_interventions(again)] == [i.id for i in case_interventions(case)]
    assert float(again.metadata["discount_rate"]) == case.metadata["discount_rate"]  # CSV: text
    total = scenat.assess(case, indicators=["gwp100"]).total("gwp100")
    assert scenat.assess(again, indicators=["gwp100"]).total("gwp100") == pytest.approx(
        total, rel=1e-12
    )


def test_a_modified_case_is_written_with_its_provenance(tmp_path):
    from scenat.interventions import apply, load_library

    case = scenat.read_case(BICYCLE)
    heat_pump = next(i for i in load_library() if i.id == "heat_pump")
    modified = apply(case, heat_pump)
    sheets = case_sheets(modified)
    header = sheets["flows"][0]
    assert "interventions" in header  # flows the intervention created say so
    column = header.index("interventions")
    assert any(row[column] == "heat_pump" for row in sheets["flows"][1:])
    assert any(row == ["applied_interventions", "heat_pump"] for row in sheets["case"])
    again = scenat.read_case(write_case(modified, tmp_path / "after.xlsx"))
    expected = scenat.assess(modified, indicators=["gwp100"]).total("gwp100")
    got = scenat.assess(again, indicators=["gwp100"]).total("gwp100")
    assert got == pytest.approx(expected, rel=1e-12)


def test_plain_sheets_to_a_workbook_for_people(tmp_path):
    sheets = {**TINY, "readme": [["readme"], ["=not a formula"]]}
    out = write_sheets(sheets, tmp_path / "tiny.xlsx", notes={"flows": {"amount": "per item"}})
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["case", "nodes", "flows", "readme"]
    flows = book["flows"]
    assert flows["A1"].font.bold and flows.freeze_panes == "A2"
    assert flows["D1"].comment.text == "per item"
    assert flows["D2"].value == 12.5
    assert book["readme"]["A2"].value == "=not a formula"
    assert book["readme"]["A2"].data_type == "s"  # text, so Excel does not evaluate it
    assert scenat.read_case(out).flows[0].amount_in_reference == 12.5


def test_csv_folder_keeps_other_files_and_drops_stale_case_sheets(tmp_path):
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "README.md").write_text("mine")
    (folder / "interventions.csv").write_text("id\nold\n")
    write_sheets(TINY, folder)
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["README.md", "case.csv", "flows.csv", "nodes.csv"]
    assert (folder / "README.md").read_text() == "mine"
    assert scenat.validate(folder) == []


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    out = write_sheets(TINY, tmp_path / "case.xlsx")
    before = out.read_bytes()

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    changed = {**TINY, "case": [["field", "value"], ["name", "Other"], ["reference_node", "x"]]}
    with pytest.raises(OSError, match="disk full"):
        write_sheets(changed, out)
    with pytest.raises(OSError, match="disk full"):
        write_sheets(changed, tmp_path / "folder")
    monkeypatch.undo()
    assert out.read_bytes() == before
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="format"):
        write_sheets(TINY, tmp_path / "x", fmt="ods")
    with pytest.raises(ValueError, match="header"):
        write_sheets({"case": []}, tmp_path / "y.xlsx")
