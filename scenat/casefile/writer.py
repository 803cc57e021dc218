"""Write a :class:`~scenat.model.case.Case`, or plain sheet rows, as a workbook or CSV folder.

The inverse of :mod:`scenat.casefile.build`: what this module writes, :func:`scenat.read_case`
reads back to the same case (same nodes, same flows in the same units, same interventions
sheet). Two entry points:

* :func:`case_sheets` turns a case into sheets: ``{sheet name: [header, row, row, ...]}``;
* :func:`write_sheets` writes such sheets (from a case, or built by hand, e.g. by an example's
  generator script) to ``PATH.xlsx`` (one workbook) or to a folder (one ``<sheet>.csv`` each).

:func:`write_case` does both for a case. Writing is atomic per file: each file is written to
a temporary name in the same folder and renamed over the target, so a reader (or a crash)
never sees a half-written workbook or CSV file. A CSV folder is several files: they are
all written to temporary names first and then renamed one after the other, and a case sheet
(``case``, ``nodes``, ``flows``, ``interventions``) left over from an earlier write and
absent from the new sheets is removed, so the folder never mixes two cases' sheets for
longer than those renames take. Other files in the folder (a README, a script) are kept.

Workbooks are written for people: bold, shaded, frozen header rows with an autofilter,
column widths fitted to the content, optional notes on header cells (``notes={sheet:
{column: text}}``), and no text is ever stored as a formula (:mod:`.spreadsheet`).
Sheets other than the four case sheets (e.g. an ``about`` sheet) are allowed; the reader
ignores them.

>>> import pathlib, tempfile
>>> from scenat.paths import examples_dir
>>> from scenat.casefile.build import read_case
>>> case = read_case(examples_dir() / "bicycle")
>>> out = write_case(case, pathlib.Path(tempfile.mkdtemp()) / "bicycle.xlsx")
>>> again = read_case(out)
>>> [(f.input, f.amount, f.unit) for f in again.flows] == [
...     (f.input, f.amount, f.unit) for f in case.flows]
True
>>> sheets = {
...     "case": [["field", "value"], ["name", "Tiny"], ["reference_node", "plant"]],
...     "nodes": [["id", "name", "tier", "output_unit"], ["plant", "Plant", 0, "item"]],
...     "flows": [["node", "kind", "input", "amount", "unit", "source"],
...               ["plant", "process", "electricity_uk_grid_delivered", 12, "kWh", "meter"]],
... }
>>> folder = write_sheets(sheets, pathlib.Path(tempfile.mkdtemp()) / "tiny")
>>> sorted(p.name for p in folder.iterdir())
['case.csv', 'flows.csv', 'nodes.csv']
>>> read_case(folder).flows[0].amount_in_reference
12.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from scenat.atomic import write_atomic, write_many_atomic
from scenat.casefile.spreadsheet import Rows, cell_value, csv_bytes, xlsx_bytes
from scenat.errors import InputError, Problem
from scenat.model.case import Case
from scenat.model.schema import CASE_FIELDS, FLOW_COLUMNS, NODE_COLUMNS, SHEETS, UNSPECIFIED_STAGE

__all__ = ["case_sheets", "sheet_records", "write_case", "write_sheets"]

#: The sheets that make a case; a CSV folder's stale copies of these are removed on write.
CASE_SHEETS = SHEETS
# Case metadata the reader adds itself; writing it back would only be noise.
_DERIVED_CASE_KEYS = {"warnings", "inventory_version"}
_DERIVED_FLOW_KEYS = {"currency_conversion"}


def _extra_columns(records: Iterable[Mapping[str, Any]], known: Iterable[str]) -> list[str]:
    known = set(known)
    seen: dict[str, None] = {}
    for record in records:
        for key in record:
            if key not in known and not key.startswith("_"):
                seen.setdefault(key, None)
    return list(seen)


def case_sheets(case: Case) -> dict[str, list[list[Any]]]:
    """The sheets of ``case`` as rows (header first), in the layout the reader expects.

    Unknown columns the case was read with (node, flow and case-sheet metadata) are written
    back as extra columns; flows an intervention created carry an ``interventions`` column
    naming it. The ``interventions`` sheet is written only when the case has one.
    """
    fields: list[list[Any]] = [["field", "value"]]
    values = {
        "name": case.name,
        "reference_node": case.reference_node,
        "reference_amount": case.reference_amount,
        "functional_unit": case.functional_unit,
        "annual_volume": case.annual_volume,
        "currency": case.currency,
        "year": case.year,
        "region": case.region,
        "description": case.description,
    }
    for key in CASE_FIELDS:
        if values[key] is not None:
            fields.append([key, cell_value(values[key])])
    for key, value in case.metadata.items():
        if key not in _DERIVED_CASE_KEYS and key not in values and cell_value(value) is not None:
            fields.append([key, cell_value(value)])

    node_extra = _extra_columns((n.metadata for n in case.nodes.values()), NODE_COLUMNS)
    nodes: list[list[Any]] = [[*NODE_COLUMNS, *node_extra]]
    for node in case.nodes.values():
        stage = None if node.stage == UNSPECIFIED_STAGE else node.stage
        nodes.append(
            [
                node.id,
                node.name,
                node.tier,
                stage,
                node.location,
                node.output_amount,
                node.output_unit,
                *(cell_value(node.metadata.get(k)) for k in node_extra),
            ]
        )

    flow_extra = _extra_columns(
        (f.metadata for f in case.flows), (*FLOW_COLUMNS, *_DERIVED_FLOW_KEYS)
    )
    flows: list[list[Any]] = [[*FLOW_COLUMNS, *flow_extra]]
    for flow in case.flows:
        unc = flow.uncertainty
        flows.append(
            [
                flow.node,
                flow.kind,
                flow.input,
                flow.amount,
                flow.unit,
                unc.distribution if unc else None,
                unc.sd if unc else None,
                unc.gsd if unc else None,
                unc.minimum if unc else None,
                unc.maximum if unc else None,
                flow.source,
                flow.comment,
                *(cell_value(flow.metadata.get(k)) for k in flow_extra),
            ]
        )
    sheets = {"case": fields, "nodes": nodes, "flows": flows}
    if case.interventions:
        from scenat.model.schema import INTERVENTION_COLUMNS as COLUMNS

        present = {k for record in case.interventions for k in record}
        columns = [c for c in COLUMNS if c in present]
        columns += _extra_columns(case.interventions, columns)
        rows: list[list[Any]] = [columns]
        for record in case.interventions:
            rows.append([cell_value(record.get(c)) for c in columns])
        sheets["interventions"] = rows
    return sheets


def sheet_records(rows: Rows) -> list[dict[str, Any]]:
    """Sheet rows (header first) as one dict per row."""
    header = rows[0] if rows else []
    return [dict(zip(header, row)) for row in rows[1:]]


def write_case(case: Case | Mapping[str, Rows], path: str | Path, **options: Any) -> Path:
    """Write a case (or sheets) to ``path``: ``.xlsx`` -> one workbook, else a CSV folder.

    ``options`` go to :func:`write_sheets` (``notes``, ``fmt``). Returns the path written.
    """
    sheets = case_sheets(case) if isinstance(case, Case) else case
    return write_sheets(sheets, path, **options)


def write_sheets(
    sheets: Mapping[str, Rows],
    path: str | Path,
    *,
    fmt: str | None = None,
    notes: Mapping[str, Mapping[str, str]] | None = None,
) -> Path:
    """Write ``{sheet: [header, row, ...]}`` to ``path`` atomically; returns ``path``.

    ``fmt`` is ``"xlsx"`` or ``"csv"``; by default ``.xlsx``/``.xlsm`` paths get a workbook
    and anything else a folder of CSV files. ``notes`` (xlsx only) puts a comment on header
    cells: ``{"flows": {"amount": "per the node's output_amount"}}``.
    """
    path = Path(path)
    if fmt is None:
        fmt = "xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "csv"
    if fmt not in ("xlsx", "csv"):
        raise InputError(
            Problem(message=f"unknown format {fmt!r}", value=fmt, hint="use 'xlsx' or 'csv'")
        )
    for name, rows in sheets.items():
        if not rows:
            raise InputError(
                Problem(message="a sheet needs a header row", sheet=name, hint="give the columns")
            )
    if fmt == "xlsx":
        write_atomic(path, xlsx_bytes(sheets, notes or {}))
    else:
        _write_csv_folder(path, sheets)
    return path


# --------------------------------------------------------------------------- files


def _write_csv_folder(folder: Path, sheets: Mapping[str, Rows]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    # scenat reads these files again: no spreadsheet escaping, so they round-trip exactly
    files = {folder / f"{name}.csv": csv_bytes(rows, escape=False) for name, rows in sheets.items()}
    write_many_atomic(files)
    written = {name.lower() for name in sheets}
    for name in CASE_SHEETS:
        stale = folder / f"{name}.csv"
        if name not in written and stale.exists():
            stale.unlink()
