"""Sheets out of a case file: an ``.xlsx`` workbook, a folder of CSVs, a ``.zip`` of CSVs, or
the bytes of an upload, read into :class:`RawSheet` rows that keep the spreadsheet's numbers.

Spreadsheets are read with openpyxl rather than through a dataframe library: a dataframe
loses the row numbers partners see (blank rows, header position) and turns dates or text in a
numeric column into silent nulls, and both must be reported at the exact cell. Every file is
screened first (:mod:`scenat.casefile.screening`); what screening finds is located here by
sheet, row and column name.

>>> from scenat.paths import examples_dir
>>> problems = []
>>> sheets = read_sheets(examples_dir() / "bicycle", problems)
>>> sorted(sheets), problems
(['case', 'flows', 'nodes'], [])
>>> sheets["nodes"].rows[0][0]  # the spreadsheet's row number of the first node
2
"""

from __future__ import annotations

import csv
import io
import stat
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scenat.casefile.screening import (
    AUXILIARY_SHEETS,
    Screen,
    column_letter,
    current_limits,
    screen_file,
    split_ref,
)
from scenat.errors import Problem
from scenat.model.cells import normalise_header
from scenat.model.schema import SHEETS
from scenat.paths import private_folder, write_private

#: suffixes an upload keeps from its file name, so that the readers name what it is (an old
#: .xls, a lone CSV); anything else is screened as an .xlsx
UPLOAD_SUFFIXES = (".xlsx", ".xlsm", ".zip", ".xls", ".csv", ".ods")


@dataclass
class RawSheet:
    """A sheet as read: normalised headers and non-blank rows with their spreadsheet numbers."""

    name: str
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    header_row: int = 1
    #: the first rows' cells as read, for diagnosing a header that is not on the first row
    leading_cells: list[tuple[int, list[Any]]] = field(default_factory=list)
    #: a header that appears twice, data under a blank header: errors once the header row is
    #: known to be the right one (a title row above it explains both)
    header_issues: list[Problem] = field(default_factory=list)


def _sheet_from_rows(
    name: str, numbered_rows: list[tuple[int, list[Any]]], file: str | None = None
) -> RawSheet:
    """Build a RawSheet from (row number, cells) pairs; the first non-blank row is the header.

    A header that appears twice and data under a blank header cannot be read: they become
    ``header_issues`` (at the header, and at the first cell of such a column).
    """
    header_row = None
    headers: list[str] = []
    sheet = RawSheet(name=name, headers=[])
    stray: dict[int, list[tuple[int, Any]]] = {}  # column index -> cells under no header
    named: list[tuple[int, str]] = []  # (index, header) of the columns with a header
    unnamed: list[int] = []  # indices of blank headers
    for number, cells in numbered_rows:
        # A blank cell is None whether it came from a CSV ("") or a workbook (None); text
        # is trimmed. One pass per row, as a row is tens of cells and a case 10^5 rows.
        values = [(c.strip() or None) if isinstance(c, str) else c for c in cells]
        if values.count(None) == len(values):
            continue
        if header_row is None:
            header_row = number
            headers = [normalise_header(c) for c in cells]
            sheet.headers = headers
            sheet.header_row = number
            named = [(i, h) for i, h in enumerate(headers) if h]
            unnamed = [i for i, h in enumerate(headers) if not h]
            continue
        width = len(values)
        if width >= len(headers):
            record = {h: values[i] for i, h in named}
            beyond = range(len(headers), width)
        else:
            record = {h: values[i] for i, h in named if i < width}
            beyond = range(0)
        for i in (*unnamed, *beyond):
            if i < width and values[i] is not None:
                stray.setdefault(i, []).append((number, cells[i]))
        sheet.rows.append((number, record))
        if len(sheet.leading_cells) < 20:
            sheet.leading_cells.append((number, list(cells)))
    sheet.header_issues = _header_problems(sheet, stray, file)
    return sheet


def _header_problems(
    sheet: RawSheet, stray: dict[int, list[tuple[int, Any]]], file: str | None
) -> list[Problem]:
    found = []
    columns: dict[str, list[int]] = {}
    for i, header in enumerate(sheet.headers):
        if header:
            columns.setdefault(header, []).append(i + 1)
    for header, where in columns.items():
        if len(where) > 1:
            letters = (
                ", ".join(column_letter(c) for c in where[:-1])
                + " and "
                + (column_letter(where[-1]))
            )
            found.append(
                Problem(
                    file=file,
                    sheet=sheet.name,
                    row=sheet.header_row,
                    column=header,
                    value=header,
                    message=f"the column {header!r} appears twice (columns {letters}); only "
                    "one could be read",
                    hint="delete the copy, or rename it if it holds other data",
                )
            )
    for i, cells in sorted(stray.items()):
        number, value = cells[0]
        found.append(
            Problem(
                file=file,
                sheet=sheet.name,
                row=number,
                column=column_letter(i + 1),
                value=value,
                message=f"column {column_letter(i + 1)} has no header but holds data "
                f"({len(cells)} cells), which would not be read",
                hint="give the column a header (unknown columns are kept as metadata), or "
                "delete its data",
            )
        )
    return found


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
    data = path.read_bytes()
    try:
        # From memory (the size is screened): openpyxl refuses a path ending in .zip.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
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
    bulk = _BulkReader(data, book, screen)
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
            if scan is None:
                # Screening follows the parts openpyxl reads; a sheet it did not measure is
                # never read unbounded.
                problems.append(
                    Problem(
                        file=str(path),
                        sheet=ws.title.strip(),
                        message="this sheet is not where the workbook's own index says, so it "
                        "was not screened and is not read",
                        hint="the workbook is damaged or altered: open it in Excel or "
                        "LibreOffice and save it again as .xlsx",
                    )
                )
                return {}
            extent = {
                "min_row": 1,
                "max_row": max(scan.max_row, 1),
                "max_col": max(scan.max_column, 1),
            }
            rows = bulk.rows(ws.title, scan)
            try:
                if rows is None:
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
            sheets[key] = _sheet_from_rows(ws.title.strip(), rows, str(path))
    finally:
        book.close()
    problems.extend(_screen_problems(str(path), screen, sheets, strict))
    return sheets


#: cells from which a sheet is read in bulk (calamine) rather than cell by cell (openpyxl)
BULK_CELLS = 20_000


class _BulkReader:
    """A large sheet's cells read at once with calamine (Rust), typed as openpyxl types them.

    openpyxl builds Python objects for every XML element of a sheet (a 10,000-node case's
    flows sheet takes half a minute); calamine reads it in a second. The two readers agree
    on text, booleans and numbers, except where screening saw a cell they type apart
    (:attr:`~scenat.casefile.screening.SheetScan.plain`): an error cell, an ISO date, a
    ``_xHHHH_`` escape, a whole number written ``2.0`` or of over 15 digits. Where they do,
    or where a number cell's style is one openpyxl reads as a date (calamine gives
    ``date`` where openpyxl gives ``datetime``), the sheet is read by openpyxl. The rows are
    what openpyxl's ``iter_rows(values_only=True)`` over the screened extent gives: a
    spreadsheet row number per row, ``None`` for a blank cell, whole numbers as ``int``.
    """

    def __init__(self, data: bytes, book: Any, screen: Screen):
        self.data = data
        self.screen = screen
        # openpyxl's own choice of the styles that make a number a date (or a duration);
        # without it, nothing is read in bulk.
        dated = getattr(book, "_date_formats", None)
        durations = getattr(book, "_timedelta_formats", set())
        self.dated: set[int] | None = None if dated is None else set(dated) | set(durations)
        self._book: Any = None

    def usable(self, scan: Any) -> bool:
        return (
            self.dated is not None
            and self.screen.plain_text
            and scan.plain
            and scan.max_row * scan.max_column >= BULK_CELLS
            and not scan.number_styles & self.dated
        )

    def rows(self, title: str, scan: Any) -> list[tuple[int, list[Any]]] | None:
        """The sheet's numbered rows, or None where openpyxl must read it."""
        if not self.usable(scan):
            return None
        try:
            import python_calamine

            if self._book is None:
                self._book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(self.data))
            values = self._book.get_sheet_by_name(title).to_python(skip_empty_area=False)
        except Exception:  # whatever calamine cannot read, openpyxl reads and reports
            return None
        width = max(scan.max_column, 1)
        if len(values) > max(scan.max_row, 1) or any(len(v) > width for v in values):
            return None  # not the extent screening measured: not the sheet it screened
        rows = []
        for number, cells in enumerate(values, 1):
            row = [
                None if v == "" else (int(v) if v.__class__ is float and v.is_integer() else v)
                for v in cells
            ]
            row.extend([None] * (width - len(row)))
            rows.append((number, row))
        return rows


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


class OverLimit(Exception):
    """A sheet over a size limit: the whole file is not read, with this one problem."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def _read_csv_text(
    text: str, name: str, problems: list[Problem] | None = None, where: str | None = None
) -> RawSheet:
    """A CSV's rows; ``;`` or tab separators (Excel in many locales) are recognised."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ","
    for candidate in (";", "\t"):
        if candidate in first and "," not in first:
            delimiter = candidate
    limits = current_limits()
    numbered: list[tuple[int, list[str]]] = []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            if number > limits.max_rows:
                raise OverLimit(
                    Problem(
                        file=where,
                        sheet=name,
                        row=number,
                        message=f"the file has more than {limits.max_rows} rows",
                        hint="remove the rows that are not case data, or raise the limit "
                        "(SCENAT_MAX_ROWS)",
                    )
                )
            if len(row) > limits.max_columns and any(v.strip() for v in row[limits.max_columns :]):
                raise OverLimit(
                    Problem(
                        file=where,
                        sheet=name,
                        row=number,
                        column=column_letter(limits.max_columns + 1),
                        message=f"the file has more than {limits.max_columns} columns",
                        hint="delete the unused columns to the right of the data, or raise the "
                        "limit (SCENAT_MAX_COLUMNS)",
                    )
                )
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
    return _sheet_from_rows(name, numbered, where)


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


def _read_csv_file(file: Path, problems: list[Problem]) -> RawSheet | None:
    limit = current_limits().max_file_bytes
    if file.stat().st_size > limit:
        problems.append(
            Problem(
                file=str(file),
                message=f"the file is over the size limit of {limit // 2**20} MB",
                hint="keep only case data in it, or raise the limit (SCENAT_MAX_FILE_MB)",
            )
        )
        return None
    text = _decode(file.read_bytes(), str(file), problems)
    if text is None:
        return None
    return _read_csv_text(text, file.stem.strip(), problems, str(file))


def _read_csv_folder(path: Path, problems: list[Problem]) -> dict[str, RawSheet]:
    sheets: dict[str, RawSheet] = {}
    files: dict[str, str] = {}  # sheet -> the file it was read from
    over = False
    for file in sorted(path.iterdir()):
        if file.suffix.lower() != ".csv":
            continue
        key = file.stem.strip().lower()
        if _second_copy(key, file.name, files, str(path), problems):
            continue
        if not _regular_file(file, problems, key):
            continue
        try:
            sheet = _read_csv_file(file, problems)
        except OverLimit as limit:
            problems.append(limit.problem)
            over = True
            continue
        if sheet is not None:
            sheets[key] = sheet
    return {} if over else sheets


def _regular_file(path: Path, problems: list[Problem], sheet: str | None = None) -> bool:
    """Whether ``path`` is a regular file; a folder, a named pipe (which blocks whoever opens
    it) or a device is a problem, found without opening it."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        problems.append(Problem(file=str(path), sheet=sheet, message="cannot read this file "
                                f"({exc.strerror or exc})", hint="check the path"))  # fmt: skip
        return False
    if stat.S_ISREG(mode):
        return True
    what = (
        "a folder, not a file" if stat.S_ISDIR(mode) else "not a regular file (a pipe or a device)"
    )
    problems.append(
        Problem(
            file=str(path),
            sheet=sheet,
            message=f"{path.name!r} is {what}",
            hint="a case is an .xlsx workbook, a folder of CSV files or a .zip of them; "
            "replace it by the file itself",
        )
    )
    return False


def _second_copy(
    key: str, name: str, files: dict[str, str], where: str, problems: list[Problem]
) -> bool:
    """Whether ``name`` is a second file of the sheet ``key`` (an error naming both)."""
    if key not in files:
        files[key] = name
        return False
    problems.append(
        Problem(
            file=where,
            sheet=key,
            message=f"two files hold the sheet {key!r}: {files[key]!r} and {name!r} (names are "
            "read case-insensitive); which one is the case?",
            hint="delete or rename the copy that is not the case data",
        )
    )
    return True


def read_table(
    path: str | Path, problems: list[Problem], sheet: str | None = None
) -> RawSheet | None:
    """One table a person filled in: a CSV file (whatever its name), or the sheet ``sheet``
    (default: the first data sheet) of a workbook, a CSV folder or a zip; None (with the
    problem) if there is none.

    The same screening, encodings, separators and row numbers as a case's sheets; a header
    that appears twice or data under a blank header are problems.
    """
    table = _one_table(Path(path), problems, sheet)
    if table is not None:
        problems.extend(table.header_issues)
    return table


def _one_table(path: Path, problems: list[Problem], sheet: str | None) -> RawSheet | None:
    if path.is_file() and path.suffix.lower() == ".csv":
        try:
            return _read_csv_file(path, problems)
        except OverLimit as over:
            problems.append(over.problem)
            return None
    sheets = read_sheets(path, problems)
    if not sheets:
        return None
    if sheet is None:
        return next(iter(sheets.values()))
    if sheet in sheets:
        return sheets[sheet]
    problems.append(
        Problem(
            file=str(path),
            message=f"no {sheet!r} sheet in this file (sheets found: {', '.join(sheets)})",
            hint=f"name the sheet (or CSV file) {sheet!r}",
        )
    )
    return None


def _read_csv_zip(path: Path, problems: list[Problem]) -> dict[str, RawSheet]:
    sheets: dict[str, RawSheet] = {}
    files: dict[str, str] = {}
    over = False
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = Path(info.filename)
                if (
                    info.is_dir()
                    or name.suffix.lower() != ".csv"
                    or name.name.startswith(".")
                    or "__MACOSX" in name.parts  # a Mac's resource forks, not sheets
                ):
                    continue
                if _second_copy(name.stem.strip().lower(), info.filename, files, str(path),
                                problems):  # fmt: skip
                    continue
                text = _decode(archive.read(info), f"{path}:{info.filename}", problems)
                if text is None:
                    continue
                try:
                    sheets[name.stem.strip().lower()] = _read_csv_text(
                        text, name.stem.strip(), problems, f"{path}:{info.filename}"
                    )
                except OverLimit as limit:
                    problems.append(limit.problem)
                    over = True
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
        problems.append(
            Problem(
                file=str(path),
                message=f"cannot open this zip archive ({type(exc).__name__}: {exc})",
                hint="zip the files case.csv, nodes.csv and flows.csv again",
            )
        )
    return {} if over else sheets


def read_sheets(path: Path, problems: list[Problem], strict: bool = False) -> dict[str, RawSheet]:
    """Read every sheet of a workbook, CSV folder or zip into RawSheets keyed by lower-case name.

    Files are screened first (:mod:`scenat.casefile.screening`): size and row limits, zip bombs,
    damaged archives, formulas without saved values, merged cells, hidden sheets. ``strict``
    turns the doubtful findings (hidden rows, extra hidden sheets, macros) into errors. A CSV
    over the row or column limit is one problem, and then no sheet is read.
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
    if not _regular_file(path, problems):
        return {}
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


def sheets_from_rows(tables: dict[str, list[list[Any]]]) -> dict[str, RawSheet]:
    """Sheets from rows in memory (``{name: [header, row, ...]}``, e.g. a stored case), numbered
    as a spreadsheet would number them (header = row 1)."""
    return {
        name.strip().lower(): _sheet_from_rows(name, [(i, list(r)) for i, r in enumerate(rows, 1)])
        for name, rows in tables.items()
    }


def read_upload_sheets(
    data: bytes, filename: str, problems: list[Problem], strict: bool = False
) -> dict[str, RawSheet]:
    """:func:`read_sheets` of an upload's bytes; problems name ``filename``, not a copy.

    The readers need a path, so the bytes go to an owner-only folder in SCENAT_HOME
    (:func:`scenat.paths.private_folder`) that is removed before this returns.
    """
    suffix = Path(filename).suffix.lower()
    suffix = suffix if suffix in UPLOAD_SUFFIXES else ".xlsx"  # screening says what it is
    with private_folder("upload") as tmp:
        path = write_private(tmp / f"upload{suffix}", data)
        found: list[Problem] = []
        sheets = read_sheets(path, found, strict)
        problems.extend(relocate(found, str(path), filename))
        for sheet in sheets.values():
            sheet.header_issues = relocate(sheet.header_issues, str(path), filename)
    return sheets


def relocate(problems: list[Problem], copy: str, name: str) -> list[Problem]:
    """Problems found in a private copy of a file, named by the file's own name instead."""
    moved = []
    for p in problems:
        file = p.file
        if file and (file == copy or file.startswith(copy)):
            file = name + file[len(copy) :]
        moved.append(replace(p, file=file))
    return moved
