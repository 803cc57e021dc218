"""Broken and hostile submission files, built on the fly from a valid partner workbook.

Nothing binary is committed: every file is made by a builder below from the partner workbook
of node ``frame_maker`` of the shipped bicycle case (:func:`base_workbook`). Each
:class:`Bad` says where the error must be reported (sheet, row, column as a spreadsheet shows
them; ``None`` for file-level problems) and a few words of its message.

Layout of the base workbook (rows as Excel numbers them):

- ``case``: 2 name, 3 reference_node, 4 functional_unit, 5 currency, 6 year, 7 region,
  8 submission_case, 9 submission_node, 10 submission_signature;
- ``nodes``: 2 frame_maker (per 100 item), 3 tool_shop, 4 paint_supplier;
- ``flows`` (A node, B kind, C input, D amount, E unit, F distribution, G sd, ... K source):
  2 aluminium 0.24 t, 3 electricity 1.5 MWh, 4 natural gas 900 kWh, 5 paint_supplier 30 kg,
  6 tool_shop 2 item, 7 co2_fossil 15 kg.
"""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl

from scenat.casefile.screening import Limits, screen_file

NODE = "frame_maker"


def base_workbook(folder: Path) -> Path:
    """The valid, pre-filled partner workbook for frame_maker of the bicycle case.

    Its drop-down lists leave out the 2,000 EPA spend sectors (the bicycle uses none) so that
    the many edits of it stay fast; ``tests/casefile/test_partner_template.py`` checks the full one.
    """
    from scenat.casefile.build import read_case
    from scenat.casefile.partner_template import write_partner_template
    from scenat.model.catalogue import Catalogue, shipped_catalogue
    from scenat.paths import examples_dir

    shipped = shipped_catalogue()
    small = Catalogue(
        processes={k: p for k, p in shipped.processes.items() if p.database != "epa_spend"},
        elementary=shipped.elementary,
        version=shipped.version,
    )
    case = read_case(examples_dir() / "bicycle")
    return write_partner_template(case, NODE, folder / "base.xlsx", "bicycle", small)


def edit(base: Path, out: Path, change: Callable[[Any], None]) -> Path:
    """Apply ``change(book)`` with openpyxl and save as ``out``."""
    book = openpyxl.load_workbook(base)
    change(book)
    book.save(out)
    return out


def member_of(path: Path, sheet: str) -> str:
    scan = screen_file(path).sheet(sheet)
    assert scan is not None and scan.member
    return scan.member


def patch(base: Path, out: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """Rewrite the zip members of ``base``: ``change(name, data)`` returns new data or None."""
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            new = change(info.filename, data)
            zout.writestr(info, data if new is None else new)
    return out


def set_cells(**cells: Any) -> Callable[[Any], None]:
    """``set_cells(flows__D3=1)``: sheet and cell joined by a double underscore.

    Text starting with ``=`` is written as text (openpyxl would write a formula); use
    :class:`Formula` for a formula.
    """

    def change(book: Any) -> None:
        for key, value in cells.items():
            sheet, ref = key.split("__")
            cell = book[sheet][ref]
            cell.value = str(value) if isinstance(value, Formula) else value
            if isinstance(value, str) and not isinstance(value, Formula):
                cell.data_type = "s"

    return change


class Formula(str):
    """A cell value to write as a formula (saved without a value, as openpyxl does)."""


def _flip_in_member(base: Path, out: Path, member: str) -> Path:
    """Damage the compressed bytes of one member, leaving the zip directory intact."""
    data = bytearray(base.read_bytes())
    with zipfile.ZipFile(base) as archive:
        info = archive.getinfo(member)
    offset = info.header_offset
    name_length, extra_length = struct.unpack("<HH", data[offset + 26 : offset + 30])
    start = offset + 30 + name_length + extra_length
    for i in range(start + 10, start + min(info.compress_size - 2, 60)):
        data[i] ^= 0x5A
    out.write_bytes(bytes(data))
    return out


def _central_directory(base: Path, out: Path, member: str, change: Callable[[bytearray, int],
                       None]) -> Path:  # fmt: skip
    """Change the central-directory record of ``member`` (declared sizes, flags)."""
    data = bytearray(base.read_bytes())
    signature = b"PK\x01\x02"
    position = data.find(signature)
    while position != -1:
        name_length = struct.unpack("<H", data[position + 28 : position + 30])[0]
        name = data[position + 46 : position + 46 + name_length].decode()
        if name == member:
            change(data, position)
            break
        position = data.find(signature, position + 4)
    out.write_bytes(bytes(data))
    return out


def declared_size(size: int) -> Callable[[bytearray, int], None]:
    def change(data: bytearray, position: int) -> None:
        data[position + 24 : position + 28] = struct.pack("<I", size)

    return change


def encrypted_flag(data: bytearray, position: int) -> None:
    flags = struct.unpack("<H", data[position + 8 : position + 10])[0]
    data[position + 8 : position + 10] = struct.pack("<H", flags | 0x1)


def _add_member(base: Path, out: Path, name: str, data: bytes) -> Path:
    out.write_bytes(base.read_bytes())
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return out


def _sheet_xml(base: Path, out: Path, sheet: str, change: Callable[[bytes], bytes]) -> Path:
    member = member_of(base, sheet)
    return patch(base, out, lambda name, data: change(data) if name == member else None)


def _raw_value(ref: str, raw: str) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        pattern = rb'(<c r="' + ref.encode() + rb'"[^>]*>)<v>[^<]*</v>'
        new, count = re.subn(pattern, rb"\1<v>" + raw.encode() + rb"</v>", xml)
        assert count == 1
        return new.replace(b'<c r="' + ref.encode() + b'" t="s"', b'<c r="' + ref.encode() + b'"')

    return change


def _formula_with_value(xml: bytes) -> bytes:
    new, count = re.subn(rb'<c r="D3"([^>]*)><v>[^<]*</v>', rb'<c r="D3"\1><f>1+0.5</f><v>1.5</v>',
                         xml)  # fmt: skip
    assert count == 1
    return new


def _doctype(xml: bytes) -> bytes:
    entity = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    return re.sub(rb"^(<\?xml[^>]*\?>)?", lambda m: (m.group(0) or b"") + entity, xml, count=1)


def _huge_dimension(xml: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)


def _csv_zip(out: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out


def _decoy_workbook(base: Path, out: Path, change: Callable[[bytes], bytes]) -> Path:
    """The workbook part openpyxl reads (``[Content_Types].xml`` names it) moved to
    ``xl/book2.xml`` and changed; ``xl/workbook.xml`` stays as a harmless decoy."""
    with zipfile.ZipFile(base) as archive:
        real = change(archive.read("xl/workbook.xml"))
        rels = archive.read("xl/_rels/workbook.xml.rels")

    def redirect(name: str, data: bytes) -> bytes | None:
        if name == "[Content_Types].xml":
            return data.replace(b'PartName="/xl/workbook.xml"', b'PartName="/xl/book2.xml"')
        return None

    patch(base, out, redirect)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/book2.xml", real)
        archive.writestr("xl/_rels/book2.xml.rels", rels)
    return out


def _hidden_in_workbook(sheet: str) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        def hide(found: re.Match[bytes]) -> bytes:
            element = re.sub(rb'\sstate="[^"]*"', b"", found.group(0))
            return element.replace(b"<sheet ", b'<sheet state="hidden" ', 1)

        new, count = re.subn(rb'<sheet [^>]*name="' + sheet.encode() + rb'"[^>]*>', hide, xml)
        assert count == 1
        return new

    return change


def _doctype_in_strings(base: Path, out: Path) -> Path:
    """Shared strings in a part named ``xl/strings.bin``: openpyxl finds them by their content
    type and parses them as XML, whatever the name."""
    laughs = _doctype(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                      b'spreadsheetml/2006/main"><si><t>&b;</t></si></sst>')  # fmt: skip
    kind = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

    def declare(name: str, data: bytes) -> bytes | None:
        if name == "[Content_Types].xml":
            override = b'<Override PartName="/xl/strings.bin" ContentType="' + kind + b'"/>'
            return data.replace(b"</Types>", override + b"</Types>")
        return None

    patch(base, out, declare)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/strings.bin", laughs)
    return out


def _bomb(base: Path, out: Path) -> Path:
    out.write_bytes(base.read_bytes())
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/image1.bin", bytes(24 * 2**20))
    return out


def _append_rows(count: int) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        ws = book["flows"]
        for i in range(count):
            ws.append([NODE, "emission", "co2_fossil", i + 1, "kg"])

    return change


def _hide_row(book: Any) -> None:
    book["flows"].row_dimensions[3].hidden = True


def _hide_sheet(name: str) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        book[name].sheet_state = "hidden"

    return change


def _extra_sheet(title: str, hidden: bool) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        ws = book.create_sheet(title)
        ws["A1"] = "my workings"
        ws["B2"] = 42
        if hidden:
            ws.sheet_state = "hidden"

    return change


def _self_use(*amounts: float) -> Callable[[Any], None]:
    """Rows of frame_maker using its own output (per 100 item): each below it, the sum not."""

    def change(book: Any) -> None:
        for amount in amounts:
            book["flows"].append([NODE, "node", NODE, amount, "item"])

    return change


def _duplicate_row(book: Any) -> None:
    ws = book["flows"]
    ws.append([c.value for c in ws[3]])


def _merge(book: Any) -> None:
    book["flows"].merge_cells("K2:K3")


def _unknown_node_row(book: Any) -> None:
    book["nodes"].append(["new_supplier", "New supplier", 2, "materials", "GB", 1, "kg"])


def _no_flows(book: Any) -> None:
    book["flows"].delete_rows(2, 6)


def _drop_unit_header(book: Any) -> None:
    book["flows"]["E1"] = None


def _rename_duplicate_sheet(book: Any) -> None:
    ws = book.copy_worksheet(book["flows"])
    ws.title = "FLOWS "


@dataclass
class Bad:
    """One bad file: how to build it and where its error must be reported."""

    id: str
    build: Callable[[Path, Path], Path]  # (base workbook, output path without suffix)
    sheet: str | None
    row: int | None
    column: str | None
    words: str
    limits: Limits | None = None
    kept: bool = True  # whether the original bytes are stored (not when over the size limit)


def _bytes(data: bytes | Callable[[Path], bytes]) -> Callable[[Path, Path], Path]:
    def build(base: Path, out: Path) -> Path:
        target = out.with_suffix(".xlsx")
        target.write_bytes(data(base) if callable(data) else data)
        return target

    return build


def _edit(change: Callable[[Any], None]) -> Callable[[Path, Path], Path]:
    return lambda base, out: edit(base, out.with_suffix(".xlsx"), change)


def _xml(sheet: str, change: Callable[[bytes], bytes]) -> Callable[[Path, Path], Path]:
    return lambda base, out: _sheet_xml(base, out.with_suffix(".xlsx"), sheet, change)


HOMOGLYPH = "electricity_uk_grid_d\u0435livered"  # Cyrillic small ie
CORPUS: list[Bad] = [
    # --- not a workbook at all --------------------------------------------------------------
    Bad("random-bytes", _bytes(random.Random(7).randbytes(5000)), None, None, None,
        "not an Excel workbook"),
    Bad("csv-named-xlsx", _bytes(b"node,kind,input,amount,unit\nframe_maker,emission,n2o,1,kg\n"),
        None, None, None, "text file"),
    Bad("html-named-xlsx", _bytes(b"<!DOCTYPE html><html><body><table></table></body></html>"),
        None, None, None, "web page"),
    Bad("xls-or-encrypted", _bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000)), None,
        None, None, "password-protected"),
    Bad("pdf", _bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), None, None, None, "PDF"),
    Bad("empty", _bytes(b""), None, None, None, "empty"),
    Bad("truncated", _bytes(lambda base: base.read_bytes()[: len(base.read_bytes()) // 2]), None,
        None, None, "damaged or incomplete"),
    Bad("corrupt-member", lambda base, out: _flip_in_member(
        base, out.with_suffix(".xlsx"), member_of(base, "flows")), None, None, None, "damaged"),
    Bad("zip-of-csvs-named-xlsx", lambda base, out: _csv_zip(out.with_suffix(".xlsx"), {
        "flows.csv": b"node,kind\n"}), None, None, None, "not an Excel workbook"),
    Bad("zip-bomb-declared", lambda base, out: _central_directory(
        base, out.with_suffix(".xlsx"), member_of(base, "flows"), declared_size(3_000_000_000)),
        None, None, None, "zip bomb"),
    Bad("zip-bomb-real", lambda base, out: _bomb(base, out.with_suffix(".xlsx")), None, None,
        None, "zip bomb", Limits(max_unzipped_bytes=8 * 2**20)),
    Bad("encrypted-member", lambda base, out: _central_directory(
        base, out.with_suffix(".xlsx"), member_of(base, "flows"), encrypted_flag), None, None,
        None, "password"),
    Bad("too-many-members", _edit(lambda book: None), None, None, None, "files, over the limit",
        Limits(max_members=5)),
    Bad("file-too-big", _edit(lambda book: None), None, None, None, "over the limit",
        Limits(max_file_bytes=20_000), kept=False),
    Bad("macros", lambda base, out: _add_member(base, out.with_suffix(".xlsx"),
        "xl/vbaProject.bin", b"\x00" * 64), None, None, None, "macros"),
    Bad("doctype-entities", _xml("flows", _doctype), "flows", None, None, "DOCTYPE"),
    Bad("doctype-in-a-part-not-named-xml", lambda base, out: _doctype_in_strings(
        base, out.with_suffix(".xlsx")), None, None, None, "DOCTYPE"),
    Bad("decoy-workbook-part", lambda base, out: _decoy_workbook(
        base, out.with_suffix(".xlsx"), _hidden_in_workbook("flows")), "flows", None, None,
        "hidden"),
    # --- sheets -----------------------------------------------------------------------------
    Bad("too-many-rows", _edit(_append_rows(60)), "flows", 51, None, "more than 50 rows",
        Limits(max_rows=50)),
    Bad("too-many-columns", _edit(set_cells(flows__AH2="x")), "flows", 2, "AH",
        "more than 30 columns", Limits(max_columns=30)),
    Bad("hidden-flows-sheet", _edit(_hide_sheet("flows")), "flows", None, None, "hidden"),
    Bad("hidden-extra-sheet", _edit(_extra_sheet("workings", hidden=True)), "workings", None,
        None, "hidden sheet"),
    Bad("extra-sheet", _edit(_extra_sheet("workings", hidden=False)), "workings", None, None,
        "not read"),
    Bad("duplicate-sheet-name", _edit(_rename_duplicate_sheet), "FLOWS", None, None,
        "two sheets"),
    Bad("missing-unit-header", _edit(_drop_unit_header), "flows", 1, "unit", "missing"),
    # --- cells ------------------------------------------------------------------------------
    Bad("formula-without-value", _edit(set_cells(flows__D3=Formula("=D2*2"))), "flows", 3, "amount",
        "formula without a saved value"),
    Bad("merged-cells", _edit(_merge), "flows", 2, "source", "merged cells K2:K3"),
    Bad("hidden-row", _edit(_hide_row), "flows", 3, None, "hidden"),
    Bad("date-amount", _edit(set_cells(flows__D3=datetime(2024, 1, 5))), "flows", 3, "amount",
        "found a date"),
    Bad("text-amount", _edit(set_cells(flows__D3="1,5")), "flows", 3, "amount", "found text"),
    Bad("nan-amount", _edit(set_cells(flows__D3="nan")), "flows", 3, "amount", "finite"),
    Bad("inf-amount", _xml("flows", _raw_value("D3", "1E999")), "flows", 3, "amount", "finite"),
    Bad("negative-amount", _edit(set_cells(flows__D3=-1.5)), "flows", 3, "amount", "negative"),
    Bad("zero-width-space-in-node", _edit(set_cells(flows__A3="frame_maker\u200b")), "flows", 3,
        "node", "unknown node"),
    Bad("space-in-input", _edit(set_cells(flows__C3="electricity uk grid delivered")), "flows",
        3, "input", "unknown background process"),
    Bad("homoglyph-in-input", _edit(set_cells(flows__C3=HOMOGLYPH)), "flows", 3, "input",
        "unknown background process"),
    Bad("tab-in-node-id", _edit(set_cells(nodes__A4="paint\tsupplier")), "nodes", 4, "id",
        "not allowed"),
    Bad("duplicate-row", _edit(_duplicate_row), "flows", 8, "input", "repeats row 3"),
    Bad("wrong-unit", _edit(set_cells(flows__E3="kg")), "flows", 3, "unit", "kg"),
    Bad("unknown-kind", _edit(set_cells(flows__B3="proces")), "flows", 3, "kind", "unknown kind"),
    # --- what a unit or a number says (issue 13) -------------------------------------------
    Bad("co2e-of-methane", _edit(set_cells(flows__C7="ch4_fossil", flows__E7="kg CO2e")),
        "flows", 7, "unit", "global warming potential"),
    Bad("gross-cv-of-net-cv-gas", _edit(set_cells(flows__E4="kWh (Gross CV)")), "flows", 4,
        "unit", "gross"),
    Bad("ambiguous-ton", _edit(set_cells(flows__E2="ton")), "flows", 2, "unit", "ambiguous"),
    Bad("ambiguous-gallon", _edit(set_cells(flows__E3="gallon")), "flows", 3, "unit",
        "ambiguous"),
    Bad("temperature-unit", _edit(set_cells(flows__E3="degC")), "flows", 3, "unit",
        "temperature"),
    Bad("number-with-a-space", _edit(set_cells(flows__D3="1 500")), "flows", 3, "amount",
        "must be a number"),
    Bad("number-with-an-underscore", _edit(set_cells(flows__D3="1_500")), "flows", 3, "amount",
        "must be a number"),
    Bad("unit-exponent-bomb", _edit(set_cells(flows__E2="kg*9**9**9")), "flows", 2, "unit",
        "exponent"),
    Bad("amount-overflowing", _edit(set_cells(flows__D7=1e300)), "flows", 7, "amount",
        "too large"),
    Bad("vanishing-output-amount", _edit(set_cells(nodes__F2=1e-320)), "nodes", 2,
        "output_amount", "outside"),
    Bad("negative-uniform-bound", _edit(set_cells(flows__F7="uniform", flows__I7=-5,
        flows__J7=30)), "flows", 7, "min", "negative"),
    # --- silently accepted before (issue 13) -----------------------------------------------
    Bad("repeated-header", _edit(set_cells(flows__M1="amount", flows__M2=5)), "flows", 1,
        "amount", "appears twice"),
    Bad("data-under-a-blank-header", _edit(set_cells(flows__N3="see invoice")), "flows", 3,
        "N", "no header"),
    Bad("self-use-split-over-rows", _edit(_self_use(60, 50)), "flows", 9, "amount",
        "adds up"),
    Bad("wide-csv-in-a-zip", lambda base, out: _csv_zip(out.with_suffix(".zip"), {
        "flows.csv": (",".join(f"c{i}" for i in range(300)) + "\n").encode()}), "flows", 1,
        "IW", "columns"),
    # --- the workbook against the case ------------------------------------------------------
    Bad("flow-of-another-node", _edit(set_cells(flows__A3="tool_shop")), "flows", 3, "node",
        "only"),
    Bad("output-unit-changed", _edit(set_cells(nodes__G2="kg")), "nodes", 2, "output_unit",
        "per 100 item"),
    Bad("node-not-in-case", _edit(_unknown_node_row), "nodes", 5, "id", "not in case"),
    Bad("other-case", _edit(set_cells(case__B8="stadium")), "case", 8, "value",
        "made for case 'stadium'"),
    Bad("no-flows", _edit(_no_flows), "flows", None, None, "no flows"),
    Bad("edited-submission-node", _edit(set_cells(case__B9="tool_shop")), "case", 9, "value",
        "signed"),
    Bad("signature-removed", _edit(set_cells(case__B10=None)), "case", 9, "value", "signed"),
    # tool_shop (row 6) now takes 1000 items where the loop allows < 200; the reader names the
    # first node-to-node row of the loop (row 5, paint_supplier) and lists the others.
    Bad("unproductive-loop", _edit(set_cells(flows__D6=1000)), "flows", 6, "amount", "loops"),
]  # fmt: skip

#: files that look odd but are fine (read, with at most warnings)
GOOD: list[tuple[str, Callable[[Path, Path], Path]]] = [
    ("formula-with-saved-value", _xml("flows", _formula_with_value)),
    ("dimension-claims-a-million-rows", _xml("flows", _huge_dimension)),
    ("trailing-nbsp-in-ids", _edit(set_cells(flows__A3="frame_maker\u00a0"))),
    ("text-starting-with-equals-sign", _edit(set_cells(flows__L3="=cmd|' /C calc'!A0"))),
    # text that a spreadsheet or Markdown would run is kept as text (exports escape it)
    ("formula-after-a-semicolon", _edit(set_cells(flows__L3="see;=cmd|' /C calc'!A0"))),
    (
        "markdown-in-a-comment",
        _edit(
            set_cells(flows__L3="![x](http://evil.example/i.png) [Log in](http://phish.example)")
        ),
    ),
    # the workbook part is wherever [Content_Types].xml says, as openpyxl reads it
    (
        "workbook-part-not-named-workbook-xml",
        lambda base, out: _decoy_workbook(base, out.with_suffix(".xlsx"), lambda xml: xml),
    ),
]


def csv_files(sheets: dict[str, list[list[Any]]], delimiter: str, encoding: str) -> dict:
    """CSV files (name -> bytes) written with a separator and an encoding."""
    import csv

    files = {}
    for name, rows in sheets.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
        files[f"{name}.csv"] = buffer.getvalue().encode(encoding)
    return files
