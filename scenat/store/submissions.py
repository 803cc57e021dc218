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
import zipfile
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from scenat.casefile import check_case
from scenat.casefile.names import display_name
from scenat.casefile.partner_template import (
    CASE_FIELD,
    NODE_FIELD,
    SIGNATURE_FIELD,
    signature_matches,
)
from scenat.casefile.screening import (
    Limits,
    current_limits,
    use_limits,
)
from scenat.casefile.writer import sheet_records as records
from scenat.errors import InputError, Problem
from scenat.model.case import Case
from scenat.model.catalogue import Catalogue
from scenat.store.content import case_content, content_case
from scenat.store.database import Store, Submission, Version, VersionConflict, not_mergeable
from scenat.store.diff import VersionDiff, diff_cases

VALID, REJECTED, MERGED = "valid", "rejected", "merged"


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

    def __reduce__(self) -> tuple:
        return (type(self), (self.submission,))


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


def json_value(value: Any) -> Any:
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
                [number, {k: json_value(v) for k, v in record.items()}]
                for number, record in sheet.rows
            ],
        }
        for key, sheet in sheets.items()
    }


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
    checked = check_case(data, catalogue, strict=True, filename=name)
    sheets = checked.sheets
    parsed = _parsed(sheets) if sheets else None
    problems = checked.problems
    sub = checked.case
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
    _check_binding(meta, sheets, case_key, node_id, node, add)
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


def _check_binding(
    meta: dict[str, Any],
    sheets: dict[str, Any],
    case_key: str,
    node_id: str,
    named_by_owner: str | None,
    add: Any,
) -> None:
    """The node a workbook is for is the one its template was issued for (signed), unless
    the case owner names it (``--node``); a signature for another node is refused either way.
    """
    signature = meta.get(SIGNATURE_FIELD)
    if named_by_owner is not None:
        if signature is not None and not signature_matches(case_key, node_id, signature):
            add(
                f"this workbook was issued for another node or case, not node {node_id!r} of "
                f"case {case_key!r}",
                f"submit it for the node it was issued for, or send the partner the template "
                f"of node {node_id!r}",
                "case",
                row=_field_row(sheets, SIGNATURE_FIELD),
                column="value",
                value=str(signature),
            )
        return
    hint = (
        f"ask the case owner for your node's workbook (scenat template --case {case_key} "
        "--node NODE); a case owner who checked the file names its node: scenat submit "
        "CASE FILE --node NODE"
    )
    if meta.get(NODE_FIELD) is None:
        add(
            "this workbook does not say, signed, which node of the case it is for (it is "
            "not a partner template, or its submission rows were deleted)",
            hint,
            "case",
            row=_field_row(sheets, "reference_node"),
            column="value",
            value=node_id,
        )
    elif not signature_matches(case_key, node_id, signature):
        add(
            f"submission_node {node_id!r} is not the node this workbook was signed for when "
            "it was issued (the node or the case was changed, or the signature removed)",
            hint,
            "case",
            row=_field_row(sheets, NODE_FIELD),
            column="value",
            value=node_id,
        )


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
    :class:`~scenat.store.Submission` (status ``valid``); raises :class:`SubmissionRejected`
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
    sub = store.submission(submission_id)
    if sub.status != VALID or sub.flows is None or sub.node is None:
        raise not_mergeable(sub)
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
