"""A validated :class:`~scenat.model.case.Case` from a case file's sheets, every problem located.

Every problem is collected, located (file, sheet, spreadsheet row, column, value) and
given a hint; :func:`read_case` raises one :class:`~scenat.errors.InputError` carrying
all of them, :func:`validate` returns them, :func:`check_case` gives both (and the sheets as
read) from one reading.

>>> from scenat.paths import examples_dir
>>> case = read_case(examples_dir() / "bicycle")
>>> case.reference_node
'bike_assembly'
>>> validate(examples_dir() / "bicycle")
[]
"""

from __future__ import annotations

import difflib
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scenat.brightway.project import project_catalogue
from scenat.calc.foreground import loop_blocks, reachable_nodes
from scenat.casefile.screening import AUXILIARY_SHEETS
from scenat.casefile.sheets import RawSheet, read_sheets, read_upload_sheets
from scenat.errors import InputError, Problem
from scenat.model.case import Case, Flow, Node, Uncertainty
from scenat.model.catalogue import LOCAL_GRID, Catalogue
from scenat.model.cells import Cells, is_blank, normalise_header, to_number
from scenat.model.currency import conversion
from scenat.model.schema import (
    BACKGROUND_KINDS,
    CASE_FIELDS,
    CIRCULARITY_COLUMNS,
    DISTRIBUTIONS,
    ELEMENTARY_KINDS,
    FLOW_COLUMNS,
    FLOW_KINDS,
    ID_PATTERN,
    NODE_COLUMNS,
    RECYCLING_PROCESS_COLUMN,
    REQUIRED_SHEETS,
    SHEETS,
    STAGES,
    UNSPECIFIED_STAGE,
)
from scenat.model.units import (
    CURRENCIES,
    UnitLabels,
    UnitMismatch,
    conversion_factor,
    is_currency,
    parse_unit,
    split_labels,
)

#: the largest amount (in its input's reference unit) and output a case may give: far above
#: any real supply chain (a year of the world's CO2 is 4e13 kg) and far below an overflow
LARGEST_AMOUNT = 1e18
#: the smallest output_amount: every flow of a node is divided by it
SMALLEST_OUTPUT = 1e-12
#: the columns read as fields (the rest is metadata), as sets: tested for every cell
_NODE_COLUMNS = frozenset(NODE_COLUMNS)
_FLOW_COLUMNS = frozenset(FLOW_COLUMNS)


def _missing_sheets(sheets: dict[str, RawSheet], check: Cells) -> None:
    for name in REQUIRED_SHEETS:
        # A sheet that could not be read is reported as such, not as missing too.
        unreadable = any(p.sheet == name and p.severity == "error" for p in check.problems)
        if name not in sheets and not unreadable:
            present = ", ".join(sorted(sheets)) or "none"
            check.on(name).add(
                None,
                None,
                None,
                f"the sheet {name!r} is missing (sheets found: {present})",
                "use `scenat template PATH` for a workbook with the right sheets",
            )


def _require_columns(sheet: RawSheet, required: tuple[str, ...], check: Cells) -> bool:
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
            check.on(sheet.name).add(
                sheet.header_row,
                column,
                None,
                f"the column {column!r} is missing from the header row",
                hint,
            )
            ok = False
    if ok:
        check.problems.extend(sheet.header_issues)
    return ok


def _header_further_down(sheet: RawSheet, required: tuple[str, ...]) -> int | None:
    """The row number of a later row holding every required header (a title row above it)."""
    for number, cells in sheet.leading_cells:
        names = {normalise_header(v) for v in cells if not is_blank(v)}
        if set(required) <= names:
            return number
    return None


def _read_case_sheet(sheet: RawSheet, check: Cells) -> tuple[dict[str, Any], dict[str, int]]:
    """The case sheet's fields as {field: value} and {field: row number}."""
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    if not _require_columns(sheet, ("field", "value"), check):
        return values, rows
    for number, record in sheet.rows:
        key = record.get("field")
        if is_blank(key):
            check.on(sheet.name).add(
                number,
                "field",
                key,
                "field name is empty",
                "write the field name (e.g. name, reference_node) in the field column",
            )
            continue
        key = normalise_header(key)
        if key in rows:
            check.on(sheet.name).add(
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
    sheet: RawSheet, check: Cells
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
        if is_blank(raw.get(key)):
            check.on(name).add(
                row_of(key),
                "value",
                raw.get(key),
                f"the case field {key!r} is required",
                f"add a row with field {key!r} and its value",
            )
        else:
            fields[key] = str(raw[key]).strip()
    for key, default in (("reference_amount", 1.0), ("annual_volume", 1.0)):
        value = check.on(name, subject=f"case field {key!r}").number(
            row_of(key),
            {"value": raw.get(key)},
            "value",
            False,  # type: ignore[arg-type]
            default,
            strictly_positive=True,
        )
        fields[key] = default if value is None else value
    if not is_blank(raw.get("discount_rate")):
        # Read by the interventions; checked here so that validate finds it at its row.
        rate = to_number(raw["discount_rate"])
        if rate is None or not 0.0 <= rate < 1.0:  # NaN fails this too
            check.on(name).add(
                row_of("discount_rate"),
                "value",
                raw["discount_rate"],
                "discount_rate must be a number >= 0 and < 1",
                "e.g. 0.035, the HM Treasury Green Book rate",
            )
    currency = raw.get("currency")
    if is_blank(currency):
        fields["currency"] = "GBP"
    elif str(currency).strip().upper() not in CURRENCIES:
        check.on(name).add(
            row_of("currency"),
            "value",
            currency,
            f"unknown currency {currency!r}",
            "use one of " + ", ".join(CURRENCIES),
        )
    else:
        fields["currency"] = str(currency).strip().upper()
    year = raw.get("year")
    if not is_blank(year):
        number = to_number(year)
        if number is None or not float(number).is_integer() or not 1900 <= number <= 2100:
            check.on(name).add(
                row_of("year"),
                "value",
                year,
                "year must be a calendar year (a whole number from 1900 to 2100)",
                "write the year as e.g. 2025",
            )
        else:
            fields["year"] = int(number)
    for key in ("functional_unit", "region", "description"):
        if not is_blank(raw.get(key)):
            fields[key] = str(raw[key]).strip()
    return fields, rows, extra


def _build_nodes(sheet: RawSheet, check: Cells) -> tuple[dict[str, Node], dict[str, int]]:
    nodes: dict[str, Node] = {}
    first_row: dict[str, int] = {}
    if not _require_columns(sheet, ("id", "name", "tier", "output_unit"), check):
        # Keep the ids so that flows naming these nodes are not reported as unknown too.
        if "id" in sheet.headers:
            for number, record in sheet.rows:
                if not is_blank(record.get("id")):
                    first_row.setdefault(str(record["id"]).strip(), number)
        return nodes, first_row
    name = sheet.name
    for number, record in sheet.rows:
        node_id = check.on(name).text(number, record, "id", True)
        if node_id is not None and not ID_PATTERN.match(node_id):
            check.on(name).add(
                number,
                "id",
                node_id,
                "node id has characters that are not allowed",
                "use only letters, digits, '-', '_' and '.' (no spaces)",
            )
            node_id = None
        if node_id is not None and node_id in first_row:
            check.on(name).add(
                number,
                "id",
                node_id,
                f"duplicate node id (first defined on row {first_row[node_id]})",
                "give every node a unique id",
            )
            continue
        label = check.on(name).text(number, record, "name", True)
        tier_value = record.get("tier")
        tier: int | None = None
        if is_blank(tier_value):
            check.on(name).add(
                number,
                "tier",
                tier_value,
                "tier is required",
                "enter a whole number: 0 for the focal organisation, 1 for its direct "
                "suppliers, and so on",
            )
        else:
            t = to_number(tier_value)
            if t is None or not float(t).is_integer() or t < 0:
                check.on(name).add(
                    number,
                    "tier",
                    tier_value,
                    "tier must be a whole number >= 0",
                    "0 is the focal organisation, 1 its direct suppliers, ...",
                )
            else:
                tier = int(t)
        stage_value = check.on(name).text(number, record, "stage", False)
        stage = UNSPECIFIED_STAGE
        if stage_value is not None:
            lowered = stage_value.lower().replace(" ", "_").replace("-", "_")
            if lowered not in STAGES:
                close = _closest(lowered, list(STAGES))
                check.on(name).add(
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
        output_amount = check.on(name).number(
            number, record, "output_amount", False, 1.0, strictly_positive=True
        )
        if output_amount is not None and not (SMALLEST_OUTPUT <= output_amount <= LARGEST_AMOUNT):
            check.on(name).add(
                number,
                "output_amount",
                record.get("output_amount"),
                f"output_amount {output_amount:.3g} is outside what scenat computes with "
                f"({SMALLEST_OUTPUT:.0e} to {LARGEST_AMOUNT:.0e}): every flow of the node is "
                "divided by it",
                "give the output in a unit that makes it an ordinary number (g rather than t, "
                "or per 1000 items)",
            )
            output_amount = None
        output_unit = check.on(name).text(number, record, "output_unit", True)
        if output_unit is not None:
            try:
                parse_unit(output_unit)
            except UnitMismatch as exc:
                check.on(name).add(number, "output_unit", output_unit, str(exc), exc.hint)
                output_unit = None
        if node_id is None:
            continue
        first_row[node_id] = number
        if None in (label, tier, output_amount, output_unit):
            continue
        metadata = {k: v for k, v in record.items() if k not in _NODE_COLUMNS and not is_blank(v)}
        nodes[node_id] = Node(
            id=node_id,
            name=label,  # type: ignore[arg-type]
            tier=tier,  # type: ignore[arg-type]
            stage=stage,
            location=check.on(name).text(number, record, "location", False),
            output_amount=output_amount,  # type: ignore[arg-type]
            output_unit=output_unit,  # type: ignore[arg-type]
            row=number,
            metadata=metadata,
        )
    return nodes, first_row


def _closest(value: str, choices: list[str]) -> str | None:
    matches = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _local_grid(node: Node, catalogue: Catalogue, check: Cells, number: int) -> str | None:
    """The grid process of the node's location, or None with the problem at the input cell."""
    found = catalogue.grid_for(node.location)
    if found is not None:
        return found.id
    check.add(
        number,
        "input",
        LOCAL_GRID,
        f"node {node.id!r} has "
        + (
            f"the location {node.location!r}, which has"
            if node.location
            else "no location, so it has"
        )
        + " no grid electricity in the inventory",
        "give the node an ISO 3166 location (GB, CN, CN-BJ for Beijing, DE, ...) or name the "
        "grid process (`scenat inventory search electricity`)",
    )
    return None


def _reference_unit(
    kind: str,
    input_id: str,
    nodes: dict[str, Node],
    node_rows: dict[str, int],
    catalogue: Catalogue,
    check: Cells,
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
        check.on(sheet).add(
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
            check.on(sheet).add(
                number, "input", input_id, f"unknown background process {input_id!r}", hint
            )
            return None
        if kind == "spend" and not is_currency(process.unit):
            check.on(sheet).add(
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
            check.on(sheet).add(
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
            check.on(sheet).add(
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
    record: dict, amount: float | None, cells: Cells, number: int
) -> Uncertainty | None:
    """The flow's distribution (None when blank or unusable), problems located by ``cells``."""
    dist = cells.text(number, record, "distribution", False)
    if dist is None:
        return None
    dist = dist.lower()
    if dist in ("none", "undefined", "no"):
        return None
    if dist not in DISTRIBUTIONS:
        cells.add(
            number,
            "distribution",
            dist,
            "unknown distribution",
            "use one of " + ", ".join(DISTRIBUTIONS) + ", or leave it empty",
        )
        return None
    values = {
        key: cells.number(
            number,
            record,
            key,
            False,
            None,
            negative_hint="an amount is never negative, nor is its spread or either bound",
        )
        for key in ("sd", "gsd", "min", "max")
    }
    if any(values[key] is None and not is_blank(record.get(key)) for key in values):
        return None  # reported at its cell
    unc = Uncertainty(dist, values["sd"], values["gsd"], values["min"], values["max"])
    missing = None
    if dist == "lognormal" and not ((unc.gsd and unc.gsd > 1) or (unc.sd and unc.sd > 0)):
        missing = ("gsd", "give gsd > 1 (geometric standard deviation) or sd > 0 of ln(amount)")
    elif dist == "normal" and not (unc.sd and unc.sd > 0):
        missing = ("sd", "give sd > 0")
    elif dist in ("triangular", "uniform"):
        if unc.minimum is not None and unc.maximum is not None and unc.minimum > unc.maximum:
            # Both given but swapped: a typing mistake, not a missing spread.
            cells.add(
                number,
                "min",
                unc.minimum,
                f"min is above max ({unc.maximum})",
                "swap min and max: the distribution needs min <= amount <= max",
            )
            return None
        if unc.minimum is None or unc.maximum is None:
            missing = ("min", "give min <= amount <= max")
        elif amount is not None and not (unc.minimum <= amount <= unc.maximum):
            cells.add(
                number,
                "amount",
                amount,
                "amount lies outside min..max",
                "make min <= amount <= max",
            )
            return None
    if missing:
        # No usable spread means no uncertainty for this flow, which is allowed.
        cells.add(
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
    check: Cells,
    case_year: int | None = None,
) -> list[Flow]:
    flows: list[Flow] = []
    repeats: dict[tuple[str, str, str], int] = {}  # rows so far of each node, kind and input
    self_use: dict[str, tuple[float, list[int]]] = {}  # node -> own output used, on rows
    if not _require_columns(sheet, ("node", "kind", "input", "amount", "unit"), check):
        return flows
    name = sheet.name
    cells = check.on(name)  # one locator for the sheet's every cell
    remembered = _Remembered()
    # One object per distinct value: a case of 10^5 flows names a few thousand nodes and a
    # few dozen inputs, units and distributions; shared, they take a fraction of the memory
    # and a case pickles (to Dask workers) each once.
    shared: dict[Any, Any] = {}
    one = shared.setdefault
    for number, record in sheet.rows:
        node_id = cells.text(number, record, "node", True)
        if node_id is not None and node_id not in node_rows:
            close = catalogue.suggest(node_id, list(node_rows))
            cells.add(
                number,
                "node",
                node_id,
                f"unknown node {node_id!r}",
                (f"did you mean {close!r}? " if close else "")
                + "the node column takes an id from the nodes sheet",
            )
            node_id = None
        kind = cells.text(number, record, "kind", True)
        if kind is not None:
            kind = kind.lower()
            if kind not in FLOW_KINDS:
                close = _closest(kind, list(FLOW_KINDS))
                cells.add(
                    number,
                    "kind",
                    kind,
                    "unknown kind",
                    (f"did you mean {close!r}? " if close else "")
                    + "use one of "
                    + ", ".join(FLOW_KINDS),
                )
                kind = None
        input_id = cells.text(number, record, "input", True)
        amount = cells.number(
            number,
            record,
            "amount",
            True,
            negative_hint="enter the amount as a positive number; use kind 'credit' for an "
            "avoided burden",
        )
        unit = cells.text(number, record, "unit", True)
        uncertainty = _read_uncertainty(record, amount, cells, number)
        reference_unit = None
        if kind == "spend" and input_id is not None and input_id not in catalogue.processes:
            # A bare sector code (e.g. NAICS 331110) names the sector's default process.
            input_id = _spend_sector_id(input_id, catalogue) or input_id
        local_grid = None
        if input_id == LOCAL_GRID and kind in BACKGROUND_KINDS and node_id in nodes:
            # Location-based electricity: the grid of the node's place, said in metadata.
            local_grid = _local_grid(nodes[node_id], catalogue, cells, number)
            input_id = local_grid
        if kind is not None and input_id is not None:
            reference_unit = _reference_unit(
                kind, input_id, nodes, node_rows, catalogue, check, name, number
            )
        factor = None
        notes: dict[str, str] = {}
        if reference_unit is not None and unit is not None:
            factor, found = remembered(
                (kind, input_id, unit, reference_unit),
                cells,
                number,
                _flow_factor,
                (kind, input_id, unit, reference_unit, catalogue, case_year),
            )
            notes.update(found)
        if None in (node_id, kind, input_id, amount, unit, factor) or node_id not in nodes:
            continue
        in_reference = amount * factor  # type: ignore[operator]
        if not abs(in_reference) <= LARGEST_AMOUNT:
            cells.add(
                number,
                "amount",
                record.get("amount"),
                f"the amount is too large: {in_reference:.3g} {reference_unit}, more than any "
                f"supply chain handles (at most {LARGEST_AMOUNT:.0e}), and it overflows the "
                "results",
                "check the amount and its unit (t or kg, MWh or kWh)",
            )
            continue
        if kind == "node" and input_id == node_id:
            producing = nodes[node_id].output_amount
            used, rows = self_use.get(node_id, (0.0, []))
            used, rows = used + in_reference, [*rows, number]
            self_use[node_id] = (used, rows)
            if used >= producing:
                cells.add(
                    number,
                    "amount",
                    record.get("amount"),
                    "the node consumes at least as much of its own output as it makes"
                    if len(rows) == 1
                    else f"the node's use of its own output adds up to {used:g} "
                    f"{reference_unit} over rows {', '.join(map(str, rows))}: at least what "
                    f"it makes ({producing:g})",
                    "a node's use of its own output must be less than its output_amount",
                )
                continue
        metadata = {k: v for k, v in record.items() if k not in _FLOW_COLUMNS and not is_blank(v)}
        circular = _circularity(record, kind, reference_unit, catalogue, cells, number)
        if circular is None:
            continue
        for column in (*CIRCULARITY_COLUMNS, RECYCLING_PROCESS_COLUMN):
            metadata.pop(column, None)
        metadata.update(circular)
        if local_grid is not None:
            metadata["grid_for_location"] = f"{LOCAL_GRID} -> {local_grid}"
        metadata.update(notes)
        same = (node_id, kind, input_id)
        repeats[same] = repeats.get(same, -1) + 1
        source = cells.text(number, record, "source", False)
        flows.append(
            Flow(
                node=one(node_id, node_id),  # type: ignore[arg-type]
                kind=one(kind, kind),  # type: ignore[arg-type]
                input=one(input_id, input_id),  # type: ignore[arg-type]
                amount=amount,  # type: ignore[arg-type]
                unit=one(unit, unit),  # type: ignore[arg-type]
                amount_in_reference=in_reference,
                reference_unit=one(reference_unit, reference_unit),  # type: ignore[arg-type]
                uncertainty=one(uncertainty, uncertainty),
                source=one(source, source),
                comment=cells.text(number, record, "comment", False),
                row=number,
                metadata=metadata,
                repeat=repeats[same],
            )
        )
    return flows


class _Remembered:
    """The outcome of a check that depends only on a few cells' values (a unit conversion,
    a currency exchange), worked out once per distinct key and replayed at every row that
    asks: the same result and the same problems, located at that row.

    A case of 10^5 flows has a few dozen distinct (kind, input, unit) triples; converting
    each row afresh (pint, the currency tables) was a third of reading it.
    """

    def __init__(self) -> None:
        self._seen: dict[tuple, tuple[Any, list[Problem]]] = {}

    def __call__(
        self, key: tuple, cells: Cells, number: int, compute: Any, args: tuple[Any, ...]
    ) -> Any:
        """``compute(*args, probe)`` for ``key``, ``probe`` a :class:`Cells` recording its
        problems at row None; they are added to ``cells`` at row ``number``."""
        hit = self._seen.get(key)
        if hit is None:
            probe = Cells(cells.file, cells.sheet, cells.subject)
            hit = self._seen[key] = (compute(*args, probe), probe.problems)
        result, found = hit
        if found:
            cells.problems.extend(replace(p, row=number) for p in found)
        return result


def _flow_factor(
    kind: str,
    input_id: str,
    unit: str,
    reference_unit: str,
    catalogue: Catalogue,
    case_year: int | None,
    cells: Cells,
) -> tuple[float | None, dict[str, str]]:
    """Factor from a flow's unit to its input's reference unit and the notes saying how
    (currency, calorific basis); problems at row None of ``cells`` (see :class:`_Remembered`)."""
    notes: dict[str, str] = {}
    if kind in BACKGROUND_KINDS and is_currency(reference_unit):
        # Money converts the same way whatever the kind: currency and price year.
        factor, money = _money_factor(
            unit, input_id, catalogue, case_year, cells, cells.sheet, None
        )
        if money:
            notes["currency_conversion"] = money
        return factor, notes
    factor = _unit_factor(kind, input_id, unit, reference_unit, catalogue, cells, None, notes)
    return factor, notes


_CIRCULARITY_CELLS = (*CIRCULARITY_COLUMNS, RECYCLING_PROCESS_COLUMN)


def _circularity(
    record: dict,
    kind: str,
    reference_unit: str | None,
    catalogue: Catalogue,
    cells: Cells,
    number: int,
) -> dict[str, Any] | None:
    """The circularity columns of a flow ({} when blank); None after a problem.

    Both shares go together (the Material Circularity Indicator needs both), lie in [0, 1]
    and belong to a material bought by mass (``process`` or ``node`` kind, a unit that
    converts to kg), since the indicators weigh flows by mass. ``recycling_process``, when
    given, is a shipped process measured by mass: the recycling route of module D.
    """
    recycled, rate, recycling = _CIRCULARITY_CELLS
    if record.get(recycled) is None and record.get(rate) is None and record.get(recycling) is None:
        return {}  # the usual flow: none of them given (what the general path finds too)
    given = [c for c in CIRCULARITY_COLUMNS if not is_blank(record.get(c))]
    route = cells.text(number, record, RECYCLING_PROCESS_COLUMN, False)
    if not given:
        if route is not None:
            cells.add(
                number,
                RECYCLING_PROCESS_COLUMN,
                route,
                "recycling_process is given without recycled_content and eol_recycling_rate",
                "fill in both shares, or clear recycling_process",
            )
            return None
        return {}
    values: dict[str, Any] = {}
    bad = False
    for column in given:
        value = cells.number(number, record, column, False, minimum=None)
        if value is None:
            bad = True
        elif not 0.0 <= value <= 1.0:
            cells.add(
                number,
                column,
                record.get(column),
                f"{column} is a share of the material's mass: between 0 and 1",
                "e.g. 0.3 for 30 %",
            )
            bad = True
        else:
            values[column] = value
    if len(given) == 1:
        missing = next(c for c in CIRCULARITY_COLUMNS if c not in given)
        cells.add(
            number,
            missing,
            None,
            f"{given[0]} is given without {missing}: the circularity indicators need both",
            f"fill in {missing} (0 when none), or clear {given[0]}",
        )
        bad = True
    if kind not in ("process", "node") or reference_unit is None or not _is_mass(reference_unit):
        cells.add(
            number,
            given[0],
            record.get(given[0]),
            "circularity shares belong to a material flow measured by mass "
            f"(this one is a {kind} flow in {reference_unit})",
            "give them on a process or node flow of a material in kg or t",
        )
        bad = True
    if route is not None:
        info = catalogue.processes.get(route)
        if info is None or not _is_mass(info.unit):
            close = catalogue.suggest(route, list(catalogue.processes))
            cells.add(
                number,
                RECYCLING_PROCESS_COLUMN,
                route,
                f"unknown recycling process {route!r}"
                if info is None
                else f"{route!r} is measured in {info.unit}, not by mass",
                (f"did you mean {close!r}? " if close and info is None else "")
                + "name a shipped process of secondary material in kg or t, e.g. "
                "uslci_aluminium_secondary",
            )
            bad = True
        elif kind != "process":
            cells.add(
                number,
                RECYCLING_PROCESS_COLUMN,
                route,
                "a recycling credit needs the primary material as a background process",
                "give recycling_process on the process flow that buys the primary material",
            )
            bad = True
        else:
            values[RECYCLING_PROCESS_COLUMN] = route
    return None if bad else values


def _is_mass(unit: str) -> bool:
    try:
        conversion_factor(unit, "kg")
    except UnitMismatch:
        return False
    return True


#: the substance a unit may name -> how the elementary flows of that gas are named (biosphere3)
_GASES = {
    "CO2": "Carbon dioxide",
    "CH4": "Methane",
    "N2O": "Dinitrogen monoxide",
    "SF6": "Sulfur hexafluoride",
}


def _unit_factor(
    kind: str,
    input_id: str,
    unit: str,
    reference_unit: str,
    catalogue: Catalogue,
    check: Cells,
    number: int | None,
    notes: dict[str, str],
) -> float | None:
    """Factor from the flow's unit to its input's, labels included (None and a problem when
    they do not fit the input); a calorific conversion is noted in ``notes``."""
    labels = split_labels(unit)
    extra = 1.0
    if labels.substance and not _substance_fits(kind, input_id, unit, labels, catalogue, check,
                                                number):  # fmt: skip
        return None
    if labels.calorific:
        found = _calorific_factor(kind, input_id, unit, labels, catalogue, check, number)
        if found is None:
            return None
        extra, note = found
        if note:
            notes["calorific_conversion"] = note
    measure = labels.unit if labels.substance or labels.calorific else unit
    try:
        return conversion_factor(measure, reference_unit) * extra
    except UnitMismatch as exc:
        check.add(number, "unit", unit, str(exc), exc.hint)
        return None


def _substance_fits(
    kind: str,
    input_id: str,
    unit: str,
    labels: UnitLabels,
    catalogue: Catalogue,
    check: Cells,
    number: int | None,
) -> bool:
    """A substance in the unit must be the input's own: ``kg CO2e`` of methane is not kg of it."""
    flow = catalogue.elementary.get(input_id) or catalogue.elementary_by_code().get(input_id)
    if kind not in ELEMENTARY_KINDS or flow is None:
        check.add(
            number,
            "unit",
            unit,
            f"the unit names a substance ({labels.substance}), which only an emission or "
            "resource flow may do",
            f"write {labels.unit} alone: the input {input_id!r} says what is measured",
        )
        return False
    if labels.substance == "CO2e":
        if flow.name.startswith(_GASES["CO2"]):
            return True  # 1 kg of CO2 is 1 kg CO2e by definition
        check.add(
            number,
            "unit",
            unit,
            f"{input_id!r} is {flow.name}: an amount in CO2e is weighted by its global warming "
            "potential, not its mass, and the indicators apply their own factors",
            f"give the mass of the gas in {labels.unit}: divide the CO2e figure by the GWP100 "
            "it was worked out with (for fossil methane 28 in IPCC AR5, which DESNZ uses, or "
            "29.8 in AR6; for N2O 265 or 273)",
        )
        return False
    if flow.name.startswith(_GASES[labels.substance]):
        return True
    check.add(
        number,
        "unit",
        unit,
        f"the unit names {labels.substance} but the input {input_id!r} is {flow.name}",
        f"write {labels.unit} alone, or name the {labels.substance} flow as the input",
    )
    return False


def _calorific_factor(
    kind: str,
    input_id: str,
    unit: str,
    labels: UnitLabels,
    catalogue: Catalogue,
    check: Cells,
    number: int | None,
) -> tuple[float, str | None] | None:
    """Factor between the unit's calorific basis and the input's, from the fuel's published
    net/gross ratio; None (and a problem) where the input has no basis or no ratio."""
    process = catalogue.processes.get(input_id) if kind in BACKGROUND_KINDS else None
    basis = process.calorific_basis if process is not None else None
    if basis is None:
        check.add(
            number,
            "unit",
            unit,
            f"the unit names a calorific basis ({labels.calorific} CV), but {input_id!r} is "
            "not a fuel measured on one",
            f"write {labels.unit} alone",
        )
        return None
    if labels.calorific == basis:
        return 1.0, None
    ratio = process.net_per_gross  # type: ignore[union-attr]
    if ratio is None:
        check.add(
            number,
            "unit",
            unit,
            f"{input_id!r} is per unit of {basis} CV, this amount is on a {labels.calorific} "
            f"CV basis, and scenat has no published net/gross ratio for this fuel",
            f"give the amount on a {basis} CV basis (kWh {basis} CV): fuel suppliers and "
            "DESNZ publish both; for natural gas, net CV is about 0.90 of gross CV",
        )
        return None
    factor = ratio if labels.calorific == "gross" else 1.0 / ratio
    return factor, (
        f"{labels.calorific} CV -> {basis} CV x {factor:.6g} "
        f"(the fuel's net/gross ratio {ratio:.6g}, {process.source or process.database})"  # type: ignore[union-attr]
    )


def _spend_sector_id(code: str, catalogue: Catalogue) -> str | None:
    candidate = f"epa_naics_{code}"
    return candidate if candidate in catalogue.processes else None


def _money_factor(
    unit: str,
    process_id: str,
    catalogue: Catalogue,
    case_year: int | None,
    check: Cells,
    sheet: str | None,
    number: int | None,
) -> tuple[float | None, str | None]:
    """Factor from the flow's money (currency, case year) to the sector's (currency, year).

    Every flow on a priced input (spend, process or credit) comes through here. A sector
    without a price year is converted at the case's year (exchange only, no deflation).
    """
    process = catalogue.processes[process_id]
    if not is_currency(unit):
        check.on(sheet).add(
            number,
            "unit",
            unit,
            f"{process_id!r} is priced per {process.unit}: its amount is money",
            f"give the amount in a currency such as GBP or USD (the input is in "
            f"{process.unit} of {process.price_year or 'its data year'})",
        )
        return None, None
    currency = next(iter(parse_unit(unit).dimensionality))[len("[currency_") : -1]
    multiple = conversion_factor(unit, currency)  # e.g. kGBP -> 1000 GBP
    target_year = process.price_year
    if target_year is None:
        if currency == process.unit:
            return multiple, None
        if case_year is None:
            check.on(sheet).add(
                number,
                "unit",
                unit,
                f"{process_id!r} is in {process.unit} of no stated year and the case has no "
                f"year, so {currency} cannot be exchanged",
                "add a 'year' row to the case sheet (the year the money was spent), or give "
                f"the amount in {process.unit}",
            )
            return None, None
        target_year = case_year
    year = case_year
    if year is None:
        year = target_year
        check.on(sheet).add(
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
        check.on(sheet).add(number, "unit", unit, problem.message, problem.hint)
        return None, None
    return multiple * step.factor, step.describe()


def _check_structure(
    fields: dict[str, Any],
    case_rows: dict[str, int],
    nodes: dict[str, Node],
    node_rows: dict[str, int],
    flows: list[Flow],
    check: Cells,
    sheet_names: dict[str, str],
) -> None:
    reference = fields.get("reference_node")
    if reference is None:
        return
    if reference not in node_rows:
        close = _closest(reference, list(node_rows))
        check.on(sheet_names["case"]).add(
            case_rows.get("reference_node"),
            "value",
            reference,
            f"the reference node {reference!r} is not in the nodes sheet",
            (f"did you mean {close!r}? " if close else "")
            + "reference_node must be the id of the node whose output is the functional unit",
        )
        return
    reached = reachable_nodes(reference, flows)
    for node_id, row in node_rows.items():
        if node_id not in reached:
            check.on(sheet_names["nodes"]).add(
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
    nodes: dict[str, Node], flows: list[Flow], reached: set[str], check: Cells, sheet: str
) -> None:
    """Loops must not consume as much as they make: the foreground matrix must be productive.

    Each loop (strongly connected set of nodes) is checked on its own block: one problem per
    loop that is not productive, on its first node-to-node row, naming its rows."""
    ids = [n for n in nodes if n in reached]
    for block in loop_blocks(nodes, flows, ids):
        if block.radius < 1.0 - 1e-12:
            break  # largest radius first: the rest are productive
        members = set(block.nodes)
        loop_rows = sorted(
            f.row
            for f in flows
            if f.kind == "node" and f.node in members and f.input in members and f.row is not None
        )
        listed = ", ".join(map(str, loop_rows[:MAX_ROWS_NAMED]))
        if len(loop_rows) > MAX_ROWS_NAMED:
            listed += f" and {len(loop_rows) - MAX_ROWS_NAMED} more"
        check.on(sheet).add(
            loop_rows[0] if loop_rows else None,
            "amount",
            None,
            "the loops between nodes consume at least as much as they produce, so the "
            f"supply chain has no solution (spectral radius {block.radius:.4g}, in the loop "
            f"of {len(block.nodes)} nodes {_named(block.nodes)})",
            "check the amounts of node-to-node flows on rows " + listed,
        )


#: rows and nodes a problem names one by one before it says "and N more"
MAX_ROWS_NAMED = 30


def _named(ids: tuple[str, ...]) -> str:
    shown = ", ".join(ids[:MAX_ROWS_NAMED])
    return shown + (f" and {len(ids) - MAX_ROWS_NAMED} more" if len(ids) > MAX_ROWS_NAMED else "")


def _interventions(sheet: RawSheet | None) -> list[dict[str, Any]]:
    if sheet is None:
        return []
    return [{"_row": number, **record} for number, record in sheet.rows]


def _extra_sheets(sheets: dict[str, RawSheet], check: Cells, strict: bool) -> None:
    """Sheets scenat does not read are named, never ignored silently."""
    for key, sheet in sheets.items():
        if key in SHEETS or key in AUXILIARY_SHEETS or not sheet.rows and not sheet.headers:
            continue
        check.on(sheet.name).add(
            None,
            None,
            None,
            f"the sheet {sheet.name!r} is not read (scenat reads " + ", ".join(SHEETS) + ")",
            "move its data to the case sheets, or delete the sheet",
            severity="error" if strict else "warning",
        )


def _duplicate_rows(sheet: RawSheet, check: Cells, strict: bool) -> None:
    """A flow row repeated exactly is counted twice: usually a copy-and-paste slip."""
    seen: dict[tuple, int] = {}
    if not {"node", "kind", "input", "amount"} <= set(sheet.headers):
        return  # the header is wrong; that is reported, and rows cannot be compared
    for number, record in sheet.rows:
        # Records of one sheet list their keys in the header's order: no sort needed. A cell
        # whose trimmed text is empty is blank (is_blank), so one str() serves both tests.
        key = tuple(
            [
                (k, text.lower())
                for k, v in record.items()
                if v is not None and ((text := str(v).strip()) or not isinstance(v, str))
            ]
        )
        if not key:
            continue
        if key in seen:
            check.on(sheet.name).add(
                number,
                "input",
                record.get("input"),
                f"this row repeats row {seen[key]} exactly; both are counted",
                "delete the copy, or add the amounts into one row (or give each its source)",
                severity="error" if strict else "warning",
            )
        else:
            seen[key] = number


def build_case(
    sheets: dict[str, RawSheet],
    file: str | Path | None,
    catalogue: Catalogue | None = None,
    strict: bool = False,
    read_problems: list[Problem] | None = None,
) -> tuple[Case | None, list[Problem]]:
    """A validated :class:`Case` from sheets as read, or None; and every problem found.

    ``read_problems`` are what reading the sheets found (they come first); ``file`` names
    the case in problems and becomes ``Case.path``.
    """
    catalogue = catalogue or project_catalogue()
    path = Path(file) if file is not None else None
    check = Cells(str(file) if file is not None else None)
    check.problems.extend(read_problems or [])
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
            **{k: v for k, v in extra.items() if not is_blank(v)},
            "warnings": [p for p in check.problems if p.severity == "warning"],
            "inventory_version": catalogue.version,
        },
    )
    return case, check.problems


def _check_structure_reference_only(
    fields: dict[str, Any],
    case_rows: dict[str, int],
    node_rows: dict[str, int],
    check: Cells,
    sheet_names: dict[str, str],
) -> None:
    reference = fields.get("reference_node")
    if reference is not None and reference not in node_rows:
        close = _closest(reference, list(node_rows))
        check.on(sheet_names["case"]).add(
            case_rows.get("reference_node"),
            "value",
            reference,
            f"the reference node {reference!r} is not in the nodes sheet",
            (f"did you mean {close!r}? " if close else "")
            + "reference_node must be the id of the node whose output is the functional unit",
        )


@dataclass
class CheckedCase:
    """A case file read once: the case (None when it has errors), every problem, the sheets."""

    case: Case | None
    problems: list[Problem]
    sheets: dict[str, RawSheet] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def check_case(
    source: str | Path | bytes,
    catalogue: Catalogue | None = None,
    strict: bool = False,
    filename: str | None = None,
) -> CheckedCase:
    """Read and validate a case file (a path, or an upload's bytes named ``filename``) once."""
    with _without_cyclic_gc():
        return _check_case(source, catalogue, strict, filename)


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Reading a case makes a few objects per cell and frees none until the end: the cyclic
    collector's passes over them cost a fifth of a 50,000-node read, and find nothing (what
    the read leaves behind is collected after it, as usual)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_case(
    source: str | Path | bytes,
    catalogue: Catalogue | None,
    strict: bool,
    filename: str | None,
) -> CheckedCase:
    problems: list[Problem] = []
    if isinstance(source, (bytes, bytearray, memoryview)):
        name = filename or "upload.xlsx"
        sheets = read_upload_sheets(bytes(source), name, problems, strict)
        file: str | Path = name
    else:
        file = Path(source)
        sheets = read_sheets(file, problems, strict)
    case, problems = build_case(sheets, file, catalogue, strict, problems)
    return CheckedCase(case, problems, sheets)


def validate(
    path: str | Path, catalogue: Catalogue | None = None, strict: bool = False
) -> list[Problem]:
    """Every problem in a case (errors and warnings, each with its ``severity``).

    An empty list means the case is valid and has nothing to warn about. ``strict`` (used
    for partner submissions) makes doubtful input an error: extra or hidden sheets, hidden
    rows, repeated flow rows, macros.
    """
    return check_case(path, catalogue, strict).problems


def read_case(path: str | Path, catalogue: Catalogue | None = None, strict: bool = False) -> Case:
    """Read and validate a case; raises :class:`InputError` listing every error found."""
    checked = check_case(path, catalogue, strict)
    if checked.case is None:
        raise InputError(checked.problems, f"{len(checked.errors)} problem(s) in {path}")
    return checked.case
