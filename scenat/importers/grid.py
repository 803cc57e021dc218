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
one for one; the gas split is unknown, and the comment of every exchange says so. The GHG
stays exactly as Ember publishes it.

Beside the GHG, every country and region with a generation mix gets its **fossil energy and
uranium** per kWh, modelled from its mix (:mod:`scenat.importers.grid_mix`: OWID mixes, EIA
and TianGong heat rates, USLCI extraction losses and uranium), booked by energy on hard coal,
natural gas and crude oil so that EF 3.1's ADP-fossil equals the net energy. China's 30
provinces are added from MEE's 2023 factors (:mod:`scenat.importers.china_grid`). Water per
kWh is not covered: no source in reach gives consumption per technology and country.

Regenerate the shipped database with
``scenat data grid ../shared/data/grid-intensity inventories/grid_electricity``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl

from scenat.errors import InputError, Problem
from scenat.importers.china_grid import (
    MEE_FILE,
    MEE_LICENCE,
    MEE_SOURCE,
    combustion_gases,
    province_energy,
    province_id,
    read_mee,
)
from scenat.importers.grid_mix import (
    FOSSIL,
    MEMBERS_FILE,
    OWID_FILE,
    OWID_LICENCE,
    OWID_SOURCE,
    FuelEnergy,
    Mix,
    OwidMix,
    Parameters,
    grid_energy,
    owid_mix,
    read_owid,
    region_members,
)
from scenat.importers.inventory import (
    PROCESS_COLUMNS,
    RECORDED_INDICATORS,
    drop_round_off,
    exchange_schema,
    recorded_indicators,
    write_inventory,
)
from scenat.importers.pedigree import BASIC, Pedigree

__all__ = [
    "GridResources",
    "build_grid_inventory",
    "find_sources",
    "read_ember",
    "resource_rows",
    "to_inventory",
]

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
MODEL_SOURCE = "scenat grid resource model (scenat.importers.grid_mix)"

# Pedigree scores (reliability, completeness, temporal, geographical, technological), the
# ecoinvent v2 method of scenat.importers.pedigree. Ember: verified statistics partly
# estimated (2), complete (1), the year of the data (1), the country (1), life-cycle factors
# per technology that are generic (2).
EMBER_PEDIGREE = Pedigree(2, 1, 1, 1, 2)
# MEE: official statistics (2), all plants (1), 2023 (1), the province (1), the measured CO2 (1).
MEE_PEDIGREE = Pedigree(2, 1, 1, 1, 1)
# IPCC 2006 defaults on a modelled fuel energy: estimates (3), representative (3), dated (3),
# global (3), the technology class (3).
IPCC_PEDIGREE = Pedigree(3, 3, 3, 3, 3)
# The resource model outside China: estimated from assumptions (3), the fleet (2), heat rates
# of 2022 with mixes of 2022-2023 (2), US heat rates for other countries (3), fleet-average
# technology (3).
RESOURCE_PEDIGREE = Pedigree(3, 2, 2, 3, 3)
# China: TianGong's Chinese thermal fleet of 2019 for 2023 (3), China (1).
CHINA_RESOURCE_PEDIGREE = Pedigree(3, 2, 3, 1, 3)


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
    table: pl.DataFrame,
    *,
    file: str = "average-intensities",
    resources: GridResources | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One electricity process per country or region (unit kWh): Ember's GHG, then its
    fossil energy and uranium when ``resources`` gives the mixes and the model parameters.

    ``table`` is what :func:`read_ember` returns; ``file`` is how rows cite the source file.
    The GHG amount is the published g/kWh divided by 1000, computed in decimal so that 215.79
    g becomes exactly 0.21579 kg; it is never changed by the resource model. China's
    provinces (:mod:`.china_grid`) are added when ``resources.provinces`` holds them.

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
        energy = resources.energy(rec["key"], rec["country_code"]) if resources else None
        if energy is None:
            covered = "Fossil energy and uranium: not covered (no generation mix by fuel)."
        else:
            covered = (
                f"Fossil energy {energy.fossil_mj():.3f} MJ and uranium {energy.uranium_kg:.3g} kg "
                f"per kWh modelled from {energy.mix.label} (scenat.importers.grid_mix)."
            )
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
                "generated. No T&D losses; add them for electricity delivered to a consumer. "
                f"{covered} Water: not covered (no source gives consumption per kWh).",
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
                **EMBER_PEDIGREE.columns(BASIC["co2"]),
            }
        )
        if energy is not None:
            exchange_rows.extend(resource_rows(pid, energy, resources.provenance(energy)))
    if resources is not None:
        for province in resources.provinces:
            rows = resources.province_rows(province)
            process_rows.append(rows[0])
            exchange_rows.extend(rows[1:])
    exchanges = drop_round_off(pl.DataFrame(exchange_rows, schema=exchange_schema()))
    processes = pl.DataFrame(
        process_rows,
        schema={c: pl.Int64 if c == "year" else pl.String for c in PROCESS_COLUMNS},
    )
    if resources is not None:
        recorded = recorded_indicators(
            processes["id"], exchanges.iter_rows(named=True), resources.characterised
        )
        processes = processes.with_columns(
            pl.Series(RECORDED_INDICATORS, [recorded[i] for i in processes["id"]])
        )
    return processes, exchanges


def resource_rows(
    pid: str,
    energy: FuelEnergy,
    provenance: Mapping[str, Any],
    parts: tuple[str, ...] = ("direct", "upstream", "uranium"),
    pedigree: Pedigree | None = None,
) -> list[dict[str, Any]]:
    """Exchange rows of a grid's fossil energy and uranium (see :meth:`FuelEnergy.exchanges`),
    each with ``provenance`` (source, table, year, licence) and a pedigree-based lognormal."""
    scores = pedigree or RESOURCE_PEDIGREE
    rows = [
        {
            "process": pid,
            "type": "biosphere",
            "input": flow,
            "amount": amount,
            "unit": unit,
            **provenance,
            "comment": comment,
            **scores.columns(BASIC["resource"]),
        }
        for flow, amount, unit, comment in energy.exchanges(parts)
    ]
    if rows:
        return rows
    # A mix without fossil or nuclear generation: its fossil energy is known to be nil, so it
    # is booked as an explicit zero (covered), not left out (which would read as missing).
    return [
        {
            "process": pid,
            "type": "biosphere",
            "input": "crude_oil_resource",
            "amount": 0.0,
            "unit": "kg",
            **provenance,
            "comment": f"{energy.mix.label}: no fossil or nuclear generation, so 0 MJ of fossil "
            "energy per kWh (the supply chains of hydro, wind and solar are not included)",
            "uncertainty_source": "none: an exact zero of the mix",
        }
    ]


class GridResources:
    """What the resource model needs: mixes by country, region members, parameters, and
    China's provinces. Built by :func:`build_grid_inventory` from the source folders."""

    def __init__(
        self,
        mixes: Mapping[str, OwidMix],
        members: Mapping[str, list[str]],
        params: Parameters,
        provinces: list[dict[str, Any]] | None = None,
        china_file: str = MEE_FILE,
    ):
        from scenat.model.indicators import characterised_flows

        self.mixes = mixes
        self.members = members
        self.params = params
        self.provinces = provinces or []
        self.china_file = china_file
        self.characterised = characterised_flows()

    def energy(self, key: str, country_code: str | None) -> FuelEnergy | None:
        """The modelled energy of one Ember country or region; None without a mix."""
        codes = [country_code] if country_code else self.members.get(key)
        if not codes:
            return None
        if country_code:
            label = (
                f"OWID {country_code} {self.mixes[country_code].year} generation mix"
                if country_code in self.mixes
                else ""
            )
        else:
            years = sorted({self.mixes[c].year for c in codes if c in self.mixes})
            label = (
                f"the OWID generation mixes of {sum(c in self.mixes for c in codes)} {key} "
                f"countries ({years[0]}-{years[-1]}, each its latest year)"
                if years
                else ""
            )
        mix = owid_mix(self.mixes, codes, label)
        if mix is None:
            return None
        if country_code == "CHN":
            return china_national_energy(mix, self.params)
        return grid_energy(mix, self.params)

    def provenance(self, energy: FuelEnergy) -> dict[str, Any]:
        china = bool(energy.direct_notes) or energy.mix.heat_rates is not None
        rate = ("cn_thermal_fuel", "coal") if china else ("heat_rate_hhv", "coal")
        years = [int(y) for y in re.findall(r"\b(20\d\d)\b", energy.mix.label)]
        return {
            "source": f"{MODEL_SOURCE}: {OWID_SOURCE}; {self.params.get(*rate).source}; "
            f"{self.params.get('extracted_per_delivered', 'coal').source}",
            "table": f"{energy.mix.label}; inventories/grid_electricity/model_parameters.csv",
            "year": max(years) if years else self.params.get(*rate).year,
            "licence": f"{OWID_LICENCE}; {self.params.get(*rate).licence}; "
            f"{self.params.get('extracted_per_delivered', 'coal').licence}",
        }

    def province_rows(self, province: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The process row, then the exchange rows, of one Chinese province."""
        iso = province["iso"]
        pid = province_id(iso)
        kg = float(Decimal(str(province["g_per_kwh"])) / 1000)
        nuclear = self.params.china_nuclear_share(iso)
        energy = province_energy(kg, nuclear.value, self.params)
        gases = combustion_gases(energy, self.params)
        table = f"{self.china_file} entry {province['position']} ({iso})"
        mee = {
            "source": MEE_SOURCE,
            "table": table,
            "year": province["year"],
            "licence": MEE_LICENCE,
        }
        ipcc = self.params.get("ch4_per_tj", "coal")
        model = {
            "source": f"{MODEL_SOURCE}: {MEE_SOURCE}; "
            f"{self.params.get('cn_thermal_co2', 'co2').source}; {nuclear.source}; "
            f"{self.params.get('extracted_per_delivered', 'coal').source}",
            "table": f"{table}; inventories/grid_electricity/model_parameters.csv "
            f"(cn_thermal_*, cn_nuclear_share {iso}, extracted_per_delivered, uranium rows)",
            "year": province["year"],
            "licence": f"{MEE_LICENCE}; {nuclear.licence}; "
            f"{self.params.get('extracted_per_delivered', 'coal').licence}",
        }
        process = {
            "id": pid,
            "name": f"electricity, grid average, {province['name']} {province['name_zh']} "
            f"(MEE {province['year']}, CO2 + combustion CH4/N2O, incl. transfers)",
            "reference_product": f"electricity, {province['name']} grid ({iso}), at the consumer "
            "side of the provincial grid, incl. inter-provincial transfers",
            "unit": "kWh",
            "location": iso,
            "category": "electricity",
            **mee,
            "comment": f"MEE/NBS 2023 provincial average: {province['g_per_kwh']:g} g CO2/kWh "
            "(CO2 only, location-based, with inter-provincial transfers). Added: CH4 and N2O "
            "of combustion (IPCC 2006 defaults on the fuel energy). Not included: upstream "
            "GHG (coal-mine methane, fuel transport) and infrastructure, so this is not a "
            "life-cycle figure (electricity_grid_chn is Ember's national life-cycle one). "
            f"Fossil energy {energy.fossil_mj():.3f} MJ/kWh from the CO2 "
            "(scenat.importers.china_grid); uranium from the 2019 own-generation nuclear "
            f"share {nuclear.value:.4f}. Water: not covered.",
        }
        exchanges = [
            {
                "process": pid,
                "type": "biosphere",
                "input": "co2_fossil",
                "amount": kg,
                "unit": "kg",
                **mee,
                "comment": "MEE 2023 provincial CO2 factor (CO2 only, direct, with transfers)",
                **MEE_PEDIGREE.columns(BASIC["co2"]),
            },
        ]
        for gas, flow in (("ch4", "ch4_fossil"), ("n2o", "n2o")):
            exchanges.append(
                {
                    "process": pid,
                    "type": "biosphere",
                    "input": flow,
                    "amount": gases[gas],
                    "unit": "kg",
                    "source": f"{ipcc.source}; {MODEL_SOURCE}",
                    "table": f"{gas.upper()} kg/TJ of coal, gas and oil x the fuel energy "
                    f"of {table}",
                    "year": province["year"],
                    "licence": ipcc.licence,
                    "comment": f"combustion {gas.upper()}: "
                    + " + ".join(
                        f"{energy.direct[f]:.4f} MJ {f} x "
                        f"{self.params.value(f'{gas}_per_tj', f):g} kg/TJ"
                        for f in FOSSIL
                    ),
                    **IPCC_PEDIGREE.columns(BASIC[gas]),
                }
            )
        exchanges.extend(resource_rows(pid, energy, model, pedigree=CHINA_RESOURCE_PEDIGREE))
        return [process, *exchanges]


def china_national_energy(mix: Mix, params: Parameters) -> FuelEnergy:
    """China's national grid: OWID's thermal share x TianGong's thermal fuel per kWh."""
    thermal = params.china_thermal()
    share = sum(mix.share(f) for f in FOSSIL)
    direct = {f: share * thermal[f] for f in FOSSIL}
    upstream = {f: direct[f] * (params.extraction(f) - 1.0) for f in FOSSIL}
    notes = {
        f: f"{share:.4f} kWh thermal (coal, gas, oil) x {thermal[f]:.4f} MJ {f} per kWh thermal "
        "(TianGong 2019 China thermal power)"
        for f in FOSSIL
    }
    return FuelEnergy(
        direct, upstream, mix.share("nuclear") * params.uranium_per_kwh(), mix, direct_notes=notes
    )


def find_sources(source_path: str | os.PathLike[str]) -> dict[str, Path]:
    """The files of the grid build: Ember (CO2.js), OWID mixes, Ember's country overview
    (region members) and MEE's provincial factors.

    ``source_path`` is the ``grid-intensity`` folder (China's factors are then looked up in
    the sibling ``china-grid`` folder), the shared data folder holding both, or the Ember
    file itself (an Ember-only build: no resources).
    """
    path = Path(source_path)
    if path.is_file():
        return {"ember": path}
    folder = path / "grid-intensity" if (path / "grid-intensity").is_dir() else path
    found = {"ember": _locate(folder)}
    wanted = {
        "owid": folder / OWID_FILE,
        "members": folder / MEMBERS_FILE,
        "china": folder.parent / "china-grid" / MEE_FILE,
    }
    missing = [f for f in wanted.values() if not f.is_file()]
    if missing:
        raise InputError(
            [
                Problem(
                    file=str(f),
                    message="source file not found",
                    hint="give the shared data folder or its grid-intensity folder "
                    "(with china-grid beside it)",
                )
                for f in missing
            ]
        )
    return {**found, **wanted}


def build_grid_inventory(
    source_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    parameters: str | os.PathLike[str] | None = None,
) -> tuple[int, int]:
    """Regenerate ``out_dir/processes.csv`` and ``exchanges.csv``: Ember's GHG per country and
    region, their modelled fossil energy and uranium, and China's 30 provinces.

    ``source_path``: see :func:`find_sources`; ``parameters``: the model's parameter table
    (default: the shipped ``inventories/grid_electricity/model_parameters.csv``). This is how
    the shipped ``inventories/grid_electricity`` is made; returns the number of processes
    and exchanges written.
    """
    files = find_sources(source_path)
    resources = None
    if "owid" in files:
        members_of = [r for r in read_ember(files["ember"])["key"] if not _ISO3.match(r)]
        resources = GridResources(
            read_owid(files["owid"]),
            region_members(files["members"], members_of),
            Parameters.load(parameters),
            read_mee(files["china"]),
            files["china"].name,
        )
    processes, exchanges = to_inventory(
        read_ember(files["ember"]), file=files["ember"].name, resources=resources
    )
    return write_inventory(processes, exchanges, out_dir)
