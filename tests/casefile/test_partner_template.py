"""The workbook one partner fills in for its node: pre-filled, drop-downs, protection."""

from __future__ import annotations

import openpyxl
import pytest

from scenat.casefile.build import read_case, validate
from scenat.casefile.partner_template import MAX_FLOW_ROWS, sub_nodes, write_partner_template
from scenat.cli import main
from scenat.errors import InputError
from scenat.model.catalogue import shipped_catalogue
from scenat.model.schema import DISTRIBUTIONS, FLOW_COLUMNS, FLOW_KINDS
from scenat.model.units import parse_unit
from scenat.paths import examples_dir
from scenat.store.database import Store

BICYCLE = examples_dir() / "bicycle"


@pytest.fixture(scope="module")
def case():
    return read_case(BICYCLE)


@pytest.fixture(scope="module")
def path(case, tmp_path_factory):
    target = tmp_path_factory.mktemp("partner") / "frame_maker.xlsx"
    return write_partner_template(case, "frame_maker", target, case_key="bicycle")


@pytest.fixture(scope="module")
def book(path):
    return openpyxl.load_workbook(path)


def validations(ws) -> dict[str, object]:
    """Data validations by the first cell of their range."""
    return {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}


def test_sheets_and_the_hidden_lists_sheet(book):
    assert book.sheetnames == ["instructions", "case", "nodes", "flows", "lists"]
    assert [book[n].sheet_state for n in book.sheetnames] == ["visible"] * 4 + ["hidden"]
    assert book.active.title == "flows"


def test_case_sheet_says_where_the_workbook_belongs(book, case):
    fields = {r[0].value: r[1].value for r in book["case"].iter_rows(min_row=2)}
    assert fields["submission_case"] == "bicycle"
    assert fields["submission_node"] == fields["reference_node"] == "frame_maker"
    assert (fields["name"], fields["currency"], fields["year"]) == (case.name, "GBP", 2025)


def test_nodes_sheet_has_the_node_and_its_possible_suppliers(book):
    rows = [[c.value for c in r] for r in book["nodes"].iter_rows(min_row=2)]
    assert [(r[0], r[5], r[6]) for r in rows] == [
        ("frame_maker", 100, "item"),  # the expected output: per 100 frames
        ("tool_shop", 1, "item"),
        ("paint_supplier", 1, "kg"),
    ]


def test_sub_nodes(case):
    assert sub_nodes(case, "frame_maker") == ["tool_shop", "paint_supplier"]
    assert sub_nodes(case, "wheel_maker") == ["tool_shop", "paint_supplier"]  # higher tier
    assert sub_nodes(case, "bike_assembly") == [
        "frame_maker", "wheel_maker", "tool_shop", "paint_supplier",
    ]  # fmt: skip
    assert sub_nodes(case, "paint_supplier") == []
    assert sub_nodes(case, "tool_shop") == ["frame_maker", "paint_supplier"]  # the loop


def test_flows_are_prefilled_with_the_nodes_current_flows(book, case):
    ws = book["flows"]
    assert [c.value for c in ws[1]] == list(FLOW_COLUMNS)
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2) if r[0].value]
    assert [(r[0], r[2], r[3], r[4]) for r in rows] == [
        (f.node, f.input, f.amount, f.unit) for f in case.flows_of("frame_maker")
    ]


def test_header_rows_are_locked_and_flow_cells_editable(book):
    for name in ("instructions", "case", "nodes", "flows", "lists"):
        assert book[name].protection.sheet, name
    flows = book["flows"]
    assert all(c.protection.locked for c in flows[1])
    assert not flows["D2"].protection.locked  # a pre-filled cell
    assert not flows.column_dimensions["D"].protection.locked  # empty cells below
    assert flows.protection.insertRows is False and flows.protection.deleteRows is False
    assert book["nodes"]["F2"].protection.locked


def test_drop_downs_reference_ranges_on_the_lists_sheet(book):
    found = validations(book["flows"])
    last = MAX_FLOW_ROWS + 1
    assert found["A2"].formula1 == "lists!$A$2:$A$2" and found["A2"].errorStyle == "stop"
    assert found["B2"].formula1 == '"' + ",".join(FLOW_KINDS) + '"'
    assert found["F2"].formula1 == '"' + ",".join(DISTRIBUTIONS) + '"'
    inputs = found["C2"].formula1
    assert inputs.startswith("lists!$C$2:$C$") and str(found["C2"].sqref) == f"C2:C{last}"
    assert found["C2"].errorStyle == "warning"  # an id typed by hand is allowed, with a warning
    assert found["E2"].formula1.startswith("lists!$H$2:$H$")
    assert found["D2"].type == "decimal" and found["D2"].operator == "greaterThanOrEqual"
    lists = book["lists"]
    count = int(inputs.rsplit("$", 1)[1]) - 1
    ids = [lists.cell(row=r, column=3).value for r in range(2, count + 2)]
    catalogue = shipped_catalogue()
    assert ids[:2] == ["tool_shop", "paint_supplier"]
    assert set(catalogue.processes) <= set(ids) and set(catalogue.elementary) <= set(ids)
    assert len(",".join(ids)) > 255  # why the list cannot be inline
    kinds = {lists.cell(row=r, column=3).value: lists.cell(row=r, column=4).value
             for r in range(2, count + 2)}  # fmt: skip
    assert kinds["electricity_uk_grid_delivered"] == "process"
    assert kinds["co2_fossil"] == "emission" and kinds["tool_shop"] == "node"
    units_count = int(found["E2"].formula1.rsplit("$", 1)[1]) - 1
    units = [lists.cell(row=r, column=8).value for r in range(2, units_count + 2)]
    assert {"item", "kg", "kWh", "MWh", "t", "tkm", "m3", "USD", "GBP"} <= set(units)
    for unit in units:
        parse_unit(unit)


def test_the_prefilled_workbook_is_valid_strictly(path):
    assert [p for p in validate(path, strict=True) if p.severity == "error"] == []
    assert read_case(path, strict=True).reference_node == "frame_maker"


def test_an_empty_template_has_no_flows(case, tmp_path):
    path = write_partner_template(case, "wheel_maker", tmp_path / "w.xlsx", prefill=False)
    book = openpyxl.load_workbook(path)
    assert book["flows"].max_row == 1
    assert [p.severity for p in validate(path)] == ["warning", "warning"]  # unused suppliers


def test_bad_requests(case, tmp_path):
    with pytest.raises(InputError, match="not in case"):
        write_partner_template(case, "nobody", tmp_path / "x.xlsx")
    with pytest.raises(InputError, match="Excel workbook"):
        write_partner_template(case, "frame_maker", tmp_path / "x.csv")


def test_cli_template_for_a_node(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    out = tmp_path / "wheel.xlsx"
    argv = ["template", str(out), "--case", "bicycle", "--node", "wheel_maker", "--store", url]
    assert main(argv) == 0
    assert "node wheel_maker of case bicycle" in capsys.readouterr().out
    ws = openpyxl.load_workbook(out, read_only=True)["case"]
    fields = {r[0]: r[1] for r in ws.iter_rows(values_only=True)}
    assert fields["submission_node"] == "wheel_maker"
    assert Store(url).case_keys() == []  # writing a template stores nothing
    assert main(["template", str(out), "--case", "bicycle"]) == 2
    assert "--case and --node go together" in capsys.readouterr().err
    assert main(["template", str(out), "--case", "bicycle", "--node", "x", "--store", url]) == 2
