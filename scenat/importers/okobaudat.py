"""ÖKOBAUDAT 2020-II construction products as indicator-level (EPD-style) background processes.

ÖKOBAUDAT (German Federal Ministry for Housing, Urban Development and Building, BMWSB/BBSR)
publishes life cycle assessment results of construction products by EN 15804 module (A1-A3
production, C3 waste processing, C4 disposal, D beyond the system boundary). The export
``OBD_2020_II.csv`` (``;``-separated, Latin-1, one row per dataset and module) gives
indicator results, not elementary flows: GWP (kg CO2-eq), ADPE (kg Sb-eq), ADPF (MJ),
PENRT (MJ), FW (m3) and others, per declared unit (``Bezugsgroesse`` x ``Bezugseinheit``).

**How an EPD-style process enters scenat's indicators.** Each selected dataset
(:data:`SELECTION`) becomes one process ``okobaudat_<product>`` per declared unit whose
exchanges are its **module A1-A3** results (cradle to gate, as the other shipped materials;
for an energy carrier, its module B6 supply, e.g. wind electricity per MJ),
booked as follows (``table`` of each exchange names the indicator column and CSV row):

=====  ======================  ==========================================================
EPD    booked on               counted by
=====  ======================  ==========================================================
GWP    ``co2_fossil``, kg       ``gwp100`` one for one, as kg CO2-eq (scenat has no CO2-eq
       CO2-eq                   flow; the Ember grid rows do the same). EN 15804+A1 GWP uses
                                CML-IA's IPCC AR4/AR5 factors, not AR6: not re-characterised
ADPF   ``natural_gas_resource``  ``fossil_energy``: booked by energy (:mod:`scenat.importers.
       by energy                fossil`, MJ / 36 MJ/Sm3) so EF 3.1 ADP-fossil equals ADPF.
                                Both are CML's ADP fossil (MJ, net calorific value); ADPF
                                leaves uranium out, EF counts it. The fuel split is unknown:
                                flow-level views show it as natural gas
ADPE   ``antimony_resource``,   ``metals_minerals``: EF 3.1 ADP elements (ultimate reserves)
       kg Sb / CF(Sb)           is CML's ADP elements, in kg Sb-eq, with Sb = 1 (read from the
                                bundle); EN 15804+A1 ADPE is CML's ADP elements too
                                (reserve base or ultimate reserves by CML-IA version)
PENRT  ``okobaudat_penrt``      only ``okobaudat_penrt`` (scenat's own method): non-renewable
                                primary energy (energy and material use), no EF counterpart
FW     ``okobaudat_fw``         only ``okobaudat_fw``: **net fresh water use**, m3, not
                                scarcity-weighted; EF 3.1 water (AWARE, m3 world-eq deprived)
                                does **not** count it, so coverage of ``water`` flags these
                                processes as uncovered
=====  ======================  ==========================================================

Never is a different method silently added into an EF total: the three mapped indicators are
the same CML method family and unit as the EF indicator that counts them (said in every
comment and in ``inventories/README.md``), and the rest are their own indicators
(``methods/okobaudat_indicators.csv``, shown when asked, e.g. ``--indicator okobaudat_fw``).

**Uncertainty**: ÖKOBAUDAT gives none; every exchange carries a lognormal from a pedigree
assessment (:mod:`scenat.importers.pedigree`): :data:`PEDIGREE` with the basic factor of its
class (CO2 1.05, resources 1.05, water 1.5).

>>> unit_of("qm"), unit_of("pcs."), unit_of("m3")
('m2', 'item', 'm3')
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from scenat.errors import InputError, Problem
from scenat.importers.fossil import energy_flow, energy_note
from scenat.importers.inventory import (
    PROCESS_COLUMNS,
    RECORDED_INDICATORS,
    exchange_schema,
    recorded_indicators,
    write_inventory,
)
from scenat.importers.pedigree import BASIC, Pedigree

__all__ = [
    "INDICATORS",
    "LICENCE",
    "MODULE",
    "PEDIGREE",
    "SELECTION",
    "Selected",
    "build_okobaudat_inventory",
    "read_okobaudat",
    "to_inventory",
    "unit_of",
]

FILE = "OBD_2020_II.csv"
RELEASE = "2020-II"
SOURCE = (
    "ÖKOBAUDAT 2020-II, German Federal Ministry for Housing, Urban Development and Building "
    "(BMWSB/BBSR), export OBD_2020_II.csv as mirrored in n3xtcoder/ai4impact-bbsr (beabaaa)"
)
LICENCE = (
    "ÖKOBAUDAT: provided free of charge and without restriction (BBSR); the mirror's "
    "LICENSE.md: may be used, modified and redistributed for any purpose"
)
MODULE = "A1-A3"
# Pedigree of an ÖKOBAUDAT A1-A3 result bought by a UK or EU case (scenat.importers.pedigree):
# verified data partly based on assumptions (2: third-party reviewed EPD / generic datasets),
# representative data from a smaller number of sites over an adequate period (2), reference
# years 2015-2018 for use in the mid-2020s (3: less than 10 years), German data for another
# European country (3: area with similar production conditions), the same product class but
# another producer's technology (3).
PEDIGREE = Pedigree(2, 2, 3, 3, 3)

#: EPD indicator column -> (flow booked on or None for fossil energy, unit, basic factor class)
INDICATORS: Mapping[str, tuple[str | None, str, str]] = {
    "GWP": ("co2_fossil", "kg", "co2"),
    "ADPF": (None, "m3", "resource"),  # natural gas by energy, see fossil.energy_flow
    "ADPE": ("antimony_resource", "kg", "resource"),
    "PENRT": ("okobaudat_penrt", "MJ", "resource"),
    "FW": ("okobaudat_fw", "m3", "water"),
}
INDICATOR_NOTES = {
    "GWP": "EN 15804 GWP (kg CO2-eq, CML-IA / IPCC factors of the dataset, not AR6) booked as "
    "kg fossil CO2: counted one for one by gwp100; gas split unknown",
    "ADPF": "EN 15804 ADPF (CML ADP fossil, MJ net calorific value, uranium not included) "
    "booked as fossil energy on natural gas (fuel split unknown); ",
    "ADPE": "EN 15804 ADPE (CML ADP elements, kg Sb-eq) booked as kg antimony in ground / EF "
    "3.1 factor of antimony ({cf:g} kg Sb-eq/kg): counted one for one by metals_minerals",
    "PENRT": "EN 15804 PENRT (non-renewable primary energy, energy + material use, MJ NCV): "
    "scenat indicator flow, counted only by okobaudat_penrt, never by EF",
    "FW": "EN 15804 FW (net use of fresh water, m3; not scarcity-weighted): scenat indicator "
    "flow, counted only by okobaudat_fw, never by EF 3.1 water (AWARE)",
}
UNITS = {"kg": "kg", "m3": "m3", "qm": "m2", "m": "m", "pcs.": "item", "MJ": "MJ"}


@dataclass(frozen=True)
class Selected:
    """One shipped product: scenat id, ÖKOBAUDAT dataset UUID, why this one."""

    id: str
    uuid: str
    note: str
    #: English name where the dataset has none
    label: str = ""
    #: the EN 15804 module shipped: A1-A3 for products; B6 for an energy carrier
    module: str = MODULE


#: the curated construction products (generic datasets where ÖKOBAUDAT has one)
SELECTION: tuple[Selected, ...] = (
    Selected(
        "okobaudat_concrete_c30_37",
        "a758fb6a-7fb1-4cdc-b652-c42cf2f7632c",
        "generic ready-mix concrete C30/37 (structural), 2,360 kg/m3",
    ),
    Selected(
        "okobaudat_concrete_c20_25",
        "9702d9ab-2af2-4fdc-9d99-225583a9ffb7",
        "generic ready-mix concrete C20/25, 2,360 kg/m3",
    ),
    Selected(
        "okobaudat_steel_rebar",
        "e9ae96ee-ba8d-420d-9725-7c8abd06e082",
        "generic reinforcing steel (wire and bar, electric-arc route, German mix)",
    ),
    Selected(
        "okobaudat_steel_section",
        "38051c22-fbd1-4b0e-944a-ae348b8c7695",
        "generic hot-rolled steel section (structural steel)",
    ),
    Selected(
        "okobaudat_steel_sheet_galvanised",
        "93edef71-49e3-4e1f-ba6d-1e449e7d328d",
        "generic steel sheet, 20 um hot-dip galvanised",
    ),
    Selected(
        "okobaudat_flat_glass",
        "dc96eace-0094-4440-9331-f72fb9430656",
        "Bundesverband Flachglas representative float glass, 4 mm (10 kg/m2)",
    ),
    Selected(
        "okobaudat_glazing_double",
        "d941f45e-1244-419c-a083-e4a49fb5498e",
        "generic double-pane insulated glazing unit",
    ),
    Selected(
        "okobaudat_aluminium_section",
        "bd6d6d89-b76d-4002-a217-afffbb8aa308",
        "generic extruded aluminium section",
    ),
    Selected(
        "okobaudat_aluminium_sheet",
        "a4c1c27c-53a0-4027-83f6-88c52c758bb1",
        "generic rolled aluminium sheet",
    ),
    Selected(
        "okobaudat_aluminium_die_cast",
        "1e8e3c3e-aad0-44ef-977e-d040c4597df0",
        "generic aluminium die-cast part",
        "Aluminium die-cast part",
    ),
    Selected(
        "okobaudat_copper_pipe",
        "12b2623c-da84-4f78-9299-262486c54514",
        "KME average dataset, bare copper installation pipe: the only plain copper "
        "semi-finished product of 2020-II",
        "Bare copper installation pipe (KME)",
    ),
    Selected(
        "okobaudat_mineral_wool",
        "908c07fa-6fba-42e4-a91e-d771444309eb",
        "generic stone wool flat-roof board, 146.4 kg/m3",
    ),
    Selected(
        "okobaudat_xps",
        "43e99b8c-90d8-4fcd-90ce-342fb0b7366e",
        "generic extruded polystyrene insulation, 32 kg/m3",
    ),
    Selected(
        "okobaudat_pv_system",
        "6619216d-9c9c-4a5e-b5fb-a624e300ff67",
        "generic photovoltaic system per m2 of module (modules, frame, mounting, inverter share)",
    ),
    Selected(
        "okobaudat_led_luminaire",
        "43991578-721b-4f93-8467-a7683060a26b",
        "generic LED office luminaire, per piece",
    ),
    Selected(
        "okobaudat_electricity_wind",
        "394b2abb-1165-4456-ba50-acbe5964f605",
        "generic electricity from wind power (German onshore fleet), module B6 (operational "
        "energy use) per 3.6 MJ, shipped per MJ",
        module="B6",
    ),
)


def unit_of(declared: str) -> str:
    """scenat's unit for an ÖKOBAUDAT ``Bezugseinheit``."""
    if declared not in UNITS:
        raise InputError(
            Problem(
                column="Bezugseinheit",
                value=declared,
                message="unknown declared unit",
                hint="one of " + ", ".join(UNITS),
            )
        )
    return UNITS[declared]


def read_okobaudat(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    """The rows of an ÖKOBAUDAT CSV export (Latin-1, ``;``), each with its CSV ``_row``
    number (1 is the header). A missing file or a file without the expected columns is an
    :class:`InputError`."""
    file = Path(path)
    if file.is_dir():
        file = file / FILE
    if not file.is_file():
        raise InputError(
            Problem(
                file=str(file),
                message="ÖKOBAUDAT export not found",
                hint=f"give {FILE} or the folder holding it",
            )
        )
    text = file.read_bytes().decode("latin-1")
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    needed = ("UUID", "Version", "Modul", "Bezugsgroesse", "Bezugseinheit", *INDICATORS)
    missing = [c for c in needed if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(
            Problem(
                file=str(file),
                row=1,
                column=", ".join(missing),
                message="missing column(s)",
                hint="an ÖKOBAUDAT 'OBD' CSV export, ';'-separated, Latin-1",
            )
        )
    return [dict(row, _row=str(number)) for number, row in enumerate(reader, start=2)]


def _number(row: Mapping[str, str], column: str, file: str) -> float:
    text = (row.get(column) or "").strip()
    try:
        return float(text)
    except ValueError:
        raise InputError(
            Problem(
                file=file,
                row=int(row["_row"]),
                column=column,
                value=text,
                message="not a number",
                hint="ÖKOBAUDAT gives each indicator as a number",
            )
        ) from None


def _find(
    rows: Sequence[Mapping[str, str]], uuid: str, file: str, module: str = MODULE
) -> Mapping[str, str]:
    found = [r for r in rows if r["UUID"] == uuid and r["Modul"] == module]
    if len(found) != 1:
        raise InputError(
            Problem(
                file=file,
                column="UUID",
                value=uuid,
                message=f"{len(found)} rows of module {module} for this dataset",
                hint="the selection expects exactly one row of its module per dataset",
            )
        )
    return found[0]


def to_inventory(
    rows: Sequence[Mapping[str, str]],
    characterised: Mapping[str, Any],
    *,
    file: str = FILE,
    selection: Sequence[Selected] = SELECTION,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Process and exchange tables of the selected datasets' A1-A3 results, per one declared
    unit: ``amount = indicator value / Bezugsgroesse``, booked as the module docstring says.
    ``characterised``: flow id -> indicators (:func:`scenat.model.indicators.
    characterised_flows`), for ``recorded_indicators``."""
    from scenat.model.indicators import bundled_methods, indicator

    sb_code = "47262180-8308-5d4c-9332-c77617e032ef"  # Antimony, natural resource, in ground
    metals = bundled_methods()[indicator("metals_minerals").method]
    cf_sb = next(a for d, c, a in metals.factors if d == "biosphere3" and c == sb_code)
    process_rows: list[dict[str, Any]] = []
    exchange_rows: list[dict[str, Any]] = []
    for item in selection:
        row = _find(rows, item.uuid, file, item.module)
        module = item.module
        size = _number(row, "Bezugsgroesse", file)
        unit = unit_of(row["Bezugseinheit"])
        name_de, name_en = row["Name (de)"], row.get("Name (en)") or ""
        label = item.label or name_en or name_de
        year = int(row["Referenzjahr"]) if row.get("Referenzjahr", "").isdigit() else None
        where = row.get("Laenderkennung") or "DE"
        source = (
            f"{SOURCE}; dataset '{name_de}'"
            + (f" / '{name_en}'" if name_en else "")
            + f" [{item.uuid}] version {row['Version']}, {row['Typ']}, declaration owner "
            f"{row.get('Declaration owner') or 'n/a'}"
        )
        per = f"{size:g} {row['Bezugseinheit']}"
        process_rows.append(
            {
                "id": item.id,
                "name": f"{label}, {module} (ÖKOBAUDAT {RELEASE}, {where})",
                "reference_product": row.get("Referenzfluss-Name") or label,
                "unit": unit,
                "location": where,
                "category": "electricity" if module == "B6" else "materials",
                "source": source,
                "table": f"{file} row {row['_row']} (module {module}), per {per}",
                "year": year,
                "licence": LICENCE,
                "comment": (
                    f"{item.note}. Indicator-level EPD data (EN 15804, {row['Konformität']}), "
                    f"module {module} only (C3, C4 and D not shipped). GWP -> gwp100, ADPF -> "
                    f"fossil_energy, ADPE -> metals_minerals; PENRT and FW only as okobaudat_* "
                    f"indicators (FW is net fresh water, not EF's scarcity-weighted water). "
                    f"Valid until {row.get('Gueltig bis') or 'n/a'}; {row.get('URL') or ''}"
                ),
            }
        )
        for column, (flow, flow_unit, kind) in INDICATORS.items():
            if not (row.get(column) or "").strip():
                continue  # not declared: not covered, never a zero
            value = _number(row, column, file) / size
            note = INDICATOR_NOTES[column]
            if column == "ADPF":
                flow, amount, flow_unit = energy_flow("gas", value)
                note += energy_note("gas")
            elif column == "ADPE":
                amount = value / cf_sb
                note = note.format(cf=cf_sb)
            else:
                amount = value
            assert flow is not None
            exchange_rows.append(
                {
                    "process": item.id,
                    "type": "biosphere",
                    "input": flow,
                    "amount": float(f"{amount:.12g}"),
                    "unit": flow_unit,
                    "source": source,
                    "table": f"{file} row {row['_row']}, module {module}, {column} {row[column]} "
                    f"per {per}",
                    "year": year,
                    "licence": LICENCE,
                    "comment": f"{column} {value:.6g} per {unit}: {note}",
                    **PEDIGREE.columns(BASIC[kind]),
                }
            )
    processes = pl.DataFrame(
        process_rows, schema={c: pl.Int64 if c == "year" else pl.String for c in PROCESS_COLUMNS}
    )
    exchanges = pl.DataFrame(exchange_rows, schema=exchange_schema())
    recorded = recorded_indicators(processes["id"], exchanges.iter_rows(named=True), characterised)
    processes = processes.with_columns(
        pl.Series(RECORDED_INDICATORS, [recorded[i] for i in processes["id"]])
    )
    return processes, exchanges


def build_okobaudat_inventory(
    source_path: str | os.PathLike[str], out_dir: str | os.PathLike[str]
) -> tuple[int, int]:
    """Regenerate ``out_dir`` (``inventories/okobaudat``) from ``OBD_2020_II.csv`` (or the
    folder holding it); returns the number of processes and exchanges written."""
    from scenat.model.indicators import characterised_flows

    path = Path(source_path)
    rows = read_okobaudat(path)
    name = path.name if path.is_file() else FILE
    processes, exchanges = to_inventory(rows, characterised_flows(), file=name)
    return write_inventory(processes, exchanges, out_dir)
