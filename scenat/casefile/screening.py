"""Screening of untrusted spreadsheet files before any parser is let loose on them.

Partners send workbooks by e-mail and upload; some are broken and a few may be hostile. Before
openpyxl opens an ``.xlsx`` (or a ``.zip`` of CSVs is unpacked), :func:`screen_file` checks,
streaming and within fixed memory:

- the size of the file and its *magic bytes* (an ``.xls``, an encrypted workbook, an HTML page
  or a CSV renamed ``.xlsx`` is named for what it is);
- the zip: readable central directory, every member's CRC, no encrypted members, the number of
  members, and the decompressed size, counted while decompressing, never trusted from the
  header, so that a zip bomb is stopped at the limit (:class:`Limits`);
- the XML of an ``.xlsx``: no DOCTYPE or entity declarations (the billion-laughs family), each
  worksheet's real extent (rows and columns, whatever its ``<dimension>`` claims) against the row
  and column limits, formula cells whose cached value is missing, merged cells, hidden rows and
  columns, hidden sheets, and parts a data workbook has no use for (macros, external links,
  embedded objects).

Formulas are never evaluated: scenat reads the value Excel saved with the formula, and a formula
without one is reported at its cell. The findings are returned as a :class:`Screen`; turning
them into located problems with column names is :mod:`scenat.casefile.build`'s job.

Limits are configurable per call (:func:`use_limits`) or through the environment:
``SCENAT_MAX_FILE_MB``, ``SCENAT_MAX_UNZIPPED_MB``, ``SCENAT_MAX_ROWS``, ``SCENAT_MAX_COLUMNS``.
The default row limit is Excel's own, 1,048,576 rows per sheet: a real bill of materials fits
(50,000 suppliers are about 434,000 flow rows), and a sheet no spreadsheet could hold is
refused before it is parsed.

>>> sniff(b"PK\\x03\\x04...")
'zip'
>>> sniff(b"\\xd0\\xcf\\x11\\xe0\\xa1\\xb1\\x1a\\xe1")
'ole2'
>>> column_letter(28), column_index("AB")
('AB', 28)
"""

from __future__ import annotations

import itertools
import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.parsers import expat

from scenat.errors import Problem

MB = 1024 * 1024

#: sheets that are not case data and may be present (the templates write them)
AUXILIARY_SHEETS = ("instructions", "lists", "readme", "notes", "about")


@dataclass(frozen=True)
class Limits:
    """How big an untrusted file may be; every limit is checked before the data is parsed."""

    #: a flows CSV of max_rows rows at ~150 bytes a row (source and comment filled in)
    max_file_bytes: int = 200 * MB
    #: worksheet XML takes ~500 bytes a row: a 434,000-row flows sheet (a 50,000-node BOM)
    #: unpacks to 224 MB, a full max_rows sheet to about 500 MB
    max_unzipped_bytes: int = 1024 * MB
    max_members: int = 2000
    #: a member that unpacks to more than this multiple of its packed size is a bomb...
    max_ratio: float = 1000.0
    #: ...once it unpacks to more than this (small members of repeated bytes are normal)
    ratio_floor_bytes: int = 4 * MB
    #: Excel's own limit (rows per worksheet): a sheet anyone filled in or exported from a
    #: spreadsheet has at most this many; a 50,000-supplier BOM has ~434,000 flow rows
    max_rows: int = 1_048_576
    max_columns: int = 256

    @classmethod
    def from_env(cls) -> Limits:
        """Defaults, overridden by ``SCENAT_MAX_*`` environment variables when set."""
        limits = cls()
        for name, attribute, scale in (
            ("SCENAT_MAX_FILE_MB", "max_file_bytes", MB),
            ("SCENAT_MAX_UNZIPPED_MB", "max_unzipped_bytes", MB),
            ("SCENAT_MAX_ROWS", "max_rows", 1),
            ("SCENAT_MAX_COLUMNS", "max_columns", 1),
        ):
            text = os.environ.get(name)
            if text:
                try:
                    limits = replace(limits, **{attribute: int(float(text) * scale)})
                except ValueError:
                    pass  # a malformed setting keeps the default rather than disabling a limit
        return limits


_LIMITS: ContextVar[Limits | None] = ContextVar("scenat_limits", default=None)


def current_limits() -> Limits:
    """The limits in force: those of the innermost :func:`use_limits`, else the environment's."""
    return _LIMITS.get() or Limits.from_env()


@contextmanager
def use_limits(limits: Limits | None) -> Iterator[Limits]:
    """Apply ``limits`` to every read inside the ``with`` block (``None``: the defaults)."""
    chosen = limits or current_limits()
    token = _LIMITS.set(chosen)
    try:
        yield chosen
    finally:
        _LIMITS.reset(token)


@dataclass
class SheetScan:
    """What the XML of one worksheet holds, as found while streaming it."""

    name: str
    state: str = "visible"  # visible, hidden or veryHidden
    member: str | None = None  # the zip member holding the sheet's XML
    kind: str = "worksheet"  # or chartsheet, dialogsheet, ...
    max_row: int = 0
    max_column: int = 0
    formulas_without_value: list[tuple[int, int, str]] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: list[int] = field(default_factory=list)
    #: every cell is one a bulk reader types as openpyxl does (text, booleans, numbers that
    #: are whole exactly when written without a point or exponent, at most 15 digits); no
    #: error cells, ISO-dated cells, ``_xHHHH_`` escapes or phonetic runs
    plain: bool = True
    #: the style ids of the cells holding numbers (a date format makes a number a date)
    number_styles: set[int] = field(default_factory=set)


@dataclass
class Screen:
    """The outcome of screening one file; ``problems`` are fatal (the file must not be read)."""

    path: str
    kind: str = "unknown"  # xlsx, zip (a plain zip archive), or what sniff() said
    sheets: list[SheetScan] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)  # (message, hint)
    problems: list[Problem] = field(default_factory=list)
    unzipped_bytes: int = 0
    #: the shared strings hold no ``_xHHHH_`` escapes or phonetic runs, which readers
    #: unpack differently
    plain_text: bool = True

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def is_workbook(self) -> bool:
        return self.kind == "xlsx"

    def sheet(self, name: str) -> SheetScan | None:
        for scan in self.sheets:
            if scan.name == name:
                return scan
        return None


class _Stop(Exception):
    """Raised inside a scan to abandon the file with one problem."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


# --- magic bytes ---------------------------------------------------------------------------------


def sniff(head: bytes) -> str:
    """What the first bytes of a file say it is."""
    if not head:
        return "empty"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole2"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")):
        return "archive"
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")) or b"<html" in text[:512]:
        return "html"
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return "xml"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"
    sample = head[:4096]
    printable = sum(32 <= b < 127 or b in (9, 10, 13) or b >= 128 for b in sample)
    if b"\x00" not in sample and printable >= 0.95 * len(sample):
        return "text"
    return "unknown"


_NOT_A_WORKBOOK = {
    "empty": ("the file is empty (0 bytes)", "save the workbook again and re-send it"),
    "ole2": (
        "this is an old-format .xls workbook or a password-protected (encrypted) workbook, "
        "not an .xlsx",
        "remove any password (File > Info > Protect Workbook) and save as 'Excel Workbook (.xlsx)'",
    ),
    "pdf": ("this is a PDF document, not a workbook", "send the .xlsx workbook itself"),
    "archive": (
        "this is a compressed archive of another kind (gzip, 7z or rar), not a workbook",
        "send the .xlsx workbook itself, or a .zip of CSV files",
    ),
    "html": (
        "this is a web page (HTML) saved with a workbook's name",
        "open it in Excel or LibreOffice and save it as 'Excel Workbook (.xlsx)'",
    ),
    "xml": (
        "this is an XML file (perhaps 'XML Spreadsheet 2003'), not an .xlsx workbook",
        "open it in Excel or LibreOffice and save it as 'Excel Workbook (.xlsx)'",
    ),
    "text": (
        "this is a text file (perhaps a CSV) saved with a workbook's name",
        "send a real .xlsx workbook, or put case.csv, nodes.csv and flows.csv in a folder "
        "or a .zip",
    ),
    "unknown": (
        "this is not an Excel workbook: it does not start with the signature of .xlsx files",
        "save the case as 'Excel Workbook (.xlsx)' from Excel or LibreOffice",
    ),
}


# --- cell references -----------------------------------------------------------------------------

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def column_letter(index: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """'A' -> 1, 'AA' -> 27."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def split_ref(ref: str) -> tuple[int, int] | None:
    """'D5' -> (5, 4): row and column of a cell reference, or None."""
    match = _REF.match(ref.strip())
    if not match:
        return None
    return int(match.group(2)), column_index(match.group(1))


# --- screening -----------------------------------------------------------------------------------


def screen_file(path: str | Path, limits: Limits | None = None, workbook: bool = True) -> Screen:
    """Screen a file that should be an ``.xlsx`` (``workbook=True``) or any zip archive.

    With ``workbook=False`` a zip archive without workbook parts is fine (a ``.zip`` of CSVs);
    one with them is screened as a workbook.
    """
    path = Path(path)
    limits = limits or current_limits()
    screen = Screen(path=str(path))

    def fatal(
        message: str,
        hint: str,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
    ) -> Screen:
        screen.problems.append(
            Problem(
                message=message,
                file=str(path),
                sheet=sheet,
                row=row,
                column=column,
                value=value,
                hint=hint,
            )
        )
        return screen

    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        return fatal(f"cannot read the file ({exc.strerror or exc})", "check the path")
    if size > limits.max_file_bytes:
        return fatal(
            f"the file is {size / MB:.1f} MB, over the limit of "
            f"{limits.max_file_bytes / MB:.0f} MB",
            "send only the case sheets (case, nodes, flows), or raise the limit "
            "(SCENAT_MAX_FILE_MB)",
            value=size,
        )
    kind = sniff(head)
    screen.kind = kind
    if kind != "zip":
        message, hint = _NOT_A_WORKBOOK.get(kind, _NOT_A_WORKBOOK["unknown"])
        if not workbook and kind == "unknown":
            message = "this is not a zip archive: it does not start with the zip signature"
            hint = "zip the files case.csv, nodes.csv and flows.csv again"
        return fatal(message, hint, value=head[:8].hex(" ") if kind == "unknown" else None)
    try:
        with zipfile.ZipFile(path) as archive:
            _screen_zip(archive, screen, limits, workbook)
    except _Stop as stop:
        screen.problems.append(stop.problem)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        return fatal(
            f"the file is damaged or incomplete: not a readable zip archive "
            f"({type(exc).__name__}: {exc})",
            "the file was probably cut short or altered in transfer: save it again from Excel "
            "or LibreOffice and send it again",
        )
    except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
        return fatal(
            f"the archive is password-protected ({exc})",
            "remove the password and send the file again",
        )
    return screen


def _problem(screen: Screen, message: str, hint: str, **where: Any) -> Problem:
    return Problem(message=message, file=screen.path, hint=hint, **where)


def _screen_zip(archive: zipfile.ZipFile, screen: Screen, limits: Limits, workbook: bool) -> None:
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise _Stop(
            _problem(
                screen,
                f"the archive holds {len(infos)} files, over the limit of {limits.max_members}",
                "a workbook holds a few dozen parts: save it again as .xlsx",
                value=len(infos),
            )
        )
    declared = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _Stop(
                _problem(
                    screen,
                    f"the archive member {info.filename!r} is encrypted (password-protected)",
                    "remove the password and save the workbook again",
                )
            )
        declared += info.file_size
        if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise _Stop(
                _bomb(
                    screen,
                    f"{info.filename!r} unpacks to "
                    f"{info.file_size / max(info.compress_size, 1):.0f} times its "
                    "packed size",
                    limits,
                )
            )
    if declared > limits.max_unzipped_bytes:
        raise _Stop(_bomb(screen, f"it declares {declared / MB:.0f} MB unpacked", limits))
    names = {info.filename for info in infos}
    budget = _Budget(screen, limits)
    types = _content_types(archive, names, budget, screen)
    workbook_member = _workbook_part(types, names)
    is_workbook = workbook_member is not None
    if not is_workbook:
        if workbook:
            shown = ", ".join(sorted(names)[:6]) + (", ..." if len(names) > 6 else "")
            csvs = [n for n in names if n.lower().endswith(".csv")]
            raise _Stop(
                _problem(
                    screen,
                    "this is a zip archive but not an Excel workbook (it holds: "
                    + (shown or "nothing")
                    + ")",
                    "rename it to .zip if it is a zip of case.csv, nodes.csv and flows.csv"
                    if csvs
                    else "save the case as 'Excel Workbook (.xlsx)' from Excel or LibreOffice",
                )
            )
        screen.kind = "zip"
        for info in infos:  # integrity (CRC), the real unpacked size and the file limit
            if info.file_size > limits.max_file_bytes:
                raise _Stop(
                    _problem(
                        screen,
                        f"the archive member {info.filename!r} unpacks to "
                        f"{info.file_size / MB:.1f} MB, over the file size limit of "
                        f"{limits.max_file_bytes / MB:.0f} MB",
                        "keep only the case's CSV files in the zip, or raise the limit "
                        "(SCENAT_MAX_FILE_MB)",
                        value=info.file_size,
                    )
                )
            for _ in budget.read(archive, info):
                pass
        screen.unzipped_bytes = budget.used
        return
    screen.kind = "xlsx"
    lowered = {n.lower(): n for n in names}
    if "xl/vbaproject.bin" in lowered:
        screen.notices.append(
            (
                "the workbook contains macros; scenat never runs them and reads saved values only",
                "save it as 'Excel Workbook (.xlsx)' (without macros) before sending",
            )
        )
    if any(n.startswith("xl/externallinks/") for n in lowered):
        screen.notices.append(
            (
                "the workbook links to other files; links are never followed and the values "
                "saved in this file are read",
                "break the links (Data > Edit Links > Break Link) and save again",
            )
        )
    if any(n.startswith(("xl/embeddings/", "xl/activex/")) for n in lowered):
        screen.notices.append(
            (
                "the workbook contains embedded objects or ActiveX controls; they are ignored",
                "remove them and save again",
            )
        )
    sheets = _workbook_sheets(archive, workbook_member, budget, screen)
    screen.sheets = sheets
    scanned = set()
    for sheet in sheets:
        if sheet.member is None or sheet.member not in names:
            continue
        scanned.add(sheet.member)
        # Auxiliary sheets (instructions, drop-down lists) are never parsed: size and CRC only.
        if sheet.kind == "worksheet" and sheet.name.strip().lower() not in AUXILIARY_SHEETS:
            _scan_sheet(archive, archive.getinfo(sheet.member), sheet, budget, screen, limits)
        else:
            for _ in budget.read(archive, archive.getinfo(sheet.member)):
                pass
    for info in infos:  # every other part: integrity, size, and no DOCTYPE in any XML
        if info.filename in scanned or info.filename in (workbook_member, CONTENT_TYPES):
            continue
        chunks = budget.read(archive, info)
        first = next(chunks, b"")
        declared = _declared_type(types, info.filename)
        if _looks_like_xml(first) or "xml" in declared:
            # Whatever its name: openpyxl parses a part by its content type (shared strings
            # in xl/strings.bin), and a part that starts as XML is XML to some reader.
            parts = itertools.chain([first], chunks)
            if "sharedstrings" in declared or "sharedstrings" in info.filename.lower():
                start, end, text = _screen_strings(screen)
                watched = _watched(parts, screen, "plain_text")
                _parse_xml(watched, info.filename, screen, start, end, text,
                           buffer_text=True)  # fmt: skip
            else:
                _parse_xml(parts, info.filename, screen)
        else:
            for _ in chunks:
                pass
    screen.unzipped_bytes = budget.used


CONTENT_TYPES = "[Content_Types].xml"
#: the content types of a workbook's main part, in the order openpyxl looks for them
#: (``openpyxl.reader.excel._find_workbook_part``)
WORKBOOK_TYPES = tuple(
    f"application/vnd.{kind}.main+xml"
    for kind in (
        "ms-excel.template.macroEnabled",
        "openxmlformats-officedocument.spreadsheetml.template",
        "ms-excel.sheet.macroEnabled",
        "openxmlformats-officedocument.spreadsheetml.sheet",
    )
)


@dataclass
class _Types:
    """``[Content_Types].xml``: the declared type of each part and each file extension."""

    overrides: list[tuple[str, str]] = field(default_factory=list)  # (part, type), in order
    defaults: dict[str, str] = field(default_factory=dict)  # extension -> type


def _content_types(
    archive: zipfile.ZipFile, names: set[str], budget: _Budget, screen: Screen
) -> _Types | None:
    """The package's declared content types (None without ``[Content_Types].xml``)."""
    if CONTENT_TYPES not in names:
        return None
    types = _Types()

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "Override" and "PartName" in attrs:
            types.overrides.append((attrs["PartName"].lstrip("/"), attrs.get("ContentType", "")))
        elif local == "Default" and "Extension" in attrs:
            types.defaults[attrs["Extension"].lower()] = attrs.get("ContentType", "")

    _parse_xml(budget.read(archive, archive.getinfo(CONTENT_TYPES)), CONTENT_TYPES, screen,
               start)  # fmt: skip
    return types


def _workbook_part(types: _Types | None, names: set[str]) -> str | None:
    """The workbook part openpyxl reads: the first part declared with a workbook type, else
    ``xl/workbook.xml`` when a default says so; None when it is not in the archive."""
    if types is None:
        return None
    part = next(
        (
            name
            for kind in WORKBOOK_TYPES
            for name, declared in types.overrides
            if declared == kind
        ),  # fmt: skip
        None,
    )
    if part is None and set(types.defaults.values()) & set(WORKBOOK_TYPES):
        part = "xl/workbook.xml"
    return part if part in names else None


def _declared_type(types: _Types | None, member: str) -> str:
    if types is None:
        return ""
    for name, declared in types.overrides:
        if name == member:
            return declared.lower()
    return types.defaults.get(posixpath.splitext(member)[1].lstrip(".").lower(), "").lower()


def _looks_like_xml(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: XML or text, parse it
        return True
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _bomb(screen: Screen, detail: str, limits: Limits) -> Problem:
    return _problem(
        screen,
        f"the file unpacks to more than the limit of {limits.max_unzipped_bytes / MB:.0f} MB "
        f"({detail}): a damaged file or a zip bomb",
        "send a workbook holding only the case data; if it really is that big, raise the "
        "limit (SCENAT_MAX_UNZIPPED_MB)",
    )


class _Budget:
    """Decompresses members in chunks, counting every byte against the unzipped limit."""

    def __init__(self, screen: Screen, limits: Limits):
        self.screen = screen
        self.limits = limits
        self.used = 0

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
        with archive.open(info) as member:
            while True:
                chunk = member.read(1 << 16)
                if not chunk:
                    return
                self.used += len(chunk)
                if self.used > self.limits.max_unzipped_bytes:
                    raise _Stop(_bomb(self.screen, f"at {info.filename!r}", self.limits))
                yield chunk


def _local(name: str) -> str:
    """An element or attribute name without its namespace prefix."""
    return name.rsplit(":", 1)[-1]


def _parse_xml(
    chunks: Iterator[bytes],
    member: str,
    screen: Screen,
    start: Callable[[str, dict[str, str]], None] | None = None,
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
    sheet: str | None = None,
    buffer_text: bool = False,
) -> None:
    """Stream ``chunks`` through expat; DOCTYPE / entity declarations stop the file.

    ``buffer_text`` hands ``text`` each run of character data at once (fewer calls)."""
    parser = expat.ParserCreate()
    parser.buffer_text = buffer_text

    def refuse(*_: Any) -> None:
        raise _Stop(
            _problem(
                screen,
                f"the part {member!r} declares a DOCTYPE or XML entities, which workbooks never "
                "need and attacks on XML parsers use",
                "save the workbook again from Excel or LibreOffice",
                sheet=sheet,
            )
        )

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _Stop(
            _problem(
                screen,
                f"the part {member!r} of the workbook is damaged (XML error: {exc})",
                "the workbook is damaged: open it in Excel or LibreOffice and save it again "
                "as .xlsx",
                sheet=sheet,
            )
        ) from None


def _workbook_sheets(
    archive: zipfile.ZipFile, member: str, budget: _Budget, screen: Screen
) -> list[SheetScan]:
    sheets: list[SheetScan] = []
    rids: list[str | None] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "sheet":
            sheets.append(
                SheetScan(name=attrs.get("name", ""), state=attrs.get("state") or "visible")
            )
            rids.append(next((v for k, v in attrs.items() if _local(k) == "id"), None))

    _parse_xml(budget.read(archive, archive.getinfo(member)), member, screen, start)
    folder = posixpath.dirname(member)
    rels_member = posixpath.join(folder, "_rels", posixpath.basename(member) + ".rels")
    targets: dict[str, tuple[str, str]] = {}
    if rels_member in archive.namelist():

        def rel(name: str, attrs: dict[str, str]) -> None:
            if _local(name) == "Relationship" and "Id" in attrs:
                targets[attrs["Id"]] = (attrs.get("Target", ""), attrs.get("Type", ""))

        _parse_xml(budget.read(archive, archive.getinfo(rels_member)), rels_member, screen, rel)
    for sheet, rid in zip(sheets, rids):
        target, kind = targets.get(rid or "", ("", ""))
        if not target:
            continue
        if target.startswith("/"):
            resolved = target.lstrip("/")
        else:
            resolved = posixpath.normpath(posixpath.join(folder, target))
        sheet.member = resolved
        sheet.kind = kind.rsplit("/", 1)[-1] or "worksheet"
    return sheets


#: byte sequences after which openpyxl and a bulk reader may read a string differently:
#: ``_xHHHH_`` escapes (unpacked by one, kept by the other) and phonetic runs
_UNPLAIN_TEXT = (b"_x", b"rPh")
#: a number a bulk reader (64-bit floats) gives exactly as openpyxl does: an integer of at
#: most 15 digits (openpyxl: int) or a number with a point or exponent (openpyxl: float)
_PLAIN_INTEGER = re.compile(r"\s*[-+]?[0-9]{1,15}\s*")
#: the cell types (``t``) a bulk reader gives as openpyxl does; errors (``e``) and ISO dates
#: (``d``) are not among them
_PLAIN_TYPES = frozenset({None, "n", "s", "str", "inlineStr", "b"})


#: the worksheet elements screening reads (by name without namespace), as small codes
_CELL, _VALUE, _INLINE, _ROW, _FORMULA, _MERGE, _COLUMN, _TEXT = range(1, 9)
_ELEMENTS = {"c": _CELL, "v": _VALUE, "is": _INLINE, "row": _ROW, "f": _FORMULA,
             "mergeCell": _MERGE, "col": _COLUMN, "t": _TEXT}  # fmt: skip


class _TextEnds:
    """Watches the ``<t>`` elements of strings: calamine trims the white space at the ends
    of a text not marked ``xml:space="preserve"`` (and of each rich-text run), openpyxl
    keeps it; ``found`` says such a text was seen."""

    def __init__(self) -> None:
        self.found = False
        self.inside = False
        self.preserve = False
        self.first = self.last = ""

    def start(self, attrs: dict[str, str]) -> None:
        self.inside = True
        self.preserve = attrs.get("xml:space") == "preserve"
        self.first = self.last = ""

    def text(self, data: str) -> None:
        if not self.first:
            self.first = data[:1]
        self.last = data[-1:]

    def end(self) -> None:
        self.inside = False
        if not self.preserve and (self.first.isspace() or self.last.isspace()):
            self.found = True


def _screen_strings(screen: Screen) -> tuple[Callable, Callable, Callable]:
    """expat handlers for the shared strings that clear ``screen.plain_text`` when a string
    has white space at an end that a bulk reader would trim."""
    ends = _TextEnds()

    def start(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "t":
            ends.start(attrs)

    def text(data: str) -> None:
        if ends.inside:
            ends.text(data)

    def end(name: str) -> None:
        if ends.inside and _local(name) == "t":
            ends.end()
            if ends.found:
                screen.plain_text = False

    return start, end, text


def _unplain(chunk: bytes, tail: bytes) -> bool:
    joined = tail + chunk[:8]  # a sequence split between two chunks
    return any(marker in chunk or marker in joined for marker in _UNPLAIN_TEXT)


def _watched(chunks: Iterator[bytes], flags: Any, flag: str) -> Iterator[bytes]:
    """``chunks`` as they are, clearing ``flags.<flag>`` (a screen's ``plain_text``, a
    sheet's ``plain``) if they hold escapes."""
    tail = b""
    for chunk in chunks:
        if getattr(flags, flag) and _unplain(chunk, tail):
            setattr(flags, flag, False)
        tail = chunk[-8:]
        yield chunk


def _plain_number(text: str) -> bool:
    """Whether a bulk reader's float of a number cell's text is what openpyxl reads."""
    if "." in text or "e" in text or "E" in text:
        try:
            return not float(text).is_integer()  # a whole float ("2.0") would become an int
        except ValueError:
            return False
    return _PLAIN_INTEGER.fullmatch(text) is not None


def _scan_sheet(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    sheet: SheetScan,
    budget: _Budget,
    screen: Screen,
    limits: Limits,
) -> None:
    """Stream one worksheet's XML: its extent, formulas without values, merged cells, hidden
    rows and columns, and whether a bulk reader may read it (:attr:`SheetScan.plain`).

    The handlers run for each of the millions of elements of a large sheet, so the state
    lives in closure variables and element names and cell references are decoded once per
    distinct spelling, not per element."""
    row = col = 0
    row_hidden = row_has_value = in_cell = inline = False
    formula: str | None = None
    value: str | None = None
    capture: str | None = None  # "formula" or "value" while inside <f> or <v>
    cell_type: str | None = None
    cell_style: str | None = None
    max_rows, max_columns = limits.max_rows, limits.max_columns
    codes: dict[str, int] = {}  # element name as written -> its _ELEMENTS code (0: other)
    letters: dict[str, int] = {}  # column letters (checked: 1-3 ASCII letters) -> index
    row_digits = ""  # the current row number as text: "AB12" on row 12 is column AB
    ends = _TextEnds()  # inline strings' white space

    def stop_rows(number: int) -> None:
        raise _Stop(
            _problem(
                screen,
                f"the sheet has more than {limits.max_rows} rows",
                "keep the data in one block without formatting far below it (delete the unused "
                "rows), or raise the limit (SCENAT_MAX_ROWS)",
                sheet=sheet.name,
                row=number,
            )
        )

    def cell_ref(ref: str) -> tuple[int, int] | None:
        # The usual "AB12" without the regular expression; anything else goes through it.
        if row_digits and ref.endswith(row_digits):
            index = letters.get(ref[: len(ref) - len(row_digits)])
            if index is not None:
                return row, index
        if ref.isascii() and ref.isalnum():
            digits = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
            width = len(ref) - len(digits)
            if 0 < width <= 3 and digits.isdigit():
                name = ref[:width]
                index = letters.get(name)
                if index is None:
                    index = letters[name] = column_index(name)
                return int(digits), index
        return split_ref(ref)

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row, col, row_hidden, row_has_value, in_cell, inline, formula, value
        nonlocal capture, cell_type, cell_style, row_digits
        code = codes.get(name)
        if code is None:
            code = codes[name] = _ELEMENTS.get(_local(name), 0)
        if code == _CELL:
            ref = cell_ref(attrs.get("r", ""))
            if ref is not None:
                number, column = ref
                if number != row:  # a cell outside any <row>, or a writer's quirk
                    row = number
                    row_digits = str(row)
                    if number > max_rows:
                        stop_rows(number)
                    if number > sheet.max_row:
                        sheet.max_row = number
            else:
                column = col + 1
            col = column
            if column > max_columns:
                raise _Stop(
                    _problem(
                        screen,
                        f"the sheet has more than {limits.max_columns} columns",
                        "delete the unused columns to the right of the data, or raise the limit "
                        "(SCENAT_MAX_COLUMNS)",
                        sheet=sheet.name,
                        row=row,
                        column=column_letter(column),
                    )
                )
            if column > sheet.max_column:
                sheet.max_column = column
            in_cell, formula, value, inline = True, None, None, False
            cell_type, cell_style = attrs.get("t"), attrs.get("s")
        elif code == 0:
            return  # <r>, <sheetView>, ...: nothing to screen
        elif code == _TEXT:
            if sheet.plain:
                ends.start(attrs)
        elif code == _VALUE and in_cell:
            value = ""
            capture = "value"
        elif code == _INLINE and in_cell:
            inline = True
        elif code == _ROW:
            number_text = attrs.get("r")
            row = int(number_text) if number_text and number_text.isdigit() else row + 1
            row_digits = str(row)
            col = 0
            row_hidden = attrs.get("hidden") in ("1", "true")
            row_has_value = False
            if row > max_rows:
                stop_rows(row)
            if row > sheet.max_row:
                sheet.max_row = row
        elif code == _FORMULA and in_cell:
            formula = ""
            capture = "formula"
        elif code == _MERGE and "ref" in attrs:
            sheet.merged.append(attrs["ref"])
        elif code == _COLUMN and attrs.get("hidden") in ("1", "true"):
            try:
                low, high = int(attrs.get("min", "0")), int(attrs.get("max", "0"))
            except ValueError:
                return
            sheet.hidden_columns.extend(range(max(low, 1), min(high, limits.max_columns) + 1))

    def text(data: str) -> None:
        nonlocal formula, value
        if capture == "value" and len(value) < 256:  # type: ignore[arg-type]
            value += data  # type: ignore[operator]
        elif capture == "formula" and len(formula) < 256:  # type: ignore[arg-type]
            formula += data  # type: ignore[operator]
        elif ends.inside:
            ends.text(data)

    def end(name: str) -> None:
        nonlocal row_has_value, in_cell, capture
        code = codes.get(name)
        if code is None:
            code = codes[name] = _ELEMENTS.get(_local(name), 0)
        if code == _CELL:
            has_value = inline or bool((value or "").strip())
            if formula is not None and not has_value:
                sheet.formulas_without_value.append((row, col, "=" + formula[:120]))
            if has_value:
                row_has_value = True
                if sheet.plain:
                    _note_plain(sheet, cell_type, cell_style, value)
            in_cell = False
        elif code == _VALUE or code == _FORMULA:
            capture = None
        elif code == _TEXT and ends.inside:
            ends.end()
            if ends.found:
                sheet.plain = False
        elif code == _ROW and row_hidden and row_has_value:
            sheet.hidden_rows.append(row)

    watched = _watched(budget.read(archive, info), sheet, "plain")
    _parse_xml(watched, info.filename, screen, start, end, text,
               sheet.name, buffer_text=True)  # fmt: skip


def _note_plain(
    sheet: SheetScan, cell_type: str | None, cell_style: str | None, value: str | None
) -> None:
    """Clear ``sheet.plain`` for a cell a bulk reader would type differently from openpyxl;
    note the style of a number (a date format turns it into a date)."""
    if cell_type not in _PLAIN_TYPES:
        sheet.plain = False
    elif cell_type is None or cell_type == "n":
        if value is None or not _plain_number(value):
            sheet.plain = False  # an inline string typed as a number, "2.0", 20 digits
        try:
            sheet.number_styles.add(int(cell_style or 0))
        except ValueError:
            sheet.plain = False
    elif cell_type == "b" and (value or "").strip() not in ("0", "1"):
        sheet.plain = False
    elif (
        cell_type == "str"
        and value
        and (value[0].isspace() or value[-1].isspace() or len(value) >= 256)
    ):
        sheet.plain = False  # a formula's text: calamine trims it (and 256 is where we stop)
