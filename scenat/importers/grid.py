"""Importer for Ember's yearly average grid carbon intensities, as packaged by CO2.js.

The Green Web Foundation's CO2.js package ships Ember's latest yearly average carbon
intensity of electricity generation for 209 countries (ISO 3166 alpha-3 codes) and 13
regions (World, EU, G7, ...), each with the year it is for, as
``data/output/average-intensities.json``; ``ember_average_intensities_via_co2js.csv`` is
the same table as CSV. Columns: ``country_code``, ``country_or_region``, ``year``,
``emissions_intensity_gco2_per_kwh``.

**What the numbers are.** The field is named gCO2/kWh, but Ember's emissions are life-cycle
greenhouse-gas emissions in CO2-equivalent: "These figures aim to include full lifecycle
emissions including upstream methane, supply chain and manufacturing emissions, and
include all gases, converted into CO2 equivalent over a 100-year timescale" (Ember, Global
Electricity Review 2024, supporting material, Methodology: Emissions). They are per kWh
*generated* in the country (its production mix: imports are not counted and transmission
and distribution losses are not added). The CO2.js README excerpt only says "average
intensity" and gives the licence (Ember data: CC BY-SA 4.0).

This module books each figure as that many kg of ``co2_fossil`` per kWh (g / 1000),
because scenat has no "CO2-equivalent" flow: under the GWP100 indicator the total counts
one for one; the gas split is unknown, and the comment of every exchange says so.

Regenerate the shipped database with
``scenat data grid ../shared/data/grid-intensity inventories/grid_electricity``.
"""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import polars as pl

from scenat.errors import InputError, Problem
from scenat.importers.inventory import EXCHANGE_COLUMNS, PROCESS_COLUMNS, write_inventory

__all__ = ["build_grid_inventory", "read_ember", "to_inventory"]

SOURCE = "Ember yearly electricity data, average grid intensity, via CO2.js average-intensities"
LICENCE = "CC BY-SA 4.0 (Ember)"
COLUMNS = ("country_code", "country_or_region", "year", "emissions_intensity_gco2_per_kwh")
# Names CO2.js gives the files in a checkout of ../shared/data/grid-intensity.
_DEFAULT_FILES = ("ember_average_intensities_via_co2js.csv", "co2js_average-intensities.json")
_ISO3 = re.compile(r"^[A-Z]{3}$")
_COMMENT = (
    "Ember life-cycle GHG intensity of generation (all gases, CO2-eq GWP100, incl. upstream "
    "and supply chain; production mix, no imports, no T&D losses), booked as fossil CO2"
)


def _locate(source: Path) -> Path:
    if source.is_dir():
        for name in _DEFAULT_FILES:
            if (source / name).is_file():
                return source / name
        raise InputError(
            Problem(
                file=str(source),
                message="no Ember/CO2.js average-intensity file in this folder",
                hint="expected one of " + ", ".join(_DEFAULT_FILES),
            )
        )
    return source


def read_ember(path: str | os.PathLike[str]) -> pl.DataFrame:
    """Read CO2.js's Ember average intensities (CSV or JSON) into a checked table.

    Returns one row per country or region: ``key`` (ISO3 code or region name),
    ``country_code`` (ISO3 or null for a region), ``name``, ``year`` (int),
    ``g_per_kwh`` (the published text, kept exact) and ``row`` (the CSV row number, header =
    row 1, or the position of the entry in the JSON object, first = 1).

    Raises :class:`scenat.errors.InputError` listing every problem with row and column:
    missing columns, country codes that are not ISO3, years and intensities that are not
    numbers (or negative), and duplicated keys.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ember.csv"
    >>> _ = path.write_text("key,country_code,country_or_region,year,"
    ...     "emissions_intensity_gco2_per_kwh\\nGBR,GBR,United Kingdom,2024,215.79\\n")
    >>> read_ember(path).select("key", "year", "g_per_kwh").row(0)
    ('GBR', 2024, '215.79')
    """
    path = _locate(Path(path))
    file = str(path)
    try:
        if path.suffix.lower() == ".json":
            entries = json.loads(path.read_text(encoding="utf-8"))
            raw = pl.DataFrame(
                [
                    {"key": key, **{c: _text(entry.get(c)) for c in COLUMNS}}
                    for key, entry in entries.items()
                ],
                schema={"key": pl.String, **dict.fromkeys(COLUMNS, pl.String)},
            )
            offset = 1
        else:
            raw = pl.read_csv(path, infer_schema=False, encoding="utf8")
            raw = raw.rename({c: c.lstrip("\ufeff").strip() for c in raw.columns})
            offset = 2
    except FileNotFoundError as exc:
        raise InputError(Problem(file=file, message="file not found")) from exc
    except (pl.exceptions.PolarsError, UnicodeDecodeError, ValueError, AttributeError) as exc:
        raise InputError(
            Problem(
                file=file,
                message=f"cannot read the file: {exc}",
                hint="give CO2.js's average-intensities.json or its CSV copy",
            )
        ) from exc

    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(
            [
                Problem(file=file, row=1, column=c, message="required column is missing")
                for c in missing
            ]
        )
    if "key" not in raw.columns:
        raw = raw.with_columns(key=pl.col("country_code"))
    problems: list[Problem] = []
    rows = []
    seen: set[str] = set()
    for number, rec in enumerate(raw.iter_rows(named=True), start=offset):

        def bad(column: str, message: str, hint: str, rec: dict = rec, number: int = number):
            problems.append(
                Problem(
                    file=file,
                    row=number,
                    column=column,
                    value=rec[column],
                    message=message,
                    hint=hint,
                )
            )

        code = (rec["country_code"] or "").strip() or None
        name = (rec["country_or_region"] or "").strip()
        key = (rec["key"] or "").strip() or code or name
        if code is not None and not _ISO3.match(code):
            bad("country_code", "not an ISO 3166 alpha-3 code", "e.g. GBR; empty for a region")
        if not name:
            bad("country_or_region", "name is empty", "give the country or region name")
        year = (rec["year"] or "").strip()
        if not re.fullmatch(r"\d{4}", year):
            bad("year", "not a year", "e.g. 2024")
        intensity = (rec["emissions_intensity_gco2_per_kwh"] or "").strip()
        try:
            value = Decimal(intensity)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0:
            bad(
                "emissions_intensity_gco2_per_kwh",
                "intensity is not a number >= 0",
                "gCO2e per kWh, e.g. 215.79",
            )
        if key in seen:
            bad("country_code", f"second entry for {key!r}", "one entry per country or region")
        seen.add(key)
        rows.append(
            {
                "key": key,
                "country_code": code,
                "name": name,
                "year": int(year) if year.isdigit() else None,
                "g_per_kwh": intensity,
                "row": number,
            }
        )
    if problems:
        raise InputError(problems)
    return pl.DataFrame(
        rows,
        schema={
            "key": pl.String,
            "country_code": pl.String,
            "name": pl.String,
            "year": pl.Int64,
            "g_per_kwh": pl.String,
            "row": pl.Int64,
        },
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def process_id(key: str, country_code: str | None) -> str:
    """``electricity_grid_<iso3>`` for a country, ``electricity_grid_<slug>`` for a region.

    >>> process_id("GBR", "GBR"), process_id("Latin America and Caribbean", None)
    ('electricity_grid_gbr', 'electricity_grid_latin_america_and_caribbean')
    """
    return f"electricity_grid_{(country_code or _slug(key)).lower()}"


def to_inventory(
    table: pl.DataFrame, *, file: str = "average-intensities"
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One electricity process per country or region (unit kWh), one exchange each.

    ``table`` is what :func:`read_ember` returns; ``file`` is how rows cite the source file.
    The amount is the published g/kWh divided by 1000, computed in decimal so that 215.79
    g becomes exactly 0.21579 kg.

    >>> table = pl.DataFrame({"key": ["GBR"], "country_code": ["GBR"],
    ...     "name": ["United Kingdom"], "year": [2024], "g_per_kwh": ["215.79"], "row": [2]})
    >>> processes, exchanges = to_inventory(table)
    >>> processes.select("id", "unit", "location", "year").row(0)
    ('electricity_grid_gbr', 'kWh', 'GBR', 2024)
    >>> exchanges.select("input", "amount", "unit").row(0)
    ('co2_fossil', 0.21579, 'kg')
    """
    process_rows = []
    exchange_rows = []
    ids: dict[str, str] = {}
    for rec in table.sort("key").iter_rows(named=True):
        pid = process_id(rec["key"], rec["country_code"])
        if pid in ids:
            raise InputError(
                Problem(
                    file=file,
                    row=rec["row"],
                    column="country_or_region",
                    value=rec["key"],
                    message=f"gives the same process id {pid!r} as {ids[pid]!r}",
                    hint="region names must differ in more than case and punctuation",
                )
            )
        ids[pid] = rec["key"]
        kind = "country" if rec["country_code"] else "region"
        table_ref = f"{file} row {rec['row']} ({rec['key']})"
        kg = float(Decimal(rec["g_per_kwh"]) / 1000)
        process_rows.append(
            {
                "id": pid,
                "name": f"electricity, grid average, {rec['name']} "
                f"(Ember {rec['year']}, life cycle, at generation)",
                "reference_product": f"electricity, {rec['name']} grid, at generation",
                "unit": "kWh",
                "location": rec["country_code"] or ("GLO" if rec["key"] == "World" else rec["key"]),
                "category": "electricity",
                "source": SOURCE,
                "table": table_ref,
                "year": rec["year"],
                "licence": LICENCE,
                "comment": f"Ember {rec['year']} {kind} average: {rec['g_per_kwh']} gCO2e/kWh "
                "generated. No T&D losses; add them for electricity delivered to a consumer.",
            }
        )
        exchange_rows.append(
            {
                "process": pid,
                "type": "biosphere",
                "input": "co2_fossil",
                "amount": kg,
                "unit": "kg",
                "source": SOURCE,
                "table": table_ref,
                "year": rec["year"],
                "licence": LICENCE,
                "comment": _COMMENT,
            }
        )
    ints = {"year"}
    processes = pl.DataFrame(
        process_rows,
        schema={c: pl.Int64 if c in ints else pl.String for c in PROCESS_COLUMNS},
    )
    exchanges = pl.DataFrame(
        exchange_rows,
        schema={
            c: pl.Int64 if c in ints else pl.Float64 if c == "amount" else pl.String
            for c in EXCHANGE_COLUMNS
        },
    )
    return processes, exchanges


def build_grid_inventory(
    source_path: str | os.PathLike[str], out_dir: str | os.PathLike[str]
) -> tuple[int, int]:
    """Regenerate ``out_dir/processes.csv`` and ``exchanges.csv`` from CO2.js's Ember data.

    ``source_path`` is the CSV or JSON file, or a folder holding one of them. This is how
    the shipped ``inventories/grid_electricity`` is made; returns the number of processes
    and exchanges written.
    """
    path = _locate(Path(source_path))
    processes, exchanges = to_inventory(read_ember(path), file=path.name)
    return write_inventory(processes, exchanges, out_dir)
