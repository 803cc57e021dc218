"""USLCI (the US Life Cycle Inventory database) as an optional Brightway background.

USLCI is published by NREL through the Federal LCA Commons as openLCA JSON-LD, under CC0
1.0 (LCA Commons data handbook). bw2io 0.9.17 does not import these files as published
(its JSON-LD importer fails on openLCA 1.5 categories and on packages that expect USLCI
beside them), so scenat reads them with its own openLCA JSON-LD importer,
:mod:`scenat.importers.olca`, which takes a newer USLCI release or any other openLCA JSON-LD
export the same way.

Not built on first use: ``scenat data uslci PATH`` (or :func:`import_uslci`) writes the
Brightway database ``uslci`` into scenat's project, where a case uses its processes as
``uslci:<process @id>`` (``scenat backgrounds uslci --search steel`` lists them). ``PATH``
is a JSON-LD ``.zip`` or a folder; a folder is searched for every JSON-LD export in it
(``../shared/data/uslci`` holds the openLCA 1.5 export and the 2.x transport-mix and rail
packages, which reference USLCI processes and are merged into the same database; the
EcoSpold files there are skipped).

Choices (details in :mod:`scenat.importers.olca`): physical allocation (stored factors, else
mass, with :data:`FUEL_DENSITIES` for refinery products given in volume); elementary flows
linked to ``biosphere3`` by compartment, name, synonyms, CAS and unit, unlinked ones listed
in ``SCENAT_HOME/imports/uslci/unlinked_elementary_flows.csv``; inputs without a provider
(USLCI's ``CUTOFF ...`` flows) cut off and listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scenat.importers.olca import ImportReport, import_jsonld

__all__ = ["DEFAULT_NAME", "LICENCE", "import_uslci"]

DEFAULT_NAME = "uslci"
LICENCE = "CC0 1.0 (Federal LCA Commons data handbook)"
PUBLISHER = "National Renewable Energy Laboratory (NREL), Federal LCA Commons"

#: kg per m3 of the refinery products USLCI's openLCA 1.5 export gives in volume only, so
#: that its refinery processes (diesel, gasoline, kerosene, ... per 1 kg of crude) can be
#: split by mass. Implied by DESNZ 2025 (flat file, OGL v3.0): kg CO2e per litre / kg CO2e
#: per tonne x 1e6 (per cubic metre / per tonne x 1e3 for gas); DESNZ row ids given.
#: ``fuel_densities_from_desnz`` recomputes them. Diesel's own mass in the USLCI rail
#: package (849 kg/m3) takes precedence over the table when that package is imported.
FUEL_DENSITIES: dict[str, tuple[float, str, tuple[str, str]]] = {
    "Diesel, at refinery": (
        830.72,
        "Diesel (100% mineral diesel)",
        ("1_101_1012_8_1", "1_101_1012_15_1"),
    ),
    "Gasoline, at refinery": (
        741.84,
        "Petrol (100% mineral petrol)",
        ("1_101_1018_8_1", "1_101_1018_15_1"),
    ),
    "Residual fuel oil, at refinery": (
        983.29,
        "Processed fuel oils - residual oil",
        ("1_101_1019_8_1", "1_101_1019_15_1"),
    ),
    "Kerosene, at refinery": (802.57, "Burning oil", ("1_101_1010_8_1", "1_101_1010_15_1")),
    "Liquefied petroleum gas, at refinery": (
        529.75,
        "LPG",
        ("1_100_1003_8_1", "1_100_1003_15_1"),
    ),
    # no refinery-gas factor in DESNZ: natural gas stands in (methane-rich, about 0.8 kg/m3)
    "Refinery gas, at refinery": (0.80246, "Natural gas", ("1_100_1004_1_1", "1_100_1004_15_1")),
}


def fuel_densities_from_desnz(flat_csv: str | Path) -> dict[str, float]:
    """Recompute :data:`FUEL_DENSITIES` (kg/m3) from a DESNZ flat-format CSV."""
    import csv

    factors: dict[str, float] = {}
    with open(flat_csv, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            value = row[next(k for k in row if k.startswith("GHG Conversion Factor"))]
            if value.strip():
                factors[row["ID"]] = float(value)
    out = {}
    for name, (_, _, (volume_id, tonne_id)) in FUEL_DENSITIES.items():
        per_volume, per_tonne = factors[volume_id], factors[tonne_id]
        litres = volume_id.split("_")[3] == "8"  # DESNZ unit code 8: litres, 1: cubic metres
        out[name] = per_volume / per_tonne * (1e6 if litres else 1e3)
    return out


def import_uslci(
    path: str | Path | Sequence[str | Path],
    name: str = DEFAULT_NAME,
    allocation: str = "physical",
) -> ImportReport:
    """Import USLCI JSON-LD (a zip, a folder of zips, or several) as database ``name``."""
    return import_jsonld(
        path,
        name,
        allocation=allocation,
        metadata={"publisher": PUBLISHER, "licence": LICENCE, "dataset": "USLCI"},
        masses={flow: density for flow, (density, _, _) in FUEL_DENSITIES.items()},
    )
