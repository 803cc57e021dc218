"""Partner submissions: intake, validation report, and merge into a stored case.

A partner fills in the workbook :mod:`scenat.casefile.partner_template` wrote for one node of a case
and sends it back. :func:`submit` then

1. keeps the file exactly as received (bytes, sha256, size, submitter, time, the file name as
   text only: an uploaded name is never used as a path);
2. screens and validates it strictly (:mod:`scenat.casefile.screening`, :func:`scenat.validate` with
   ``strict=True``): every problem at once, at its sheet, row and column;
3. checks it against the case: the workbook is for that case and node, the node's output is
   the one the case uses, flows belong to that node only, and the case with these flows
   merged in is still valid (loops included);
4. records the submission, ``valid`` or ``rejected`` (a rejected one is kept too, so nothing a
   partner sent is lost), and raises :class:`SubmissionRejected` (an
   :class:`~scenat.errors.InputError`) for a rejected one. The case itself is untouched.

:func:`preview` shows what accepting would change (flows added, removed and changed, and
the effect on totals and node hotspots); :func:`accept` stores the merged case as a new
version (the node's flows replaced by the submitted ones) in one transaction, re-done on
the latest version if another writer got there first. :func:`validation_report` is the
downloadable copy of the submission with every offending cell highlighted and commented,
plus a ``problems`` sheet.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import tempfile
import zipfile
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from scenat.casefile.screening import (
    Limits,
    column_index,
    current_limits,
    screen_file,
    sniff,
    use_limits,
)
from scenat.errors import InputError, Problem
from scenat.model.case import Case
from scenat.model.catalogue import Catalogue
from scenat.store.database import (
    Store,
    Submission,
    Version,
    VersionConflict,
    VersionDiff,
    case_content,
    content_case,
    diff_cases,
    records,
    set_cell,
)

VALID, REJECTED, MERGED = "valid", "rejected", "merged"
#: suffixes a submission may keep from its file name; anything else is screened as .xlsx
SUFFIXES = (".xlsx", ".xlsm", ".zip", ".xls", ".csv", ".ods")
#: case-sheet fields the partner template writes to say where a workbook belongs
CASE_FIELD, NODE_FIELD = "submission_case", "submission_node"


class SubmissionRejected(InputError):
    """A submission with errors: stored (status ``rejected``), never merged."""

    def __init__(self, submission: Submission):
        self.submission = submission
        errors = len(submission.errors)
        super().__init__(
            submission.problems,
            f"submission #{submission.id} from {submission.submitter} rejected: {errors} "
            f"problem(s) in {submission.filename}",
        )


def display_name(filename: str | None, default: str = "submission.xlsx") -> str:
    """The file name to show: its last path part, printable, at most 120 characters."""
    name = re.split(r"[\\/]", str(filename or ""))[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    return name[:120] or default


def _suffix(name: str, data: bytes | None) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in SUFFIXES:
        return suffix
    return ".xlsx"  # screening then says what the bytes really are


def _zip_folder(folder: Path) -> bytes:
    """A folder of CSVs as a deterministic zip (the 'original bytes' of a folder)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            if file.is_file() and file.suffix.lower() == ".csv":
                info = zipfile.ZipInfo(file.name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, file.read_bytes())
    return buffer.getvalue()


def _payload(
    source: bytes | str | Path, filename: str | None, limits: Limits
) -> tuple[bytes | None, int, str, str]:
    """(bytes or None when over the size limit, size, sha256, display name)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = display_name(filename)
    else:
        path = Path(source)
        if path.is_dir():
            data = _zip_folder(path)
            name = display_name(filename or path.name + ".zip")
        elif path.is_file():
            name = display_name(filename or path.name)
            size = path.stat().st_size
            if size > limits.max_file_bytes:
                digest = hashlib.sha256()
                with path.open("rb") as handle:
                    for chunk in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(chunk)
                return None, size, digest.hexdigest(), name
            data = path.read_bytes()
        else:
            raise InputError(
                Problem(
                    file=str(path),
                    message="no such file or folder",
                    hint="give the partner's workbook (.xlsx) or a .zip / folder of CSVs",
                )
            )
    if len(data) > limits.max_file_bytes:
        return None, len(data), hashlib.sha256(data).hexdigest(), name
    return data, len(data), hashlib.sha256(data).hexdigest(), name


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def _parsed(sheets: dict[str, Any]) -> dict[str, Any]:
    """The rows as read (row numbers as the spreadsheet shows them), JSON-safe."""
    return {
        key: {
            "name": sheet.name,
            "header_row": sheet.header_row,
            "headers": sheet.headers,
            "rows": [
                [number, {k: _json_value(v) for k, v in record.items()}]
                for number, record in sheet.rows
            ],
        }
        for key, sheet in sheets.items()
    }


def _relocate(problems: list[Problem], tmp: str, name: str) -> list[Problem]:
    """Problems of the private copy, named by the partner's file name instead."""
    moved = []
    for p in problems:
        file = p.file
        if file == tmp:
            file = name
        elif file and file.startswith(tmp):
            file = name + file[len(tmp) :]
        moved.append(replace(p, file=file))
    return moved


@dataclass
class _Checked:
    problems: list[Problem]
    parsed: dict[str, Any] | None
    node: str | None
    flows: list[list[Any]] | None


def _validate_file(
    data: bytes,
    name: str,
    case_key: str,
    base: Version,
    node: str | None,
    catalogue: Catalogue | None,
) -> _Checked:
    from scenat.casefile.workbook import read_case, read_sheets

    with tempfile.TemporaryDirectory(prefix="scenat-submission-") as tmp:
        path = Path(tmp) / f"submission{_suffix(name, data)}"
        path.write_bytes(data)
        raw_problems: list[Problem] = []
        sheets = read_sheets(path, raw_problems, strict=True)
        parsed = _parsed(sheets) if sheets else None
        try:
            sub = read_case(path, catalogue, strict=True)
            problems = list(sub.metadata.get("warnings", []))
        except InputError as err:
            sub, problems = None, list(err.problems)
        problems = _relocate(problems, str(path), name)
    if sub is None:
        named = _field_value(sheets, NODE_FIELD) or _field_value(sheets, "reference_node")
        return _Checked(problems, parsed, node or named, None)
    node_id, context, flows = _against_case(sub, sheets, base, case_key, node, name)
    return _Checked(problems + context, parsed, node_id, flows)


def _field_value(sheets: dict[str, Any], field: str) -> str | None:
    """A case-sheet field as written (for naming the node of a rejected submission)."""
    sheet = sheets.get("case")
    for _, record in sheet.rows if sheet else ():
        if str(record.get("field") or "").strip().lower() == field and record.get("value"):
            return str(record["value"]).strip()[:200] or None
    return None


def _field_row(sheets: dict[str, Any], field: str) -> int | None:
    sheet = sheets.get("case")
    for number, record in sheet.rows if sheet else ():
        if str(record.get("field") or "").strip().lower() == field:
            return number
    return None


def _against_case(
    sub: Case,
    sheets: dict[str, Any],
    base: Version,
    case_key: str,
    node: str | None,
    name: str,
) -> tuple[str | None, list[Problem], list[list[Any]] | None]:
    """Problems of a valid workbook as a submission for one node of the stored case."""
    from scenat.model.units import UnitMismatch, conversion_factor

    found: list[Problem] = []
    names = {k: s.name for k, s in sheets.items()}

    def add(message: str, hint: str, sheet: str | None = None, **where: Any) -> None:
        found.append(
            Problem(message=message, file=name, sheet=names.get(sheet, sheet), hint=hint, **where)
        )

    case = base.case()
    meta = sub.metadata
    target = meta.get(CASE_FIELD)
    if target is not None and str(target).strip() != case_key:
        add(
            f"this workbook was made for case {str(target).strip()!r}, not {case_key!r}",
            f"submit it to case {str(target).strip()!r}, or ask for the template of this case",
            "case",
            row=_field_row(sheets, CASE_FIELD),
            column="value",
            value=str(target),
        )
    node_id = node or (str(meta[NODE_FIELD]).strip() if meta.get(NODE_FIELD) else None)
    node_field = NODE_FIELD if node is None and meta.get(NODE_FIELD) else "reference_node"
    node_id = node_id or sub.reference_node
    if node_id not in case.nodes:
        add(
            f"node {node_id!r} is not in case {case_key!r}",
            "the nodes of the case are: " + ", ".join(case.nodes),
            "case" if node is None else None,
            row=_field_row(sheets, node_field) if node is None else None,
            column="value" if node is None else None,
            value=node_id,
        )
        return None, found, None
    if node_id not in sub.nodes:
        add(
            f"the nodes sheet does not list node {node_id!r}",
            "keep the node's row as the template gives it",
            "nodes",
        )
        return node_id, found, None
    mine, theirs = case.nodes[node_id], sub.nodes[node_id]
    try:
        same = math.isclose(
            theirs.output_amount * conversion_factor(theirs.output_unit, mine.output_unit),
            mine.output_amount,
            rel_tol=1e-9,
        )
    except UnitMismatch:
        same = False
    if not same:
        add(
            f"the case gives node {node_id!r} per {mine.output_amount:g} {mine.output_unit}; "
            f"this workbook per {theirs.output_amount:g} {theirs.output_unit}",
            f"keep output_amount {mine.output_amount:g} and output_unit {mine.output_unit} as "
            "the template gives them, and give the flows per that output",
            "nodes",
            row=theirs.row,
            column="output_unit" if theirs.output_unit != mine.output_unit else "output_amount",
            value=theirs.output_unit
            if theirs.output_unit != mine.output_unit
            else theirs.output_amount,
        )
    for other in sub.nodes.values():
        if other.id != node_id and other.id not in case.nodes:
            add(
                f"node {other.id!r} is not in case {case_key!r}",
                "a submission can only name the case's nodes; for a new supplier use a "
                "background process or spend flow, or ask the case owner to add the node",
                "nodes",
                row=other.row,
                column="id",
                value=other.id,
            )
    own = [f for f in sub.flows if f.node == node_id]
    for flow in sub.flows:
        if flow.node != node_id:
            add(
                f"this workbook is for node {node_id!r} only",
                f"write {node_id!r} in the node column, or send this row in the other node's "
                "workbook",
                "flows",
                row=flow.row,
                column="node",
                value=flow.node,
            )
    if not own:
        add(
            f"the flows sheet has no flows for node {node_id!r}",
            "fill in at least one flow (what the node buys, burns or emits per its output)",
            "flows",
        )
    if any(p.severity == "error" for p in found):
        return node_id, found, None
    flows = case_content(sub.copy(flows=own))["flows"]
    rows = [f.row for f in own]
    try:
        _merged(base, node_id, flows, rows, name, names.get("flows", "flows"))
    except InputError as err:
        found.extend(err.problems)
        return node_id, found, None
    return node_id, found, flows


def merge_content(
    content: dict[str, list[list[Any]]], node: str, flows: list[list[Any]]
) -> tuple[dict[str, list[list[Any]]], list[int]]:
    """``content`` with ``node``'s flows replaced by ``flows`` (rows, header first).

    The new flows take the place of the node's first old flow (the end when it had none).
    Also returns, for each new flow, its index among the merged flow rows.
    """
    base_header, new_header = content["flows"][0], flows[0]
    header = list(base_header) + [c for c in new_header if c not in base_header]
    incoming = records(flows)
    merged: list[dict[str, Any]] = []
    placed: list[int] = []
    for record in records(content["flows"]):
        if record.get("node") == node:
            if not placed and incoming:
                placed = list(range(len(merged), len(merged) + len(incoming)))
                merged.extend(incoming)
            continue
        merged.append(record)
    if not placed:
        placed = list(range(len(merged), len(merged) + len(incoming)))
        merged.extend(incoming)
    result = dict(content)
    result["flows"] = [header] + [[r.get(c) for c in header] for r in merged]
    return result, placed


def _merged(
    base: Version,
    node: str,
    flows: list[list[Any]],
    rows: list[int | None],
    name: str,
    flows_sheet: str,
) -> tuple[dict[str, list[list[Any]]], Case]:
    """The merged content (canonical) and case; errors located in the submission.

    The merged case is validated with the submitted flows first, so that a problem spanning
    several rows (a loop) is reported on the partner's row; it is stored with them in place
    of the node's old flows.
    """
    content = base.content or {}
    old = records(content["flows"])
    others = [r for r in old if r.get("node") != node]
    first = next((i for i, r in enumerate(old) if r.get("node") == node), None)
    insert_at = (
        len(others) if first is None else sum(1 for r in old[:first] if r.get("node") != node)
    )
    header = list(content["flows"][0]) + [c for c in flows[0] if c not in content["flows"][0]]
    checked = dict(content)
    checked["flows"] = [header] + [[r.get(c) for c in header] for r in records(flows) + others]
    label = f"{base.case_key} version {base.number}"
    try:
        case = content_case(checked, f"{label} with these flows")
    except InputError as err:
        back = {index + 2: row for index, row in enumerate(rows)}  # spreadsheet rows
        problems = []
        for p in err.errors:
            if p.sheet == "flows" and p.row in back:
                problems.append(
                    replace(
                        p,
                        file=name,
                        sheet=flows_sheet,
                        row=back[p.row],
                        message=f"in case {base.case_key!r}: {p.message}",
                        hint=(p.hint or "") + " (rows of the case with these flows merged in)",
                    )
                )
            else:
                where = p.location().replace(f"{label} with these flows", "").strip(", ")
                problems.append(
                    replace(
                        p,
                        file=name,
                        sheet=None,
                        row=None,
                        column=None,
                        message=f"merged into {label}: {p.message}"
                        + (f" ({where})" if where else ""),
                    )
                )
        raise InputError(problems, f"{len(problems)} problem(s) when merged") from None
    count = len(flows) - 1
    merged = case.flows
    case.flows = merged[count : count + insert_at] + merged[:count] + merged[count + insert_at :]
    return case_content(case), case


def submit(
    store: Store,
    case_key: str,
    source: bytes | str | Path,
    submitter: str,
    *,
    filename: str | None = None,
    node: str | None = None,
    limits: Limits | None = None,
    catalogue: Catalogue | None = None,
) -> Submission:
    """Validate and store one partner submission (see the module notes).

    ``source`` is the file's bytes (an upload; give ``filename`` for display) or a path (a
    workbook, a ``.zip`` of CSVs or a folder of CSVs). Returns the stored
    :class:`~scenat.store.database.Submission` (status ``valid``); raises :class:`SubmissionRejected`
    after storing a rejected one. An unknown case or an empty submitter name is a usage error
    (:class:`InputError`), and nothing is stored.
    """
    submitter = (submitter or "").strip()
    if not submitter:
        raise InputError(
            Problem(
                message="a submission needs the submitter's name",
                column="--submitter",
                hint="give --submitter NAME (the partner organisation or person)",
            )
        )
    base = store.version(case_key)  # an unknown case: InputError, nothing recorded
    limits = limits or current_limits()
    data, size, digest, name = _payload(source, filename, limits)
    if data is None:
        checked = _Checked(
            [
                Problem(
                    file=name,
                    message=f"the file is {size / 2**20:.1f} MB, over the limit of "
                    f"{limits.max_file_bytes / 2**20:.0f} MB; only its sha256 is kept",
                    value=size,
                    hint="send only the case sheets, or ask for a higher limit",
                )
            ],
            None,
            node,
            None,
        )
    else:
        with use_limits(limits):
            checked = _validate_file(data, name, case_key, base, node, catalogue)
    errors = [p for p in checked.problems if p.severity == "error"]
    record = store.add_submission(
        case_key=case_key,
        submitter=submitter,
        filename=name,
        data=data,
        size=size,
        sha256=digest,
        status=REJECTED if errors else VALID,
        problems=checked.problems,
        node=checked.node,
        parsed=checked.parsed,
        flows=None if errors else checked.flows,
        base_version=base.number,
    )
    if errors:
        raise SubmissionRejected(record)
    return record


# --- merge ---------------------------------------------------------------------------------


@dataclass
class MergePreview:
    """What accepting a submission would do to its case."""

    submission: Submission
    base: Version
    content: dict[str, list[list[Any]]]
    case: Case
    diff: VersionDiff


def preview(
    store: Store, submission_id: int, impact: bool = True, indicators: list[str] | None = None
) -> MergePreview:
    """The merge of a valid submission into the latest version of its case, not stored.

    ``diff`` lists the flows added, removed and changed; with ``impact`` also the change of
    each indicator's total and of each node's contribution.
    """
    from scenat.store.database import _not_mergeable

    sub = store.submission(submission_id)
    if sub.status != VALID or sub.flows is None or sub.node is None:
        raise _not_mergeable(sub)
    base = store.version(sub.case_key)
    flows_sheet = ((sub.parsed or {}).get("flows") or {}).get("name", "flows")
    rows = [number for number, _ in ((sub.parsed or {}).get("flows") or {}).get("rows", [])]
    content, merged = _merged(
        base, sub.node, sub.flows, rows[: len(sub.flows) - 1], sub.filename or "", flows_sheet
    )
    diff = diff_cases(
        base.case(),
        merged,
        f"{sub.case_key} version {base.number}",
        f"{sub.case_key} version {base.number} + submission #{sub.id}",
        impact,
        indicators,
    )
    return MergePreview(sub, base, content, merged, diff)


def accept(store: Store, submission_id: int, author: str, message: str | None = None) -> Version:
    """Merge a valid submission into its case as a new version (the node's flows replaced).

    One transaction stores the version and marks the submission ``merged``. If another
    writer changed the case meanwhile, the merge is prepared again on the new latest version.
    """
    for _ in range(50):
        plan = preview(store, submission_id, impact=False)
        try:
            return store.merge(submission_id, plan.content, plan.base.number, author, message)
        except VersionConflict:
            continue
    raise VersionConflict(f"case kept changing while merging submission #{submission_id}")


# --- validation report ---------------------------------------------------------------------

_ERROR_FILL = "FFC7CE"
_WARNING_FILL = "FFEB9C"


def validation_report(submission: Submission) -> bytes:
    """An ``.xlsx``: the submission as sent with offending cells highlighted (red: error,
    yellow: warning) and commented with the problem and its hint, and a ``problems`` sheet
    listing every problem with a link to its cell.

    Formulas are replaced by their saved values and text that would read as a formula is
    stored as text, so the report is safe to open. When the file cannot be read as a workbook
    (not an .xlsx, damaged, too big), the report has the ``problems`` sheet and the rows
    scenat could read, if any.
    """
    book = _submission_book(submission)
    _annotate(book, submission)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _submission_book(submission: Submission) -> Any:
    import openpyxl

    data = submission.data
    if data and sniff(data[:4096]) == "zip":
        with tempfile.TemporaryDirectory(prefix="scenat-report-") as tmp:
            path = Path(tmp) / "submission.xlsx"
            path.write_bytes(data)
            if screen_file(path).ok:
                try:
                    book = openpyxl.load_workbook(path, data_only=True, keep_links=False)
                except Exception:  # damaged beyond what screening sees: fall back to rows
                    book = None
                if book is not None:
                    for ws in book.worksheets:
                        for row in ws.iter_rows():
                            for cell in row:
                                if isinstance(cell.value, str) and cell.data_type != "s":
                                    set_cell(ws, cell.row, cell.column, cell.value)
                    return book
    book = openpyxl.Workbook()
    book.remove(book.active)
    for key, sheet in (submission.parsed or {}).items():
        ws = book.create_sheet(str(sheet.get("name") or key)[:31])
        header_row = sheet.get("header_row", 1)
        for c, title in enumerate(sheet.get("headers", []), start=1):
            if title:
                set_cell(ws, header_row, c, title)
        headers = sheet.get("headers", [])
        for number, record in sheet.get("rows", []):
            for c, title in enumerate(headers, start=1):
                if title and record.get(title) is not None:
                    set_cell(ws, number, c, record[title])
    return book


def _annotate(book: Any, submission: Submission) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    by_name = {ws.title.strip().lower(): ws for ws in book.worksheets}
    parsed = submission.parsed or {}
    notes: dict[tuple[str, int, int], list[str]] = {}
    worst: dict[tuple[str, int, int], str] = {}
    links: list[str | None] = []
    for p in submission.problems:
        ws = by_name.get((p.sheet or "").strip().lower())
        target = None
        if ws is not None:
            if ws.sheet_state != "visible":
                ws.sheet_state = "visible"
            info = parsed.get(ws.title.strip().lower(), {})
            header_row = info.get("header_row", 1)
            column = _column_of(ws, p.column, header_row, info.get("headers"))
            row = p.row or (header_row if column else None)
            if row:
                cell = _writable(ws, row, column or 1)
                target = (ws.title, cell.row, cell.column)
                notes.setdefault(target, []).append(
                    f"{p.severity}: {p.message}" + (f"\nHint: {p.hint}" if p.hint else "")
                )
                if worst.get(target) != "error":
                    worst[target] = p.severity
            else:
                ws.sheet_properties.tabColor = "C00000"
        links.append(f"#'{target[0]}'!{_ref(target[1], target[2])}" if target else None)
    for (title, row, column), texts in notes.items():
        cell = book[title].cell(row=row, column=column)
        colour = _ERROR_FILL if worst[(title, row, column)] == "error" else _WARNING_FILL
        cell.fill = PatternFill("solid", fgColor=colour)
        comment = Comment("\n\n".join(texts)[:30000], "scenat")
        comment.width, comment.height = 320, 160
        cell.comment = comment
    ws = book.create_sheet("problems", 0)
    header = ["severity", "sheet", "row", "column", "value", "problem", "hint", "go to"]
    for c, title in enumerate(header, start=1):
        set_cell(ws, 1, c, title).font = Font(bold=True)
    for r, (p, link) in enumerate(zip(submission.problems, links), start=2):
        values = [p.severity, p.sheet, p.row, p.column, _json_value(p.value), p.message, p.hint]
        for c, value in enumerate(values, start=1):
            if value is not None:
                set_cell(ws, r, c, value)
        if p.severity == "error":
            ws.cell(row=r, column=1).fill = PatternFill("solid", fgColor=_ERROR_FILL)
        if link:
            cell = set_cell(ws, r, 8, "show cell")
            cell.hyperlink = link
            cell.font = Font(color="0563C1", underline="single")
    if not submission.problems:
        set_cell(ws, 2, 1, "no problems found")
    for letter, width in zip("ABCDEFGH", (9, 14, 6, 14, 24, 70, 70, 10)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    book.active = 0


def _writable(ws: Any, row: int, column: int) -> Any:
    """The cell, or the first cell of the merged range it lies in (the one that can change)."""
    from openpyxl.cell.cell import MergedCell

    cell = ws.cell(row=row, column=column)
    if isinstance(cell, MergedCell):
        for merged in ws.merged_cells.ranges:
            if cell.coordinate in merged:
                return ws.cell(row=merged.min_row, column=merged.min_col)
    return cell


def _column_of(ws: Any, column: str | None, header_row: int, headers: list | None) -> int | None:
    if not column:
        return None
    wanted = column.strip().lower()
    if headers and wanted in headers:
        return headers.index(wanted) + 1
    for cell in next(ws.iter_rows(min_row=header_row, max_row=header_row), ()):
        if cell.value is not None and re.sub(r"\s+", "_", str(cell.value).strip().lower()) == (
            wanted
        ):
            return cell.column
    if re.fullmatch(r"[A-Z]{1,3}", column):
        return column_index(column)
    return None


def _ref(row: int, column: int) -> str:
    from scenat.casefile.screening import column_letter

    return f"{column_letter(column)}{row}"
