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
from scenat.importers.inventory import (
    PROCESS_COLUMNS,
    RECORDED_INDICATORS,
    UNCERTAIN_EXCHANGE_COLUMNS,
    exchange_schema,
    recorded_indicators,
    write_inventory,
)
from scenat.importers.pedigree import BASIC, Pedigree

__all__ = [
    "AR5_GWP100",
    "BiosphereExchange",
    "SelectionRecord",
    "TechnosphereInput",
    "build_starter_inventory",
    "full_set_for",
    "read_flat_file",
    "read_fuel_properties",
    "starter_selection",
    "to_inventory",
    "uk_grid_energy",
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
# Flow -> its class of basic uncertainty (scenat.importers.pedigree.BASIC).
_GAS_CLASS: Mapping[str, str] = {"co2_fossil": "co2", "ch4_fossil": "ch4", "n2o": "n2o"}


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
    #: the uncertainty columns (Pedigree.columns); default: the DESNZ factor pedigree
    uncertainty: NotRequired[dict[str, Any]]


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


# ------------------------------------------------------------------ fuel properties

FUEL_PROPERTIES_SHEET = "Fuel properties"
#: the sheet's columns C.. K, as the header rows 13-14 of the 2024-2026 workbooks name them
FUEL_PROPERTY_COLUMNS = (
    "year",
    "net_cv_gj_per_t",
    "gross_cv_gj_per_t",
    "density_kg_per_m3",
    "litres_per_t",
    "net_kwh_per_kg",
    "gross_kwh_per_kg",
    "net_kwh_per_l",
    "gross_kwh_per_l",
)


def full_set_for(flat_csv: str | os.PathLike[str], year: int) -> Path:
    """The full-set workbook of ``year`` beside a flat file (DESNZ's file names).

    >>> full_set_for("desnz/ghg-conversion-factors-2025-flat-format.csv", 2025).name
    'ghg-conversion-factors-2025-full-set.xlsx'
    """
    folder = Path(flat_csv).parent
    matches = sorted(folder.glob(f"ghg-conversion-factors-{year}-full*set*.xlsx"))
    return matches[0] if matches else folder / f"ghg-conversion-factors-{year}-full-set.xlsx"


def read_fuel_properties(path: str | os.PathLike[str]) -> pl.DataFrame:
    """The "Fuel properties" sheet of a DESNZ full-set workbook: one row per fuel.

    Columns: ``fuel`` (column B), ``row`` (the sheet's row number), then
    :data:`FUEL_PROPERTY_COLUMNS` (``year``; net and gross calorific values in GJ/t and
    kWh/kg, kWh/litre; density kg/m3; litres per tonne), null where DESNZ leaves a cell
    empty. A fuel's rows are found below each header row whose column D reads ``Net CV``.

    Raises :class:`scenat.errors.InputError` (file, sheet, row, column) for a missing
    sheet, a workbook without the header, or a cell that is not a number.
    """
    import openpyxl

    file = str(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise InputError(
            Problem(
                file=file,
                message="DESNZ full-set workbook not found",
                hint="the full set of the flat file's year, beside it "
                "(ghg-conversion-factors-<year>-full-set.xlsx)",
            )
        ) from exc
    except Exception as exc:  # noqa: BLE001  (openpyxl raises many kinds for a bad file)
        raise InputError(Problem(file=file, message=f"cannot read the workbook: {exc}")) from exc
    try:
        if FUEL_PROPERTIES_SHEET not in workbook.sheetnames:
            raise InputError(
                Problem(
                    file=file,
                    sheet=FUEL_PROPERTIES_SHEET,
                    message="sheet is missing",
                    hint="the DESNZ full set has a 'Fuel properties' sheet",
                )
            )
        cells = list(workbook[FUEL_PROPERTIES_SHEET].iter_rows(values_only=True))
    finally:
        workbook.close()
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    in_table = False
    letters = "CDEFGHIJK"
    for number, values in enumerate(cells, start=1):
        values = tuple(values) + (None,) * max(0, 11 - len(values))
        if isinstance(values[3], str) and values[3].strip() == "Net CV":
            in_table = True
            continue
        name = values[1]
        if not in_table or not isinstance(name, str) or not name.strip():
            # the units row under a header keeps the table open; a blank row closes it
            in_table = in_table and any(v is not None for v in values[:11])
            continue
        record: dict[str, Any] = {"fuel": name.strip(), "row": number}
        for column, letter, value in zip(FUEL_PROPERTY_COLUMNS, letters, values[2:11]):
            if value is None or (isinstance(value, str) and not value.strip()):
                record[column] = None
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                record[column] = float(value)
            else:
                problems.append(
                    Problem(
                        file=file,
                        sheet=FUEL_PROPERTIES_SHEET,
                        row=number,
                        column=letter,
                        value=value,
                        message="not a number",
                        hint="DESNZ gives calorific values and densities as numbers",
                    )
                )
        rows.append(record)
    if not rows and not problems:
        problems.append(
            Problem(
                file=file,
                sheet=FUEL_PROPERTIES_SHEET,
                column="D",
                message="no header row with 'Net CV' and no fuel rows below it",
            )
        )
    if problems:
        raise InputError(problems)
    table = pl.DataFrame(
        rows,
        schema={"fuel": pl.String, "row": pl.Int64}
        | dict.fromkeys(FUEL_PROPERTY_COLUMNS, pl.Float64),
    )
    return table.with_columns(pl.col("year").cast(pl.Int64))


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
            missing = [k for k in BiosphereExchange.__required_keys__ if extra.get(k) in (None, "")]
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
            scores = MATERIAL_PEDIGREE if rec["category"] == "material" else FACTOR_PEDIGREE
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
                        **scores.columns(BASIC[_GAS_CLASS[flow]]),
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
                    **(extra.get("uncertainty") or FACTOR_PEDIGREE.columns(BASIC["resource"])),
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
                    "uncertainty_source": _EXACT_LINK,
                }
            )

    process_schema = {c: pl.String for c in PROCESS_COLUMNS} | {"year": pl.Int64}
    rows = [{c: row.get(c) for c in UNCERTAIN_EXCHANGE_COLUMNS} for row in exchange_rows]
    exchanges = pl.DataFrame(rows, schema=exchange_schema(), orient="row")
    processes = pl.DataFrame(process_rows, schema=process_schema, orient="row")
    from scenat.model.indicators import characterised_flows

    recorded = recorded_indicators(
        processes["id"], exchanges.iter_rows(named=True), characterised_flows()
    )
    processes = processes.with_columns(
        pl.Series(RECORDED_INDICATORS, [recorded[i] for i in processes["id"]])
    )
    return processes, exchanges


# ------------------------------------------------------------------ starter inventory

# The starter's resource flows. Fuel properties come from the full-set workbook of the flat
# file's year (read_fuel_properties); the selection's factor IDs are those of the 2025 file,
# so other years are refused rather than silently mixed.
STARTER_YEAR = 2025
MJ_PER_KWH = 3.6

# Pedigree scores (reliability, completeness, temporal, geographical, technological) of the
# DESNZ rows (scenat.importers.pedigree): official factors from verified statistics partly
# estimated (2), complete (1), the reporting year's data (1), UK (1), averaged technology (2);
# material factors are cradle-to-shelf averages of unknown composition (3, 2, 3, 2, 3).
FACTOR_PEDIGREE = Pedigree(2, 1, 1, 1, 2)
MATERIAL_PEDIGREE = Pedigree(3, 2, 3, 2, 3)
# Fuel energy from DESNZ's own fuel properties and fossil shares: as the factors.
FUEL_PEDIGREE = Pedigree(2, 1, 1, 1, 2)
# Fossil energy derived from a freight CO2 factor (fuel mix of the fleet assumed): (2,2,1,1,3).
FREIGHT_FUEL_PEDIGREE = Pedigree(2, 2, 1, 1, 3)
# Extraction losses from USLCI's US extraction processes of about 2000: (3, 2, 4, 3, 3).
UPSTREAM_PEDIGREE = Pedigree(3, 2, 4, 3, 3)
# Exact links: DESNZ adds its WTT, T&D factors one for one, so the amount is not uncertain.
_EXACT_LINK = "none: exact by definition (DESNZ adds the linked factor one for one)"


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


def _property(properties: pl.DataFrame, fuel: str, column: str) -> tuple[float, int]:
    """A fuel property and its sheet row; an InputError naming the fuel when it is missing."""
    found = properties.filter(pl.col("fuel") == fuel)
    if found.height != 1 or found[column][0] is None:
        raise InputError(
            Problem(
                sheet=FUEL_PROPERTIES_SHEET,
                column=column,
                value=fuel,
                message=f"the fuel properties give no {column} for {fuel!r}",
                hint="use the DESNZ full set of the flat file's year",
            )
        )
    return float(found[column][0]), int(found["row"][0])


class _Resources:
    """Builds the fully sourced resource exchanges of the starter selection."""

    def __init__(self, factors: pl.DataFrame, properties: pl.DataFrame, year: int):
        from scenat.importers.grid_mix import Parameters

        self.factors = factors
        self.properties = properties
        self.year = year
        self.flat = _source(year)
        self.sheet = _source(year).replace("flat file", "full set, sheet 'Fuel properties'")
        self.params = Parameters.load()

    def fuel(
        self,
        carrier: str,
        mj: float,
        table: str,
        comment: str,
        pedigree: Pedigree = FUEL_PEDIGREE,
        source: str | None = None,
    ) -> BiosphereExchange:
        from scenat.importers.fossil import energy_flow, energy_note

        flow, amount, unit = energy_flow(carrier, mj)
        return {
            "flow": flow,
            "amount": amount,
            "unit": unit,
            "source": source or f"{self.sheet}; {self.flat}",
            "table": table,
            "year": self.year,
            "licence": LICENCE,
            "comment": f"{comment}; {energy_note(carrier)}",
            "uncertainty": pedigree.columns(BASIC["resource"]),
        }

    def upstream(self, carrier: str, mj: float, what: str) -> BiosphereExchange:
        """The fuel lost in extraction per ``mj`` delivered (USLCI extraction processes)."""
        from scenat.importers.fossil import energy_flow, energy_note

        extraction = self.params.get("extracted_per_delivered", carrier)
        lost = mj * (extraction.value - 1.0)
        flow, amount, unit = energy_flow(carrier, lost)
        return {
            "flow": flow,
            "amount": amount,
            "unit": unit,
            "source": extraction.source,
            "table": extraction.table,
            "year": extraction.year,
            "licence": extraction.licence,
            "comment": f"{carrier} lost in extraction for {what}: {mj:.5g} MJ x "
            f"({extraction.value:g} - 1) = {lost:.5g} MJ; {energy_note(carrier)}",
            "uncertainty": UPSTREAM_PEDIGREE.columns(BASIC["resource"]),
        }

    def litre_fuel(self, fuel: str, blend_id: str, mineral_id: str, carrier: str = "oil"):
        """Fossil MJ in one litre of a blend: net kWh/litre x 3.6 x fossil share."""
        kwh_per_l, row = _property(self.properties, fuel, "net_kwh_per_l")
        share = _fossil_share(self.factors, blend_id, mineral_id)
        mj = kwh_per_l * MJ_PER_KWH * share
        table = (
            f"Fuel properties row {row} ({fuel}), net CV {kwh_per_l:g} kWh/litre; fossil share "
            f"= CO2 per kWh of {blend_id} / {mineral_id} (Net CV) = {share:.5f}"
        )
        comment = (
            f"fossil energy of 1 litre of {fuel}: {kwh_per_l:g} kWh/L x 3.6 MJ/kWh x "
            f"{share:.5f} = {mj:.5g} MJ"
        )
        return mj, self.fuel(carrier, mj, table, comment)

    def freight_fuel(self, freight_id: str, mineral_id: str, fuel: str, what: str):
        """Fossil MJ per tkm from a freight CO2 factor and the fuel's CO2 per kWh (Net CV)."""
        co2 = _factor_value(self.factors, freight_id, "co2_kg_co2e")
        per_kwh = _factor_value(self.factors, mineral_id, "co2_kg_co2e")
        mj = co2 / per_kwh * MJ_PER_KWH
        table = (
            f"{freight_id} kg CO2 per tkm {co2:g} / {mineral_id} ({fuel}) kg CO2 per kWh "
            f"Net CV {per_kwh:g}"
        )
        comment = (
            f"fossil fuel burned per tkm of {what}: {co2:g} / {per_kwh:g} kWh x 3.6 = "
            f"{mj:.5g} MJ (all of the freight CO2 assumed to come from {fuel})"
        )
        return mj, self.fuel("oil", mj, table, comment, FREIGHT_FUEL_PEDIGREE, self.flat)


def uk_grid_energy(owid_path: str | os.PathLike[str]) -> Any:
    """The GB row of the grid resource model (:mod:`scenat.importers.grid_mix`)."""
    from scenat.importers.grid_mix import Parameters, grid_energy, owid_mix, read_owid

    mixes = read_owid(owid_path)
    if "GBR" not in mixes:
        raise InputError(Problem(file=str(owid_path), value="GBR", message="no GBR mix"))
    label = f"OWID GBR {mixes['GBR'].year} generation mix"
    return grid_energy(owid_mix(mixes, ["GBR"], label), Parameters.load())


def starter_selection(
    factors: pl.DataFrame, properties: pl.DataFrame, grid: Any = None
) -> list[SelectionRecord]:
    """The DESNZ factors shipped as scenat's starter background, with resource flows.

    ``properties`` is the "Fuel properties" sheet of the same year's full set
    (:func:`read_fuel_properties`); ``grid`` the GB row of the grid resource model
    (:func:`uk_grid_energy`), which gives the UK grid processes their fossil energy and
    uranium (None: they get none). Fuels carry their fossil energy content (net calorific
    value x fossil share, DESNZ's own figures), booked by energy; their well-to-tank
    processes add the fuel lost in extraction (USLCI). The function needs the 2025 flat file.
    """
    year = int(factors["year"][0])
    if year != STARTER_YEAR or int(properties["year"][0]) != year:
        raise InputError(
            Problem(
                column="year",
                value=f"flat file {year}, fuel properties {int(properties['year'][0])}",
                message=f"the starter selection uses {STARTER_YEAR} DESNZ factor IDs and the "
                "fuel properties of the same year",
                hint="give the 2025 flat file and the 2025 full set beside it",
            )
        )
    res = _Resources(factors, properties, year)
    flat = res.flat

    gas_share = _fossil_share(factors, "1_100_1004_7", "1_100_1005_7")
    gas_mj = MJ_PER_KWH * gas_share
    natural_gas_resource = res.fuel(
        "gas",
        gas_mj,
        "1 kWh Net CV = 3.6 MJ; fossil share = CO2 per kWh of 1_100_1004_7 (Natural gas) / "
        f"1_100_1005_7 (100% mineral blend) = {gas_share:.5f}",
        f"fossil energy of 1 kWh (net CV) of grid natural gas: 3.6 MJ x {gas_share:.5f} "
        f"= {gas_mj:.5g} MJ",
        source=flat,
    )
    diesel_mj, crude_oil_resource = res.litre_fuel(
        "Diesel (average biofuel blend)", "1_101_1011_7", "1_101_1012_7"
    )
    petrol_mj, petrol_resource = res.litre_fuel(
        "Petrol (average biofuel blend)", "1_101_1017_7", "1_101_1018_7"
    )
    hgv_mj, hgv_resource = res.freight_fuel(
        "27_304_3140_14", "1_101_1012_7", "diesel (100% mineral)", "HGV freight"
    )
    container_mj, container_resource = res.freight_fuel(
        "27_320_3235_14", "1_101_1024_7", "marine fuel oil", "container ship freight"
    )
    carrier_mj, carrier_resource = res.freight_fuel(
        "27_320_3238_14", "1_101_1024_7", "marine fuel oil", "vehicle carrier freight"
    )
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
        # reliability 4: a definitional upper bound, not a measured consumption
        "uncertainty": Pedigree(4, 3, 1, 1, 3).columns(BASIC["water"]),
    }
    grid_rows = _uk_grid_resources(factors, grid, year) if grid is not None else {}

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
            "electricity_uk_grid_delivered for consumption. Fuel burned and uranium: the GB "
            "row of the grid resource model (scenat.importers.grid_mix).",
            "biosphere": grid_rows.get("generated", []),
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
            "consumed; DESNZ adds it to the generation factor. Resources: those of the "
            "generation process x the lost kWh (T&D / generation factor).",
            "biosphere": grid_rows.get("td_losses", []),
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
            "generate 1 kWh consumed. Resources: the fuel lost in extraction (USLCI).",
            "biosphere": grid_rows.get("generation_wtt", []),
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
            "generate the electricity lost on the grid, per kWh consumed. Resources: the "
            "fuel lost in extraction for the lost kWh.",
            "biosphere": grid_rows.get("td_wtt", []),
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
            "fossil resource of the gas and the gas lost in extraction.",
            "biosphere": [
                natural_gas_resource,
                res.upstream("gas", gas_mj, "1 kWh of natural gas"),
            ],
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
            "fossil resource of its mineral part and the crude lost in extraction.",
            "biosphere": [
                crude_oil_resource,
                res.upstream("oil", diesel_mj, "1 litre of diesel"),
            ],
        },
        {
            "id": "petrol_combustion_l",
            "name": "petrol (average biofuel blend), burned, per litre, incl. well-to-tank (DESNZ)",
            "reference_product": "petrol (average biofuel blend) burned, litre",
            "desnz_id": "1_101_1017_8",
            "unit": "L",
            "location": "GB",
            "category": "fuel",
            "comment": "Combustion of UK forecourt petrol (average biofuel blend); biogenic "
            "CO2 of the bioethanol part is outside DESNZ scopes and not booked. Plus 1 L of "
            "petrol_wtt_l for its supply.",
            "inputs": [wtt("petrol_wtt_l", "petrol (average biofuel blend)")],
        },
        {
            "id": "petrol_wtt_l",
            "name": "petrol (average biofuel blend), well-to-tank, per litre (DESNZ)",
            "reference_product": "petrol (average biofuel blend) supplied, litre",
            "desnz_id": "11_101_1017_8",
            "unit": "L",
            "location": "GB",
            "category": "fuel",
            "comment": "Extraction, refining and transport of the blend; carries the "
            "fossil resource of its mineral part and the crude lost in extraction.",
            "biosphere": [petrol_resource, res.upstream("oil", petrol_mj, "1 litre of petrol")],
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
            "tonne-km; carries the fossil energy of that diesel (from the HGV CO2 factor and "
            "DESNZ's CO2 per kWh of mineral diesel) and the crude lost in extraction.",
            "biosphere": [hgv_resource, res.upstream("oil", hgv_mj, "1 tkm by HGV")],
        },
        {
            "id": "freight_sea_container_tkm",
            "name": "freight, cargo ship, container ship, average, incl. well-to-tank (DESNZ)",
            "reference_product": "freight transport by container ship, tonne-km",
            "desnz_id": "27_320_3235_14",
            "unit": "tkm",
            "location": "GLO",
            "category": "transport",
            "comment": "DESNZ freighting goods, container ship (average of all sizes), per "
            "tonne-km; plus 1 tkm of freight_sea_container_wtt_tkm for the fuel supply.",
            "inputs": [wtt("freight_sea_container_wtt_tkm", "container ship freight")],
        },
        {
            "id": "freight_sea_container_wtt_tkm",
            "name": "freight, cargo ship, container ship, average, well-to-tank (DESNZ)",
            "reference_product": "fuel supply for 1 tonne-km by container ship",
            "desnz_id": "28_916_3235_14",
            "unit": "tkm",
            "location": "GLO",
            "category": "transport",
            "comment": "Fuel supply per tonne-km by container ship; carries the fossil "
            "energy of the fuel burned (from the CO2 factor, as marine fuel oil) and the crude "
            "lost in extraction.",
            "biosphere": [
                container_resource,
                res.upstream("oil", container_mj, "1 tkm by container ship"),
            ],
        },
        {
            "id": "freight_sea_vehicle_carrier_tkm",
            "name": "freight, cargo ship, vehicle transport (car carrier), average, incl. "
            "well-to-tank (DESNZ)",
            "reference_product": "freight transport by vehicle carrier (ro-ro), tonne-km",
            "desnz_id": "27_320_3238_14",
            "unit": "tkm",
            "location": "GLO",
            "category": "transport",
            "comment": "DESNZ freighting goods, vehicle transport (car carrier, average of "
            "all sizes), per tonne-km of vehicles carried; plus 1 tkm of "
            "freight_sea_vehicle_carrier_wtt_tkm for the fuel supply.",
            "inputs": [wtt("freight_sea_vehicle_carrier_wtt_tkm", "vehicle carrier freight")],
        },
        {
            "id": "freight_sea_vehicle_carrier_wtt_tkm",
            "name": "freight, cargo ship, vehicle transport (car carrier), average, "
            "well-to-tank (DESNZ)",
            "reference_product": "fuel supply for 1 tonne-km by vehicle carrier",
            "desnz_id": "28_916_3238_14",
            "unit": "tkm",
            "location": "GLO",
            "category": "transport",
            "comment": "Fuel supply per tonne-km by vehicle carrier; carries the fossil "
            "energy of the fuel burned (from the CO2 factor, as marine fuel oil) and the crude "
            "lost in extraction.",
            "biosphere": [
                carrier_resource,
                res.upstream("oil", carrier_mj, "1 tkm by vehicle carrier"),
            ],
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


def _uk_grid_resources(factors: pl.DataFrame, grid: Any, year: int) -> dict[str, list]:
    """Resource exchanges of the four UK grid processes from the GB row of the grid model.

    DESNZ's generation factor is the fuel burned (direct) and uranium; its WTT factor the
    fuel chain (here: the fuel lost in extraction); its T&D factors the same for the kWh lost
    on the grid, ``T&D factor / generation factor`` = 0.1047 kWh per kWh consumed.
    """
    from scenat.importers.grid import RESOURCE_PEDIGREE

    lost = _factor_value(factors, "13_402_4000_5", "kg_co2e") / _factor_value(
        factors, "7_400_4000_5", "kg_co2e"
    )
    params = grid.mix.label
    provenance = {
        "source": "scenat grid resource model (scenat.importers.grid_mix): Our World in Data "
        "energy data via codecarbon; US EIA Electric Power Annual 2022 Table 8.1; DESNZ fuel "
        "properties; USLCI",
        "table": f"{params}; inventories/grid_electricity/model_parameters.csv",
        "year": year,
        "licence": "CC BY 4.0 (OWID); US public domain (EIA); OGL v3.0 (DESNZ); CC0 (USLCI)",
    }
    td = f"; x {lost:.5f} kWh lost per kWh consumed (13_402_4000_5 / 7_400_4000_5, DESNZ)"

    def rows(energy: Any, parts: tuple[str, ...], note: str = "") -> list[BiosphereExchange]:
        return [
            {
                "flow": flow,
                "amount": amount,
                "unit": unit,
                **provenance,
                "comment": comment + note,
                "uncertainty": RESOURCE_PEDIGREE.columns(BASIC["resource"]),
            }
            for flow, amount, unit, comment in energy.exchanges(parts)
        ]

    lost_energy = grid.scaled(lost)
    return {
        "generated": rows(grid, ("direct", "uranium")),
        "generation_wtt": rows(grid, ("upstream",)),
        "td_losses": rows(lost_energy, ("direct", "uranium"), td),
        "td_wtt": rows(lost_energy, ("upstream",), td),
    }


def build_starter_inventory(
    flat_csv_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    full_set: str | os.PathLike[str] | None = None,
    owid: str | os.PathLike[str] | None = None,
) -> tuple[int, int]:
    """Regenerate ``out_dir/processes.csv`` and ``out_dir/exchanges.csv`` from DESNZ.

    ``full_set`` is the same year's full-set workbook (default: beside the flat file,
    :func:`full_set_for`), read for its "Fuel properties"; ``owid`` the OWID generation mix
    file for the GB grid's resources (default: ``../grid-intensity/`` beside the flat file's
    folder, as in ``../shared/data``). This is how the shipped ``inventories/starter`` files
    are made, e.g. ``scenat data desnz ../shared/data/desnz/ghg-conversion-factors-2025-
    flat-format.csv inventories/starter``; returns the processes and exchanges written.
    """
    from scenat.importers.grid_mix import OWID_FILE

    factors = read_flat_file(flat_csv_path)
    year = int(factors["year"][0])
    properties = read_fuel_properties(full_set or full_set_for(flat_csv_path, year))
    shared = Path(flat_csv_path).parent.parent
    grid = uk_grid_energy(owid or shared / "grid-intensity" / OWID_FILE)
    processes, exchanges = to_inventory(factors, starter_selection(factors, properties, grid))
    return write_inventory(processes, exchanges, out_dir)
