"""Low-carbon interventions: the priced library, matching, what-if application, KPIs.

An intervention is data, not code. scenat ships a library
(``inventories/interventions/library.csv``); a case adds or overrides entries in its
``interventions`` sheet (same columns, a case row replaces the library entry with the same
``id``), and a user can point scenat at more library files (CSV, or a workbook / CSV
folder with an ``interventions`` sheet). Later sources override earlier ones by ``id``:
shipped library, then user libraries in the order given, then the case.

Columns (headers case-insensitive; unknown columns are kept as metadata):

=================  ========  =================================================================
column             required  meaning
=================  ========  =================================================================
id                 yes       unique id: letters, digits, ``-``, ``_``, ``.``
name               yes       short readable name
category           yes       energy, materials, logistics, end_of_life, direct_emissions,
                             water or other
group              no        alternatives that exclude each other share a group (a portfolio
                             takes at most one per group), e.g. two ways to source aluminium
description        no        what it is, and what the model does and does not capture
match_input        yes       which flows it acts on: ids separated by ``|``: a background
                             process id, an emission/resource id, ``category:<name>`` for
                             every process of that catalogue category (electricity, fuel,
                             material, transport, water), or (case rows only) a node id
match_kind         no        flow kinds, ``|``-separated; default ``process`` (``emission|
                             resource`` when every match_input is an elementary flow, ``node``
                             for node ids)
match_node         no        only flows of these nodes (``|``-separated ids)
match_stage        no        only flows of nodes in these stages
match_tier         no        only flows of nodes in these tiers (integers)
unit               yes       the unit in which ``factor`` of a substitute/add and the
                             per-quantity costs are expressed, e.g. kWh, t, tkm; a flow
                             matches only when its amount converts to this unit
action             yes       ``scale``: amount x (1 - share + share x factor);
                             ``substitute``: share of the amount moves to ``to`` at
                             ``factor`` units of ``to`` per ``unit`` of the matched flow;
                             ``add``: keep the flow and add ``share x factor`` of ``to`` per
                             ``unit``; ``remove``: amount x (1 - share)
share              no, 1     fraction of each matched flow affected, 0 < share <= 1
factor             see left  scale: new/old ratio >= 0 (required); substitute, add: > 0
                             (required); remove: not used
to                 see left  substitute (required), add (default: the matched input): a
                             background process id, an emission/resource id, or (case rows)
                             a node id
to_kind            no        kind of the new flow: default ``process`` for a process,
                             ``emission``/``resource`` for an elementary flow, ``node`` for
                             a node; ``credit`` books an avoided burden (end-of-life
                             recycling)
capex              yes       investment, >= 0, in ``currency``
capex_basis        no        ``fixed`` (default): a lump sum; ``per_unit_year``: per
                             ``unit`` per year of the affected quantity (matched annual
                             quantity x share), so the cost scales with the case
opex_change        yes       change of yearly operating cost, bills included: negative saves
opex_basis         no        as capex_basis
lifetime           yes       years, > 0 (equipment life, or contract term for a
                             procurement change)
currency           no, GBP   currency of capex and opex (price year in the sources)
discount_rate      no        overrides the case's rate for this entry
source_effect      yes*      where share and factor come from
source_capex       yes*      where capex comes from
source_opex        yes*      where opex_change comes from
source_lifetime    yes*      where lifetime comes from
kpi_<name>         no        any further numeric criterion (e.g. kpi_months to implement);
                             copied to the evaluation table for ranking
=================  ========  =================================================================

\\* required in library files; a case row without them gets a warning, not an error.

The affected annual quantity of a flow is its amount (in ``unit``) x the number of times
its node runs per functional unit (solved from the foreground alone) x the case's
``annual_volume`` x ``share``. Where the better product is not in the background inventory
(recycled aluminium, rail freight, HVO, ...) a library entry scales the matched flow by the
published ratio of the two footprints, so every indicator of that flow moves by the same
ratio; the entry's description says so.

Evaluation applies each intervention to a copy of the case and solves it again; the solve
is a parameter (``solve(case, indicators) -> {indicator: total}``) so that a faster
re-solve with the kept factorisation can replace the default full assessment.

The case's discount rate is the ``discount_rate`` field of its case sheet, default 0.035:
the HM Treasury Green Book social time preference rate (real, years 0-30).

>>> lib = load_library()
>>> len(lib) >= 30
True
>>> from scenat.paths import examples_dir
>>> from scenat.casefile.workbook import read_case
>>> case = read_case(examples_dir() / "bicycle")
>>> ppa = next(i for i in lib if i.id == "renewable_electricity_ppa")
>>> modified = apply(case, ppa)
>>> sum(f.amount_in_reference for f in modified.flows) < sum(
...     f.amount_in_reference for f in case.flows)
True
>>> case.flows == read_case(examples_dir() / "bicycle").flows  # the original is untouched
True
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from scenat.calc import finance
from scenat.errors import InputError, Problem
from scenat.model.case import (
    BACKGROUND_KINDS,
    ELEMENTARY_KINDS,
    FLOW_KINDS,
    STAGES,
    UNSPECIFIED_STAGE,
    Case,
    Flow,
    Uncertainty,
)
from scenat.model.catalogue import Catalogue, shipped_catalogue
from scenat.model.units import CURRENCIES, UnitMismatch, conversion_factor, parse_unit
from scenat.paths import inventories_dir

SHEET = "interventions"
CATEGORIES = (
    "energy",
    "materials",
    "logistics",
    "end_of_life",
    "direct_emissions",
    "water",
    "other",
)
ACTIONS = ("scale", "substitute", "add", "remove")
BASES = ("fixed", "per_unit_year")
SOURCE_COLUMNS = ("source_effect", "source_capex", "source_opex", "source_lifetime")
COLUMNS = (
    "id",
    "name",
    "category",
    "group",
    "description",
    "match_input",
    "match_kind",
    "match_node",
    "match_stage",
    "match_tier",
    "unit",
    "action",
    "share",
    "factor",
    "to",
    "to_kind",
    "capex",
    "capex_basis",
    "opex_change",
    "opex_basis",
    "lifetime",
    "currency",
    "discount_rate",
    *SOURCE_COLUMNS,
)
DEFAULT_DISCOUNT_RATE = finance.GREEN_BOOK_DISCOUNT_RATE
CARBON_INDICATOR = "gwp100"
ID_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]+$")
CATEGORY_PREFIX = "category:"

#: ``solve(case, indicator ids) -> {indicator id: total per functional unit}``
Solver = Callable[[Case, Sequence[str]], Mapping[str, float]]


@dataclass(frozen=True, eq=False)
class Intervention:
    """One validated intervention (see the module docstring for the meaning of each field)."""

    id: str
    name: str
    category: str
    inputs: tuple[str, ...]
    kinds: tuple[str, ...]
    unit: str
    action: str
    capex: float
    opex_change: float
    lifetime: float
    share: float = 1.0
    factor: float | None = None
    to: str | None = None
    to_kind: str | None = None
    nodes: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    tiers: tuple[int, ...] = ()
    capex_basis: str = "fixed"
    opex_basis: str = "fixed"
    currency: str = "GBP"
    discount_rate: float | None = None
    group: str | None = None
    description: str | None = None
    sources: dict[str, str] = field(default_factory=dict)
    kpis: dict[str, float] = field(default_factory=dict)
    origin: str = "library"
    file: str | None = None
    row: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- reading


def shipped_library_path() -> Path:
    """The library file shipped with scenat."""
    return inventories_dir() / "interventions" / "library.csv"


def _normalise_header(value: Any) -> str:
    return re.sub(r"\s+", "_", str(value).strip().lower()) if value is not None else ""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_csv_rows(path: Path, problems: list[Problem]) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row, record) pairs of a CSV file; the first non-blank row is the header."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(Problem(file=str(path), message="the file is not UTF-8 text"))
        return []
    rows: list[tuple[int, dict[str, Any]]] = []
    headers: list[str] | None = None
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        if all(_blank(c) for c in cells):
            continue
        if headers is None:
            headers = [_normalise_header(c) for c in cells]
            continue
        rows.append((number, {h: c.strip() for h, c in zip(headers, cells) if h}))
    return rows


def _read_rows(path: Path, problems: list[Problem]) -> tuple[list[tuple[int, dict]], str | None]:
    """Rows of a library file and the sheet name to report (None for a plain CSV file)."""
    if not path.exists():
        problems.append(
            Problem(
                file=str(path),
                message="no such intervention library",
                hint="give a .csv file, or a workbook / CSV folder with an 'interventions' sheet",
            )
        )
        return [], None
    if path.is_file() and path.suffix.lower() == ".csv":
        return _read_csv_rows(path, problems), None
    from scenat.casefile.workbook import read_sheets

    sheets = read_sheets(path, problems)
    sheet = sheets.get(SHEET)
    if sheet is None:
        if sheets:
            problems.append(
                Problem(
                    file=str(path),
                    message="no 'interventions' sheet in this library",
                    hint="name the sheet (or CSV file) 'interventions'",
                )
            )
        return [], SHEET
    return sheet.rows, sheet.name


class _Rows:
    """Typed cell readers that record located problems naming the intervention id."""

    def __init__(self, file: str | None, sheet: str | None, strict_sources: bool):
        self.file = file
        self.sheet = sheet
        self.strict_sources = strict_sources
        self.problems: list[Problem] = []

    def add(
        self,
        row: int | None,
        entry: str | None,
        column: str | None,
        value: Any,
        message: str,
        hint: str | None = None,
        severity: str = "error",
    ) -> None:
        prefix = f"intervention {entry!r}: " if entry else ""
        self.problems.append(
            Problem(
                message=prefix + message,
                file=self.file,
                sheet=self.sheet,
                row=row,
                column=column,
                value=value if not _blank(value) else None,
                hint=hint,
                severity=severity,  # type: ignore[arg-type]
            )
        )

    def text(self, row: int, entry: str | None, record: dict, column: str, required: bool):
        value = record.get(column)
        if _blank(value):
            if required:
                self.add(row, entry, column, value, f"{column} is required", f"fill in {column}")
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def number(
        self,
        row: int,
        entry: str | None,
        record: dict,
        column: str,
        required: bool,
        default: float | None = None,
    ) -> float | None:
        value = record.get(column)
        if _blank(value):
            if required:
                self.add(
                    row, entry, column, value, f"{column} is required", "enter a number (0 if none)"
                )
            return default
        number = _to_number(value)
        if number is None or not math.isfinite(number):
            self.add(
                row,
                entry,
                column,
                value,
                f"{column} must be a finite number",
                "type a plain number, no units or thousands separators",
            )
            return None
        return number


def _to_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace("\u00a0", "").replace(" ", ""))
        except ValueError:
            return None
    return None


def _split(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip() for part in str(value).split("|") if part.strip())


def _unit_of(
    target: str, catalogue: Catalogue, node_units: Mapping[str, str]
) -> tuple[str, str] | None:
    """(kind family, reference unit) of an input id, or None when it is unknown."""
    if target in catalogue.processes:
        return "process", catalogue.processes[target].unit
    flow = catalogue.elementary.get(target) or catalogue.elementary_by_code().get(target)
    if flow is not None:
        return flow.kind, flow.unit
    if target in node_units:
        return "node", node_units[target]
    return None


def _parse_entry(
    number: int,
    record: dict[str, Any],
    rows: _Rows,
    catalogue: Catalogue,
    node_units: Mapping[str, str],
    origin: str,
) -> Intervention | None:
    before = sum(p.severity == "error" for p in rows.problems)
    entry = rows.text(number, None, record, "id", True)
    if entry is not None and not ID_PATTERN.match(entry):
        rows.add(
            number,
            entry,
            "id",
            entry,
            "id may only hold letters, digits, '-', '_' and '.'",
            "e.g. led_lighting",
        )
    name = rows.text(number, entry, record, "name", True)
    category = rows.text(number, entry, record, "category", True)
    if category is not None and category.lower() not in CATEGORIES:
        rows.add(
            number,
            entry,
            "category",
            category,
            "unknown category",
            "use one of " + ", ".join(CATEGORIES),
        )
    group = rows.text(number, entry, record, "group", False)

    # What it matches.
    inputs = _split(rows.text(number, entry, record, "match_input", True))
    categories = {p.category for p in catalogue.processes.values() if p.category}
    families: set[str] = set()
    explicit_units: list[tuple[str, str]] = []
    for target in inputs:
        if target.startswith(CATEGORY_PREFIX):
            name_ = target[len(CATEGORY_PREFIX) :]
            if name_ not in categories:
                rows.add(
                    number,
                    entry,
                    "match_input",
                    target,
                    f"no background process has category {name_!r}",
                    "known categories: " + ", ".join(sorted(categories)),
                )
            families.add("process")
            continue
        found = _unit_of(target, catalogue, node_units)
        if found is None:
            close = catalogue.suggest(target, [*catalogue.processes, *catalogue.elementary])
            rows.add(
                number,
                entry,
                "match_input",
                target,
                f"unknown target id {target!r}",
                (f"did you mean {close!r}? " if close else "")
                + "use a background process id (`scenat processes`), an emission or resource "
                "id, or category:<name>",
            )
            continue
        families.add(found[0])
        explicit_units.append((target, found[1]))
    kinds_text = rows.text(number, entry, record, "match_kind", False)
    if kinds_text:
        kinds = tuple(k.lower() for k in _split(kinds_text))
        for kind in kinds:
            if kind not in FLOW_KINDS:
                rows.add(
                    number,
                    entry,
                    "match_kind",
                    kind,
                    "unknown flow kind",
                    "use one of " + ", ".join(FLOW_KINDS),
                )
    elif families and families <= set(ELEMENTARY_KINDS):
        kinds = ELEMENTARY_KINDS
    elif families == {"node"}:
        kinds = ("node",)
    else:
        kinds = ("process",)
    nodes = _split(rows.text(number, entry, record, "match_node", False))
    for node_id in nodes:
        if node_units and node_id not in node_units:
            rows.add(number, entry, "match_node", node_id, "unknown node", "use a node id")
    stages = tuple(
        s.lower() for s in _split(rows.text(number, entry, record, "match_stage", False))
    )
    for stage in stages:
        if stage not in (*STAGES, UNSPECIFIED_STAGE):
            rows.add(
                number,
                entry,
                "match_stage",
                stage,
                "unknown stage",
                "use one of " + ", ".join(STAGES),
            )
    tiers: list[int] = []
    for tier in _split(rows.text(number, entry, record, "match_tier", False)):
        value = _to_number(tier)
        if value is None or value < 0 or not value.is_integer():
            rows.add(number, entry, "match_tier", tier, "a tier is an integer >= 0", "e.g. 0|1")
        else:
            tiers.append(int(value))

    unit = rows.text(number, entry, record, "unit", True)
    if unit is not None:
        try:
            parse_unit(unit)
        except UnitMismatch as exc:
            rows.add(number, entry, "unit", unit, str(exc), exc.hint)
            unit = None
    if unit is not None:
        for target, target_unit in explicit_units:
            try:
                conversion_factor(target_unit, unit)
            except UnitMismatch:
                rows.add(
                    number,
                    entry,
                    "unit",
                    unit,
                    f"{target!r} is measured in {target_unit}, which does not convert to {unit}",
                    f"use {target_unit} or a unit of the same kind",
                )

    # What it does.
    action = rows.text(number, entry, record, "action", True)
    if action is not None:
        action = action.lower()
        if action not in ACTIONS:
            rows.add(
                number,
                entry,
                "action",
                action,
                "unknown action",
                "use one of " + ", ".join(ACTIONS),
            )
    share = rows.number(number, entry, record, "share", False, 1.0)
    if share is not None and not 0.0 < share <= 1.0:
        rows.add(number, entry, "share", share, "share must be > 0 and <= 1", "e.g. 0.5 for half")
    factor = rows.number(number, entry, record, "factor", action in ("scale", "substitute", "add"))
    if factor is not None:
        if action in ("substitute", "add") and factor <= 0:
            rows.add(number, entry, "factor", factor, "factor must be greater than zero")
        elif factor < 0:
            rows.add(number, entry, "factor", factor, "factor must not be negative")
    to = rows.text(number, entry, record, "to", action == "substitute")
    to_kind = rows.text(number, entry, record, "to_kind", False)
    to_kind = to_kind.lower() if to_kind else None
    if to is not None:
        found = _unit_of(to, catalogue, node_units)
        if found is None:
            close = catalogue.suggest(to, [*catalogue.processes, *catalogue.elementary])
            rows.add(
                number,
                entry,
                "to",
                to,
                f"unknown target id {to!r}",
                (f"did you mean {close!r}? " if close else "")
                + "use a background process id or an emission/resource id",
            )
        elif to_kind is None:
            to_kind = found[0]
        elif found[0] == "process" and to_kind not in BACKGROUND_KINDS:
            rows.add(
                number, entry, "to_kind", to_kind, f"{to!r} is a process", "use process or credit"
            )
        elif found[0] in ELEMENTARY_KINDS and to_kind not in ELEMENTARY_KINDS:
            rows.add(number, entry, "to_kind", to_kind, f"{to!r} is an elementary flow")
    if to_kind is not None and to_kind not in FLOW_KINDS:
        rows.add(
            number,
            entry,
            "to_kind",
            to_kind,
            "unknown flow kind",
            "use one of " + ", ".join(FLOW_KINDS),
        )

    # What it costs.
    capex = rows.number(number, entry, record, "capex", True)
    if capex is not None and capex < 0:
        rows.add(number, entry, "capex", capex, "capex must not be negative", "a saving is opex")
    opex = rows.number(number, entry, record, "opex_change", True)
    bases = {}
    for column in ("capex_basis", "opex_basis"):
        basis = (rows.text(number, entry, record, column, False) or "fixed").lower()
        if basis not in BASES:
            rows.add(number, entry, column, basis, "unknown basis", "use fixed or per_unit_year")
        bases[column] = basis
    lifetime = rows.number(number, entry, record, "lifetime", True)
    if lifetime is not None and lifetime <= 0:
        rows.add(
            number, entry, "lifetime", lifetime, "lifetime must be greater than zero", "in years"
        )
    currency = rows.text(number, entry, record, "currency", False) or "GBP"
    if currency not in CURRENCIES:
        rows.add(
            number, entry, "currency", currency, "unknown currency", "use " + ", ".join(CURRENCIES)
        )
    rate = rows.number(number, entry, record, "discount_rate", False)
    if rate is not None and not 0.0 <= rate < 1.0:
        rows.add(number, entry, "discount_rate", rate, "discount rate must be in [0, 1)", "0.035")
    sources = {}
    for column in SOURCE_COLUMNS:
        text = rows.text(number, entry, record, column, False)
        if text is None:
            rows.add(
                number,
                entry,
                column,
                None,
                f"{column} is missing: every figure needs a source",
                "cite a public source, or write 'engineering estimate: ...'",
                severity="error" if rows.strict_sources else "warning",
            )
        else:
            sources[column] = text
    kpis = {}
    for column, value in record.items():
        if column.startswith("kpi_") and not _blank(value):
            number_ = rows.number(number, entry, record, column, False)
            if number_ is not None:
                kpis[column] = number_
    if sum(p.severity == "error" for p in rows.problems) > before:
        return None
    metadata = {
        k: v
        for k, v in record.items()
        if k not in COLUMNS and not k.startswith("kpi_") and k != "_row" and not _blank(v)
    }
    return Intervention(
        id=entry,  # type: ignore[arg-type]
        name=name,  # type: ignore[arg-type]
        category=category.lower(),  # type: ignore[union-attr]
        inputs=inputs,
        kinds=tuple(kinds),
        unit=unit,  # type: ignore[arg-type]
        action=action,  # type: ignore[arg-type]
        capex=capex,  # type: ignore[arg-type]
        opex_change=opex,  # type: ignore[arg-type]
        lifetime=lifetime,  # type: ignore[arg-type]
        share=share,  # type: ignore[arg-type]
        factor=factor,
        to=to,
        to_kind=to_kind,
        nodes=nodes,
        stages=stages,
        tiers=tuple(tiers),
        capex_basis=bases["capex_basis"],
        opex_basis=bases["opex_basis"],
        currency=currency,
        discount_rate=rate,
        group=group,
        description=rows.text(number, entry, record, "description", False),
        sources=sources,
        kpis=kpis,
        origin=origin,
        file=rows.file,
        row=number,
        metadata=metadata,
    )


def _parse_rows(
    rows_in: Iterable[tuple[int, dict[str, Any]]],
    rows: _Rows,
    catalogue: Catalogue,
    node_units: Mapping[str, str],
    origin: str,
) -> list[Intervention]:
    found: list[Intervention] = []
    seen: dict[str, int] = {}
    for number, record in rows_in:
        record = {_normalise_header(k): v for k, v in record.items()}
        entry = record.get("id")
        if not _blank(entry) and str(entry).strip() in seen:
            rows.add(
                number,
                str(entry).strip(),
                "id",
                entry,
                f"id given twice (first on row {seen[str(entry).strip()]})",
                "keep one row per id",
            )
            continue
        if not _blank(entry):
            seen[str(entry).strip()] = number
        parsed = _parse_entry(number, record, rows, catalogue, node_units, origin)
        if parsed is not None:
            found.append(parsed)
    return found


def validate_library(
    path: str | Path | None = None, catalogue: Catalogue | None = None
) -> list[Problem]:
    """Every problem of a library file (errors and warnings); empty when it is clean."""
    return _library(path, catalogue)[1]


def load_library(
    path: str | Path | None = None, catalogue: Catalogue | None = None
) -> list[Intervention]:
    """Read and validate a library file (default: the shipped one).

    Raises :class:`InputError` listing every error (file, row, column, value, hint, and the
    intervention id in the message).
    """
    found, problems = _library(path, catalogue)
    if any(p.severity == "error" for p in problems):
        errors = [p for p in problems if p.severity == "error"]
        raise InputError(problems, f"{len(errors)} problem(s) in the intervention library {path}")
    return found


def _library(
    path: str | Path | None, catalogue: Catalogue | None
) -> tuple[list[Intervention], list[Problem]]:
    path = Path(path) if path is not None else shipped_library_path()
    catalogue = catalogue or shipped_catalogue()
    problems: list[Problem] = []
    records, sheet = _read_rows(path, problems)
    rows = _Rows(str(path), sheet, strict_sources=True)
    rows.problems.extend(problems)
    origin = "library" if path == shipped_library_path() else f"user library {path.name}"
    found = _parse_rows(records, rows, catalogue, {}, origin)
    return found, rows.problems


def case_interventions(case: Case, catalogue: Catalogue | None = None) -> list[Intervention]:
    """The case's own ``interventions`` sheet rows, validated; raises :class:`InputError`."""
    catalogue = catalogue or shipped_catalogue()
    rows = _Rows(str(case.path) if case.path else None, SHEET, strict_sources=False)
    records = [
        (r.get("_row"), {k: v for k, v in r.items() if k != "_row"}) for r in case.interventions
    ]
    node_units = {n.id: n.output_unit for n in case.nodes.values()}
    found = _parse_rows(records, rows, catalogue, node_units, "case")  # type: ignore[arg-type]
    if any(p.severity == "error" for p in rows.problems):
        raise InputError(rows.problems, "problem(s) in the case's interventions sheet")
    return found


def collect(
    case: Case | None = None,
    libraries: Sequence[str | Path] = (),
    shipped: bool = True,
    catalogue: Catalogue | None = None,
) -> list[Intervention]:
    """Shipped library, then user libraries, then the case's rows; later ones override by id.

    Order is kept: an overriding entry takes the place of the one it replaces.
    """
    merged: dict[str, Intervention] = {}
    sources: list[list[Intervention]] = []
    if shipped:
        sources.append(load_library(None, catalogue))
    sources.extend(load_library(path, catalogue) for path in libraries)
    if case is not None and case.interventions:
        sources.append(case_interventions(case, catalogue))
    for entries in sources:
        for entry in entries:
            merged[entry.id] = entry
    return list(merged.values())


# --------------------------------------------------------------------------- matching


def foreground_supply(case: Case) -> dict[str, float]:
    """How many times each node's activity runs (of ``output_amount`` each) per functional unit.

    Solved from the foreground alone (the background never buys from the foreground), so it
    equals :attr:`scenat.assessment.result.Assessment.supply`. Nodes with no path to the reference
    node run 0 times.

    >>> from scenat.paths import examples_dir
    >>> from scenat.casefile.workbook import read_case
    >>> s = foreground_supply(read_case(examples_dir() / "bicycle"))
    >>> s["bike_assembly"], s["wheel_maker"], round(s["frame_maker"], 6)
    (1.0, 2.0, 0.010101)
    """
    suppliers: dict[str, set[str]] = {n: set() for n in case.nodes}
    for flow in case.flows:
        if flow.kind == "node":
            suppliers[flow.node].add(flow.input)
    reached = {case.reference_node}
    stack = [case.reference_node]
    while stack:
        for supplier in suppliers[stack.pop()]:
            if supplier not in reached:
                reached.add(supplier)
                stack.append(supplier)
    ids = [n for n in case.nodes if n in reached]
    index = {n: i for i, n in enumerate(ids)}
    matrix = np.zeros((len(ids), len(ids)))
    for n in ids:
        matrix[index[n], index[n]] = case.nodes[n].output_amount
    for flow in case.flows:
        if flow.kind == "node" and flow.node in index and flow.input in index:
            matrix[index[flow.input], index[flow.node]] -= flow.amount_in_reference
    demand = np.zeros(len(ids))
    demand[index[case.reference_node]] = case.reference_amount
    runs = np.linalg.solve(matrix, demand)
    supply = {n: 0.0 for n in case.nodes}
    supply.update({n: float(runs[index[n]]) for n in ids})
    return supply


def _input_matches(intervention: Intervention, flow: Flow, catalogue: Catalogue) -> bool:
    for target in intervention.inputs:
        if target.startswith(CATEGORY_PREFIX):
            process = catalogue.processes.get(flow.input)
            if (
                flow.kind in BACKGROUND_KINDS
                and process is not None
                and process.category == target[len(CATEGORY_PREFIX) :]
            ):
                return True
        elif target == flow.input:
            return True
        else:
            elementary = catalogue.elementary.get(target)
            if elementary is not None and elementary.code == flow.input:
                return True
    return False


def _unit_factor(flow: Flow, unit: str) -> float | None:
    try:
        return conversion_factor(flow.reference_unit, unit)
    except UnitMismatch:
        return None


def matches(
    intervention: Intervention, case: Case, flow: Flow, catalogue: Catalogue | None = None
) -> bool:
    """Whether ``intervention`` acts on ``flow`` of ``case``."""
    catalogue = catalogue or shipped_catalogue()
    if flow.kind not in intervention.kinds or not _input_matches(intervention, flow, catalogue):
        return False
    node = case.nodes[flow.node]
    if intervention.nodes and node.id not in intervention.nodes:
        return False
    if intervention.stages and node.stage not in intervention.stages:
        return False
    if intervention.tiers and node.tier not in intervention.tiers:
        return False
    return _unit_factor(flow, intervention.unit) is not None


def matched_flows(
    case: Case, intervention: Intervention, catalogue: Catalogue | None = None
) -> list[int]:
    """Indices into ``case.flows`` of the flows the intervention acts on."""
    catalogue = catalogue or shipped_catalogue()
    return [i for i, f in enumerate(case.flows) if matches(intervention, case, f, catalogue)]


def affected_quantity(
    case: Case,
    intervention: Intervention,
    supply: Mapping[str, float] | None = None,
    catalogue: Catalogue | None = None,
) -> float:
    """Matched annual quantity x share, in the intervention's ``unit`` per year."""
    supply = supply if supply is not None else foreground_supply(case)
    total = 0.0
    for i in matched_flows(case, intervention, catalogue):
        flow = case.flows[i]
        factor = _unit_factor(flow, intervention.unit) or 0.0
        total += flow.amount_in_reference * factor * supply[flow.node]
    return total * case.annual_volume * intervention.share


def applicable(
    case: Case,
    interventions: Sequence[Intervention] | None = None,
    catalogue: Catalogue | None = None,
) -> pl.DataFrame:
    """Which interventions act on which flows: one row per (intervention, matched flow).

    ``annual_quantity`` is the flow's yearly amount in the intervention's unit and
    ``affected_annual_quantity`` that times ``share``.
    """
    catalogue = catalogue or shipped_catalogue()
    interventions = collect(case, catalogue=catalogue) if interventions is None else interventions
    supply = foreground_supply(case)
    rows = []
    for iv in interventions:
        for i in matched_flows(case, iv, catalogue):
            flow = case.flows[i]
            annual = (
                flow.amount_in_reference
                * (_unit_factor(flow, iv.unit) or 0.0)
                * supply[flow.node]
                * case.annual_volume
            )
            rows.append(
                {
                    "intervention": iv.id,
                    "name": iv.name,
                    "action": iv.action,
                    "node": flow.node,
                    "kind": flow.kind,
                    "input": flow.input,
                    "flow_row": flow.row,
                    "unit": iv.unit,
                    "annual_quantity": annual,
                    "affected_annual_quantity": annual * iv.share,
                }
            )
    schema = {
        "intervention": pl.String,
        "name": pl.String,
        "action": pl.String,
        "node": pl.String,
        "kind": pl.String,
        "input": pl.String,
        "flow_row": pl.Int64,
        "unit": pl.String,
        "annual_quantity": pl.Float64,
        "affected_annual_quantity": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


# --------------------------------------------------------------------------- applying


def _scaled_uncertainty(unc: Uncertainty | None, k: float) -> Uncertainty | None:
    if unc is None:
        return None
    # A lognormal's sd/gsd is of ln(amount) and does not change when the amount is scaled.
    sd = unc.sd * k if (unc.sd is not None and unc.distribution != "lognormal") else unc.sd
    return replace(
        unc,
        sd=sd,
        minimum=unc.minimum * k if unc.minimum is not None else None,
        maximum=unc.maximum * k if unc.maximum is not None else None,
    )


def _rescaled(flow: Flow, k: float, intervention_id: str) -> Flow:
    tags = [*flow.metadata.get("interventions", []), intervention_id]
    return replace(
        flow,
        amount=flow.amount * k,
        amount_in_reference=flow.amount_in_reference * k,
        uncertainty=_scaled_uncertainty(flow.uncertainty, k),
        metadata={**flow.metadata, "interventions": tags},
    )


def _target_unit(
    target: str, kind: str, case: Case, catalogue: Catalogue
) -> str:  # validated on load
    if kind == "node":
        return case.nodes[target].output_unit
    if kind in ELEMENTARY_KINDS:
        flow = catalogue.elementary.get(target) or catalogue.elementary_by_code()[target]
        return flow.unit
    return catalogue.processes[target].unit


def apply(case: Case, intervention: Intervention, catalogue: Catalogue | None = None) -> Case:
    """A modified copy of ``case`` with the intervention applied; the original is not changed.

    Flows the intervention creates (substitutes, additions) carry
    ``metadata["interventions"]`` and the row of the flow they came from, so results can be
    traced and errors located.
    """
    catalogue = catalogue or shipped_catalogue()
    iv = intervention
    share = iv.share
    flows: list[Flow] = []
    for flow in case.flows:
        if not matches(iv, case, flow, catalogue):
            flows.append(flow)
            continue
        if iv.action == "scale":
            keep = 1.0 - share + share * float(iv.factor)  # type: ignore[arg-type]
        elif iv.action in ("remove", "substitute"):
            keep = 1.0 - share
        else:  # add
            keep = 1.0
        if keep > 0.0:
            flows.append(flow if keep == 1.0 else _rescaled(flow, keep, iv.id))
        if iv.action in ("substitute", "add"):
            target = iv.to or flow.input
            kind = iv.to_kind or (flow.kind if iv.to is None else "process")
            quantity = flow.amount_in_reference * (_unit_factor(flow, iv.unit) or 0.0)
            amount = quantity * share * float(iv.factor)  # type: ignore[arg-type]
            if iv.to is None:
                # More of the same input: factor is in the entry's unit per unit.
                unit, reference_unit = iv.unit, flow.reference_unit
                in_reference = amount * conversion_factor(unit, reference_unit)
            else:
                # Another input: factor is in that input's reference unit per unit.
                unit = reference_unit = _target_unit(target, kind, case, catalogue)
                in_reference = amount
            flows.append(
                Flow(
                    node=flow.node,
                    kind=kind,
                    input=target,
                    amount=amount,
                    unit=unit,
                    amount_in_reference=in_reference,
                    reference_unit=reference_unit,
                    source=f"intervention {iv.id}",
                    comment=f"{iv.action} for {flow.input} ({iv.name})",
                    row=flow.row,
                    metadata={"interventions": [iv.id], "from_input": flow.input},
                )
            )
    applied = [*case.metadata.get("applied_interventions", []), iv.id]
    return case.copy(flows=flows, metadata={**case.metadata, "applied_interventions": applied})


def apply_all(
    case: Case, interventions: Sequence[Intervention], catalogue: Catalogue | None = None
) -> Case:
    """Apply several interventions in order (each sees the flows the earlier ones made)."""
    for iv in interventions:
        case = apply(case, iv, catalogue)
    return case


# --------------------------------------------------------------------------- evaluating


def assess_totals(case: Case, indicators: Sequence[str]) -> dict[str, float]:
    """The default solve: a full assessment of the case (one factorisation per call)."""
    from scenat.assessment.result import assess

    return dict(assess(case, list(indicators)).totals)


def case_discount_rate(case: Case) -> float:
    """The case's ``discount_rate`` field (case sheet), default 0.035 (UK Green Book)."""
    value = case.metadata.get("discount_rate")
    if _blank(value):
        return DEFAULT_DISCOUNT_RATE
    rate = _to_number(value)
    if rate is None or not math.isfinite(rate) or not 0.0 <= rate < 1.0:
        raise InputError(
            Problem(
                message="discount_rate must be a number >= 0 and < 1",
                file=str(case.path) if case.path else None,
                sheet="case",
                column="value",
                value=value,
                hint="e.g. 0.035, the HM Treasury Green Book rate",
            )
        )
    return rate


@dataclass(frozen=True)
class _Costs:
    capex: float
    opex: float
    eac: float
    npv: float
    quantity: float
    flows: int


def _costs(case: Case, iv: Intervention, rate: float, catalogue: Catalogue) -> _Costs:
    supply = foreground_supply(case)
    quantity = affected_quantity(case, iv, supply, catalogue)
    capex = iv.capex * (quantity if iv.capex_basis == "per_unit_year" else 1.0)
    opex = iv.opex_change * (quantity if iv.opex_basis == "per_unit_year" else 1.0)
    rate = iv.discount_rate if iv.discount_rate is not None else rate
    if iv.currency != case.currency:
        # Currencies never convert silently: that needs a rate and a price year.
        capex = opex = math.nan
    return _Costs(
        capex=capex,
        opex=opex,
        eac=finance.equivalent_annual_cost(capex, rate, iv.lifetime),
        npv=finance.net_present_value(capex, opex, rate, iv.lifetime),
        quantity=quantity,
        flows=len(matched_flows(case, iv, catalogue)),
    )


def _tonnes_per(unit: str) -> float:
    """Tonnes per unit of a carbon indicator unit such as 'kg CO2-eq'."""
    mass = unit.split()[0] if unit.split() else unit
    return conversion_factor(mass, "t")


def _indicator_ids(indicators: Sequence[str] | None) -> list[str]:
    from scenat.model.indicators import resolve

    ids = [i.id for i in resolve(list(indicators) if indicators else None)]
    return ids if CARBON_INDICATOR in ids else [CARBON_INDICATOR, *ids]


def _kpis(
    case: Case,
    ids: Sequence[str],
    baseline: Mapping[str, float],
    totals: Mapping[str, float],
    capex: float,
    opex: float,
    eac: float,
    npv: float,
) -> dict[str, Any]:
    """Per-indicator changes and the money KPIs from before/after totals and costs."""
    from scenat.model.indicators import indicator

    row: dict[str, Any] = {}
    for ind in ids:
        change = totals[ind] - baseline[ind]
        row[f"baseline_{ind}"] = baseline[ind]
        row[f"change_{ind}"] = change
        row[f"change_pct_{ind}"] = 100.0 * change / baseline[ind] if baseline[ind] else math.nan
        row[f"change_year_{ind}"] = change * case.annual_volume
    tonnes = _tonnes_per(indicator(CARBON_INDICATOR).unit)
    abatement = -row[f"change_year_{CARBON_INDICATOR}"] * tonnes
    # Re-solving an unchanged system can leave round-off; it is not an abatement.
    noise = 1e-9 * abs(baseline[CARBON_INDICATOR] * case.annual_volume * tonnes)
    if abs(abatement) <= noise:
        abatement = 0.0
    row["abatement_t_year"] = abatement
    row["capex"] = capex
    row["opex_change_year"] = opex
    row["eac"] = eac
    row["annual_cost"] = eac + opex
    row["mac"] = finance.marginal_abatement_cost(eac, opex, abatement)
    row["mac_status"] = finance.abatement_status(abatement)
    row["payback_years"] = (
        finance.simple_payback(capex, opex) if math.isfinite(capex + opex) else math.nan
    )
    row["npv"] = npv
    effects = []
    if row[f"change_{CARBON_INDICATOR}"] < 0:
        for ind in ids:
            if ind == CARBON_INDICATOR or indicator(ind).kind != "resource":
                continue
            change = row[f"change_{ind}"]
            if change > 1e-9 * abs(baseline[ind]) and change > 0:
                pct = row[f"change_pct_{ind}"]
                effects.append(
                    f"{ind} +{pct:.3g}%"
                    if math.isfinite(pct)
                    else f"{ind} +{change:.3g} {indicator(ind).unit}"
                )
    row["resource_side_effect"] = bool(effects)
    row["side_effects"] = ", ".join(effects)
    return row


def evaluate(
    case: Case,
    interventions: Sequence[Intervention] | None = None,
    indicators: Sequence[str] | None = None,
    *,
    solve: Solver | None = None,
    libraries: Sequence[str | Path] = (),
    catalogue: Catalogue | None = None,
) -> pl.DataFrame:
    """KPIs of every applicable intervention, one row each (library order).

    ``interventions`` default: the shipped library, ``libraries``, then the case's sheet.
    ``indicators`` default: all; ``gwp100`` is always added (the MAC needs it).
    Columns: id, name, category, group, action, origin, flows_matched, unit,
    affected_quantity_year; per indicator ``baseline_<id>``, ``change_<id>`` (per
    functional unit), ``change_pct_<id>``, ``change_year_<id>`` (x annual_volume);
    abatement_t_year (t CO2-eq a year, positive = less), currency, capex, opex_change_year,
    lifetime_years, discount_rate, eac, annual_cost (eac + opex), mac (currency per t
    CO2-eq; NaN unless abatement > 0), mac_status, payback_years (inf: never), npv,
    resource_side_effect (carbon down but a resource indicator up), side_effects, notes, the
    ``kpi_*`` columns and the four source columns.
    """
    catalogue = catalogue or shipped_catalogue()
    solve = solve or assess_totals
    if interventions is None:
        interventions = collect(case, libraries, catalogue=catalogue)
    ids = _indicator_ids(indicators)
    rate = case_discount_rate(case)
    baseline = dict(solve(case, ids))
    kpi_columns = sorted({k for iv in interventions for k in iv.kpis})
    rows = []
    for iv in interventions:
        if not matched_flows(case, iv, catalogue):
            continue
        costs = _costs(case, iv, rate, catalogue)
        totals = dict(solve(apply(case, iv, catalogue), ids))
        notes = []
        if iv.currency != case.currency:
            notes.append(
                f"costs are in {iv.currency} but the case is in {case.currency}: override this "
                "entry in the case's interventions sheet with costs in the case currency"
            )
        row = {
            "id": iv.id,
            "name": iv.name,
            "category": iv.category,
            "group": iv.group,
            "action": iv.action,
            "origin": iv.origin,
            "flows_matched": costs.flows,
            "unit": iv.unit,
            "affected_quantity_year": costs.quantity,
            "currency": case.currency,
            "lifetime_years": iv.lifetime,
            "discount_rate": iv.discount_rate if iv.discount_rate is not None else rate,
        }
        row.update(
            _kpis(case, ids, baseline, totals, costs.capex, costs.opex, costs.eac, costs.npv)
        )
        row["notes"] = "; ".join(notes)
        row.update({k: iv.kpis.get(k, math.nan) for k in kpi_columns})
        row.update({k: iv.sources.get(k) for k in SOURCE_COLUMNS})
        rows.append(row)
    return _frame(rows, ids, kpi_columns)


def _frame(rows: list[dict[str, Any]], ids: Sequence[str], kpi_columns: Sequence[str]):
    schema: dict[str, Any] = {
        "id": pl.String,
        "name": pl.String,
        "category": pl.String,
        "group": pl.String,
        "action": pl.String,
        "origin": pl.String,
        "flows_matched": pl.Int64,
        "unit": pl.String,
        "affected_quantity_year": pl.Float64,
        "currency": pl.String,
        "lifetime_years": pl.Float64,
        "discount_rate": pl.Float64,
    }
    for ind in ids:
        for prefix in ("baseline", "change", "change_pct", "change_year"):
            schema[f"{prefix}_{ind}"] = pl.Float64
    for column in (
        "abatement_t_year",
        "capex",
        "opex_change_year",
        "eac",
        "annual_cost",
        "mac",
    ):
        schema[column] = pl.Float64
    schema["mac_status"] = pl.String
    schema["payback_years"] = pl.Float64
    schema["npv"] = pl.Float64
    schema["resource_side_effect"] = pl.Boolean
    schema["side_effects"] = pl.String
    schema["notes"] = pl.String
    schema.update({k: pl.Float64 for k in kpi_columns})
    schema.update({k: pl.String for k in SOURCE_COLUMNS})
    return pl.DataFrame(rows, schema=schema)


def evaluate_combination(
    case: Case,
    interventions: Sequence[Intervention],
    indicators: Sequence[str] | None = None,
    *,
    solve: Solver | None = None,
    baseline: Mapping[str, float] | None = None,
    catalogue: Catalogue | None = None,
) -> dict[str, Any]:
    """KPIs of a set applied together, in the given order (effects are not added up).

    Each member's costs are computed on the case as the earlier members left it (an LED
    retrofit before a renewable supply contract leaves fewer kWh to buy green), and summed;
    EAC and NPV add because each member keeps its own lifetime.
    """
    catalogue = catalogue or shipped_catalogue()
    solve = solve or assess_totals
    ids = _indicator_ids(indicators)
    rate = case_discount_rate(case)
    baseline = dict(baseline) if baseline is not None else dict(solve(case, ids))
    current = case
    capex = opex = eac = npv = 0.0
    for iv in interventions:
        costs = _costs(current, iv, rate, catalogue)
        capex, opex, eac, npv = (
            capex + costs.capex,
            opex + costs.opex,
            eac + costs.eac,
            npv + costs.npv,
        )
        current = apply(current, iv, catalogue)
    totals = dict(solve(current, ids)) if interventions else baseline
    row: dict[str, Any] = {"ids": [iv.id for iv in interventions], "currency": case.currency}
    row.update(_kpis(case, ids, baseline, totals, capex, opex, eac, npv))
    return row


def plan_portfolio(
    case: Case,
    budget: float,
    interventions: Sequence[Intervention] | None = None,
    *,
    target: float | None = None,
    table: pl.DataFrame | None = None,
    solve: Solver | None = None,
    catalogue: Catalogue | None = None,
    exact_limit: int = 16,
    max_evaluations: int = 64,
) -> Any:
    """Choose interventions under a capex ``budget`` that maximise evaluated abatement.

    Candidates are the applicable interventions that abate on their own. The search runs on
    each option's own capex and abatement; every set it proposes is re-evaluated as a
    combination (see :func:`scenat.calc.rank.portfolio`). ``target``: t CO2-eq a year to reach.
    Returns a :class:`scenat.calc.rank.Portfolio`.
    """
    from scenat.calc import rank

    catalogue = catalogue or shipped_catalogue()
    solve = solve or assess_totals
    if interventions is None:
        interventions = collect(case, catalogue=catalogue)
    if table is None:
        table = evaluate(case, interventions, [CARBON_INDICATOR], solve=solve, catalogue=catalogue)
    table = table.filter((pl.col("abatement_t_year") > 0) & pl.col("capex").is_finite())
    by_id = {iv.id: iv for iv in interventions}
    order = [i for i in table["id"].to_list() if i in by_id]
    baseline = dict(solve(case, [CARBON_INDICATOR]))
    cache: dict[frozenset[str], float] = {}

    def combined(chosen: frozenset[str]) -> float:
        if chosen not in cache:
            members = [by_id[i] for i in order if i in chosen]
            result = evaluate_combination(
                case,
                members,
                [CARBON_INDICATOR],
                solve=solve,
                baseline=baseline,
                catalogue=catalogue,
            )
            cache[chosen] = result["abatement_t_year"]
        return cache[chosen]

    table = table.filter(pl.col("id").is_in(order))
    return rank.portfolio(
        table["id"].to_list(),
        table["capex"].to_numpy(),
        table["abatement_t_year"].to_numpy(),
        budget,
        evaluate=combined,
        groups=table["group"].to_list(),
        target=target,
        exact_limit=exact_limit,
        max_evaluations=max_evaluations,
    )


def records(table: pl.DataFrame) -> list[dict[str, Any]]:
    """Table rows as JSON-safe dicts (NaN and infinities become None)."""
    out = []
    for row in table.to_dicts():
        out.append(
            {
                k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in row.items()
            }
        )
    return out


def summary(
    case: Case,
    rank_by: str = "mac",
    weights: Mapping[str, float] | None = None,
    budget: float | None = None,
    *,
    target: float | None = None,
    libraries: Sequence[str | Path] = (),
    indicators: Sequence[str] | None = None,
    solve: Solver | None = None,
) -> dict[str, Any]:
    """One JSON-ready document for ``scenat interventions CASE [--rank] [--weights] [--budget]``.

    ``interventions`` are in ranked order (for ``mac``: cheapest per t CO2-eq first, options
    that do not abate last, unranked); ``portfolio`` is present when a budget is given.
    """
    from scenat.calc import rank

    solve = solve or assess_totals
    options = collect(case, libraries)
    table = evaluate(case, options, indicators, solve=solve)
    ranked = rank.rank_table(table, rank_by, weights)
    if rank_by == "mac":
        # The MACC keeps only options that abate; list the others after it.
        rest = table.filter(~pl.col("id").is_in(ranked["id"].to_list()))
        ranked = pl.concat([ranked, rest], how="diagonal_relaxed")
    ranked = rank.pareto(ranked)
    document: dict[str, Any] = {
        "case": case.name,
        "currency": case.currency,
        "annual_volume": case.annual_volume,
        "discount_rate": case_discount_rate(case),
        "ranking": rank_by,
        "weights": dict(weights or rank.DEFAULT_WEIGHTS) if rank_by != "mac" else None,
        "interventions": records(ranked),
        "portfolio": None,
    }
    if budget is not None:
        plan = plan_portfolio(case, budget, options, target=target, table=table, solve=solve)
        document["portfolio"] = plan.to_dict()
    return document
