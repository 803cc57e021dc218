"""Screening of untrusted files, and how the workbook reader reports what screening finds.

Files are built here from :data:`tests.conftest.VALID_SHEETS` (a plain case workbook); the
partner-workbook corpus runs through the intake in ``tests/store/test_submissions.py``.
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from scenat.casefile.build import read_case, validate
from scenat.casefile.screening import (
    Limits,
    column_index,
    column_letter,
    current_limits,
    screen_file,
    sniff,
    split_ref,
    use_limits,
)
from tests.conftest import VALID_SHEETS, save_xlsx, write_sheets
from tests.data.hostile.corpus import (
    _add_member,
    _bomb,
    _central_directory,
    _doctype,
    _huge_dimension,
    declared_size,
    edit,
    member_of,
    patch,
)


def errors(problems):
    return [p for p in problems if p.severity == "error"]


def located(problems, severity="error"):
    return [(p.sheet, p.row, p.column) for p in problems if p.severity == severity]


@pytest.fixture
def case_xlsx(tmp_path) -> Path:
    return save_xlsx(tmp_path / "case.xlsx", VALID_SHEETS)


# --- small pieces ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"PK\x03\x04rest", "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),
        (b"%PDF-1.4", "pdf"),
        (b"\x1f\x8b\x08", "archive"),
        (b"  <!DOCTYPE html><html>", "html"),
        (b'<?xml version="1.0"?><Workbook>', "xml"),
        (b"node,kind,input\n", "text"),
        (b"\xff\xfen\x00o\x00", "text"),
        (b"", "empty"),
        (bytes(range(256)), "unknown"),
    ],
)
def test_sniff(head, kind):
    assert sniff(head) == kind


def test_cell_references():
    assert [column_letter(i) for i in (1, 26, 27, 52, 16384)] == ["A", "Z", "AA", "AZ", "XFD"]
    assert [column_index(s) for s in ("A", "z", "AA", "XFD")] == [1, 26, 27, 16384]
    assert split_ref("$D$5") == (5, 4) and split_ref("5D") is None


def test_limits_from_the_environment(monkeypatch):
    monkeypatch.setenv("SCENAT_MAX_ROWS", "123")
    monkeypatch.setenv("SCENAT_MAX_FILE_MB", "1.5")
    monkeypatch.setenv("SCENAT_MAX_COLUMNS", "lots")  # malformed: the default stays
    limits = current_limits()
    assert limits.max_rows == 123 and limits.max_file_bytes == int(1.5 * 2**20)
    assert limits.max_columns == Limits().max_columns
    with use_limits(Limits(max_rows=7)):
        assert current_limits().max_rows == 7
    assert current_limits().max_rows == 123


# --- screening of a workbook -----------------------------------------------------------------


def test_a_plain_workbook_passes_screening(case_xlsx):
    screen = screen_file(case_xlsx)
    assert screen.ok and screen.is_workbook
    assert [(s.name, s.state, s.max_row, s.max_column) for s in screen.sheets] == [
        ("case", "visible", 3, 2),
        ("nodes", "visible", 3, 7),
        ("flows", "visible", 4, 5),
    ]
    assert screen.unzipped_bytes > 0


def test_a_sheet_claiming_a_million_rows_is_read_by_its_real_extent(case_xlsx, tmp_path):
    member = member_of(case_xlsx, "flows")
    path = patch(case_xlsx, tmp_path / "dim.xlsx",
                 lambda n, d: _huge_dimension(d) if n == member else None)  # fmt: skip
    assert b"XFD1048576" in zipfile.ZipFile(path).read(member)
    started = time.perf_counter()
    assert validate(path) == []
    assert time.perf_counter() - started < 5


def test_declared_zip_bomb_is_refused_before_unpacking(case_xlsx, tmp_path):
    path = _central_directory(case_xlsx, tmp_path / "bomb.xlsx", member_of(case_xlsx, "flows"),
                              declared_size(4_000_000_000))  # fmt: skip
    (p,) = validate(path)
    assert (p.file, p.sheet, p.row) == (str(path), None, None) and "zip bomb" in p.message
    assert "SCENAT_MAX_UNZIPPED_MB" in p.hint


def test_real_zip_bomb_is_refused_by_its_ratio_at_the_default_limits(case_xlsx, tmp_path):
    path = _bomb(case_xlsx, tmp_path / "bomb.xlsx")  # 24 MB of zeros in ~25 kB
    (p,) = validate(path)
    assert "zip bomb" in p.message and "image1.bin" in p.message and "times" in p.message


def test_unpacked_size_limit_is_configurable(case_xlsx, tmp_path):
    import numpy as np

    noise = np.random.default_rng(1).integers(97, 99, 3_000_000, dtype=np.uint8).tobytes()
    path = _add_member(case_xlsx, tmp_path / "big.xlsx", "xl/media/image1.bin", noise)
    assert validate(path) == []
    with use_limits(Limits(max_unzipped_bytes=2**21)):
        (p,) = validate(path)
    assert "more than the limit of 2 MB" in p.message


def test_zip_of_csvs_bomb_is_refused(tmp_path):
    path = write_sheets(tmp_path / "case.zip", VALID_SHEETS, "zip")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("padding.csv", bytes(12 * 2**20))
    with use_limits(Limits(max_unzipped_bytes=2**20)):
        (p,) = validate(path)
    assert "zip bomb" in p.message


def test_xml_entities_in_the_workbook_part_are_refused(case_xlsx, tmp_path):
    path = patch(case_xlsx, tmp_path / "laughs.xlsx",
                 lambda n, d: _doctype(d) if n == "xl/workbook.xml" else None)  # fmt: skip
    (p,) = validate(path)
    assert p.sheet is None and "DOCTYPE" in p.message


def test_too_many_rows_and_columns_name_the_sheet_and_cell(case_xlsx, tmp_path):
    with use_limits(Limits(max_rows=3)):
        (p,) = validate(case_xlsx)
    assert (p.sheet, p.row, p.column) == ("flows", 4, None)
    with use_limits(Limits(max_columns=6)):
        (p,) = validate(case_xlsx)
    assert (p.sheet, p.row, p.column) == ("nodes", 1, "G")


def test_screening_reads_the_workbook_part_openpyxl_reads(case_xlsx, tmp_path):
    """[Content_Types].xml names the workbook part; a decoy xl/workbook.xml is never the one
    screened when another part is declared."""
    from tests.data.hostile.corpus import _decoy_workbook, _hidden_in_workbook

    path = _decoy_workbook(case_xlsx, tmp_path / "decoy.xlsx", _hidden_in_workbook("flows"))
    screen = screen_file(path)
    assert screen.ok and screen.sheet("flows").state == "hidden"
    (p,) = errors(validate(path))
    assert (p.sheet, p.row) == ("flows", None) and "hidden" in p.message


def test_a_huge_sheet_behind_a_decoy_is_stopped_by_screening(case_xlsx, tmp_path):
    """The decoy once let openpyxl read a sheet claiming A1:XFD1048576 unscreened (a 7.5 kB
    file used 2.6 GB): the real part's sheets are the ones measured."""
    from tests.data.hostile.corpus import _decoy_workbook

    decoy = _decoy_workbook(case_xlsx, tmp_path / "decoy.xlsx", lambda xml: xml)
    member = member_of(decoy, "flows")
    wide = patch(decoy, tmp_path / "wide.xlsx", lambda n, d: d.replace(
        b"</row>", b'<c r="XFD1"><v>1</v></c></row>', 1) if n == member else None)  # fmt: skip
    (p,) = errors(validate(wide))
    assert (p.sheet, p.row, p.column) == ("flows", 1, "XFD")


def test_every_xml_part_is_screened_whatever_its_name(case_xlsx, tmp_path):
    from tests.data.hostile.corpus import _doctype_in_strings

    (p,) = errors(validate(_doctype_in_strings(case_xlsx, tmp_path / "strings.xlsx")))
    assert p.sheet is None and "DOCTYPE" in p.message and "xl/strings.bin" in p.message


def test_a_wide_csv_is_one_column_limit_error(tmp_path):
    """16,384 columns were read whole (57 s, 5 GB); the column limit applies to CSVs too."""
    folder = write_sheets(tmp_path / "csv", VALID_SHEETS, "csv")
    wide = "node,kind,input,amount,unit," + ",".join(f"c{i}" for i in range(16_379)) + "\n"
    (folder / "flows.csv").write_text(wide + "plant,node,supplier,2,kg\n", encoding="utf-8")
    problems = validate(folder)
    assert located(problems) == [("flows", 1, "IW")], problems  # column 257 > 256
    assert "more than 256 columns" in problems[0].message and problems[0].hint


def test_a_zip_member_over_the_file_limit_is_refused(tmp_path):
    """The size limit applies to each CSV unpacked from a zip as to a file on disk."""
    path = write_sheets(tmp_path / "case.zip", VALID_SHEETS, "zip")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("case/notes.csv", b"x\n" + b"a" * 3 * 2**20)
    with use_limits(Limits(max_file_bytes=2**20, max_ratio=10**6)):
        problems = validate(path)
    (p,) = errors(problems)
    assert "notes.csv" in p.message and "limit" in p.message


def test_more_rows_than_excel_holds_give_one_limit_error(tmp_path):
    """Over the row limit (by default Excel's 1,048,576 rows per sheet) a sheet is not read at
    all: one error, not a warning for each of the repeated rows read before the limit."""
    folder = write_sheets(tmp_path / "csv", VALID_SHEETS, "csv")
    row = "supplier,emission,co2_fossil,0.5,kg\n"
    (folder / "flows.csv").write_text("node,kind,input,amount,unit\n" + row * 1_100_000,
                                      encoding="utf-8")  # fmt: skip
    problems = validate(folder)
    assert len(problems) == 1, problems[:5]
    assert (problems[0].sheet, problems[0].row) == ("flows", 1_048_577)


def test_csv_limits(tmp_path):
    folder = write_sheets(tmp_path / "csv", VALID_SHEETS, "csv")
    with use_limits(Limits(max_rows=2)):
        problems = validate(folder)
    # one error per file over the limit, and nothing read
    assert located(problems) == [("case", 3, None), ("flows", 3, None), ("nodes", 3, None)]
    with use_limits(Limits(max_file_bytes=60)):
        problems = validate(folder)
    assert any("size limit" in p.message and p.file.endswith("nodes.csv") for p in problems)


# --- what the reader reports -----------------------------------------------------------------


def test_formula_without_value_is_an_error_at_its_cell(case_xlsx, tmp_path):
    def change(book):
        book["flows"]["D3"] = "=D2*5"

    path = edit(case_xlsx, tmp_path / "f.xlsx", change)
    problems = validate(path)
    formula = next(p for p in problems if "formula" in p.message)
    assert (formula.sheet, formula.row, formula.column, formula.value) == (
        "flows", 3, "amount", "=D2*5",
    )  # fmt: skip
    assert "never calculates" in formula.message and "Paste Special" in formula.hint


def test_merged_cells_are_an_error(case_xlsx, tmp_path):
    path = edit(case_xlsx, tmp_path / "m.xlsx", lambda b: b["nodes"].merge_cells("D2:E3"))
    merged = next(p for p in validate(path) if "merged" in p.message)
    assert (merged.sheet, merged.row, merged.column, merged.value) == (
        "nodes", 2, "stage", "D2:E3",
    )  # fmt: skip


def test_hidden_case_sheet_is_an_error(case_xlsx, tmp_path):
    def hide(book):
        book["nodes"].sheet_state = "veryHidden"

    (p,) = errors(validate(edit(case_xlsx, tmp_path / "h.xlsx", hide)))
    assert (p.sheet, p.row) == ("nodes", None) and "hidden" in p.message


def test_doubtful_input_is_a_warning_and_an_error_when_strict(case_xlsx, tmp_path):
    def change(book):
        book["flows"].row_dimensions[3].hidden = True
        book["flows"].column_dimensions["E"].hidden = True
        extra = book.create_sheet("calc")
        extra["A1"] = "scratch"
        book.create_sheet("old").sheet_state = "hidden"
        book["old"]["A1"] = 1
        book["flows"].append(["plant", "process", "electricity_uk_grid_delivered", 10, "kWh"])

    path = edit(case_xlsx, tmp_path / "d.xlsx", change)
    expected = {
        ("flows", 3, None),  # hidden row with data
        ("flows", 1, "unit"),  # hidden column with a header
        ("calc", None, None),  # a sheet that is not read
        ("old", None, None),  # a hidden sheet that is not read
        ("flows", 5, "input"),  # row 5 repeats row 3
    }
    assert set(located(validate(path), "warning")) == expected
    assert not errors(validate(path))
    assert set(located(validate(path, strict=True))) == expected
    read_case(path)  # warnings do not stop reading


def test_macros_and_links_are_named(case_xlsx, tmp_path):
    path = _add_member(case_xlsx, tmp_path / "macro.xlsx", "xl/vbaProject.bin", b"\x00" * 32)
    path = _add_member(path, tmp_path / "links.xlsx", "xl/externalLinks/externalLink1.xml",
                       b"<externalLink/>")  # fmt: skip
    messages = [p.message for p in validate(path)]
    assert any("macros" in m for m in messages) and any("links" in m for m in messages)
    assert len(errors(validate(path, strict=True))) == 2


def test_duplicate_sheet_names_after_trimming(case_xlsx, tmp_path):
    def change(book):
        book.copy_worksheet(book["flows"]).title = " Flows"

    problems = errors(validate(edit(case_xlsx, tmp_path / "dup.xlsx", change)))
    assert [(p.sheet, p.row) for p in problems] == [("Flows", None)]
    assert "two sheets" in problems[0].message


def test_xlsx_renamed_zip_is_still_screened_as_a_workbook(case_xlsx, tmp_path):
    renamed = tmp_path / "case.zip"
    renamed.write_bytes(case_xlsx.read_bytes())
    assert validate(renamed) == []
    edited = edit(case_xlsx, tmp_path / "f.xlsx", lambda b: b["flows"].merge_cells("A2:A3"))
    renamed.write_bytes(edited.read_bytes())
    assert any("merged" in p.message for p in validate(renamed))


def test_csv_encodings_and_separators(tmp_path):
    folder = write_sheets(tmp_path / "csv", VALID_SHEETS, "csv")
    text = (folder / "flows.csv").read_text()
    (folder / "flows.csv").write_bytes(text.replace(",", ";").encode("utf-16-le"))  # no BOM
    (folder / "nodes.csv").write_bytes((folder / "nodes.csv").read_text().encode("utf-16"))
    problems = validate(folder)
    assert not errors(problems)
    assert [p.message for p in problems] == [
        "the file is separated by ';', not commas; read as such"
    ]
    (folder / "case.csv").write_bytes(b"field,value\x00\x01\x02\n\x00")
    p, missing = errors(validate(folder))
    assert p.file.endswith("case.csv") and "not text" in p.message
    assert missing.sheet == "case" and "missing" in missing.message


def test_a_binary_junk_file_named_xlsx(tmp_path):
    path = tmp_path / "junk.xlsx"
    path.write_bytes(io.BytesIO(bytes(range(256)) * 20).getvalue())
    (p,) = validate(path)
    assert "does not start with the signature" in p.message and p.value == "00 01 02 03 04 05 06 07"


def test_reading_a_workbook_checks_crc(case_xlsx, tmp_path):
    book = openpyxl.load_workbook(case_xlsx)
    assert book.sheetnames == ["case", "nodes", "flows"]
    from tests.data.hostile.corpus import _flip_in_member

    path = _flip_in_member(case_xlsx, tmp_path / "crc.xlsx", member_of(case_xlsx, "nodes"))
    (p,) = validate(path)
    assert "damaged" in p.message and p.hint
