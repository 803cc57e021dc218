"""What a case may reference: background processes and elementary flows, without Brightway.

Reading and validating a workbook needs to know which process ids exist and in which
unit, but must not pay for importing bw2data. The shipped catalogue is read from the
CSV tables in ``inventories/``: one folder per background database holding
``processes.csv`` and ``exchanges.csv``, plus ``elementary_flows.csv``.

>>> cat = shipped_catalogue()
>>> cat.elementary["co2_fossil"].unit
'kg'
>>> "electricity_uk_grid_delivered" in cat.processes
True
"""

from __future__ import annotations

import csv
import difflib
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from scenat.paths import inventories_dir

# Brightway's biosphere3 spells units out; scenat's tables use the short symbols.
BIOSPHERE_UNITS = {
    "kilogram": "kg",
    "cubic meter": "m3",
    "standard cubic meter": "m3",
    "megajoule": "MJ",
    "kilowatt hour": "kWh",
    "square meter-year": "m2*year",
    "square meter": "m2",
    "kilo becquerel": "kBq",
    "cubic meter-year": "m3*year",
}


@dataclass(frozen=True)
class ProcessInfo:
    """A background process (or spend sector) a flow can buy from."""

    id: str
    name: str
    unit: str
    database: str
    location: str | None = None
    category: str | None = None
    source: str | None = None
    price_year: int | None = None  # for spend sectors: the year of the money in their unit


@dataclass(frozen=True)
class ElementaryFlow:
    """An emission or resource flow, tied to a biosphere3 flow by its code."""

    id: str
    name: str
    categories: tuple[str, ...]
    unit: str
    code: str
    kind: str

    @property
    def label(self) -> str:
        return f"{self.name} ({'/'.join(self.categories)})"


@dataclass
class Catalogue:
    processes: dict[str, ProcessInfo] = field(default_factory=dict)
    elementary: dict[str, ElementaryFlow] = field(default_factory=dict)
    version: str = ""

    def suggest(self, value: str, choices: list[str] | None = None) -> str | None:
        """The closest known id to a mistyped one, for hints."""
        pool = choices if choices is not None else list(self.processes)
        matches = difflib.get_close_matches(str(value), pool, n=1, cutoff=0.6)
        if not matches:
            lowered = {c.lower(): c for c in pool}
            matches = [lowered[str(value).lower()]] if str(value).lower() in lowered else []
        return matches[0] if matches else None

    def elementary_by_code(self) -> dict[str, ElementaryFlow]:
        return {flow.code: flow for flow in self.elementary.values()}


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def database_folders(root: Path | None = None) -> list[Path]:
    """Every shipped background database folder (one with a ``processes.csv``)."""
    root = root or inventories_dir()
    return sorted(p.parent for p in root.glob("*/processes.csv"))


def inventory_version(root: Path | None = None) -> str:
    """A digest of the background tables: a changed inventory gives a new version."""
    root = root or inventories_dir()
    digest = hashlib.sha256()
    # Only the tables that make up background databases; other shipped data (intervention
    # libraries, currency tables) must not force a rebuild of the Brightway project.
    tables = [root / "elementary_flows.csv"]
    for folder in database_folders(root):
        tables += [folder / "processes.csv", folder / "exchanges.csv"]
    for path in tables:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=4)
def _shipped(root: str) -> Catalogue:
    base = Path(root)
    catalogue = Catalogue(version=inventory_version(base))
    for row in _read_csv(base / "elementary_flows.csv"):
        unit = BIOSPHERE_UNITS.get(row["unit"], row["unit"])
        catalogue.elementary[row["id"]] = ElementaryFlow(
            id=row["id"],
            name=row["name"],
            categories=tuple(row["categories"].split("::")),
            unit=unit,
            code=row["code"],
            kind=row["kind"],
        )
    for folder in database_folders(base):
        for row in _read_csv(folder / "processes.csv"):
            catalogue.processes[row["id"]] = ProcessInfo(
                id=row["id"],
                name=row["name"],
                unit=row["unit"],
                database=folder.name,
                location=row.get("location") or None,
                category=row.get("category") or None,
                source=row.get("source") or None,
                price_year=int(row["price_year"]) if row.get("price_year") else None,
            )
    return catalogue


def shipped_catalogue() -> Catalogue:
    """The catalogue of the inventories shipped with scenat (cached)."""
    return _shipped(str(inventories_dir()))
