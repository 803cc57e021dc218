"""Rail and container-ship freight per tonne-km, China and Europe, from premise's inventories.

premise (PSI, PIK; BSD-3-Clause, ``../shared/data/freight``) publishes additional
inventories as Excel blocks (``Activity``, ``location``, ``unit``, then an ``Exchanges``
table): electric and diesel freight trains per tkm for China, Europe (without Switzerland),
India, South Africa, the US and the rest of the world (``premise_lci-rail-freight.xlsx``,
energy per tkm from the REMIND model's final energy and transport service for 2020), and
container ships on nine fuels (``premise_lci-ships.xlsx``, ecoinvent 3.10.1 basis).

This module ships, in ``inventories/freight`` (unit tkm):

============================================ ======================================== ========
id                                            premise activity                          location
============================================ ======================================== ========
``freight_rail_electric_cn_tkm``              transport, freight train, electric        CN
``freight_rail_diesel_cn_tkm``                transport, freight train, diesel-electric CN
``freight_rail_electric_eu_tkm``              transport, freight train, electric        RER
``freight_rail_diesel_eu_tkm``                transport, freight train, diesel-electric RER
``freight_sea_container_diesel_tkm``          ..., container ship, powered with diesel  RER
============================================ ======================================== ========

Exchanges:

* **electricity** (premise's medium or high voltage market) is a **technosphere link** to
  scenat's grid: China's trains to ``electricity_grid_chn``, Europe's to
  ``electricity_grid_eu`` (Ember, life cycle, at generation: the grid's T&D losses are not
  added);
* **diesel** (kg) is a technosphere link to ``diesel_wtt_l`` (DESNZ's UK diesel supply, a
  proxy outside the UK) in litres, at DESNZ's density of mineral diesel;
* **direct emissions** of the flows ``inventories/elementary_flows.csv`` has (CO2, CH4, N2O,
  CO, NOx, SO2, PM2.5, NH3, SF6); the others (metals, benzene, NMVOC, coarse particles) and
  the **infrastructure** (locomotives, wagons, track, ships, ports) are cut off, listed in
  each process's comment;
* **uncertainty**: the ships' triangular distributions as premise gives them; for the trains
  (none given) a pedigree assessment, (2, 2, 2, 2, 3): REMIND's regional averages of 2020.

>>> blocks = read_blocks(RAIL_EXAMPLE)
>>> blocks[0].name, blocks[0].location, blocks[0].exchanges[0]["name"]
('transport, freight train, electric', 'CN', 'market group for electricity, medium voltage')
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl

from scenat.errors import InputError, Problem
from scenat.importers.inventory import (
    PROCESS_COLUMNS,
    RECORDED_INDICATORS,
    drop_round_off,
    exchange_schema,
    recorded_indicators,
    shipped_recorded_indicators,
    write_inventory,
)
from scenat.importers.pedigree import BASIC, Pedigree, basic_factor

__all__ = ["SELECTION", "Block", "build_freight_inventory", "read_blocks", "to_inventory"]

RAIL_FILE = "premise_lci-rail-freight.xlsx"
SHIP_FILE = "premise_lci-ships.xlsx"
SOURCE = "premise (PSI, PIK) additional inventories, {file} (polca/premise, commit d74d45b)"
LICENCE = "BSD-3-Clause (premise)"
YEAR = 2020
#: premise's trains carry no distribution: regional averages of 2020 from REMIND
RAIL_PEDIGREE = Pedigree(2, 2, 2, 2, 3)
#: premise flow (name, top category) -> scenat elementary flow
FLOWS = {
    ("Carbon dioxide, fossil", "air"): "co2_fossil",
    ("Methane, fossil", "air"): "ch4_fossil",
    ("Dinitrogen monoxide", "air"): "n2o",
    ("Carbon monoxide, fossil", "air"): "co",
    ("Nitrogen oxides", "air"): "nox",
    ("Sulfur dioxide", "air"): "so2",
    ("Particulate Matter, < 2.5 um", "air"): "pm25",
    ("Ammonia", "air"): "nh3",
    ("Sulfur hexafluoride", "air"): "sf6",
}
RAIL_EXAMPLE = [
    ("Activity", "transport, freight train, electric"),
    ("location", "CN"),
    ("unit", "ton kilometer"),
    ("Exchanges",),
    ("name", "amount", "location", "unit", "categories", "type"),
    (
        "market group for electricity, medium voltage",
        0.0223,
        "CN",
        "kilowatt hour",
        None,
        "technosphere",
    ),
    (None,),
]


class Selected(NamedTuple):
    """A premise activity shipped as a scenat process."""

    id: str
    file: str
    activity: str
    location: str
    scenat_location: str
    grid: str | None  # the grid process its electricity comes from
    name: str


SELECTION = (
    Selected("freight_rail_electric_cn_tkm", RAIL_FILE, "transport, freight train, electric",
             "CN", "CN", "electricity_grid_chn",
             "freight, train, electric, China (premise, grid: Ember China)"),
    Selected("freight_rail_diesel_cn_tkm", RAIL_FILE, "transport, freight train, diesel-electric",
             "CN", "CN", None, "freight, train, diesel-electric, China (premise)"),
    Selected("freight_rail_electric_eu_tkm", RAIL_FILE, "transport, freight train, electric",
             "Europe without Switzerland", "RER", "electricity_grid_eu",
             "freight, train, electric, Europe (premise, grid: Ember EU)"),
    Selected("freight_rail_diesel_eu_tkm", RAIL_FILE, "transport, freight train, diesel-electric",
             "Europe without Switzerland", "RER", None,
             "freight, train, diesel-electric, Europe (premise)"),
    Selected("freight_sea_container_diesel_tkm", SHIP_FILE,
             "transport, freight, sea, container ship, powered with diesel", "RER", "GLO", None,
             "freight, sea, container ship, diesel (premise)"),
)  # fmt: skip


@dataclass
class Block:
    """One activity of a premise sheet: its fields and its exchange rows (by column name)."""

    name: str
    location: str
    unit: str
    row: int  # the sheet row of 'Activity'
    fields: dict[str, Any] = field(default_factory=dict)
    exchanges: list[dict[str, Any]] = field(default_factory=list)


def read_blocks(rows: Iterable[tuple], file: str = "premise sheet") -> list[Block]:
    """The activity blocks of a premise sheet (rows of cell values, as openpyxl reads them).

    Exchange rows are read under the ``name, amount, ...`` header of their block (the two
    files order their columns differently) until a blank row; each keeps its sheet ``row``.
    """
    blocks: list[Block] = []
    current: Block | None = None
    header: list[str] | None = None
    for number, values in enumerate(rows, start=1):
        first = values[0] if values else None
        if first == "Activity":
            current = Block(str(values[1]), "", "", number)
            blocks.append(current)
            header = None
        elif current is None:
            continue
        elif header is None and first == "name":
            header = [str(v) if v is not None else "" for v in values]
        elif header is None and isinstance(first, str) and len(values) > 1:
            current.fields[first] = values[1]
            if first == "location":
                current.location = str(values[1])
            elif first == "unit":
                current.unit = str(values[1])
        elif header is not None:
            if first is None or first == "":
                current, header = None, None
                continue
            record = {h: values[i] if i < len(values) else None for i, h in enumerate(header) if h}
            record["row"] = number
            current.exchanges.append(record)
    return blocks


def _sheet_rows(path: Path) -> list[tuple]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise InputError(Problem(file=str(path), message="premise workbook not found")) from exc
    try:
        sheet = "inventories" if "inventories" in workbook.sheetnames else workbook.sheetnames[0]
        return list(workbook[sheet].iter_rows(values_only=True))
    finally:
        workbook.close()


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _uncertainty(exchange: Mapping[str, Any], amount: float, basic: float) -> dict[str, Any]:
    """premise's own distribution where it gives one (5 triangular, 4 uniform), else the
    rail pedigree."""
    kind = _number(exchange.get("uncertainty type"))
    low, high = _number(exchange.get("minimum")), _number(exchange.get("maximum"))
    if kind in (4.0, 5.0) and low is not None and high is not None and low <= amount <= high:
        return {
            "distribution": "triangular" if kind == 5.0 else "uniform",
            "gsd": None,
            "min": low,
            "max": high,
            "uncertainty_source": "premise's own distribution (stats_arrays type "
            f"{int(kind)}, minimum {low:.6g}, maximum {high:.6g})",
        }
    return RAIL_PEDIGREE.columns(basic)


def to_inventory(
    blocks_by_file: Mapping[str, list[Block]],
    diesel_kg_per_l: tuple[float, str],
    selection: Iterable[Selected] = SELECTION,
    upstream: Mapping[str, Iterable[str]] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The freight processes and exchanges (see the module docstring).

    ``diesel_kg_per_l`` is the density of mineral diesel and where it comes from (DESNZ
    fuel properties); ``upstream`` the recorded indicators of the processes linked to.
    """
    process_rows, exchange_rows, problems = [], [], []
    for item in selection:
        blocks = blocks_by_file.get(item.file, [])
        found = [b for b in blocks if b.name == item.activity and b.location == item.location]
        if len(found) != 1:
            problems.append(
                Problem(
                    file=item.file,
                    value=f"{item.activity} / {item.location}",
                    message=f"{len(found)} premise activities match, not one",
                )
            )
            continue
        block = found[0]
        source = SOURCE.format(file=item.file)
        cut_off, rows = [], []
        for exc in block.exchanges:
            amount = _number(exc.get("amount"))
            kind, name = exc.get("type"), str(exc.get("name") or "")
            if kind == "production" or amount is None:
                continue
            table = (
                f"{item.file}: activity '{block.name}' ({block.location}), sheet row {exc['row']}"
            )
            base = {
                "process": item.id,
                "source": source,
                "table": table,
                "year": YEAR,
                "licence": LICENCE,
            }
            if kind == "technosphere" and name.startswith("market group for electricity"):
                if item.grid is None:
                    problems.append(
                        Problem(
                            file=item.file,
                            row=exc["row"],
                            value=name,
                            message="electricity in a process without a grid",
                        )
                    )
                    continue
                rows.append(
                    {
                        **base,
                        "type": "technosphere",
                        "input": item.grid,
                        "amount": amount,
                        "unit": "kWh",
                        "comment": f"premise '{name}' ({exc.get('location')}) linked to "
                        f"{item.grid} (at generation: T&D losses not added)",
                        **_uncertainty(exc, amount, BASIC["energy"]),
                    }
                )
            elif kind == "technosphere" and "diesel" in name and exc.get("unit") == "kilogram":
                density, cite = diesel_kg_per_l
                litres = amount / density
                unc = _uncertainty(exc, amount, BASIC["energy"])
                if unc["distribution"] in ("triangular", "uniform"):
                    unc = {**unc, "min": unc["min"] / density, "max": unc["max"] / density}
                rows.append(
                    {
                        **base,
                        "type": "technosphere",
                        "input": "diesel_wtt_l",
                        "amount": litres,
                        "unit": "L",
                        "comment": f"premise '{name}' ({exc.get('location')}) "
                        f"{amount:.6g} kg / {density:.6g} kg/L ({cite}) linked to "
                        "diesel_wtt_l, DESNZ's UK diesel supply (a proxy outside the UK)",
                        **unc,
                    }
                )
            elif kind == "biosphere":
                category = str(exc.get("categories") or "").split("::")[0]
                flow = FLOWS.get((name, category))
                if flow is None:
                    cut_off.append(name)
                    continue
                rows.append(
                    {
                        **base,
                        "type": "biosphere",
                        "input": flow,
                        "amount": amount,
                        "unit": "kg",
                        "comment": f"premise '{name}' ({category})",
                        **_uncertainty(exc, amount, basic_factor(flow)),
                    }
                )
            else:
                cut_off.append(name)
        exchange_rows.extend(rows)
        process_rows.append(
            {
                "id": item.id,
                "name": item.name,
                "reference_product": f"{block.fields.get('reference product') or block.name}, "
                "tonne-km",
                "unit": "tkm",
                "location": item.scenat_location,
                "category": "transport",
                "source": source,
                "table": f"{item.file}: activity '{block.name}' ({block.location}), sheet row "
                f"{block.row}",
                "year": YEAR,
                "licence": LICENCE,
                "comment": f"premise activity '{block.name}', {block.location}, per tonne-km. "
                "Cut off (no scenat process or flow): " + ", ".join(sorted(set(cut_off))) + ".",
            }
        )
    if problems:
        raise InputError(problems)
    exchanges = drop_round_off(pl.DataFrame(exchange_rows, schema=exchange_schema()))
    processes = pl.DataFrame(
        process_rows, schema={c: pl.Int64 if c == "year" else pl.String for c in PROCESS_COLUMNS}
    )
    from scenat.model.indicators import characterised_flows

    recorded = recorded_indicators(
        processes["id"], exchanges.iter_rows(named=True), characterised_flows(), upstream
    )
    processes = processes.with_columns(
        pl.Series(RECORDED_INDICATORS, [recorded[i] for i in processes["id"]])
    )
    return processes, exchanges


def build_freight_inventory(
    source_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    full_set: str | os.PathLike[str] | None = None,
) -> tuple[int, int]:
    """Regenerate ``out_dir`` (``inventories/freight``) from the premise workbooks in
    ``source_path``; ``full_set`` is the DESNZ 2025 full set for the diesel density
    (default: ``../desnz/`` beside ``source_path``). Returns the processes and exchanges
    written."""
    from scenat.importers.desnz import read_fuel_properties
    from scenat.paths import inventories_dir

    folder = Path(source_path)
    workbook = (
        Path(full_set)
        if full_set
        else (folder.parent / "desnz" / "ghg-conversion-factors-2025-full-set.xlsx")
    )
    properties = read_fuel_properties(workbook)
    fuel = "Diesel (100% mineral diesel)"
    found = properties.filter(pl.col("fuel") == fuel)
    if found.height != 1:
        raise InputError(Problem(file=str(workbook), value=fuel, message="no such fuel"))
    density = float(found["density_kg_per_m3"][0]) / 1000
    cite = f"DESNZ 2025 fuel properties row {int(found['row'][0])}, {fuel}"
    blocks = {
        name: read_blocks(_sheet_rows(folder / name), name) for name in (RAIL_FILE, SHIP_FILE)
    }
    processes, exchanges = to_inventory(
        blocks, (density, cite), upstream=shipped_recorded_indicators(inventories_dir())
    )
    return write_inventory(processes, exchanges, out_dir)
