"""Importer for the DESNZ "GHG conversion factors, flat format" CSV.

The UK Department for Energy Security and Net Zero (DESNZ) publishes its GHG conversion
factors for company reporting every year, as workbooks and as one flat CSV with the
columns ``ID, Scope, Level 1, Level 2, Level 3, Level 4, Column Text, UOM, GHG/Unit,
GHG Conversion Factor <year>``. One factor (say "UK electricity generated, per kWh") is
spread over up to four rows that share an ID stem and differ in ``GHG/Unit``: the total
(``kg CO2e``) and, where DESNZ publishes it, its split into ``kg CO2e of CO2/CH4/N2O per
unit``.

This module

* reads the flat file into one row per factor (:func:`read_flat_file`);
* turns chosen factors into scenat background processes with elementary-flow exchanges
  (:func:`to_inventory`), converting the CO2e split back to gas masses with the GWPs
  DESNZ used (IPCC AR5 GWP100);
* regenerates the shipped starter inventory (:func:`build_starter_inventory`, also
  ``scenat data desnz FLAT_CSV OUT_DIR``).

Every process and exchange row carries source, table, year and licence, so the shipped
CSV files can be traced back to the DESNZ rows they came from.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NotRequired, TypedDict

import polars as pl

from scenat.errors import InputError, Problem
from scenat.importers.inventory import EXCHANGE_COLUMNS, PROCESS_COLUMNS, write_inventory

__all__ = [
    "AR5_GWP100",
    "BiosphereExchange",
    "SelectionRecord",
    "TechnosphereInput",
    "build_starter_inventory",
    "read_flat_file",
    "starter_selection",
    "to_inventory",
    "write_inventory",
]

LICENCE = "Open Government Licence v3.0"

# DESNZ states its CO2e basis as IPCC AR5 GWP100 (2025 full set, sheet "Introduction":
# "The GWPs used in the calculation of CO2e are based on ... (AR5) over a 100-year
# period"). Values: globalwarmingpotentials 0.13.2 (CC0), column AR5GWP100, rows CH4 and
# N2O; the same as IPCC AR5 WG1 Table 8.A.1 without climate-carbon feedbacks.
AR5_GWP100: Mapping[str, float] = {"CO2": 1.0, "CH4": 28.0, "N2O": 265.0}

# Flat-file header -> column name in the table read_flat_file returns.
_DESCRIPTIVE_COLUMNS: Mapping[str, str] = {
    "Scope": "scope",
    "Level 1": "level1",
    "Level 2": "level2",
    "Level 3": "level3",
    "Level 4": "level4",
    "Column Text": "column_text",
    "UOM": "uom",
}
_REQUIRED_HEADERS = ("ID", *_DESCRIPTIVE_COLUMNS, "GHG/Unit")
_FACTOR_HEADER = re.compile(r"^GHG Conversion Factor (\d{4})$", re.IGNORECASE)
_ROW_ID = re.compile(r"^(?P<stem>.+)_(?P<part>\d+)$")

_TOTAL = "kg CO2e"
_GAS_COLUMNS: Mapping[str, str] = {
    "kg CO2e of CO2 per unit": "co2_kg_co2e",
    "kg CO2e of CH4 per unit": "ch4_kg_co2e",
    "kg CO2e of N2O per unit": "n2o_kg_co2e",
}
# The SECR sheets publish energy use per vehicle-km in the same file; they are not
# conversion factors, so they are recognised and left out rather than rejected.
_ENERGY_ROWS = frozenset({"kWh (Net CV)", "kWh (net)"})

FACTOR_COLUMNS = (
    "desnz_id",
    *_DESCRIPTIVE_COLUMNS.values(),
    "year",
    "kg_co2e",
    "co2_kg_co2e",
    "ch4_kg_co2e",
    "n2o_kg_co2e",
)

SCENAT_UNITS = frozenset({"kWh", "kg", "t", "tkm", "m3", "L", "km", "MJ", "item"})
# Only units with an unambiguous scenat equivalent: "kWh (Gross CV)" is left out on
# purpose, since a gross-CV kWh of fuel is about 10 % more fuel than a net-CV kWh.
_UOM_TO_UNIT: Mapping[str, str] = {
    "kWh": "kWh",
    "kWh (Net CV)": "kWh",
    "litres": "L",
    "tonnes": "t",
    "tonne.km": "tkm",
    "cubic metres": "m3",
    "km": "km",
    "kg": "kg",
}
_PROCESS_ID = re.compile(r"^[a-z0-9_.-]+$")

# Units of the elementary flows (inventories/elementary_flows.csv) this module books.
_FLOW_UNITS: Mapping[str, str] = {"co2_fossil": "kg", "ch4_fossil": "kg", "n2o": "kg"}
_NO_SPLIT = "DESNZ publishes no gas split; total booked as CO2-equivalent fossil CO2"


class TechnosphereInput(TypedDict):
    """A link from a selected process to another process of the same selection."""

    process: str
    amount: NotRequired[float]  # per reference unit of the consuming process; default 1
    comment: NotRequired[str]


class BiosphereExchange(TypedDict):
    """An elementary flow that DESNZ does not publish (resource use), fully sourced."""

    flow: str  # id from inventories/elementary_flows.csv
    amount: float
    unit: str
    source: str
    table: str
    year: int
    licence: str
    comment: str


class SelectionRecord(TypedDict):
    """One scenat background process to make, and the DESNZ factor behind it.

    ``desnz_id`` is the factor ID stem (the flat-file ID without its last ``_N``), or
    ``None`` for a process that only sums other selected processes through ``inputs``.
    """

    id: str
    name: str
    desnz_id: str | None
    unit: str
    location: str
    category: str
    reference_product: NotRequired[str]
    comment: NotRequired[str]
    inputs: NotRequired[list[TechnosphereInput]]
    biosphere: NotRequired[list[BiosphereExchange]]


# --------------------------------------------------------------------------- reading


def read_flat_file(path: str | os.PathLike[str]) -> pl.DataFrame:
    """Read the DESNZ flat-format CSV into one row per conversion factor.

    Rows of one factor (same ID stem) are combined: ``kg_co2e`` is the total and
    ``co2_kg_co2e``, ``ch4_kg_co2e``, ``n2o_kg_co2e`` are the per-gas parts in kg CO2e,
    null where DESNZ publishes no split. Factors without a total are dropped; so are the
    SECR energy-use rows (``GHG/Unit`` in kWh), which are not conversion factors. ``year``
    comes from the last header, ``GHG Conversion Factor <year>``.

    Raises :class:`scenat.errors.InputError` listing every problem (CSV row numbers with
    the header as row 1): missing columns, factors that are not numbers, malformed IDs,
    unknown ``GHG/Unit`` values, duplicated rows, and rows of one factor that disagree on
    its description.

    >>> import pathlib, tempfile
    >>> header = ("ID,Scope,Level 1,Level 2,Level 3,Level 4,Column Text,UOM,GHG/Unit,"
    ...           "GHG Conversion Factor 2025")
    >>> row = "7_400_4000_5_{},Scope 2,UK electricity,Electricity generated,Electricity: UK"
    >>> text = "\\n".join([header,
    ...     row.format(1) + ",kWh,,kWh,kg CO2e,0.17700",
    ...     row.format(2) + ",kWh,,kWh,kg CO2e of CO2 per unit,0.17489"])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "flat.csv"
    >>> _ = path.write_text(text, encoding="utf-8-sig")
    >>> read_flat_file(path).select("desnz_id", "year", "kg_co2e", "co2_kg_co2e").row(0)
    ('7_400_4000_5', 2025, 0.177, 0.17489)
    """
    path = Path(path)
    file = str(path)
    try:
        raw = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except FileNotFoundError as exc:
        raise InputError(Problem(file=file, message="file not found")) from exc
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise InputError(
            Problem(
                file=file,
                message=f"cannot read the file as CSV: {exc}",
                hint="export the DESNZ flat file as UTF-8 CSV",
            )
        ) from exc

    headers = {col: col.lstrip("\ufeff").strip() for col in raw.columns}
    by_name = {name.casefold(): col for col, name in headers.items()}
    problems: list[Problem] = []
    for required in _REQUIRED_HEADERS:
        if required.casefold() not in by_name:
            problems.append(
                Problem(
                    file=file,
                    row=1,
                    column=required,
                    message="required column is missing",
                    hint="the flat file's header is: "
                    + ", ".join(_REQUIRED_HEADERS)
                    + ", GHG Conversion Factor <year>",
                )
            )
    factor_headers = [
        (col, match) for col, name in headers.items() if (match := _FACTOR_HEADER.match(name))
    ]
    if len(factor_headers) != 1:
        problems.append(
            Problem(
                file=file,
                row=1,
                column="GHG Conversion Factor <year>",
                value=", ".join(col for col, _ in factor_headers) or None,
                message="expected exactly one factor column named 'GHG Conversion Factor <year>'",
                hint="the year in that header is the reporting year of every factor",
            )
        )
    if problems:
        raise InputError(problems, f"{file}: not a DESNZ flat-format file")
    factor_col, match = factor_headers[0]
    factor_header = headers[factor_col]
    year = int(match.group(1))

    blank_to_null = [
        pl.when(pl.col(c).str.strip_chars() == "")
        .then(None)
        .otherwise(pl.col(c).str.strip_chars())
        .alias(c)
        for c in ("row_id", *_DESCRIPTIVE_COLUMNS.values(), "ghg_unit", "factor_text")
    ]
    rows = (
        raw.select(
            pl.col(by_name["id"]).alias("row_id"),
            *[pl.col(by_name[h.casefold()]).alias(n) for h, n in _DESCRIPTIVE_COLUMNS.items()],
            pl.col(by_name["ghg/unit"]).alias("ghg_unit"),
            pl.col(factor_col).alias("factor_text"),
        )
        .with_columns(blank_to_null)
        .with_row_index("row", offset=2)
        # Spreadsheet exports end with rows of bare commas; they hold nothing to check.
        .filter(~pl.all_horizontal(pl.exclude("row").is_null()))
        .with_columns(
            desnz_id=pl.col("row_id").str.extract(_ROW_ID.pattern, 1),
            value=pl.col("factor_text").cast(pl.Float64, strict=False),
        )
    )

    known_units = {_TOTAL, *_GAS_COLUMNS, *_ENERGY_ROWS}
    bad_number = pl.col("factor_text").is_not_null() & (
        pl.col("value").is_null() | ~pl.col("value").is_finite()
    )
    for rec in rows.filter(bad_number).iter_rows(named=True):
        problems.append(
            Problem(
                file=file,
                row=rec["row"],
                column=factor_header,
                value=rec["factor_text"],
                message="factor is not a number",
                hint="use a plain decimal such as 0.17700, or leave the cell empty "
                "where DESNZ publishes no factor",
            )
        )
    for rec in rows.filter(pl.col("desnz_id").is_null()).iter_rows(named=True):
        problems.append(
            Problem(
                file=file,
                row=rec["row"],
                column="ID",
                value=rec["row_id"],
                message="not a DESNZ factor row ID",
                hint="IDs look like 7_400_4000_5_1: factor ID stem, then _N per GHG row",
            )
        )
    unknown = rows.filter(
        pl.col("ghg_unit").is_null() | ~pl.col("ghg_unit").is_in(list(known_units))
    )
    for rec in unknown.iter_rows(named=True):
        problems.append(
            Problem(
                file=file,
                row=rec["row"],
                column="GHG/Unit",
                value=rec["ghg_unit"],
                message="unknown GHG/Unit",
                hint="expected one of: " + ", ".join(sorted(known_units)),
            )
        )
    duplicated = rows.filter(
        pl.col("desnz_id").is_not_null()
        & pl.struct("desnz_id", "ghg_unit").is_duplicated()
        & ~pl.struct("desnz_id", "ghg_unit").is_first_distinct()
    )
    for rec in duplicated.iter_rows(named=True):
        problems.append(
            Problem(
                file=file,
                row=rec["row"],
                column="GHG/Unit",
                value=rec["ghg_unit"],
                message=f"second '{rec['ghg_unit']}' row for factor {rec['desnz_id']}",
                hint="each factor has one row per GHG/Unit",
            )
        )
    # The importer keeps one description per factor: rows that disagree would make
    # that choice arbitrary, so they are reported instead.
    described = rows.filter(pl.col("desnz_id").is_not_null()).with_columns(
        description=pl.concat_str(
            [pl.col(c).fill_null("") for c in _DESCRIPTIVE_COLUMNS.values()],
            separator="|",
        )
    )
    first = described.group_by("desnz_id").agg(pl.col("description").first())
    mismatched = described.join(first, on="desnz_id", suffix="_first").filter(
        pl.col("description") != pl.col("description_first")
    )
    for rec in mismatched.sort("row").iter_rows(named=True):
        problems.append(
            Problem(
                file=file,
                row=rec["row"],
                column="ID",
                value=rec["row_id"],
                message=f"scope, levels, column text or UOM differ from the first row of "
                f"factor {rec['desnz_id']}",
                hint="rows sharing an ID stem describe the same factor",
            )
        )
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise InputError(problems)

    factors = (
        rows.filter(pl.col("ghg_unit").is_in([_TOTAL, *_GAS_COLUMNS]))
        .group_by("desnz_id", maintain_order=True)
        .agg(
            *[pl.col(c).first() for c in _DESCRIPTIVE_COLUMNS.values()],
            *[
                pl.col("value").filter(pl.col("ghg_unit") == unit).first().alias(name)
                for unit, name in {_TOTAL: "kg_co2e", **_GAS_COLUMNS}.items()
            ],
        )
        .filter(pl.col("kg_co2e").is_not_null())
        .with_columns(year=pl.lit(year, dtype=pl.Int64))
    )
    return factors.select(FACTOR_COLUMNS)


# ------------------------------------------------------------------------- inventory


def _source(year: int) -> str:
    return f"UK Government GHG Conversion Factors for Company Reporting {year} (DESNZ), flat file"


def _table(factor: Mapping[str, Any]) -> str:
    path = [
        factor[c]
        for c in ("level1", "level2", "level3", "level4", "column_text")
        if factor[c] is not None
    ]
    return f"{factor['desnz_id']}; " + " > ".join(path) + f" [{factor['uom']}]"


def _gas_exchanges(factor: Mapping[str, Any]) -> list[tuple[str, float, str]]:
    """(flow id, mass per unit, comment) for one DESNZ factor."""
    gases = [factor["co2_kg_co2e"], factor["ch4_kg_co2e"], factor["n2o_kg_co2e"]]
    if any(g is None for g in gases) or (not any(gases) and factor["kg_co2e"]):
        return [("co2_fossil", factor["kg_co2e"], _NO_SPLIT)]
    co2, ch4, n2o = gases
    out = []
    if co2:
        out.append(("co2_fossil", co2, "DESNZ kg CO2e of CO2 per unit"))
    # DESNZ reports combustion methane; fuels and the grid mix are mostly fossil, so it
    # is booked as fossil methane.
    for flow, gas, co2e in (("ch4_fossil", "CH4", ch4), ("n2o", "N2O", n2o)):
        if co2e:
            gwp = AR5_GWP100[gas]
            note = (
                f"DESNZ kg CO2e of {gas} per unit {co2e!r} / {gwp:g} "
                "(IPCC AR5 GWP100, the DESNZ basis)"
            )
            out.append((flow, co2e / gwp, note))
    return out


def _selection_problems(
    selection: Sequence[Mapping[str, Any]], factors: Mapping[str, Mapping[str, Any]]
) -> list[Problem]:
    problems: list[Problem] = []

    def problem(i: int, column: str, value: Any, message: str, hint: str | None = None):
        problems.append(
            Problem(
                sheet="selection",
                row=i,
                column=column,
                value=value,
                message=message,
                hint=hint,
            )
        )

    ids = [rec.get("id") for rec in selection]
    for i, rec in enumerate(selection, start=1):
        for key in ("id", "name", "unit", "location", "category"):
            if not rec.get(key):
                problem(i, key, rec.get(key), f"'{key}' is required")
        if "desnz_id" not in rec:
            problem(i, "desnz_id", None, "'desnz_id' is required (None for a sum)")
        pid = rec.get("id")
        if pid and not _PROCESS_ID.match(pid):
            problem(
                i,
                "id",
                pid,
                "not a valid process id",
                "use lowercase letters, digits, '_', '.', '-'",
            )
        if pid and ids.count(pid) > 1:
            problem(i, "id", pid, "duplicate process id")
        unit = rec.get("unit")
        if unit and unit not in SCENAT_UNITS:
            problem(
                i,
                "unit",
                unit,
                "not a scenat reference unit",
                "use one of " + ", ".join(sorted(SCENAT_UNITS)),
            )
        desnz_id = rec.get("desnz_id")
        if desnz_id is not None:
            factor = factors.get(desnz_id)
            if factor is None:
                problem(
                    i,
                    "desnz_id",
                    desnz_id,
                    "no DESNZ factor with this ID stem",
                    "use the flat-file ID without its last _N part, e.g. 7_400_4000_5",
                )
            elif _UOM_TO_UNIT.get(factor["uom"]) != unit:
                problem(
                    i,
                    "unit",
                    unit,
                    f"DESNZ factor {desnz_id} is per '{factor['uom']}'",
                    f"use unit {_UOM_TO_UNIT[factor['uom']]!r}"
                    if factor["uom"] in _UOM_TO_UNIT
                    else "choose the DESNZ row in a unit scenat knows",
                )
        elif not rec.get("inputs"):
            problem(i, "inputs", None, "a process without desnz_id must have inputs")
        for link in rec.get("inputs", []):
            if link.get("process") not in ids:
                problem(
                    i,
                    "inputs",
                    link.get("process"),
                    "input is not a process of this selection",
                )
            if not _finite(link.get("amount", 1.0)):
                problem(i, "inputs", link.get("amount"), "amount is not a finite number")
        for extra in rec.get("biosphere", []):
            missing = [k for k in BiosphereExchange.__annotations__ if extra.get(k) in (None, "")]
            if missing:
                problem(
                    i,
                    "biosphere",
                    extra.get("flow"),
                    "biosphere exchange lacks " + ", ".join(missing),
                )
            elif not _finite(extra["amount"]):
                problem(i, "biosphere", extra["amount"], "amount is not a finite number")
    return problems


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def to_inventory(
    factors: pl.DataFrame, selection: Sequence[SelectionRecord | Mapping[str, Any]]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Turn selected DESNZ factors into scenat background processes and exchanges.

    ``factors`` is the table :func:`read_flat_file` returns. Each selection record names
    a process (``id``, ``name``, ``unit``, ``location``, ``category``) and the DESNZ
    factor behind it (``desnz_id``), optionally ``reference_product``, ``comment``,
    ``inputs`` (links to other selected processes, default amount 1) and ``biosphere``
    (extra, fully sourced elementary flows such as resource use).

    A factor with a published gas split becomes kg of fossil CO2, fossil CH4 (kg CO2e /
    28) and N2O (kg CO2e / 265), undoing DESNZ's AR5 GWP100; a factor with only a total
    becomes that many kg of fossil CO2, said so in the exchange's comment. Returns
    ``(processes, exchanges)`` in the inventory schema (``PROCESS_COLUMNS``,
    ``EXCHANGE_COLUMNS``); raises :class:`scenat.errors.InputError` for a selection that
    does not fit the factors.

    >>> factors = pl.DataFrame({
    ...     "desnz_id": ["7_400_4000_5"], "scope": ["Scope 2"],
    ...     "level1": ["UK electricity"], "level2": ["Electricity generated"],
    ...     "level3": ["Electricity: UK"], "level4": ["kWh"], "column_text": [None],
    ...     "uom": ["kWh"], "year": [2025], "kg_co2e": [0.177],
    ...     "co2_kg_co2e": [0.17489], "ch4_kg_co2e": [0.0009], "n2o_kg_co2e": [0.00122]})
    >>> processes, exchanges = to_inventory(factors, [{
    ...     "id": "electricity_uk_grid_generated", "name": "electricity, UK grid",
    ...     "desnz_id": "7_400_4000_5", "unit": "kWh", "location": "GB",
    ...     "category": "electricity"}])
    >>> [(flow, round(kg, 9)) for flow, kg in exchanges.select("input", "amount").rows()]
    [('co2_fossil', 0.17489), ('ch4_fossil', 3.2143e-05), ('n2o', 4.604e-06)]
    """
    if factors.is_empty():
        raise InputError(Problem(message="no DESNZ factors to select from"))
    years = factors["year"].unique().to_list()
    if len(years) != 1:
        raise InputError(Problem(column="year", value=years, message="factors of several years"))
    year = int(years[0])
    by_id = {row["desnz_id"]: row for row in factors.iter_rows(named=True)}
    problems = _selection_problems(selection, by_id)
    if problems:
        raise InputError(problems, f"{len(problems)} problem(s) in the DESNZ selection")

    source = _source(year)
    tables: dict[str, str] = {}
    units = {rec["id"]: rec["unit"] for rec in selection}
    for rec in selection:
        if rec["desnz_id"] is not None:
            tables[rec["id"]] = _table(by_id[rec["desnz_id"]])
    for rec in selection:
        if rec["desnz_id"] is None:
            parts = [
                tables.get(link["process"], link["process"]).split(";")[0] for link in rec["inputs"]
            ]
            tables[rec["id"]] = " + ".join(parts) + "; sum of the linked DESNZ factors"

    process_rows: list[dict[str, Any]] = []
    exchange_rows: list[dict[str, Any]] = []
    for rec in selection:
        pid = rec["id"]
        comment = rec.get("comment", "")
        provenance = {
            "source": source,
            "table": tables[pid],
            "year": year,
            "licence": LICENCE,
        }
        if rec["desnz_id"] is not None:
            factor = by_id[rec["desnz_id"]]
            published = (
                f"DESNZ {factor['scope']}: {factor['kg_co2e']!r} kg CO2e per "
                f"{rec['unit']} (IPCC AR5 GWP100)."
            )
            comment = f"{comment} {published}".strip()
            for flow, amount, note in _gas_exchanges(factor):
                exchange_rows.append(
                    {
                        "process": pid,
                        "type": "biosphere",
                        "input": flow,
                        "amount": amount,
                        "unit": _FLOW_UNITS[flow],
                        **provenance,
                        "comment": note,
                    }
                )
        process_rows.append(
            {
                "id": pid,
                "name": rec["name"],
                "reference_product": rec.get("reference_product") or rec["name"],
                "unit": rec["unit"],
                "location": rec["location"],
                "category": rec["category"],
                **provenance,
                "comment": comment,
            }
        )
        for extra in rec.get("biosphere", []):
            exchange_rows.append(
                {
                    "process": pid,
                    "type": "biosphere",
                    "input": extra["flow"],
                    "amount": float(extra["amount"]),
                    "unit": extra["unit"],
                    "source": extra["source"],
                    "table": extra["table"],
                    "year": int(extra["year"]),
                    "licence": extra["licence"],
                    "comment": extra["comment"],
                }
            )
        for link in rec.get("inputs", []):
            exchange_rows.append(
                {
                    "process": pid,
                    "type": "technosphere",
                    "input": link["process"],
                    "amount": float(link.get("amount", 1.0)),
                    "unit": units[link["process"]],
                    "source": source,
                    "table": tables[link["process"]],
                    "year": year,
                    "licence": LICENCE,
                    "comment": link.get("comment", ""),
                }
            )

    process_schema = {c: pl.String for c in PROCESS_COLUMNS} | {"year": pl.Int64}
    exchange_schema = {c: pl.String for c in EXCHANGE_COLUMNS} | {
        "amount": pl.Float64,
        "year": pl.Int64,
    }
    return (
        pl.DataFrame(process_rows, schema=process_schema, orient="row"),
        pl.DataFrame(exchange_rows, schema=exchange_schema, orient="row"),
    )


# ------------------------------------------------------------------ starter inventory

# Fuel properties: UK Government GHG Conversion Factors for Company Reporting 2025, full
# set (ghg-conversion-factors-2025-full-set.xlsx), sheet "Fuel properties". They are
# constants because the flat file does not carry them; starter_selection refuses other
# years so that a newer flat file cannot silently mix with 2025 properties.
FUEL_PROPERTIES_YEAR = 2025
FUEL_PROPERTIES_SOURCE = (
    "UK Government GHG Conversion Factors for Company Reporting 2025 (DESNZ), full set, "
    "sheet 'Fuel properties'"
)
NATURAL_GAS_NET_CV_GJ_PER_T = 45.745  # row "Natural Gas", Net CV, GJ/tonne
NATURAL_GAS_DENSITY_KG_PER_M3 = 0.802  # row "Natural Gas", Density, kg/m3
DIESEL_BLEND_NET_CV_KWH_PER_L = 9.905  # row "Diesel (average biofuel blend)", kWh/litre
# DESNZ gives no crude-oil calorific value. EF v3.1 characterises 'Oil, crude' (in
# ground) by its net calorific value, 43.4 MJ/kg (bw2io 0.9.17, lcia_39_ecoinvent.zip),
# so converting the fuel's fossil energy with the same value makes the fossil-energy
# indicator equal that energy.
CRUDE_OIL_NET_CV_MJ_PER_KG = 43.4
MJ_PER_KWH = 3.6


def _factor_value(factors: pl.DataFrame, desnz_id: str, column: str) -> float:
    values = factors.filter(pl.col("desnz_id") == desnz_id)[column].to_list()
    if len(values) != 1 or values[0] is None:
        raise InputError(
            Problem(
                column=column,
                value=desnz_id,
                message=f"DESNZ factor {desnz_id} has no {column}",
                hint="the starter selection expects the 2025 flat file",
            )
        )
    return float(values[0])


def _fossil_share(factors: pl.DataFrame, blend: str, mineral: str) -> float:
    # Scope-1 CO2 is fossil only (biogenic CO2 is reported 'outside of scopes'), so the
    # ratio of blend to 100 % mineral fuel CO2 per kWh is the fossil share of the energy.
    return _factor_value(factors, blend, "co2_kg_co2e") / _factor_value(
        factors, mineral, "co2_kg_co2e"
    )


def starter_selection(factors: pl.DataFrame) -> list[SelectionRecord]:
    """The DESNZ factors shipped as scenat's starter background, with resource flows.

    Resource amounts are computed from the 2025 fuel properties and from ``factors``
    (fossil shares of the biofuel blends), so the function needs the 2025 flat file.
    """
    year = int(factors["year"][0])
    if year != FUEL_PROPERTIES_YEAR:
        raise InputError(
            Problem(
                column="year",
                value=year,
                message=f"the starter selection uses {FUEL_PROPERTIES_YEAR} DESNZ fuel "
                "properties and factor IDs",
                hint="update FUEL_PROPERTIES_* and the selection for the new year",
            )
        )
    flat = _source(year)

    gas_share = _fossil_share(factors, "1_100_1004_7", "1_100_1005_7")
    gas_mj_per_m3 = NATURAL_GAS_NET_CV_GJ_PER_T * NATURAL_GAS_DENSITY_KG_PER_M3
    gas_m3 = MJ_PER_KWH * gas_share / gas_mj_per_m3
    diesel_share = _fossil_share(factors, "1_101_1011_7", "1_101_1012_7")
    diesel_mj = DIESEL_BLEND_NET_CV_KWH_PER_L * MJ_PER_KWH
    crude_kg = diesel_mj * diesel_share / CRUDE_OIL_NET_CV_MJ_PER_KG

    natural_gas_resource: BiosphereExchange = {
        "flow": "natural_gas_resource",
        "amount": gas_m3,
        "unit": "m3",
        "source": f"{FUEL_PROPERTIES_SOURCE}; {flat}",
        "table": (
            f"Fuel properties > Natural Gas: Net CV {NATURAL_GAS_NET_CV_GJ_PER_T} GJ/tonne, "
            f"density {NATURAL_GAS_DENSITY_KG_PER_M3} kg/m3; fossil share = CO2 of "
            "1_100_1004_7 (Natural gas) / 1_100_1005_7 (100% mineral blend), kWh (Net CV)"
        ),
        "year": year,
        "licence": LICENCE,
        "comment": (
            f"Fossil gas in 1 kWh (net CV) of grid natural gas: 3.6 MJ x fossil share "
            f"{gas_share:.5f} / ({NATURAL_GAS_NET_CV_GJ_PER_T} MJ/kg x "
            f"{NATURAL_GAS_DENSITY_KG_PER_M3} kg/m3 = {gas_mj_per_m3:.3f} MJ/m3). "
            "Energy content only: gas used or lost in extraction and transport is not "
            "included."
        ),
    }
    crude_oil_resource: BiosphereExchange = {
        "flow": "crude_oil_resource",
        "amount": crude_kg,
        "unit": "kg",
        "source": (
            f"{FUEL_PROPERTIES_SOURCE}; {flat}; crude oil net CV "
            f"{CRUDE_OIL_NET_CV_MJ_PER_KG} MJ/kg as characterised by EF v3.1 "
            "(bw2io 0.9.17 bundled LCIA data)"
        ),
        "table": (
            "Fuel properties > Diesel (average biofuel blend): Net CV "
            f"{DIESEL_BLEND_NET_CV_KWH_PER_L} kWh/litre; fossil share = CO2 of "
            "1_101_1011_7 (average biofuel blend) / 1_101_1012_7 (100% mineral diesel), "
            "kWh (Net CV)"
        ),
        "year": year,
        "licence": LICENCE,
        "comment": (
            f"Crude oil equivalent to the fossil energy of 1 litre of diesel blend: "
            f"{DIESEL_BLEND_NET_CV_KWH_PER_L} kWh/L x 3.6 MJ/kWh x fossil share "
            f"{diesel_share:.5f} / {CRUDE_OIL_NET_CV_MJ_PER_KG} MJ/kg. Energy content "
            "only: refinery and transport losses are not included."
        ),
    }
    water_resource: BiosphereExchange = {
        "flow": "water",
        "amount": 1.0,
        "unit": "m3",
        "source": flat,
        "table": _table(factors.filter(pl.col("desnz_id") == "17_404_4005_1").row(0, named=True)),
        "year": year,
        "licence": LICENCE,
        "comment": (
            "1 m3 of water per m3 of mains water supplied, booked as consumed: an upper "
            "bound, since water returned to the sewer is not credited."
        ),
    }

    delivered = " + ".join(
        repr(_factor_value(factors, i, "kg_co2e"))
        for i in ("7_400_4000_5", "13_402_4000_5", "15_917_4000_5", "15_918_4000_5")
    )

    def wtt(pid: str, what: str) -> TechnosphereInput:
        return {
            "process": pid,
            "amount": 1.0,
            "comment": f"DESNZ well-to-tank factor for {what}, per the same unit",
        }

    return [
        {
            "id": "electricity_uk_grid_generated",
            "name": "electricity, UK grid average, generation only (DESNZ scope 2)",
            "reference_product": "electricity, UK grid, at generation",
            "desnz_id": "7_400_4000_5",
            "unit": "kWh",
            "location": "GB",
            "category": "electricity",
            "comment": "Location-based UK grid average for electricity generated. "
            "Excludes T&D losses and fuel supply (WTT): use "
            "electricity_uk_grid_delivered for consumption.",
        },
        {
            "id": "electricity_uk_td_losses",
            "name": "electricity, UK grid, transmission and distribution losses "
            "(DESNZ, per kWh consumed)",
            "reference_product": "T&D losses attributable to 1 kWh of electricity consumed",
            "desnz_id": "13_402_4000_5",
            "unit": "kWh",
            "location": "GB",
            "category": "electricity",
            "comment": "Generation emissions of the electricity lost on the grid, per kWh "
            "consumed; DESNZ adds it to the generation factor.",
        },
        {
            "id": "electricity_uk_generation_wtt",
            "name": "electricity, UK grid, well-to-tank of generation (DESNZ)",
            "reference_product": "fuel supply for 1 kWh of UK grid electricity consumed",
            "desnz_id": "15_917_4000_5",
            "unit": "kWh",
            "location": "GB",
            "category": "electricity",
            "comment": "Extraction, refining and transport of the fuels burned to "
            "generate 1 kWh consumed.",
        },
        {
            "id": "electricity_uk_td_wtt",
            "name": "electricity, UK grid, well-to-tank of T&D losses (DESNZ)",
            "reference_product": "fuel supply for the T&D losses of 1 kWh consumed",
            "desnz_id": "15_918_4000_5",
            "unit": "kWh",
            "location": "GB",
            "category": "electricity",
            "comment": "Extraction, refining and transport of the fuels burned to "
            "generate the electricity lost on the grid, per kWh consumed.",
        },
        {
            "id": "electricity_uk_grid_delivered",
            "name": "electricity, UK grid, delivered to the consumer (DESNZ generation + "
            "T&D + WTT)",
            "reference_product": "electricity, UK grid, at the consumer",
            "desnz_id": None,
            "unit": "kWh",
            "location": "GB",
            "category": "electricity",
            "comment": "Sum for 1 kWh consumed: 1 kWh of each of the generation, T&D, "
            "WTT-generation and WTT-T&D processes. DESNZ expresses all four per kWh "
            "consumed and tells reporters to add them, so each input is 1 kWh (not a loss "
            f"rate); DESNZ totals {delivered} kg CO2e.",
            "inputs": [
                {
                    "process": "electricity_uk_grid_generated",
                    "amount": 1.0,
                    "comment": "DESNZ UK electricity generated, per kWh consumed",
                },
                {
                    "process": "electricity_uk_td_losses",
                    "amount": 1.0,
                    "comment": "DESNZ T&D factor, added per kWh consumed",
                },
                {
                    "process": "electricity_uk_generation_wtt",
                    "amount": 1.0,
                    "comment": "DESNZ WTT of generation, added per kWh consumed",
                },
                {
                    "process": "electricity_uk_td_wtt",
                    "amount": 1.0,
                    "comment": "DESNZ WTT of T&D losses, added per kWh consumed",
                },
            ],
        },
        {
            "id": "natural_gas_combustion_kwh",
            "name": "natural gas, burned, per kWh net CV, incl. well-to-tank (DESNZ)",
            "reference_product": "natural gas burned, kWh (net CV) of fuel",
            "desnz_id": "1_100_1004_7",
            "unit": "kWh",
            "location": "GB",
            "category": "fuel",
            "comment": "Combustion of DESNZ 'Natural gas' (UK grid gas, incl. its small "
            "biomethane share) plus 1 kWh of natural_gas_wtt_kwh for its supply.",
            "inputs": [wtt("natural_gas_wtt_kwh", "natural gas")],
        },
        {
            "id": "natural_gas_wtt_kwh",
            "name": "natural gas, well-to-tank, per kWh net CV (DESNZ)",
            "reference_product": "natural gas supplied, kWh (net CV)",
            "desnz_id": "11_100_1004_7",
            "unit": "kWh",
            "location": "GB",
            "category": "fuel",
            "comment": "Extraction, processing and transport of natural gas; carries the "
            "fossil resource of the gas.",
            "biosphere": [natural_gas_resource],
        },
        {
            "id": "diesel_combustion_l",
            "name": "diesel (average biofuel blend), burned, per litre, incl. well-to-tank (DESNZ)",
            "reference_product": "diesel (average biofuel blend) burned, litre",
            "desnz_id": "1_101_1011_8",
            "unit": "L",
            "location": "GB",
            "category": "fuel",
            "comment": "Combustion of UK forecourt diesel (average biofuel blend); biogenic "
            "CO2 of the biofuel part is outside DESNZ scopes and not booked. Plus 1 L of "
            "diesel_wtt_l for its supply.",
            "inputs": [wtt("diesel_wtt_l", "diesel (average biofuel blend)")],
        },
        {
            "id": "diesel_wtt_l",
            "name": "diesel (average biofuel blend), well-to-tank, per litre (DESNZ)",
            "reference_product": "diesel (average biofuel blend) supplied, litre",
            "desnz_id": "11_101_1011_8",
            "unit": "L",
            "location": "GB",
            "category": "fuel",
            "comment": "Extraction, refining and transport of the blend; carries the "
            "fossil resource of its mineral part.",
            "biosphere": [crude_oil_resource],
        },
        {
            "id": "steel_cans_primary",
            "name": "steel (DESNZ steel cans, primary production)",
            "reference_product": "steel cans, primary material",
            "desnz_id": "19_504_5116_15",
            "unit": "t",
            "location": "GB",
            "category": "material",
            "comment": "DESNZ has no structural steel factor; this is its 'Metal: steel "
            "cans' primary material (cradle to point of sale). For construction metals "
            "see metals_construction_primary.",
        },
        {
            "id": "metals_construction_primary",
            "name": "metals, construction (DESNZ construction metals, primary production)",
            "reference_product": "construction metals, primary material",
            "desnz_id": "19_500_5028_15",
            "unit": "t",
            "location": "GB",
            "category": "material",
            "comment": "DESNZ 'Construction > Metals', an unspecified mix of construction "
            "metals, primary material (cradle to point of sale).",
        },
        {
            "id": "aluminium_cans_foil_primary",
            "name": "aluminium (DESNZ aluminium cans and foil excl. forming, primary production)",
            "reference_product": "aluminium cans and foil, primary material",
            "desnz_id": "19_504_5104_15",
            "unit": "t",
            "location": "GB",
            "category": "material",
            "comment": "DESNZ 'Metal: aluminium cans and foil (excl. forming)', primary "
            "material (cradle to point of sale).",
        },
        {
            "id": "concrete_primary",
            "name": "concrete (DESNZ construction concrete, primary production)",
            "reference_product": "concrete, primary material",
            "desnz_id": "19_500_5020_15",
            "unit": "t",
            "location": "GB",
            "category": "material",
            "comment": "DESNZ 'Construction > Concrete', primary material (cradle to "
            "point of sale); mix and strength class unspecified.",
        },
        {
            "id": "glass_primary",
            "name": "glass (DESNZ glass, primary production)",
            "reference_product": "glass, primary material",
            "desnz_id": "19_501_5056_15",
            "unit": "t",
            "location": "GB",
            "category": "material",
            "comment": "DESNZ 'Other > Glass', primary material (cradle to point of sale).",
        },
        {
            "id": "plastics_average_primary",
            "name": "plastics, average (DESNZ average plastics, primary production)",
            "reference_product": "average plastics, primary material",
            "desnz_id": "19_505_5120_15",
            "unit": "t",
            "location": "GB",
            "category": "material",
            "comment": "DESNZ 'Plastics: average plastics', primary material (cradle to "
            "point of sale).",
        },
        {
            "id": "freight_hgv_diesel_tkm",
            "name": "freight, HGV (all diesel), all HGVs, average laden, incl. "
            "well-to-tank (DESNZ)",
            "reference_product": "freight transport by HGV, tonne-km",
            "desnz_id": "27_304_3140_14",
            "unit": "tkm",
            "location": "GB",
            "category": "transport",
            "comment": "DESNZ freighting goods, tailpipe emissions per tonne-km for the "
            "average UK HGV load; plus 1 tkm of freight_hgv_diesel_wtt_tkm for the fuel "
            "supply.",
            "inputs": [wtt("freight_hgv_diesel_wtt_tkm", "HGV (all diesel) freight")],
        },
        {
            "id": "freight_hgv_diesel_wtt_tkm",
            "name": "freight, HGV (all diesel), all HGVs, average laden, well-to-tank (DESNZ)",
            "reference_product": "diesel supply for 1 tonne-km of HGV freight",
            "desnz_id": "28_907_3140_14",
            "unit": "tkm",
            "location": "GB",
            "category": "transport",
            "comment": "Extraction, refining and transport of the diesel burned per "
            "tonne-km (no fossil resource flow: DESNZ gives no fuel use per tonne-km).",
        },
        {
            "id": "water_supply",
            "name": "water supply, mains (DESNZ)",
            "reference_product": "mains water, delivered",
            "desnz_id": "17_404_4005_1",
            "unit": "m3",
            "location": "GB",
            "category": "water",
            "comment": "DESNZ water supply per m3 of mains water delivered.",
            "biosphere": [water_resource],
        },
        {
            "id": "water_treatment",
            "name": "water treatment, wastewater (DESNZ)",
            "reference_product": "wastewater treated",
            "desnz_id": "18_405_4006_1",
            "unit": "m3",
            "location": "GB",
            "category": "water",
            "comment": "DESNZ water treatment per m3 of water returned to the sewer.",
        },
    ]


def build_starter_inventory(
    flat_csv_path: str | os.PathLike[str], out_dir: str | os.PathLike[str]
) -> None:
    """Regenerate ``out_dir/processes.csv`` and ``out_dir/exchanges.csv`` from DESNZ.

    This is how the shipped ``inventories/starter`` files are made; rerun it after
    changing the importer or the selection, e.g.
    ``scenat data desnz ghg-conversion-factors-2025-flat-format.csv
    inventories/starter``.
    """
    factors = read_flat_file(flat_csv_path)
    processes, exchanges = to_inventory(factors, starter_selection(factors))
    write_inventory(processes, exchanges, out_dir)
