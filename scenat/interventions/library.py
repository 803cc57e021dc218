"""The intervention library: reading, validating and merging priced low-carbon options.

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
match_location     no        only flows of nodes located in these places (``|``-separated
                             ISO 3166 codes or regions: ``CN`` takes ``CN-BJ``, ``EU``
                             the member states); a node without a location takes the
                             case's ``region``. Options priced for one market say so here
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
extra_input        no        a further input the option brings with it, whatever the action:
                             the embodied burden of its equipment (a battery's cells per kWh
                             it delivers over its life), a background process id,
                             ``function:<name>`` (the member near the matched flow), an
                             emission/resource id or (case rows) a node id
extra_factor       see left  with extra_input (required, > 0): units of extra_input (its
                             reference unit; a function's unit) per ``unit`` of the affected
                             quantity, i.e. added amount = matched amount x share x
                             extra_factor
extra_kind         no        kind of the extra flow, defaults as for ``to_kind``
capex              yes       investment, >= 0, in ``currency``
capex_basis        no        ``fixed`` (default): a lump sum; ``per_unit_year``: per
                             ``unit`` per year of the affected quantity (matched annual
                             quantity x share), so the cost scales with the case
opex_change        yes       change of yearly operating cost, bills included: negative saves
opex_basis         no        as capex_basis
lifetime           yes       years, > 0 (equipment life, or contract term for a
                             procurement change)
currency           no, GBP   currency of capex and opex
price_year         yes*      the year of that money; costs convert to the case's currency and
                             year (:mod:`scenat.model.currency`: price index, then that year's
                             exchange rate), and the evaluation says so
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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenat.brightway import project_catalogue
from scenat.casefile.sheets import read_table
from scenat.errors import InputError, Problem
from scenat.interventions.functions import FUNCTION_PREFIX, shipped_functions
from scenat.model.case import Case
from scenat.model.catalogue import Catalogue
from scenat.model.cells import Cells, is_blank, normalise_header, to_number
from scenat.model.places import REGIONS, country
from scenat.model.schema import (
    BACKGROUND_KINDS,
    COST_BASES,
    ELEMENTARY_KINDS,
    FLOW_KINDS,
    ID_PATTERN,
    INTERVENTION_ACTIONS,
    INTERVENTION_CATEGORIES,
    INTERVENTION_COLUMNS,
    INTERVENTION_SHEET,
    INTERVENTION_SOURCE_COLUMNS,
    STAGES,
    UNSPECIFIED_STAGE,
)
from scenat.model.units import CURRENCIES, UnitMismatch, conversion_factor, parse_unit
from scenat.paths import inventories_dir

CATEGORY_PREFIX = "category:"


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
    locations: tuple[str, ...] = ()
    extra_input: str | None = None
    extra_factor: float | None = None
    extra_kind: str | None = None
    capex_basis: str = "fixed"
    opex_basis: str = "fixed"
    currency: str = "GBP"
    price_year: int | None = None
    discount_rate: float | None = None
    group: str | None = None
    description: str | None = None
    sources: dict[str, str] = field(default_factory=dict)
    kpis: dict[str, float] = field(default_factory=dict)
    origin: str = "library"
    file: str | None = None
    row: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def shipped_library_path() -> Path:
    """The library file shipped with scenat."""
    return inventories_dir() / "interventions" / "library.csv"


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
    table = read_table(path, problems, INTERVENTION_SHEET)
    if table is None:
        return [], INTERVENTION_SHEET
    plain_csv = path.is_file() and path.suffix.lower() == ".csv"
    return table.rows, None if plain_csv else table.name


def _split(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip() for part in str(value).split("|") if part.strip())


def _unit_of(
    target: str, catalogue: Catalogue, node_units: Mapping[str, str]
) -> tuple[str, str] | None:
    """(kind family, reference unit) of an input id, or None when it is unknown."""
    if target.startswith(FUNCTION_PREFIX):
        functions = shipped_functions()
        name = target[len(FUNCTION_PREFIX) :]
        return ("process", functions.units[name]) if name in functions.members else None
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
    rows: Cells,
    catalogue: Catalogue,
    node_units: Mapping[str, str],
    origin: str,
    strict_sources: bool,
) -> Intervention | None:
    before = rows.error_count()
    entry = _about(rows, None).text(number, record, "id", True)
    if entry is not None and not ID_PATTERN.match(entry):
        _about(rows, entry).add(
            number,
            "id",
            entry,
            "id may only hold letters, digits, '-', '_' and '.'",
            "e.g. led_lighting",
        )
    name = _about(rows, entry).text(number, record, "name", True)
    category = _about(rows, entry).text(number, record, "category", True)
    if category is not None and category.lower() not in INTERVENTION_CATEGORIES:
        _about(rows, entry).add(
            number,
            "category",
            category,
            "unknown category",
            "use one of " + ", ".join(INTERVENTION_CATEGORIES),
        )
    group = _about(rows, entry).text(number, record, "group", False)

    # What it matches.
    inputs = _split(_about(rows, entry).text(number, record, "match_input", True))
    categories = {p.category for p in catalogue.processes.values() if p.category}
    families: set[str] = set()
    explicit_units: list[tuple[str, str]] = []
    for target in inputs:
        if target.startswith(CATEGORY_PREFIX):
            name_ = target[len(CATEGORY_PREFIX) :]
            if name_ not in categories:
                _about(rows, entry).add(
                    number,
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
            _about(rows, entry).add(
                number,
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
    kinds_text = _about(rows, entry).text(number, record, "match_kind", False)
    if kinds_text:
        kinds = tuple(k.lower() for k in _split(kinds_text))
        for kind in kinds:
            if kind not in FLOW_KINDS:
                _about(rows, entry).add(
                    number,
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
    nodes = _split(_about(rows, entry).text(number, record, "match_node", False))
    for node_id in nodes:
        if node_units and node_id not in node_units:
            _about(rows, entry).add(number, "match_node", node_id, "unknown node", "use a node id")
    stages = tuple(
        s.lower() for s in _split(_about(rows, entry).text(number, record, "match_stage", False))
    )
    for stage in stages:
        if stage not in (*STAGES, UNSPECIFIED_STAGE):
            _about(rows, entry).add(
                number,
                "match_stage",
                stage,
                "unknown stage",
                "use one of " + ", ".join(STAGES),
            )
    tiers: list[int] = []
    for tier in _split(_about(rows, entry).text(number, record, "match_tier", False)):
        value = to_number(tier)
        if value is None or value < 0 or not value.is_integer():
            _about(rows, entry).add(
                number, "match_tier", tier, "a tier is an integer >= 0", "e.g. 0|1"
            )
        else:
            tiers.append(int(value))
    locations: list[str] = []
    for place in _split(_about(rows, entry).text(number, record, "match_location", False)):
        if country(place) is None and place.strip().upper() not in REGIONS:
            _about(rows, entry).add(
                number,
                "match_location",
                place,
                "unknown place",
                "use an ISO 3166 code (CN, CN-BJ, DE, GB) or a region ("
                + ", ".join(sorted(REGIONS))
                + ")",
            )
        else:
            locations.append(place.strip().upper())

    unit = _about(rows, entry).text(number, record, "unit", True)
    if unit is not None:
        try:
            parse_unit(unit)
        except UnitMismatch as exc:
            _about(rows, entry).add(number, "unit", unit, str(exc), exc.hint)
            unit = None
    if unit is not None:
        for target, target_unit in explicit_units:
            try:
                conversion_factor(target_unit, unit)
            except UnitMismatch:
                _about(rows, entry).add(
                    number,
                    "unit",
                    unit,
                    f"{target!r} is measured in {target_unit}, which does not convert to {unit}",
                    f"use {target_unit} or a unit of the same kind",
                )

    # What it does.
    action = _about(rows, entry).text(number, record, "action", True)
    if action is not None:
        action = action.lower()
        if action not in INTERVENTION_ACTIONS:
            _about(rows, entry).add(
                number,
                "action",
                action,
                "unknown action",
                "use one of " + ", ".join(INTERVENTION_ACTIONS),
            )
    share = _about(rows, entry).number(number, record, "share", False, 1.0, minimum=None)
    if share is not None and not 0.0 < share <= 1.0:
        _about(rows, entry).add(
            number, "share", share, "share must be > 0 and <= 1", "e.g. 0.5 for half"
        )
    factor = _about(rows, entry).number(
        number, record, "factor", action in ("scale", "substitute", "add"), minimum=None
    )
    if factor is not None:
        if action in ("substitute", "add") and factor <= 0:
            _about(rows, entry).add(number, "factor", factor, "factor must be greater than zero")
        elif factor < 0:
            _about(rows, entry).add(number, "factor", factor, "factor must not be negative")
    to = _about(rows, entry).text(number, record, "to", action == "substitute")
    to_kind = _about(rows, entry).text(number, record, "to_kind", False)
    to_kind = to_kind.lower() if to_kind else None
    if to is not None:
        found = _unit_of(to, catalogue, node_units)
        if found is None:
            close = catalogue.suggest(to, [*catalogue.processes, *catalogue.elementary])
            _about(rows, entry).add(
                number,
                "to",
                to,
                f"unknown target id {to!r}",
                (f"did you mean {close!r}? " if close else "")
                + "use a background process id, an emission/resource id or function:<name> ("
                + _function_names()
                + ")",
            )
        elif to_kind is None:
            to_kind = found[0]
        elif found[0] == "process" and to_kind not in BACKGROUND_KINDS:
            _about(rows, entry).add(
                number, "to_kind", to_kind, f"{to!r} is a process", "use process or credit"
            )
        elif found[0] in ELEMENTARY_KINDS and to_kind not in ELEMENTARY_KINDS:
            _about(rows, entry).add(number, "to_kind", to_kind, f"{to!r} is an elementary flow")
    if to_kind is not None and to_kind not in FLOW_KINDS:
        _about(rows, entry).add(
            number,
            "to_kind",
            to_kind,
            "unknown flow kind",
            "use one of " + ", ".join(FLOW_KINDS),
        )
    extra = _extra(number, record, rows, entry, catalogue, node_units)

    # What it costs.
    capex = _about(rows, entry).number(number, record, "capex", True, minimum=None)
    if capex is not None and capex < 0:
        _about(rows, entry).add(
            number, "capex", capex, "capex must not be negative", "a saving is opex"
        )
    opex = _about(rows, entry).number(number, record, "opex_change", True, minimum=None)
    bases = {}
    for column in ("capex_basis", "opex_basis"):
        basis = (_about(rows, entry).text(number, record, column, False) or "fixed").lower()
        if basis not in COST_BASES:
            _about(rows, entry).add(
                number, column, basis, "unknown basis", "use fixed or per_unit_year"
            )
        bases[column] = basis
    lifetime = _about(rows, entry).number(number, record, "lifetime", True, minimum=None)
    if lifetime is not None and lifetime <= 0:
        _about(rows, entry).add(
            number, "lifetime", lifetime, "lifetime must be greater than zero", "in years"
        )
    currency = (_about(rows, entry).text(number, record, "currency", False) or "GBP").upper()
    price_year = _about(rows, entry).number(number, record, "price_year", False, minimum=1900)
    if price_year is not None and not float(price_year).is_integer():
        _about(rows, entry).add(
            number, "price_year", price_year, "a price year is a whole year", "e.g. 2024"
        )
        price_year = None
    if price_year is None and strict_sources:
        # A case row's money is the case's own; a library's must say its year to convert.
        _about(rows, entry).add(
            number,
            "price_year",
            None,
            "price_year is missing: costs cannot be converted to another year or currency",
            "give the year of the money in capex and opex_change, e.g. 2024",
        )
    if currency not in CURRENCIES:
        _about(rows, entry).add(
            number, "currency", currency, "unknown currency", "use " + ", ".join(CURRENCIES)
        )
    rate = _about(rows, entry).number(number, record, "discount_rate", False, minimum=None)
    if rate is not None and not 0.0 <= rate < 1.0:
        _about(rows, entry).add(
            number, "discount_rate", rate, "discount rate must be in [0, 1)", "0.035"
        )
    sources = {}
    for column in INTERVENTION_SOURCE_COLUMNS:
        text = _about(rows, entry).text(number, record, column, False)
        if text is None:
            _about(rows, entry).add(
                number,
                column,
                None,
                f"{column} is missing: every figure needs a source",
                "cite a public source, or write 'engineering estimate: ...'",
                severity="error" if strict_sources else "warning",
            )
        else:
            sources[column] = text
    kpis = {}
    for column, value in record.items():
        if column.startswith("kpi_") and not is_blank(value):
            number_ = _about(rows, entry).number(number, record, column, False, minimum=None)
            if number_ is not None:
                kpis[column] = number_
    if rows.error_count() > before:
        return None
    metadata = {
        k: v
        for k, v in record.items()
        if k not in INTERVENTION_COLUMNS
        and not k.startswith("kpi_")
        and k != "_row"
        and not is_blank(v)
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
        locations=tuple(locations),
        extra_input=extra[0],
        extra_factor=extra[1],
        extra_kind=extra[2],
        capex_basis=bases["capex_basis"],
        opex_basis=bases["opex_basis"],
        currency=currency,
        price_year=int(price_year) if price_year is not None else None,
        discount_rate=rate,
        group=group,
        description=_about(rows, entry).text(number, record, "description", False),
        sources=sources,
        kpis=kpis,
        origin=origin,
        file=rows.file,
        row=number,
        metadata=metadata,
    )


def _extra(
    number: int,
    record: dict[str, Any],
    rows: Cells,
    entry: str | None,
    catalogue: Catalogue,
    node_units: Mapping[str, str],
) -> tuple[str | None, float | None, str | None]:
    """The option's extra input (its equipment's embodied burden): id, factor, kind."""
    about = _about(rows, entry)
    target = about.text(number, record, "extra_input", False)
    factor = about.number(number, record, "extra_factor", target is not None, minimum=None)
    kind = about.text(number, record, "extra_kind", False)
    kind = kind.lower() if kind else None
    if target is None:
        if factor is not None or kind is not None:
            column = "extra_factor" if factor is not None else "extra_kind"
            about.add(
                number,
                column,
                factor if factor is not None else kind,
                f"{column} is given without extra_input",
                "name the extra input, or leave the extra columns empty",
            )
        return None, None, None
    if factor is not None and factor <= 0:
        about.add(
            number,
            "extra_factor",
            factor,
            "extra_factor must be greater than zero",
            "units of extra_input per unit of the affected quantity",
        )
    found = _unit_of(target, catalogue, node_units)
    if found is None:
        close = catalogue.suggest(target, [*catalogue.processes, *catalogue.elementary])
        about.add(
            number,
            "extra_input",
            target,
            f"unknown target id {target!r}",
            (f"did you mean {close!r}? " if close else "")
            + "use a background process id, an emission/resource id or function:<name>",
        )
        return None, None, None
    if kind is None:
        kind = found[0]
    elif kind not in FLOW_KINDS:
        about.add(
            number, "extra_kind", kind, "unknown flow kind", "use one of " + ", ".join(FLOW_KINDS)
        )
    elif found[0] == "process" and kind not in BACKGROUND_KINDS:
        about.add(number, "extra_kind", kind, f"{target!r} is a process", "use process or credit")
    elif found[0] in ELEMENTARY_KINDS and kind not in ELEMENTARY_KINDS:
        about.add(number, "extra_kind", kind, f"{target!r} is an elementary flow")
    elif found[0] == "node" and kind != "node":
        about.add(number, "extra_kind", kind, f"{target!r} is a node", "use node")
    return target, factor, kind


def _parse_rows(
    rows_in: Iterable[tuple[int, dict[str, Any]]],
    rows: Cells,
    catalogue: Catalogue,
    node_units: Mapping[str, str],
    origin: str,
    strict_sources: bool,
) -> list[Intervention]:
    found: list[Intervention] = []
    seen: dict[str, int] = {}
    for number, record in rows_in:
        record = {normalise_header(k): v for k, v in record.items()}
        entry = record.get("id")
        if not is_blank(entry) and str(entry).strip() in seen:
            rows.add(
                number,
                str(entry).strip(),
                "id",
                entry,
                f"id given twice (first on row {seen[str(entry).strip()]})",
                "keep one row per id",
            )
            continue
        if not is_blank(entry):
            seen[str(entry).strip()] = number
        parsed = _parse_entry(number, record, rows, catalogue, node_units, origin, strict_sources)
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
    catalogue = catalogue or project_catalogue()
    problems: list[Problem] = []
    records, sheet = _read_rows(path, problems)
    rows = Cells(str(path), sheet, problems=problems)
    origin = "library" if path == shipped_library_path() else f"user library {path.name}"
    found = _parse_rows(records, rows, catalogue, {}, origin, strict_sources=True)
    return found, rows.problems


def case_interventions(case: Case, catalogue: Catalogue | None = None) -> list[Intervention]:
    """The case's own ``interventions`` sheet rows, validated; raises :class:`InputError`."""
    catalogue = catalogue or project_catalogue()
    rows = Cells(str(case.path) if case.path else None, INTERVENTION_SHEET)
    records = [
        (r.get("_row"), {k: v for k, v in r.items() if k != "_row"}) for r in case.interventions
    ]
    node_units = {n.id: n.output_unit for n in case.nodes.values()}
    found = _parse_rows(  # type: ignore[arg-type]
        records, rows, catalogue, node_units, "case", strict_sources=False
    )
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


def _function_names() -> str:
    return "functions: " + ", ".join(sorted(shipped_functions().members))


def _about(cells: Cells, entry: str | None) -> Cells:
    """The reader, with messages naming the intervention."""
    return cells.on(subject=f"intervention {entry!r}" if entry else None)
