"""Read case workbooks (``.xlsx``, a folder of CSVs, or a ``.zip`` of CSVs) into a :class:`Case`.

Every problem is collected, located (file, sheet, spreadsheet row, column, value) and
given a hint; :func:`read_case` raises one :class:`~scenat.errors.InputError` carrying
all of them, :func:`validate` returns them.

Spreadsheets are read with openpyxl rather than through a dataframe library: a dataframe
loses the row numbers partners see (blank rows, header position) and turns dates or text in a
numeric column into silent nulls, and both must be reported at the exact cell.

>>> from scenat.paths import examples_dir
>>> case = read_case(examples_dir() / "bicycle")
>>> case.reference_node
'bike_assembly'
>>> validate(examples_dir() / "bicycle")
[]
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np

from scenat.casefile.screening import (
    AUXILIARY_SHEETS,
    Screen,
    column_letter,
    current_limits,
    screen_file,
    split_ref,
)
from scenat.errors import InputError, Problem
from scenat.model.case import (
    BACKGROUND_KINDS,
    DISTRIBUTIONS,
    ELEMENTARY_KINDS,
    FLOW_KINDS,
    STAGES,
    UNSPECIFIED_STAGE,
    Case,
    Flow,
    Node,
    Uncertainty,
)
from scenat.model.catalogue import Catalogue, shipped_catalogue
from scenat.model.units import CURRENCIES, UnitMismatch, conversion_factor, is_currency, parse_unit

SHEETS = ("case", "nodes", "flows", "interventions")
REQUIRED_SHEETS = ("case", "nodes", "flows")
ID_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]+$")

CASE_FIELDS = (
    "name",
    "reference_node",
    "reference_amount",
    "functional_unit",
    "annual_volume",
    "currency",
    "year",
    "region",
    "description",
)
NODE_COLUMNS = ("id", "name", "tier", "stage", "location", "output_amount", "output_unit")
FLOW_COLUMNS = (
    "node",
    "kind",
    "input",
    "amount",
    "unit",
    "distribution",
    "sd",
    "gsd",
    "min",
    "max",
    "source",
    "comment",
)


@dataclass
class RawSheet:
    """A sheet as read: normalised headers and non-blank rows with their spreadsheet numbers."""

    name: str
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    header_row: int = 1
    #: the first rows' cells as read, for diagnosing a header that is not on the first row
    leading_cells: list[tuple[int, list[Any]]] = field(default_factory=list)


def _normalise_header(value: Any) -> str:
    return re.sub(r"\s+", "_", str(value).strip().lower()) if value is not None else ""


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet_from_rows(name: str, numbered_rows: list[tuple[int, list[Any]]]) -> RawSheet:
    """Build a RawSheet from (row number, cells) pairs; the first non-blank row is the header."""
    header_row = None
    headers: list[str] = []
    sheet = RawSheet(name=name, headers=[])
    for number, cells in numbered_rows:
        if all(_is_blank(c) for c in cells):
            continue
        if header_row is None:
            header_row = number
            headers = [_normalise_header(c) for c in cells]
            sheet.headers = headers
            sheet.header_row = number
            continue
        record = {}
        for i, value in enumerate(cells):
            if i < len(headers) and headers[i]:
                # A blank cell is None whether it came from a CSV ("") or a workbook (None).
                if _is_blank(value):
                    value = None
                record[headers[i]] = value.strip() if isinstance(value, str) else value
        sheet.rows.append((number, record))
        if len(sheet.leading_cells) < 20:
            sheet.leading_cells.append((number, list(cells)))
    return sheet


def _read_xlsx(
    path: Path, problems: list[Problem], strict: bool = False, screen: Screen | None = None
) -> dict[str, RawSheet]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    # Size, zip integrity, bombs, XML attacks and sheet extents are checked before openpyxl.
    screen = screen or screen_file(path)
    if not screen.ok:
        problems.extend(screen.problems)
        return {}
    try:
        # From memory (the size is screened): openpyxl refuses a path ending in .zip.
        book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        problems.append(
            Problem(
                file=str(path),
                message=f"cannot read this file as an Excel workbook ({type(exc).__name__}: {exc})",
                hint="save the case as .xlsx from Excel or LibreOffice, or give a folder of "
                "case.csv, nodes.csv and flows.csv",
            )
        )
        return {}
    sheets: dict[str, RawSheet] = {}
    try:
        for ws in book.worksheets:
            key = ws.title.strip().lower()
            if key in AUXILIARY_SHEETS:
                continue  # instructions and drop-down lists: not case data, not read
            if key in sheets:
                problems.append(
                    Problem(
                        file=str(path),
                        sheet=ws.title.strip(),
                        message=f"two sheets are named {key!r} (names are read case-insensitive "
                        "and trimmed); only the first is read",
                        hint="rename or delete one of them",
                    )
                )
                continue
            # The screened extent, not the sheet's own <dimension>, which can claim a million rows.
            scan = screen.sheet(ws.title)
            extent: dict[str, int] = {}
            if scan is not None:
                extent = {
                    "min_row": 1,
                    "max_row": max(scan.max_row, 1),
                    "max_col": max(scan.max_column, 1),
                }
            try:
                rows = [
                    (number, list(values))
                    for number, values in enumerate(
                        ws.iter_rows(values_only=True, **extent), start=1
                    )
                ]
            except Exception as exc:  # openpyxl parses sheets lazily: damage shows up here
                problems.append(
                    Problem(
                        file=str(path),
                        sheet=ws.title.strip(),
                        message=f"cannot read this sheet ({type(exc).__name__}: {exc})",
                        hint="the workbook is damaged: open it in Excel or LibreOffice and "
                        "save it again as .xlsx",
                    )
                )
                return {}
            sheets[key] = _sheet_from_rows(ws.title.strip(), rows)
    finally:
        book.close()
    problems.extend(_screen_problems(str(path), screen, sheets, strict))
    return sheets


def _screen_problems(
    file: str, screen: Screen, sheets: dict[str, RawSheet], strict: bool
) -> list[Problem]:
    """What screening found in a workbook, located by sheet, row and column name.

    Always errors: a hidden case sheet, formulas without a saved value and merged cells in a
    case sheet. Warnings (errors when ``strict``): other hidden sheets, hidden rows or columns
    holding data, macros, external links, embedded objects.
    """
    found: list[Problem] = []
    doubtful = "error" if strict else "warning"

    def add(message: str, hint: str, severity: str = "error", **where: Any) -> None:
        found.append(Problem(message=message, file=file, hint=hint, severity=severity, **where))

    for message, hint in screen.notices:
        add(message, hint, doubtful)
    for scan in screen.sheets:
        key = scan.name.strip().lower()
        sheet = sheets.get(key)
        name = scan.name.strip()

        def column(index: int, sheet: RawSheet | None = sheet) -> str:
            if sheet is not None and 0 < index <= len(sheet.headers) and sheet.headers[index - 1]:
                return sheet.headers[index - 1]
            return column_letter(index)

        if scan.state != "visible":
            if key in SHEETS:
                add(
                    f"the sheet {name!r} is hidden: its data would be read although nobody sees it",
                    "unhide it (right-click a sheet tab > Unhide), check it and save again",
                    sheet=name,
                )
            elif key not in AUXILIARY_SHEETS:
                add(
                    f"the hidden sheet {name!r} is not read",
                    "delete it, or unhide it and move any case data to the case sheets",
                    doubtful,
                    sheet=name,
                )
        if key not in SHEETS:
            continue
        for row, col, formula in scan.formulas_without_value:
            add(
                "formula without a saved value: scenat reads the value a spreadsheet saved "
                "with a formula and never calculates formulas",
                "open the workbook in Excel or LibreOffice, let it calculate and save it; or "
                "replace the formula by its value (Paste Special > Values)",
                sheet=name,
                row=row,
                column=column(col),
                value=formula,
            )
        for ref in scan.merged:
            corner = split_ref(ref.split(":")[0])
            add(
                f"merged cells {ref}: only the first cell of a merged range holds a value",
                "unmerge the cells (Merge & Center > Unmerge Cells) and fill in every cell",
                sheet=name,
                row=corner[0] if corner else None,
                column=column(corner[1]) if corner else None,
                value=ref,
            )
        for row in scan.hidden_rows:
            add(
                f"row {row} is hidden but holds data, which is read",
                "unhide the row (select the rows around it > Unhide) to check it, or delete it",
                doubtful,
                sheet=name,
                row=row,
            )
        for col in scan.hidden_columns:
            if sheet is not None and 0 < col <= len(sheet.headers) and sheet.headers[col - 1]:
                add(
                    f"the column {sheet.headers[col - 1]!r} is hidden but is read",
                    "unhide the column to check it, or delete it",
                    doubtful,
                    sheet=name,
                    row=sheet.header_row,
                    column=sheet.headers[col - 1],
                )
    return found


def _read_csv_text(
    text: str, name: str, problems: list[Problem] | None = None, where: str | None = None
) -> RawSheet:
    """A CSV's rows; ``;`` or tab separators (Excel in many locales) are recognised."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ","
    for candidate in (";", "\t"):
        if candidate in first and "," not in first:
            delimiter = candidate
    limit = current_limits().max_rows
    numbered: list[tuple[int, list[str]]] = []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            if number > limit:
                if problems is not None:
                    problems.append(
                        Problem(
                            file=where,
                            sheet=name,
                            row=number,
                            message=f"the file has more than {limit} rows",
                            hint="remove the rows that are not case data, or raise the limit "
                            "(SCENAT_MAX_ROWS)",
                        )
                    )
                break
            numbered.append((number, row))
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        if problems is not None:
            problems.append(
                Problem(
                    file=where,
                    sheet=name,
                    row=len(numbered) + 1,
                    message=f"cannot read this CSV row ({exc})",
                    hint="check the quotes on that row; save the sheet again as CSV UTF-8",
                )
            )
    if delimiter != "," and problems is not None:
        problems.append(
            Problem(
                file=where,
                sheet=name,
                row=1,
                value=delimiter,
                message=f"the file is separated by {delimiter!r}, not commas; read as such",
                hint="numbers must still use '.' as the decimal separator",
                severity="warning",
            )
        )
    return _sheet_from_rows(name, numbered)


def _decode(data: bytes, where: str, problems: list[Problem]) -> str | None:
    import codecs

    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" in data[:4096]:
        # UTF-16 without a byte-order mark: every other byte of ASCII text (headers) is zero.
        odd, even = data[1:4096:2], data[0:4096:2]
        encoding = "utf-16-le" if odd.count(0) > even.count(0) else "utf-16-be"
        zeros = max(odd.count(0), even.count(0))
        try:
            text = data.decode(encoding)
            if zeros >= 0.9 * max(len(odd), 1) and "\x00" not in text:
                return text
        except UnicodeDecodeError:
            pass
        problems.append(
            Problem(file=where, message="the file is not text", hint="save it as UTF-8 CSV")
        )
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "cp1252":
            problems.append(
                Problem(
                    file=where,
                    message="the file is not UTF-8; read as Windows-1252 (Western European)",
                    hint="check names with accents; save as 'CSV UTF-8' to be sure",
                    severity="warning",
                )
            )
        return text
    problems.append(
        Problem(file=where, message="the file is not text", hint="save it as UTF-8 CSV")
    )
    return None


def _read_csv_folder(path: Path, problems: list[Problem]) -> dict[str, RawSheet]:
    sheets: dict[str, RawSheet] = {}
    limit = current_limits().max_file_bytes
    for file in sorted(path.iterdir()):
        if file.suffix.lower() == ".csv":
            if file.stat().st_size > limit:
                problems.append(
                    Problem(
                        file=str(file),
                        message=f"the file is over the size limit of {limit // 2**20} MB",
                        hint="keep only case data in it, or raise the limit (SCENAT_MAX_FILE_MB)",
                    )
                )
                continue
            text = _decode(file.read_bytes(), str(file), problems)
            if text is not None:
                sheets[file.stem.strip().lower()] = _read_csv_text(
                    text, file.stem.strip(), problems, str(file)
                )
    return sheets


def _read_csv_zip(path: Path, problems: list[Problem]) -> dict[str, RawSheet]:
    sheets: dict[str, RawSheet] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = Path(info.filename)
                if info.is_dir() or name.suffix.lower() != ".csv" or name.name.startswith("."):
                    continue
                text = _decode(archive.read(info), f"{path}:{info.filename}", problems)
                if text is not None:
                    sheets[name.stem.strip().lower()] = _read_csv_text(
                        text, name.stem.strip(), problems, f"{path}:{info.filename}"
                    )
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
        problems.append(
            Problem(
                file=str(path),
                message=f"cannot open this zip archive ({type(exc).__name__}: {exc})",
                hint="zip the files case.csv, nodes.csv and flows.csv again",
            )
        )
    return sheets


def read_sheets(path: Path, problems: list[Problem], strict: bool = False) -> dict[str, RawSheet]:
    """Read every sheet of a workbook, CSV folder or zip into RawSheets keyed by lower-case name.

    Files are screened first (:mod:`scenat.casefile.screening`): size and row limits, zip bombs,
    damaged archives, formulas without saved values, merged cells, hidden sheets. ``strict``
    turns the doubtful findings (hidden rows, extra hidden sheets, macros) into errors.
    """
    if not path.exists():
        problems.append(
            Problem(
                file=str(path),
                message="no such file or folder",
                hint="check the path; a case is an .xlsx workbook, a folder of CSVs or a .zip",
            )
        )
        return {}
    if path.is_dir():
        return _read_csv_folder(path, problems)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, problems, strict)
    if suffix == ".zip":
        screen = screen_file(path, workbook=False)
        if not screen.ok:
            problems.extend(screen.problems)
            return {}
        # An .xlsx renamed .zip is still a workbook.
        if screen.is_workbook:
            return _read_xlsx(path, problems, strict, screen)
        return _read_csv_zip(path, problems)
    if suffix == ".csv":
        problems.append(
            Problem(
                file=str(path),
                message="a case is several tables, not one CSV file",
                hint="give the folder holding case.csv, nodes.csv and flows.csv",
            )
        )
        return {}
    problems.append(
        Problem(
            file=str(path),
            message=f"unsupported file type {path.suffix or '(none)'!r}",
            hint="give an .xlsx workbook, a folder of CSVs or a .zip of CSVs "
            "(old .xls files: save as .xlsx first)",
        )
    )
    return {}


def _zip_is_xlsx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


class _Checker:
    """Collects problems for one source file with consistent locations."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(
        self,
        sheet: str | None,
        row: int | None,
        column: str | None,
        value: Any,
        message: str,
        hint: str | None = None,
        severity: str = "error",
    ) -> None:
        self.problems.append(
            Problem(
                file=self.file,
                sheet=sheet,
                row=row,
                column=column,
                value=_printable(value),
                message=message,
                hint=hint,
                severity=severity,  # type: ignore[arg-type]
            )
        )

    # Typed cell readers: return None (and record a problem) when the cell is unusable.
    def text(self, sheet: str, row: int, record: dict, column: str, required: bool) -> str | None:
        value = record.get(column)
        if _is_blank(value):
            if required:
                self.add(sheet, row, column, value, f"{column} is required", f"fill in {column}")
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def number(
        self,
        sheet: str,
        row: int,
        record: dict,
        column: str,
        required: bool,
        default: float | None = None,
        minimum: float | None = 0.0,
        strictly_positive: bool = False,
    ) -> float | None:
        value = record.get(column)
        if _is_blank(value):
            if required:
                self.add(sheet, row, column, value, f"{column} is required", "enter a number")
            return default
        number = _to_number(value)
        if number is None:
            kind = "a date" if isinstance(value, (datetime, date, time)) else "text"
            self.add(
                sheet,
                row,
                column,
                value,
                f"{column} must be a number, found {kind}",
                "type a plain number (use . as decimal separator, no units or thousands "
                "separators); format the cell as Number",
            )
            return None
        if not math.isfinite(number):
            self.add(sheet, row, column, value, f"{column} must be finite", "enter a real number")
            return None
        if strictly_positive and number <= 0:
            self.add(
                sheet,
                row,
                column,
                value,
                f"{column} must be greater than zero",
                "enter a positive number",
            )
            return None
        if minimum is not None and number < minimum:
            self.add(
                sheet,
                row,
                column,
                value,
                f"{column} must not be negative",
                "enter the amount as a positive number; use kind 'credit' for an avoided burden",
            )
            return None
        return number


def _printable(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value


def _to_number(value: Any) -> float | None:
    if isinstance(value, bool) or isinstance(value, (datetime, date, time)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        try:
            return float(text)
        except ValueError:
            return None
    return None


def _missing_sheets(sheets: dict[str, RawSheet], check: _Checker) -> None:
    for name in REQUIRED_SHEETS:
        if name not in sheets:
            present = ", ".join(sorted(sheets)) or "none"
            check.add(
                name,
                None,
                None,
                None,
                f"the sheet {name!r} is missing (sheets found: {present})",
                "use `scenat template PATH` for a workbook with the right sheets",
            )


def _require_columns(sheet: RawSheet, required: tuple[str, ...], check: _Checker) -> bool:
    ok = True
    found = ", ".join(h for h in sheet.headers if h)
    lower_header = _header_further_down(sheet, required)
    for column in required:
        if column not in sheet.headers:
            hint = f"add a column headed {column!r} (headers found: {found})"
            if lower_header is not None:
                hint = (
                    f"the header row seems to be row {lower_header}, not row "
                    f"{sheet.header_row}: delete the title rows above it"
                )
            check.add(
                sheet.name,
                sheet.header_row,
                column,
                None,
                f"the column {column!r} is missing from the header row",
                hint,
            )
            ok = False
    return ok


def _header_further_down(sheet: RawSheet, required: tuple[str, ...]) -> int | None:
    """The row number of a later row holding every required header (a title row above it)."""
    for number, cells in sheet.leading_cells:
        names = {_normalise_header(v) for v in cells if not _is_blank(v)}
        if set(required) <= names:
            return number
    return None


def _read_case_sheet(sheet: RawSheet, check: _Checker) -> tuple[dict[str, Any], dict[str, int]]:
    """The case sheet's fields as {field: value} and {field: row number}."""
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    if not _require_columns(sheet, ("field", "value"), check):
        return values, rows
    for number, record in sheet.rows:
        key = record.get("field")
        if _is_blank(key):
            check.add(
                sheet.name,
                number,
                "field",
                key,
                "field name is empty",
                "write the field name (e.g. name, reference_node) in the field column",
            )
            continue
        key = _normalise_header(key)
        if key in rows:
            check.add(
                sheet.name,
                number,
                "field",
                key,
                f"field {key!r} is given twice (first on row {rows[key]})",
                "keep one row per field",
            )
            continue
        values[key] = record.get("value")
        rows[key] = number
    return values, rows


def _build_case_fields(
    sheet: RawSheet, check: _Checker
) -> tuple[dict[str, Any], dict[str, int], dict[str, Any]]:
    raw, rows = _read_case_sheet(sheet, check)
    name = sheet.name
    if not {"field", "value"} <= set(sheet.headers):
        return {}, rows, {}  # the missing column is reported; no field can be read
    # The case sheet is field/value pairs; reuse the typed readers with a one-field record.
    fields: dict[str, Any] = {}
    extra = {k: v for k, v in raw.items() if k not in CASE_FIELDS}

    def row_of(key: str) -> int | None:
        return rows.get(key)

    for key in ("name", "reference_node"):
        if _is_blank(raw.get(key)):
            check.add(
                name,
                row_of(key),
                "value",
                raw.get(key),
                f"the case field {key!r} is required",
                f"add a row with field {key!r} and its value",
            )
        else:
            fields[key] = str(raw[key]).strip()
    for key, default in (("reference_amount", 1.0), ("annual_volume", 1.0)):
        value = check.number(
            name,
            row_of(key),
            {"value": raw.get(key)},
            "value",
            False,  # type: ignore[arg-type]
            default,
            strictly_positive=True,
        )
        fields[key] = default if value is None else value
    currency = raw.get("currency")
    if _is_blank(currency):
        fields["currency"] = "GBP"
    elif str(currency).strip().upper() not in CURRENCIES:
        check.add(
            name,
            row_of("currency"),
            "value",
            currency,
            f"unknown currency {currency!r}",
            "use one of " + ", ".join(CURRENCIES),
        )
    else:
        fields["currency"] = str(currency).strip().upper()
    year = raw.get("year")
    if not _is_blank(year):
        number = _to_number(year)
        if number is None or not float(number).is_integer():
            check.add(
                name,
                row_of("year"),
                "value",
                year,
                "year must be a whole number",
                "write the year as e.g. 2025",
            )
        else:
            fields["year"] = int(number)
    for key in ("functional_unit", "region", "description"):
        if not _is_blank(raw.get(key)):
            fields[key] = str(raw[key]).strip()
    return fields, rows, extra


def _build_nodes(sheet: RawSheet, check: _Checker) -> tuple[dict[str, Node], dict[str, int]]:
    nodes: dict[str, Node] = {}
    first_row: dict[str, int] = {}
    if not _require_columns(sheet, ("id", "name", "tier", "output_unit"), check):
        # Keep the ids so that flows naming these nodes are not reported as unknown too.
        if "id" in sheet.headers:
            for number, record in sheet.rows:
                if not _is_blank(record.get("id")):
                    first_row.setdefault(str(record["id"]).strip(), number)
        return nodes, first_row
    name = sheet.name
    for number, record in sheet.rows:
        node_id = check.text(name, number, record, "id", True)
        if node_id is not None and not ID_PATTERN.match(node_id):
            check.add(
                name,
                number,
                "id",
                node_id,
                "node id has characters that are not allowed",
                "use only letters, digits, '-', '_' and '.' (no spaces)",
            )
            node_id = None
        if node_id is not None and node_id in first_row:
            check.add(
                name,
                number,
                "id",
                node_id,
                f"duplicate node id (first defined on row {first_row[node_id]})",
                "give every node a unique id",
            )
            continue
        label = check.text(name, number, record, "name", True)
        tier_value = record.get("tier")
        tier: int | None = None
        if _is_blank(tier_value):
            check.add(
                name,
                number,
                "tier",
                tier_value,
                "tier is required",
                "enter a whole number: 0 for the focal organisation, 1 for its direct "
                "suppliers, and so on",
            )
        else:
            t = _to_number(tier_value)
            if t is None or not float(t).is_integer() or t < 0:
                check.add(
                    name,
                    number,
                    "tier",
                    tier_value,
                    "tier must be a whole number >= 0",
                    "0 is the focal organisation, 1 its direct suppliers, ...",
                )
            else:
                tier = int(t)
        stage_value = check.text(name, number, record, "stage", False)
        stage = UNSPECIFIED_STAGE
        if stage_value is not None:
            lowered = stage_value.lower().replace(" ", "_").replace("-", "_")
            if lowered not in STAGES:
                close = _closest(lowered, list(STAGES))
                check.add(
                    name,
                    number,
                    "stage",
                    stage_value,
                    "unknown stage",
                    (f"did you mean {close!r}? " if close else "")
                    + "use one of "
                    + ", ".join(STAGES),
                )
            else:
                stage = lowered
        output_amount = check.number(
            name, number, record, "output_amount", False, 1.0, strictly_positive=True
        )
        output_unit = check.text(name, number, record, "output_unit", True)
        if output_unit is not None:
            try:
                parse_unit(output_unit)
            except UnitMismatch as exc:
                check.add(name, number, "output_unit", output_unit, str(exc), exc.hint)
                output_unit = None
        if node_id is None:
            continue
        first_row[node_id] = number
        if None in (label, tier, output_amount, output_unit):
            continue
        metadata = {k: v for k, v in record.items() if k not in NODE_COLUMNS and not _is_blank(v)}
        nodes[node_id] = Node(
            id=node_id,
            name=label,  # type: ignore[arg-type]
            tier=tier,  # type: ignore[arg-type]
            stage=stage,
            location=check.text(name, number, record, "location", False),
            output_amount=output_amount,  # type: ignore[arg-type]
            output_unit=output_unit,  # type: ignore[arg-type]
            row=number,
            metadata=metadata,
        )
    return nodes, first_row


def _closest(value: str, choices: list[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _reference_unit(
    kind: str,
    input_id: str,
    nodes: dict[str, Node],
    node_rows: dict[str, int],
    catalogue: Catalogue,
    check: _Checker,
    sheet: str,
    number: int,
) -> str | None:
    """The unit the input is measured in, or None (with a problem recorded)."""
    if kind == "node":
        if input_id in nodes:
            return nodes[input_id].output_unit
        if input_id in node_rows:
            return None  # the node exists but has its own problems, reported on its row
        close = catalogue.suggest(input_id, list(node_rows))
        check.add(
            sheet,
            number,
            "input",
            input_id,
            f"unknown node {input_id!r}",
            (f"did you mean {close!r}? " if close else "")
            + "kind 'node' takes an id from the nodes sheet",
        )
        return None
    if kind in BACKGROUND_KINDS:
        process = catalogue.processes.get(input_id)
        if process is None:
            close = catalogue.suggest(input_id)
            if input_id in nodes:
                hint = f"{input_id!r} is a node: use kind 'node' for it"
            else:
                hint = (f"did you mean {close!r}? " if close else "") + (
                    "kind 'process' takes a background process id; `scenat processes` lists them"
                )
            check.add(
                sheet, number, "input", input_id, f"unknown background process {input_id!r}", hint
            )
            return None
        if kind == "spend" and not is_currency(process.unit):
            check.add(
                sheet,
                number,
                "kind",
                kind,
                f"{input_id!r} is a physical process (unit {process.unit}), not a spend sector",
                "use kind 'process' for it, or pick a spend sector",
            )
            return None
        return process.unit
    if kind in ELEMENTARY_KINDS:
        flow = catalogue.elementary.get(input_id) or catalogue.elementary_by_code().get(input_id)
        if flow is None:
            close = catalogue.suggest(input_id, list(catalogue.elementary))
            check.add(
                sheet,
                number,
                "input",
                input_id,
                f"unknown {kind} {input_id!r}",
                (f"did you mean {close!r}? " if close else "")
                + "use an id such as "
                + ", ".join(list(catalogue.elementary)[:8]),
            )
            return None
        if flow.kind != kind:
            check.add(
                sheet,
                number,
                "kind",
                kind,
                f"{input_id!r} is a {flow.kind}, listed here as {kind}",
                f"use kind {flow.kind!r} for it",
                severity="warning",
            )
        return flow.unit
    return None


def _read_uncertainty(
    record: dict, amount: float | None, check: _Checker, sheet: str, number: int
) -> Uncertainty | None:
    dist = check.text(sheet, number, record, "distribution", False)
    if dist is None:
        return None
    dist = dist.lower()
    if dist in ("none", "undefined", "no"):
        return None
    if dist not in DISTRIBUTIONS:
        check.add(
            sheet,
            number,
            "distribution",
            dist,
            "unknown distribution",
            "use one of " + ", ".join(DISTRIBUTIONS) + ", or leave it empty",
        )
        return None
    values = {
        key: check.number(sheet, number, record, key, False, None, minimum=None)
        for key in ("sd", "gsd", "min", "max")
    }
    unc = Uncertainty(dist, values["sd"], values["gsd"], values["min"], values["max"])
    missing = None
    if dist == "lognormal" and not ((unc.gsd and unc.gsd > 1) or (unc.sd and unc.sd > 0)):
        missing = ("gsd", "give gsd > 1 (geometric standard deviation) or sd > 0 of ln(amount)")
    elif dist == "normal" and not (unc.sd and unc.sd > 0):
        missing = ("sd", "give sd > 0")
    elif dist in ("triangular", "uniform"):
        if unc.minimum is not None and unc.maximum is not None and unc.minimum > unc.maximum:
            # Both given but swapped: a typing mistake, not a missing spread.
            check.add(sheet, number, "min", unc.minimum, f"min is above max ({unc.maximum})",
                      "swap min and max: the distribution needs min <= amount <= max")
            return None
        if unc.minimum is None or unc.maximum is None:
            missing = ("min", "give min <= amount <= max")
        elif amount is not None and not (unc.minimum <= amount <= unc.maximum):
            check.add(
                sheet,
                number,
                "amount",
                amount,
                "amount lies outside min..max",
                "make min <= amount <= max",
            )
            return None
    if missing:
        # No usable spread means no uncertainty for this flow, which is allowed.
        check.add(
            sheet,
            number,
            missing[0],
            record.get(missing[0]),
            f"{dist} distribution without a usable spread; treated as certain",
            missing[1],
            severity="warning",
        )
        return None
    return unc


def _build_flows(
    sheet: RawSheet,
    nodes: dict[str, Node],
    node_rows: dict[str, int],
    catalogue: Catalogue,
    check: _Checker,
    case_year: int | None = None,
) -> list[Flow]:
    flows: list[Flow] = []
    if not _require_columns(sheet, ("node", "kind", "input", "amount", "unit"), check):
        return flows
    name = sheet.name
    for number, record in sheet.rows:
        node_id = check.text(name, number, record, "node", True)
        if node_id is not None and node_id not in node_rows:
            close = catalogue.suggest(node_id, list(node_rows))
            check.add(
                name,
                number,
                "node",
                node_id,
                f"unknown node {node_id!r}",
                (f"did you mean {close!r}? " if close else "")
                + "the node column takes an id from the nodes sheet",
            )
            node_id = None
        kind = check.text(name, number, record, "kind", True)
        if kind is not None:
            kind = kind.lower()
            if kind not in FLOW_KINDS:
                close = _closest(kind, list(FLOW_KINDS))
                check.add(
                    name,
                    number,
                    "kind",
                    kind,
                    "unknown kind",
                    (f"did you mean {close!r}? " if close else "")
                    + "use one of "
                    + ", ".join(FLOW_KINDS),
                )
                kind = None
        input_id = check.text(name, number, record, "input", True)
        amount = check.number(name, number, record, "amount", True)
        unit = check.text(name, number, record, "unit", True)
        uncertainty = _read_uncertainty(record, amount, check, name, number)
        reference_unit = None
        if kind == "spend" and input_id is not None and input_id not in catalogue.processes:
            # A bare sector code (e.g. NAICS 331110) names the sector's default process.
            input_id = _spend_sector_id(input_id, catalogue) or input_id
        if kind is not None and input_id is not None:
            reference_unit = _reference_unit(
                kind, input_id, nodes, node_rows, catalogue, check, name, number
            )
        factor = None
        money: str | None = None
        if reference_unit is not None and unit is not None and kind == "spend":
            factor, money = _money_factor(unit, input_id, catalogue, case_year, check, name, number)
        elif reference_unit is not None and unit is not None:
            try:
                factor = conversion_factor(unit, reference_unit)
            except UnitMismatch as exc:
                check.add(name, number, "unit", unit, str(exc), exc.hint)
        if None in (node_id, kind, input_id, amount, unit, factor) or node_id not in nodes:
            continue
        if kind == "node" and input_id == node_id:
            producing = nodes[node_id].output_amount
            if amount * factor >= producing:  # type: ignore[operator]
                check.add(
                    name,
                    number,
                    "amount",
                    amount,
                    "the node consumes at least as much of its own output as it makes",
                    "a node's use of its own output must be less than its output_amount",
                )
                continue
        metadata = {k: v for k, v in record.items() if k not in FLOW_COLUMNS and not _is_blank(v)}
        if money:
            metadata["currency_conversion"] = money
        flows.append(
            Flow(
                node=node_id,  # type: ignore[arg-type]
                kind=kind,  # type: ignore[arg-type]
                input=input_id,  # type: ignore[arg-type]
                amount=amount,  # type: ignore[arg-type]
                unit=unit,  # type: ignore[arg-type]
                amount_in_reference=amount * factor,  # type: ignore[operator]
                reference_unit=reference_unit,  # type: ignore[arg-type]
                uncertainty=uncertainty,
                source=check.text(name, number, record, "source", False),
                comment=check.text(name, number, record, "comment", False),
                row=number,
                metadata=metadata,
            )
        )
    return flows


def _spend_sector_id(code: str, catalogue: Catalogue) -> str | None:
    candidate = f"epa_naics_{code}"
    return candidate if candidate in catalogue.processes else None


def _money_factor(
    unit: str,
    process_id: str,
    catalogue: Catalogue,
    case_year: int | None,
    check: _Checker,
    sheet: str,
    number: int,
) -> tuple[float | None, str | None]:
    """Factor from the flow's money (currency, case year) to the sector's (currency, year)."""
    from scenat.model.currency import conversion

    process = catalogue.processes[process_id]
    if not is_currency(unit):
        check.add(
            sheet,
            number,
            "unit",
            unit,
            "a spend flow is an amount of money",
            f"give the amount in a currency such as GBP or USD (the sector is in "
            f"{process.unit} of {process.price_year or 'its data year'})",
        )
        return None, None
    currency = next(iter(parse_unit(unit).dimensionality))[len("[currency_") : -1]
    multiple = conversion_factor(unit, currency)  # e.g. kGBP -> 1000 GBP
    target_year = process.price_year
    if target_year is None:
        return (multiple if currency == process.unit else None), None
    year = case_year
    if year is None:
        year = target_year
        check.add(
            sheet,
            number,
            "unit",
            unit,
            f"the case has no year, so this money is taken as {currency} of {year}",
            "add a 'year' row to the case sheet: the year the money was spent",
            severity="warning",
        )
    try:
        step = conversion(currency, year, process.unit, target_year)
    except InputError as err:
        problem = err.problems[0]
        check.add(sheet, number, "unit", unit, problem.message, problem.hint)
        return None, None
    return multiple * step.factor, step.describe()


def _check_structure(
    fields: dict[str, Any],
    case_rows: dict[str, int],
    nodes: dict[str, Node],
    node_rows: dict[str, int],
    flows: list[Flow],
    check: _Checker,
    sheet_names: dict[str, str],
) -> None:
    reference = fields.get("reference_node")
    if reference is None:
        return
    if reference not in node_rows:
        close = _closest(reference, list(node_rows))
        check.add(
            sheet_names["case"],
            case_rows.get("reference_node"),
            "value",
            reference,
            f"the reference node {reference!r} is not in the nodes sheet",
            (f"did you mean {close!r}? " if close else "")
            + "reference_node must be the id of the node whose output is the functional unit",
        )
        return
    # Which nodes does the reference node need, directly or through other nodes?
    suppliers: dict[str, set[str]] = {n: set() for n in node_rows}
    for flow in flows:
        if flow.kind == "node":
            suppliers[flow.node].add(flow.input)
    reached = {reference}
    stack = [reference]
    while stack:
        for supplier in suppliers.get(stack.pop(), ()):
            if supplier not in reached:
                reached.add(supplier)
                stack.append(supplier)
    for node_id, row in node_rows.items():
        if node_id not in reached:
            check.add(
                sheet_names["nodes"],
                row,
                "id",
                node_id,
                f"node {node_id!r} has no path to the reference node {reference!r}",
                "add a flow of kind 'node' from a node that uses it, or remove it; "
                "it does not count in the results",
                severity="warning",
            )
    _check_solvable(nodes, flows, reached, check, sheet_names["flows"])


def _check_solvable(
    nodes: dict[str, Node], flows: list[Flow], reached: set[str], check: _Checker, sheet: str
) -> None:
    """Loops must not consume as much as they make: the foreground matrix must be productive."""
    ids = [n for n in nodes if n in reached]
    if len(ids) < 2:
        return
    index = {n: i for i, n in enumerate(ids)}
    matrix = np.zeros((len(ids), len(ids)))
    for n in ids:
        matrix[index[n], index[n]] = nodes[n].output_amount
    for flow in flows:
        if flow.kind == "node" and flow.node in index and flow.input in index:
            matrix[index[flow.input], index[flow.node]] -= flow.amount_in_reference
    # Inputs per unit of output; a productive system has spectral radius < 1.
    per_unit = np.eye(len(ids)) - matrix / np.diag(matrix)[None, :]
    radius = max(abs(np.linalg.eigvals(per_unit))) if per_unit.any() else 0.0
    if radius >= 1.0 - 1e-12:
        loop_rows = sorted(
            f.row
            for f in flows
            if f.kind == "node" and f.node in index and f.input in index and f.row is not None
        )
        check.add(
            sheet,
            loop_rows[0] if loop_rows else None,
            "amount",
            None,
            "the loops between nodes consume at least as much as they produce, so the "
            f"supply chain has no solution (spectral radius {radius:.4g})",
            "check the amounts of node-to-node flows on rows " + ", ".join(map(str, loop_rows)),
        )


def _interventions(sheet: RawSheet | None) -> list[dict[str, Any]]:
    if sheet is None:
        return []
    return [{"_row": number, **record} for number, record in sheet.rows]


def _extra_sheets(sheets: dict[str, RawSheet], check: _Checker, strict: bool) -> None:
    """Sheets scenat does not read are named, never ignored silently."""
    for key, sheet in sheets.items():
        if key in SHEETS or key in AUXILIARY_SHEETS or not sheet.rows and not sheet.headers:
            continue
        check.add(
            sheet.name,
            None,
            None,
            None,
            f"the sheet {sheet.name!r} is not read (scenat reads " + ", ".join(SHEETS) + ")",
            "move its data to the case sheets, or delete the sheet",
            severity="error" if strict else "warning",
        )


def _duplicate_rows(sheet: RawSheet, check: _Checker, strict: bool) -> None:
    """A flow row repeated exactly is counted twice: usually a copy-and-paste slip."""
    seen: dict[tuple, int] = {}
    if not {"node", "kind", "input", "amount"} <= set(sheet.headers):
        return  # the header is wrong; that is reported, and rows cannot be compared
    for number, record in sheet.rows:
        key = tuple(
            sorted((k, str(v).strip().lower()) for k, v in record.items() if not _is_blank(v))
        )
        if not key:
            continue
        if key in seen:
            check.add(
                sheet.name,
                number,
                "input",
                record.get("input"),
                f"this row repeats row {seen[key]} exactly; both are counted",
                "delete the copy, or add the amounts into one row (or give each its source)",
                severity="error" if strict else "warning",
            )
        else:
            seen[key] = number


def _parse(
    path: Path, catalogue: Catalogue | None, strict: bool = False
) -> tuple[Case | None, list[Problem]]:
    catalogue = catalogue or shipped_catalogue()
    read_problems: list[Problem] = []
    sheets = read_sheets(path, read_problems, strict)
    check = _Checker(str(path))
    check.problems.extend(read_problems)
    if read_problems and not sheets:
        return None, check.problems
    _missing_sheets(sheets, check)
    _extra_sheets(sheets, check, strict)
    if "flows" in sheets:
        _duplicate_rows(sheets["flows"], check, strict)
    if any(name not in sheets for name in REQUIRED_SHEETS):
        return None, check.problems
    names = {k: sheets[k].name for k in sheets}
    fields, case_rows, extra = _build_case_fields(sheets["case"], check)
    nodes, node_rows = _build_nodes(sheets["nodes"], check)
    flows = _build_flows(sheets["flows"], nodes, node_rows, catalogue, check, fields.get("year"))
    if not any(p.severity == "error" for p in check.problems):
        _check_structure(fields, case_rows, nodes, node_rows, flows, check, names)
    else:
        _check_structure_reference_only(fields, case_rows, node_rows, check, names)
    if any(p.severity == "error" for p in check.problems):
        return None, check.problems
    case = Case(
        name=fields["name"],
        reference_node=fields["reference_node"],
        nodes=nodes,
        flows=flows,
        reference_amount=fields.get("reference_amount", 1.0),
        functional_unit=fields.get("functional_unit"),
        annual_volume=fields.get("annual_volume", 1.0),
        currency=fields.get("currency", "GBP"),
        year=fields.get("year"),
        region=fields.get("region"),
        description=fields.get("description"),
        interventions=_interventions(sheets.get("interventions")),
        path=path,
        metadata={
            **{k: v for k, v in extra.items() if not _is_blank(v)},
            "warnings": [p for p in check.problems if p.severity == "warning"],
            "inventory_version": catalogue.version,
        },
    )
    return case, check.problems


def _check_structure_reference_only(
    fields: dict[str, Any],
    case_rows: dict[str, int],
    node_rows: dict[str, int],
    check: _Checker,
    sheet_names: dict[str, str],
) -> None:
    reference = fields.get("reference_node")
    if reference is not None and reference not in node_rows:
        close = _closest(reference, list(node_rows))
        check.add(
            sheet_names["case"],
            case_rows.get("reference_node"),
            "value",
            reference,
            f"the reference node {reference!r} is not in the nodes sheet",
            (f"did you mean {close!r}? " if close else "")
            + "reference_node must be the id of the node whose output is the functional unit",
        )


def validate(
    path: str | Path, catalogue: Catalogue | None = None, strict: bool = False
) -> list[Problem]:
    """Every problem in a case (errors and warnings, each with its ``severity``).

    An empty list means the case is valid and has nothing to warn about. ``strict`` (used
    for partner submissions) makes doubtful input an error: extra or hidden sheets, hidden
    rows, repeated flow rows, macros.
    """
    _, problems = _parse(Path(path), catalogue, strict)
    return problems


def read_case(path: str | Path, catalogue: Catalogue | None = None, strict: bool = False) -> Case:
    """Read and validate a case; raises :class:`InputError` listing every error found."""
    path = Path(path)
    case, problems = _parse(path, catalogue, strict)
    if case is None:
        errors = [p for p in problems if p.severity == "error"]
        raise InputError(problems, f"{len(errors)} problem(s) in {path}")
    return case
