"""The workbook one supplier fills in for its own node of a case.

``scenat template --case CASE --node NODE PATH`` writes it. Compared with the blank
:mod:`scenat.casefile.template` it is pre-filled and fenced in:

- ``case``: the case's name, currency and year (spend is converted with them), and the fields
  ``submission_case`` / ``submission_node`` that tell the intake where the workbook belongs,
  with ``submission_signature`` binding them (:func:`template_signature`: the intake refuses
  a workbook whose node or case was edited, so no partner overwrites another's node);
- ``nodes``: the partner's node (id, expected output amount and unit) and the nodes it may
  buy from in the case (its suppliers, direct or not, and every node of a higher tier);
- ``flows``: the node's current flows, to be corrected and completed;
- drop-downs: kind and distribution (short inline lists), node (the one id), input (every id
  the node may reference: its sub-nodes, all background processes and spend sectors, and the
  emission / resource ids) and unit. The catalogue holds thousands of ids, over the 255
  characters an inline list may have, so these lists live on a hidden, protected ``lists``
  sheet and the drop-downs reference its ranges (names and units are beside the ids there);
- protection: the ``instructions``, ``case``, ``nodes`` and ``lists`` sheets and the header
  row of ``flows`` are locked (no password: protection prevents slips, not a determined
  user); the flow cells below the header stay editable, rows can be inserted and deleted.

The pre-filled workbook validates (``scenat validate PATH --strict`` finds no error), so a
partner who only changes numbers sends a valid submission.

>>> import tempfile, pathlib
>>> from scenat.paths import examples_dir
>>> from scenat.casefile.build import read_case, validate
>>> case = read_case(examples_dir() / "bicycle")
>>> path = pathlib.Path(tempfile.mkdtemp()) / "frame_maker.xlsx"
>>> _ = write_partner_template(case, "frame_maker", path, case_key="bicycle")
>>> [p for p in validate(path, strict=True) if p.severity == "error"]
[]
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import secrets
from pathlib import Path
from typing import Any

from scenat.brightway.project import project_catalogue
from scenat.casefile.names import output_file
from scenat.casefile.spreadsheet import set_cell
from scenat.casefile.template import FLOW_NOTES, NODE_NOTES
from scenat.casefile.writer import case_sheets, sheet_records
from scenat.errors import InputError, Problem
from scenat.model.case import Case
from scenat.model.catalogue import Catalogue
from scenat.model.schema import DISTRIBUTIONS, FLOW_COLUMNS, FLOW_KINDS, NODE_COLUMNS

#: flow rows the drop-downs and editable cells cover
MAX_FLOW_ROWS = 5000
COMMON_UNITS = (
    "kg", "g", "t", "lb", "kWh", "MWh", "GWh", "MJ", "GJ", "therm", "L", "m3", "m2", "km",
    "tkm", "kg*km", "pkm", "item", "unit", "year",
)  # fmt: skip
CURRENCY_UNITS = ("GBP", "kGBP", "USD", "kUSD", "EUR", "kEUR")


#: the case-sheet fields that bind a workbook to where it belongs
CASE_FIELD, NODE_FIELD, SIGNATURE_FIELD = (
    "submission_case",
    "submission_node",
    "submission_signature",
)


def signing_key() -> bytes:
    """The secret the templates of this installation are signed with.

    ``SCENAT_SIGNING_KEY`` when set (a team whose members issue templates and take in
    submissions on several machines shares it), else a random key kept owner-only in
    ``SCENAT_HOME/keys/template.key``, made on first use.
    """
    shared = os.environ.get("SCENAT_SIGNING_KEY")
    if shared:
        return shared.encode()
    from scenat.paths import scenat_home

    folder = scenat_home() / "keys"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / "template.key"
    if not path.exists():
        # Written whole beside it, then linked in: two processes starting at once agree on
        # whichever key is linked first.
        tmp = folder / f".template.key.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_hex(32).encode())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_bytes().strip()


def template_signature(case_key: str, node_id: str) -> str:
    """The signature binding a partner workbook to ``node_id`` of the stored case
    ``case_key`` (HMAC-SHA256 with :func:`signing_key`): a partner who edits the node or the
    case in the workbook cannot make it match.

    >>> template_signature("bicycle", "frame_maker") == template_signature("bicycle",
    ...                                                                    "frame_maker")
    True
    """
    message = f"scenat partner template\n{case_key}\n{node_id}".encode()
    return hmac.new(signing_key(), message, hashlib.sha256).hexdigest()[:32]


def signature_matches(case_key: str, node_id: str, signature: str | None) -> bool:
    """Whether ``signature`` is the one :func:`template_signature` issued for them."""
    return signature is not None and hmac.compare_digest(
        str(signature).strip(), template_signature(case_key, node_id)
    )


def sub_nodes(case: Case, node_id: str) -> list[str]:
    """Nodes ``node_id`` may buy from: its suppliers (transitively) and higher-tier nodes."""
    suppliers: dict[str, set[str]] = {n: set() for n in case.nodes}
    for flow in case.flows:
        if flow.kind == "node":
            suppliers[flow.node].add(flow.input)
    reached: set[str] = set()
    stack = [node_id]
    while stack:
        for supplier in suppliers.get(stack.pop(), ()):
            if supplier not in reached:
                reached.add(supplier)
                stack.append(supplier)
    tier = case.nodes[node_id].tier
    return [
        n for n, node in case.nodes.items() if n != node_id and (n in reached or node.tier > tier)
    ]


def _units(case: Case, nodes: list[str], catalogue: Catalogue) -> list[str]:
    from scenat.model.units import parse_unit

    chosen: dict[str, None] = {}
    for unit in (
        *(case.nodes[n].output_unit for n in nodes),
        *COMMON_UNITS,
        *sorted({p.unit for p in catalogue.processes.values()}),
        *sorted({e.unit for e in catalogue.elementary.values()}),
        *CURRENCY_UNITS,
    ):
        try:
            parse_unit(unit)
        except Exception:  # only units scenat reads are offered
            continue
        chosen.setdefault(unit, None)
    return list(chosen)


def _inputs(case: Case, nodes: list[str], catalogue: Catalogue) -> list[tuple[str, str, str, str]]:
    """(id, kind, unit, name) of everything a flow of the node may name."""
    from scenat.model.units import is_currency

    rows = [(n, "node", case.nodes[n].output_unit, case.nodes[n].name) for n in nodes]
    processes = sorted(catalogue.processes.values(), key=lambda p: (is_currency(p.unit), p.id))
    for p in processes:
        rows.append((p.id, "spend" if is_currency(p.unit) else "process", p.unit, p.name))
    for e in catalogue.elementary.values():
        rows.append((e.id, e.kind, e.unit, e.label))
    return rows


def partner_template_bytes(
    case: Case,
    node_id: str,
    case_key: str | None = None,
    catalogue: Catalogue | None = None,
    prefill: bool = True,
) -> bytes:
    """The partner workbook for ``node_id`` of ``case`` as ``.xlsx`` bytes."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if node_id not in case.nodes:
        raise InputError(
            Problem(
                message=f"node {node_id!r} is not in case {case.name!r}",
                column="--node",
                value=node_id,
                hint="the nodes of the case are: " + ", ".join(case.nodes),
            )
        )
    catalogue = catalogue or project_catalogue()
    key = case_key or case.name
    node = case.nodes[node_id]
    others = sub_nodes(case, node_id)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    locked_fill = PatternFill("solid", fgColor="EDEDED")
    open_cell = Protection(locked=False)

    def protect(ws: Any, editable_rows: bool = False) -> None:
        ws.protection.sheet = True
        if editable_rows:
            # In openpyxl False means "allowed while protected".
            ws.protection.insertRows = False
            ws.protection.deleteRows = False
            ws.protection.formatColumns = False
            ws.protection.sort = False
            ws.protection.autoFilter = False

    def header(ws: Any, columns: list[str], notes: dict[str, str] | None = None) -> None:
        for c, title in enumerate(columns, start=1):
            cell = set_cell(ws, 1, c, title)
            cell.font, cell.fill = bold, fill
            if notes and title in notes:
                cell.comment = Comment(notes[title], "scenat")
            ws.column_dimensions[get_column_letter(c)].width = max(12, len(title) + 4)
        ws.freeze_panes = "A2"

    book = Workbook()
    info = book.active
    info.title = "instructions"
    amount = f"{node.output_amount:g} {node.output_unit}"
    for line in (
        f"scenat supplier workbook: node {node_id} ({node.name}) of case {key} ({case.name})",
        "",
        f"Fill in the sheet 'flows': one row for each thing {node.name} buys, burns, emits or "
        f"extracts to make {amount} of its output.",
        f"Every row's node is {node_id}. Amounts are per {amount}, never per year unless the "
        "output is a year.",
        "kind: process = a background process (electricity, fuel, materials, freight); spend = "
        "money paid to a sector; node = another node of this case that supplies you; emission / "
        "resource = a direct release or extraction (scope 1); credit = an avoided burden.",
        "input: pick from the drop-down (or type an id): your suppliers in this case come "
        "first, then background processes, spend sectors and emission ids. Their names and "
        "units are on the hidden sheet 'lists' (right-click a sheet tab > Unhide to browse).",
        "unit: any unit convertible to the input's unit (t or kg, MWh or kWh, GBP or kGBP).",
        "source: say where each number comes from (meter reading, invoice, supplier "
        "declaration); distribution, sd, gsd, min, max: optional uncertainty.",
        "Values are read, formulas are never calculated: a formula must have its value saved. "
        "Do not merge cells, hide rows, add sheets or rename sheets and headers.",
        f"Check before sending: scenat validate THIS_FILE --strict. Send back: scenat submit "
        f"{key} THIS_FILE --submitter 'YOUR NAME' (or upload it in the app).",
        "Every problem is reported at its sheet, row and column, all at once; the report "
        "workbook highlights the cells.",
    ):
        info.append([line])
    info["A1"].font = Font(bold=True, size=13)
    info.column_dimensions["A"].width = 120
    for row in info.iter_rows():
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    protect(info)

    case_ws = book.create_sheet("case")
    header(case_ws, ["field", "value", "note"])
    fields: list[tuple[str, Any, str]] = [
        ("name", case.name, "the case (do not change)"),
        ("reference_node", node_id, "your node (do not change)"),
        ("functional_unit", f"{amount} of {node.name}", "what the flows are given per"),
        ("currency", case.currency, "currency of the case"),
        ("year", case.year, "the year money was spent (spend flows are converted from it)"),
        ("region", case.region, ""),
        (CASE_FIELD, key, "the case this workbook belongs to (do not change)"),
        (NODE_FIELD, node_id, "the node this workbook describes (do not change)"),
        (
            SIGNATURE_FIELD,
            template_signature(key, node_id),
            "binds this workbook to its case and node when it is sent back (do not change)",
        ),
    ]
    r = 2
    for field, value, note in fields:
        if value is None:
            continue
        for c, item in enumerate((field, value, note), start=1):
            if item not in (None, ""):
                set_cell(case_ws, r, c, item).fill = locked_fill
        r += 1
    case_ws.column_dimensions["B"].width = 40
    case_ws.column_dimensions["C"].width = 60
    protect(case_ws)

    nodes_ws = book.create_sheet("nodes")
    header(nodes_ws, [*NODE_COLUMNS, "role"], {**NODE_NOTES, "role": "for information"})
    for r, n in enumerate([node_id, *others], start=2):
        item = case.nodes[n]
        values = [
            item.id,
            item.name,
            item.tier,
            None if item.stage == "unspecified" else item.stage,
            item.location,
            item.output_amount,
            item.output_unit,
            "your node" if n == node_id else "a supplier in this case you may name (kind node)",
        ]
        for c, value in enumerate(values, start=1):
            if value is not None:
                set_cell(nodes_ws, r, c, value).fill = locked_fill
    nodes_ws.column_dimensions["B"].width = 36
    nodes_ws.column_dimensions["H"].width = 48
    protect(nodes_ws)

    flows_ws = book.create_sheet("flows")
    header(flows_ws, list(FLOW_COLUMNS), FLOW_NOTES)
    for c in range(1, len(FLOW_COLUMNS) + 1):
        letter = get_column_letter(c)
        flows_ws.column_dimensions[letter].protection = open_cell
    flows_ws.column_dimensions["C"].width = 40
    flows_ws.column_dimensions["K"].width = 30
    flows_ws.column_dimensions["L"].width = 30
    if prefill:
        current = [
            rec for rec in sheet_records(case_sheets(case)["flows"]) if rec.get("node") == node_id
        ]
        for r, rec in enumerate(current, start=2):
            for c, column in enumerate(FLOW_COLUMNS, start=1):
                cell = flows_ws.cell(row=r, column=c)
                if rec.get(column) is not None:
                    cell = set_cell(flows_ws, r, c, rec[column])
                cell.protection = open_cell
    protect(flows_ws, editable_rows=True)

    lists = book.create_sheet("lists")
    inputs = _inputs(case, others, catalogue)
    units = _units(case, [node_id, *others], catalogue)
    for c, title in enumerate(
        ["node", "", "input", "input_kind", "input_unit", "input_name", "", "unit"], start=1
    ):
        if title:
            set_cell(lists, 1, c, title).font = bold
    set_cell(lists, 2, 1, node_id)
    for r, row in enumerate(inputs, start=2):
        for c, value in enumerate(row, start=3):
            set_cell(lists, r, c, value)
    for r, unit in enumerate(units, start=2):
        set_cell(lists, r, 8, unit)
    lists.sheet_state = "hidden"
    protect(lists)

    last = MAX_FLOW_ROWS + 1

    def drop_down(column: str, formula: str, strict: bool, prompt: str) -> None:
        dv = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop" if strict else "warning",
            error="not one of the listed values" if strict else "not in the list: are you sure?",
            promptTitle=column,
            prompt=prompt[:255],
            showInputMessage=True,
        )
        flows_ws.add_data_validation(dv)
        dv.add(f"{column}2:{column}{last}")

    drop_down("A", "lists!$A$2:$A$2", True, f"always {node_id}")
    drop_down("B", '"' + ",".join(FLOW_KINDS) + '"', True, "what kind of input the row is")
    drop_down(
        "C",
        f"lists!$C$2:$C${len(inputs) + 1}",
        False,
        "a supplier node, background process, spend sector or emission id",
    )
    drop_down("E", f"lists!$H$2:$H${len(units) + 1}", False, "convertible to the input's unit")
    drop_down("F", '"' + ",".join(DISTRIBUTIONS) + '"', True, "optional uncertainty")
    number = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        error="a number >= 0, per the node's output",
    )
    flows_ws.add_data_validation(number)
    number.add(f"D2:D{last}")
    book.active = book.index(flows_ws)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_partner_template(
    case: Case,
    node_id: str,
    path: str | Path,
    case_key: str | None = None,
    catalogue: Catalogue | None = None,
    prefill: bool = True,
) -> Path:
    """Write the partner workbook for ``node_id`` to ``path`` (``.xlsx``, atomically)."""
    from scenat.atomic import write_atomic

    path = output_file(path, (".xlsx",), what="the template is an Excel workbook")
    write_atomic(path, partner_template_bytes(case, node_id, case_key, catalogue, prefill))
    return path
