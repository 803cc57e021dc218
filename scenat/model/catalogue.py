"""What a case may reference: background processes and elementary flows, without Brightway.

Reading and validating a workbook needs to know which process ids exist and in which
unit, but must not pay for importing bw2data. The shipped catalogue is read from the
CSV tables in ``inventories/``: one folder per background database holding
``processes.csv`` and ``exchanges.csv``, plus ``elementary_flows.csv`` (flows of biosphere3)
and ``indicator_flows.csv`` (scenat's own indicator flows, in the ``scenat_flows`` biosphere
database, characterised only by scenat's own methods, e.g. USEEIO's energy and jobs).

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
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from scenat.model.places import country, normalise
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
    #: for fuels measured in energy: the calorific value their unit is on (``net`` or
    #: ``gross``), as their name or product says ("per kWh net CV")
    calorific_basis: str | None = None
    #: the fuel's net calorific value per unit of gross calorific value, where its data
    #: publishes one (column ``net_per_gross`` of ``processes.csv``); converts a gross CV
    #: amount to net and back
    net_per_gross: float | None = None


_CALORIFIC = re.compile(r"\b(net|gross)\s+(?:cv|calorific value)\b", re.IGNORECASE)


def calorific_basis(*texts: str | None) -> str | None:
    """``net`` or ``gross`` when a process's name or product names its calorific basis.

    >>> calorific_basis("natural gas, burned, per kWh net CV", None), calorific_basis("steel")
    ('net', None)
    """
    found = {m.group(1).lower() for text in texts if text for m in _CALORIFIC.finditer(text)}
    return found.pop() if len(found) == 1 else None


@dataclass(frozen=True)
class ElementaryFlow:
    """An emission or resource flow, tied to a biosphere3 flow by its code."""

    id: str
    name: str
    categories: tuple[str, ...]
    unit: str
    code: str
    kind: str
    #: the Brightway biosphere database holding the flow
    database: str = "biosphere3"

    @property
    def label(self) -> str:
        return f"{self.name} ({'/'.join(self.categories)})"


#: the shipped folder of grid electricity by country and province (location-based grids)
GRID_DATABASE = "grid_electricity"
#: a flow input that asks for the grid electricity of the node's location
LOCAL_GRID = "electricity_grid_local"

#: separates a user database's name from a process code in a flow input: ``uslci:<code>``
EXTERNAL_SEPARATOR = ":"

# bw2io's unit names (ecoinvent, USLCI after `scenat data uslci`) -> units scenat's pint knows.
BRIGHTWAY_UNITS = {
    **BIOSPHERE_UNITS,
    "ton kilometer": "tkm",
    "kilogram kilometer": "kg*km",
    "person kilometer": "pkm",
    "vehicle kilometer": "vkm",
    "unit": "unit",
    "kilometer": "km",
    "meter": "m",
    "hectare": "ha",
    "litre": "L",
    "liter": "L",
    "ton": "t",
    "gram": "g",
    "gigajoule": "GJ",
    "kilojoule": "kJ",
    "watt hour": "Wh",
    "hour": "hour",
    "year": "year",
    "meter-year": "m*year",
    "kilometer-year": "km*year",
    "Becquerel": "Bq",
    "kilo Becquerel": "kBq",
    "normal cubic meter": "m3",
}


def split_background_id(text: str) -> tuple[str, str] | None:
    """``'uslci:abc'`` -> ``('uslci', 'abc')``: a process of a user database; None otherwise.

    >>> split_background_id("uslci:0aaf1e13"), split_background_id("electricity_uk")
    (('uslci', '0aaf1e13'), None)
    """
    database, sep, code = str(text).partition(EXTERNAL_SEPARATOR)
    return (database, code) if sep and database and code else None


def brightway_unit(unit: str | None) -> str:
    """A Brightway unit name in scenat's spelling (``ton kilometer`` -> ``tkm``)."""
    text = (unit or "").strip()
    return BRIGHTWAY_UNITS.get(text, BRIGHTWAY_UNITS.get(text.lower(), text))


class ExternalProcesses(Protocol):
    """Where ``<database>:<code>`` ids are looked up: the Brightway project's user databases.

    :func:`scenat.brightway.project_catalogue` supplies one; a catalogue without it knows only
    the shipped processes.
    """

    def lookup(self, database: str, code: str) -> dict[str, Any] | None:
        """The process's name, product, unit, location and price year, or None."""
        ...

    def codes(self, database: str) -> list[str]:
        """Every process code of ``database`` (for suggestions)."""
        ...


class ProcessTable(dict):
    """Process id -> :class:`ProcessInfo`; ``<database>:<code>`` ids are looked up on demand.

    Shipped processes are plain entries. A process of a user database of the Brightway
    project (USLCI imported with ``scenat data uslci``, ecoinvent imported with bw2io, ...)
    is found through ``external`` the first time a case names it, so reading a shipped-only
    case never imports bw2data. Iterating lists the shipped processes and the user processes
    found so far.
    """

    def __init__(self, *args: Any, external: ExternalProcesses | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.external = external

    def _resolve(self, key: object) -> ProcessInfo | None:
        parts = split_background_id(key) if isinstance(key, str) else None
        if parts is None or self.external is None:
            return None
        found = self.external.lookup(*parts)
        if found is None:
            return None
        product = found.get("product")
        info = ProcessInfo(
            id=str(key),
            name=found["name"] + (f" | {product}" if product not in (None, found["name"]) else ""),
            unit=brightway_unit(found.get("unit")),
            database=parts[0],
            location=found.get("location") or None,
            source=f"Brightway database {parts[0]}",
            price_year=found.get("price_year"),
            calorific_basis=calorific_basis(found["name"], product),
        )
        dict.__setitem__(self, str(key), info)
        return info

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or self._resolve(key) is not None

    def __missing__(self, key: str) -> ProcessInfo:
        info = self._resolve(key)
        if info is None:
            raise KeyError(key)
        return info

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[key] if key in self else default

    def forget(self, database: str) -> None:
        """Drop the cached processes of a user database (re-imported or deleted)."""
        prefix = database + EXTERNAL_SEPARATOR
        for key in [k for k in self if k.startswith(prefix)]:
            del self[key]


@dataclass
class Catalogue:
    """The processes and elementary flows a case may name, and the inventory version."""

    processes: dict[str, ProcessInfo] = field(default_factory=ProcessTable)
    elementary: dict[str, ElementaryFlow] = field(default_factory=dict)
    version: str = ""

    def with_external(self, external: ExternalProcesses) -> Catalogue:
        """A catalogue that also answers for ``<database>:<code>`` ids through ``external``."""
        processes = ProcessTable(dict(self.processes), external=external)
        return Catalogue(processes=processes, elementary=self.elementary, version=self.version)

    def suggest(self, value: str, choices: list[str] | None = None) -> str | None:
        """The closest known id to a mistyped one, for hints."""
        pool = choices if choices is not None else list(self.processes)
        parts = split_background_id(value) if choices is None else None
        external = getattr(self.processes, "external", None)
        if parts is not None and external is not None:
            # a user database's process: suggest among its codes
            pool = [f"{parts[0]}{EXTERNAL_SEPARATOR}{c}" for c in external.codes(parts[0])]
        matches = difflib.get_close_matches(str(value), pool, n=1, cutoff=0.6)
        if not matches:
            lowered = {c.lower(): c for c in pool}
            matches = [lowered[str(value).lower()]] if str(value).lower() in lowered else []
        return matches[0] if matches else None

    def grid_for(self, location: str | None) -> ProcessInfo | None:
        """The grid electricity of a place: the shipped grid process located exactly there
        (a province, ``CN-BJ``), else that of its country (``CN``); None when there is none.

        >>> shipped_catalogue().grid_for("CN-BJ").id, shipped_catalogue().grid_for("GBR").id
        ('electricity_grid_cn_bj', 'electricity_grid_gbr')
        """
        wanted = normalise(location)
        if wanted is None:
            return None
        grids = [p for p in dict.values(self.processes) if p.database == GRID_DATABASE]
        for candidates in (
            [p for p in grids if normalise(p.location) == wanted],
            [p for p in grids if normalise(p.location) == country(wanted)],
        ):
            if candidates:
                return candidates[0]
        return None

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
    if (root / INDICATOR_FLOWS).exists():
        tables.append(root / INDICATOR_FLOWS)
    for folder in database_folders(root):
        tables += [folder / "processes.csv", folder / "exchanges.csv"]
    for path in tables:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


#: scenat's own indicator flows (pseudo flows of scenat's methods), beside elementary_flows.csv
INDICATOR_FLOWS = "indicator_flows.csv"


@lru_cache(maxsize=4)
def _shipped(root: str) -> Catalogue:
    base = Path(root)
    catalogue = Catalogue(version=inventory_version(base))
    tables = [base / "elementary_flows.csv"]
    if (base / INDICATOR_FLOWS).exists():
        tables.append(base / INDICATOR_FLOWS)
    for table in tables:
        for row in _read_csv(table):
            unit = BIOSPHERE_UNITS.get(row["unit"], row["unit"])
            catalogue.elementary[row["id"]] = ElementaryFlow(
                id=row["id"],
                name=row["name"],
                categories=tuple(row["categories"].split("::")),
                unit=unit,
                code=row["code"],
                kind=row["kind"],
                database=row.get("database") or "biosphere3",
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
                calorific_basis=calorific_basis(row["name"], row.get("reference_product")),
                net_per_gross=float(row["net_per_gross"]) if row.get("net_per_gross") else None,
            )
    return catalogue


def shipped_catalogue() -> Catalogue:
    """The catalogue of the inventories shipped with scenat (cached); shipped ids only.

    :func:`scenat.brightway.project_catalogue` adds the user databases of the project.
    """
    return _shipped(str(inventories_dir()))
