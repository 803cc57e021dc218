"""Large sheets are read in bulk and give what the cell-by-cell readers give.

A workbook's large sheets are read by calamine (:class:`scenat.casefile.sheets._BulkReader`)
instead of openpyxl, unless screening saw a cell the two would type apart. These tests read
the same files both ways and compare every node, flow, sheet row and problem; and they plant
errors in the bulk of a large sheet and check each is reported at the file, sheet, row,
column and value worked out here from where it was planted (header = row 1, so the list
index of a row is its spreadsheet row minus one).
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from scenat.casefile import sheets as sheet_readers
from scenat.casefile.build import check_case
from scenat.casefile.screening import _plain_number, screen_file
from tests.conftest import FLOW_HEADER, NODE_HEADER, ROOT, write_sheets

#: suppliers of the synthetic case: 3,001 node rows (21,007 cells) and 9,000 flow rows
SUPPLIERS = 3000
FLOWS_HEADER = [*FLOW_HEADER, "distribution", "gsd", "source", "comment"]


def large_sheets() -> dict[str, list[list[Any]]]:
    """A plant buying from 3,000 suppliers; each supplier buys grid electricity (kWh or
    MWh) and emits CO2. Amounts vary with the supplier's number; a quarter are lognormal."""
    nodes: list[list[Any]] = [NODE_HEADER, ["plant", "Plant", 0, "assembly", "GB", 1, "item"]]
    flows: list[list[Any]] = [FLOWS_HEADER]
    for i in range(SUPPLIERS):
        supplier = f"s{i:05d}"
        nodes.append([supplier, f"Supplier {i}", 1, "materials", "GB", 1, "kg"])
        uncertain = i % 4 == 0
        flows.append(
            [
                "plant",
                "node",
                supplier,
                0.5 + (i % 7) * 0.25,
                "g" if i % 3 == 0 else "kg",
                "lognormal" if uncertain else None,
                1.2 if uncertain else None,
                "synthetic",
                None,
            ]
        )
        flows.append(
            [
                supplier,
                "process",
                "electricity_uk_grid_delivered",
                1 + i % 5,
                "MWh" if i % 2 else "kWh",
                None,
                None,
                "synthetic",
                f"meter {i}",
            ]
        )
        flows.append([supplier, "emission", "co2_fossil", 0.125 * (1 + i % 3), "kg"])
    case = [["field", "value"], ["name", "Large case"], ["reference_node", "plant"]]
    return {"case": case, "nodes": nodes, "flows": flows}


def everything(path: Path) -> tuple[str, ...]:
    """Every node and flow field, every problem and every sheet as read, as ``repr`` text:
    ``1 == 1.0`` in Python, but a cell read as ``1.0`` shows as ``1.0`` in a problem."""
    checked = check_case(path)
    return tuple(map(repr, everything_as_values(checked)))


def everything_as_values(checked: Any) -> tuple:
    case = checked.case
    return (
        None if case is None else [dataclasses.asdict(n) for n in case.nodes.values()],
        None if case is None else [dataclasses.asdict(f) for f in case.flows],
        [dataclasses.asdict(p) for p in checked.problems],
        {
            key: (s.name, s.headers, s.rows, s.header_row, s.leading_cells, s.header_issues)
            for key, s in checked.sheets.items()
        },
    )


@pytest.fixture
def bulk_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The titles of the sheets the bulk reader read (not passed on to openpyxl)."""
    read: list[str] = []
    original = sheet_readers._BulkReader.rows

    def rows(self: Any, title: str, scan: Any) -> Any:
        found = original(self, title, scan)
        if found is not None:
            read.append(title)
        return found

    monkeypatch.setattr(sheet_readers._BulkReader, "rows", rows)
    return read


def both_ways(path: Path, monkeypatch: pytest.MonkeyPatch, bulk_cells: int = 0) -> tuple:
    """``everything(path)`` read in bulk (sheets of ``bulk_cells`` cells and more) and read
    cell by cell by openpyxl."""
    monkeypatch.setattr(sheet_readers, "BULK_CELLS", bulk_cells)
    bulk = everything(path)
    monkeypatch.setattr(sheet_readers, "BULK_CELLS", 10**12)
    cell_by_cell = everything(path)
    return bulk, cell_by_cell


EXAMPLE_WORKBOOKS = sorted((ROOT / "examples").rglob("*.xlsx"))


@pytest.mark.parametrize("path", EXAMPLE_WORKBOOKS, ids=lambda p: p.name)
def test_the_examples_read_in_bulk_equal_the_examples_read_cell_by_cell(
    path: Path, monkeypatch: pytest.MonkeyPatch, bulk_reads: list[str]
) -> None:
    bulk, cell_by_cell = both_ways(path, monkeypatch)
    assert bulk == cell_by_cell
    assert {"case", "nodes", "flows"} <= {t.strip().lower() for t in bulk_reads}


def test_there_are_example_workbooks() -> None:
    assert len(EXAMPLE_WORKBOOKS) >= 5


def test_a_large_case_reads_alike_in_bulk_and_cell_by_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk_reads: list[str]
) -> None:
    path = write_sheets(tmp_path / "large.xlsx", large_sheets(), "xlsx")
    bulk, cell_by_cell = both_ways(path, monkeypatch, sheet_readers.BULK_CELLS)
    assert bulk == cell_by_cell
    # At the default threshold the two large sheets are read in bulk, the case sheet not.
    assert sorted(bulk_reads) == ["flows", "nodes"]
    nodes, flows, problems, _ = everything_as_values(check_case(path))
    assert problems == []
    assert len(nodes) == SUPPLIERS + 1 and len(flows) == 3 * SUPPLIERS
    # Supplier 3 (list row 3 * 3 + 1 = 10, spreadsheet row 11): 1.25 g, certain.
    first = flows[9]
    assert (first["row"], first["input"], first["amount"]) == (11, "s00003", 1.25)
    assert first["unit"] == "g"
    assert first["amount_in_reference"] == pytest.approx(0.00125, rel=1e-15)
    assert first["uncertainty"] is None
    # Its electricity: 4 MWh, 4000 kWh; supplier 0's node flow is lognormal with gsd 1.2.
    assert flows[10]["amount_in_reference"] == pytest.approx(4000.0, rel=1e-15)
    assert flows[0]["uncertainty"]["gsd"] == 1.2
    assert nodes[1]["tier"] == 1 and isinstance(nodes[1]["tier"], int)


def planted() -> tuple[dict[str, list[list[Any]]], list[dict[str, Any]]]:
    """The large case with errors planted deep in its flows sheet, and where each must be
    reported (rows worked out from the list index: index + 1)."""
    sheets = copy.deepcopy(large_sheets())
    flows = sheets["flows"]
    flows[4001][3] = "1,5"  # a decimal comma: text, not a number
    flows[5003][4] = "kgg"  # no such unit, on an electricity row
    flows[6003][2] = None  # the input left blank
    flows[7004][4] = "kgg"  # the same unit on another electricity row: reported there too
    flows.insert(8001, list(flows[8000]))  # a row pasted twice: rows 8001 and 8002
    expected = [
        {"row": 4002, "column": "amount", "value": "1,5",
         "message": "amount must be a number, found text"},
        {"row": 5004, "column": "unit", "value": "kgg", "message": "unknown unit 'kgg'"},
        {"row": 6004, "column": "input", "value": None, "message": "input is required"},
        {"row": 7005, "column": "unit", "value": "kgg", "message": "unknown unit 'kgg'"},
    ]  # fmt: skip
    return sheets, expected


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "zip"])
def test_errors_planted_in_a_large_sheet_are_located_at_their_cells(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk_reads: list[str]
) -> None:
    sheets, expected = planted()
    path = write_sheets(tmp_path / {"csv": "case", "xlsx": "case.xlsx", "zip": "case.zip"}[fmt],
                        sheets, fmt)  # fmt: skip
    checked = check_case(path)
    assert checked.case is None
    errors = [p for p in checked.problems if p.severity == "error"]
    for p, want in zip(errors, expected, strict=True):
        assert (p.file, p.sheet, p.row, p.column, p.value) == (
            str(path),  # problems of a case name the case (its folder, workbook or zip)
            "flows",
            want["row"],
            want["column"],
            want["value"],
        ), p
        assert p.message.startswith(want["message"]), p
    (repeat,) = [p for p in checked.problems if "repeats" in p.message]
    assert (repeat.severity, repeat.sheet, repeat.row, repeat.column, repeat.value) == (
        "warning",
        "flows",
        8002,
        "input",
        sheets["flows"][8001][2],
    )
    assert repeat.message.startswith("this row repeats row 8001 exactly")
    if fmt == "xlsx":
        assert sorted(bulk_reads) == ["flows", "nodes"]
        bulk, cell_by_cell = both_ways(path, monkeypatch, sheet_readers.BULK_CELLS)
        assert bulk == cell_by_cell


def test_cells_the_readers_type_apart_send_the_sheet_to_openpyxl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk_reads: list[str]
) -> None:
    """A date (calamine: ``date``, openpyxl: ``datetime``), an error cell (calamine: blank)
    and an ``_x000D_`` escape (calamine unpacks it) each keep openpyxl's reading."""
    from datetime import datetime

    sheets = large_sheets()
    sheets["flows"][100][8] = "line_x000D_break"  # a comment, read as the text it is
    sheets["nodes"][50].append(datetime(2024, 5, 1))  # under no header: located as stray
    sheets["flows"][200][3] = "#N/A"  # openpyxl writes this text as an error cell
    path = write_sheets(tmp_path / "odd.xlsx", sheets, "xlsx")
    screen = screen_file(path)
    assert [(s.name, s.plain) for s in screen.sheets] == [
        ("case", True),
        ("nodes", True),
        ("flows", False),
    ]
    # The date's style is a date format: its number cell sends the nodes sheet to openpyxl.
    bulk, cell_by_cell = both_ways(path, monkeypatch)
    assert bulk == cell_by_cell
    assert sorted(bulk_reads) == ["case"]
    problems = check_case(path).problems
    na = next(p for p in problems if p.sheet == "flows" and p.row == 201)
    assert (na.column, na.value) == ("amount", "#N/A")
    stray = next(p for p in problems if "has no header" in p.message)
    assert (stray.sheet, stray.row, stray.column, stray.value) == (
        "nodes",
        51,
        "H",
        datetime(2024, 5, 1),
    )
    rows = dict(check_case(path).sheets["flows"].rows)
    assert rows[101]["comment"] == "line_x000D_break"


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("2.5", True),
        ("-0.125", True),
        ("1.5E-3", True),
        ("12", True),
        ("-7", True),
        ("123456789012345", True),  # 15 digits: exact as a float
        ("1234567890123456", False),  # 16: openpyxl's int, not a float's
        ("2.0", False),  # openpyxl: float 2.0, a bulk reader's whole float: int 2
        ("1E+20", False),
        ("nan", False),
        ("12 3", False),
        ("", False),
    ],
)
def test_plain_numbers_are_those_both_readers_type_alike(text: str, plain: bool) -> None:
    assert _plain_number(text) is plain


SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
SHARED_STRINGS_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
)


def with_comment_xml(path: Path, cell: bytes, shared: bool) -> Path:
    """The workbook at ``path`` with its one ``AAA`` comment written as ``cell`` (the XML
    inside ``<is>`` or, with ``shared``, inside a shared string's ``<si>``)."""
    import zipfile

    out = path.with_name(path.stem + ("_shared" if shared else "_inline") + ".xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if b"<is><t>AAA</t></is>" in data:
                replacement = b'"s"><v>0</v>' if shared else b'"inlineStr"><is>' + cell + b"</is>"
                data = data.replace(b'"inlineStr"><is><t>AAA</t></is>', replacement)
            if shared and info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
                    + SHARED_STRINGS_TYPE.encode()
                    + b'"/></Types>',
                )
            if shared and info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdStrings" Type="'
                    + SHARED_STRINGS_REL.encode()
                    + b'" Target="sharedStrings.xml"/></Relationships>',
                )
            target.writestr(info, data)
        if shared:
            target.writestr(
                "xl/sharedStrings.xml",
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                b'count="1" uniqueCount="1"><si>' + cell + b"</si></sst>",
            )
    return out


@pytest.mark.parametrize("shared", [False, True], ids=["inline", "shared"])
@pytest.mark.parametrize(
    ("cell", "plain", "as_written"),
    [
        (b"<t>AAA</t>", True, "AAA"),
        (b'<t xml:space="preserve"> A A </t>', True, " A A "),
        (b"<t>a&amp;b &#x41;</t>", True, "a&b A"),
        (b'<r><t>ab</t></r><r><t xml:space="preserve"> cd </t></r>', True, "ab cd "),
        (b"<t>  AAA</t>", False, "  AAA"),  # calamine trims an unpreserved text
        (b"<r><t>ab</t></r><r><t> cd</t></r>", False, "ab cd"),  # ... and each run
        (b'<t>ab</t><rPh sb="0" eb="1"><t>XY</t></rPh>', False, "ab"),  # phonetic run
        (b"<t>x_x000D_y</t>", False, None),  # an escape: openpyxl's reading, whichever
    ],
)
def test_strings_read_alike_or_by_openpyxl(
    cell: bytes,
    plain: bool,
    as_written: str | None,
    shared: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    bulk_reads: list[str],
) -> None:
    """A string's text as openpyxl reads it, whether the sheet is read in bulk (when both
    readers give the same text) or, when screening sees they would not, by openpyxl."""
    from tests.conftest import VALID_SHEETS

    sheets = copy.deepcopy(VALID_SHEETS)
    sheets["flows"][0] = [*FLOW_HEADER, "comment"]
    sheets["flows"][1] = [*sheets["flows"][1], "AAA"]
    path = with_comment_xml(write_sheets(tmp_path / "case.xlsx", sheets, "xlsx"), cell, shared)
    screen = screen_file(path)
    flows_scan = next(s for s in screen.sheets if s.name == "flows")
    assert (flows_scan.plain and screen.plain_text) is plain
    bulk, cell_by_cell = both_ways(path, monkeypatch)
    assert bulk == cell_by_cell
    assert ("flows" in bulk_reads) is plain
    leading = check_case(path).sheets["flows"].leading_cells
    if as_written is not None:
        assert leading[0] == (2, ["plant", "node", "supplier", 2, "kg", as_written])
