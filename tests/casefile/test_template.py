"""The blank workbook partners fill in: sheets, header notes, drop-downs, valid, atomic."""

from __future__ import annotations

import os

import openpyxl
import pytest

from scenat.casefile.build import read_case, validate
from scenat.casefile.template import write_template
from scenat.model.schema import FLOW_KINDS, STAGES


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "blank.xlsx"
    write_template(path)
    return path


@pytest.fixture(scope="module")
def book(template):
    return openpyxl.load_workbook(template)


def headers(ws) -> list[str]:
    return [c.value for c in ws[1] if c.value is not None]


def test_sheets(book):
    assert book.sheetnames == ["instructions", "case", "nodes", "flows", "interventions"]


def test_headers_are_the_contract_columns(book):
    assert headers(book["case"])[:2] == ["field", "value"]
    assert headers(book["nodes"]) == [
        "id",
        "name",
        "tier",
        "stage",
        "location",
        "output_amount",
        "output_unit",
    ]
    assert headers(book["flows"])[:5] == ["node", "kind", "input", "amount", "unit"]
    assert {"distribution", "sd", "gsd", "min", "max", "source"} <= set(headers(book["flows"]))


@pytest.mark.parametrize("sheet", ["nodes", "flows"])
def test_every_header_carries_a_note(book, sheet):
    for cell in book[sheet][1]:
        if cell.value is None:
            continue
        assert cell.comment is not None, (sheet, cell.value)
        assert len(cell.comment.text) > len(cell.value), (sheet, cell.value)


def test_header_notes_say_what_is_required(book):
    notes = {c.value: c.comment.text for c in book["flows"][1] if c.value}
    assert notes["amount"].startswith("required")
    assert all(kind in notes["kind"] for kind in FLOW_KINDS)
    node_notes = {c.value: c.comment.text for c in book["nodes"][1] if c.value}
    assert "whole number" in node_notes["tier"]
    assert node_notes["stage"].startswith("optional")


def _list_validation(ws, column_letter: str):
    """The list validation covering ``column_letter`` row 2, as (allowed values, ranges)."""
    for dv in ws.data_validations.dataValidation:
        ranges = str(dv.sqref).split()
        if dv.type == "list" and any(r.startswith(f"{column_letter}2:") for r in ranges):
            return dv.formula1.strip('"').split(","), ranges
    raise AssertionError(f"no list validation on column {column_letter}")


def test_kind_column_has_a_drop_down(book):
    ws = book["flows"]
    column = headers(ws).index("kind") + 1  # B
    assert column == 2
    allowed, ranges = _list_validation(ws, "B")
    assert allowed == list(FLOW_KINDS)
    assert ranges == ["B2:B20000"]


def test_stage_column_has_a_drop_down(book):
    ws = book["nodes"]
    assert headers(ws).index("stage") + 1 == 4  # D
    allowed, ranges = _list_validation(ws, "D")
    assert allowed == list(STAGES)
    assert ranges == ["D2:D2000"]


def test_template_validates_without_problems(template):
    assert validate(template) == []
    case = read_case(template)
    assert case.reference_node == "bakery"
    (flow,) = case.flows
    # the example row: 0.35 MWh of delivered UK grid electricity = 350 kWh
    assert (flow.input, flow.amount, flow.unit) == ("electricity_uk_grid_delivered", 0.35, "MWh")
    assert flow.amount_in_reference == pytest.approx(350.0, rel=1e-12)
    assert case.annual_volume == 120


def test_template_into_a_new_folder(tmp_path):
    path = tmp_path / "new" / "folder" / "t.xlsx"
    write_template(path)
    assert openpyxl.load_workbook(path).sheetnames[0] == "instructions"


def test_failed_save_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "partner.xlsx"
    path.write_bytes(b"the partner's filled-in workbook")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", fail)
    with pytest.raises(OSError, match="disk full"):
        write_template(path)
    assert path.read_bytes() == b"the partner's filled-in workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["partner.xlsx"]


def test_failed_replace_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "partner.xlsx"
    path.write_bytes(b"old content")

    def fail(src, dst):
        raise PermissionError("file is open in Excel")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(PermissionError):
        write_template(path)
    assert path.read_bytes() == b"old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["partner.xlsx"]


def test_overwrite_replaces_the_whole_file(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"x" * 1_000_000)  # longer than a template: no tail may survive
    write_template(path)
    assert validate(path) == []
