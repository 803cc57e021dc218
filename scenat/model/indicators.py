"""Indicator definitions shipped in ``methods/indicators.csv``.

An indicator is scenat's short id for one Brightway LCIA method, with its unit and the
source of its characterisation factors. Most methods are read from the LCIA data bundled
with bw2io; a few are scenat's own (:func:`scenat_methods`, ``methods/scenat_methods.csv``):
they characterise scenat's indicator flows (``inventories/indicator_flows.csv``), e.g. the
USEEIO v2.0.1 energy, water, minerals, land, jobs and value-added indicators booked on the
EPA spend sectors. Those are other methods than EF 3.1 and IPCC: they are separate
indicators, never part of an EF result.

Shipped definitions are ``methods/indicators.csv`` (the default indicators) and
``methods/useeio_indicators.csv`` (optional: ``default`` is ``no``, so an assessment reports
them only when asked, e.g. ``--indicator useeio_nnrg``).

>>> ind = indicator("gwp100")
>>> ind.method
('IPCC 2021', 'climate change', 'global warming potential (GWP100)')
>>> ind.unit
'kg CO2-eq'
>>> [i.id for i in default_indicators()]
['gwp100', 'fossil_energy', 'metals_minerals', 'water']
>>> indicator("useeio_nnrg").default, indicator("useeio_nnrg").unit
(False, 'MJ')
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from scenat.errors import InputError, Problem
from scenat.paths import bw2io_data_dir, methods_dir


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    method: tuple[str, ...]
    unit: str
    kind: str
    source: str
    licence: str
    #: reported by every assessment unless told otherwise (``default`` column, yes/no)
    default: bool = True


COLUMNS = ("id", "label", "method", "unit", "kind", "source", "licence")
#: the shipped definition files, in load order (``methods/``)
SHIPPED_FILES = ("indicators.csv", "useeio_indicators.csv", "okobaudat_indicators.csv")
SCENAT_METHODS_FILE = "scenat_methods.csv"
SCENAT_METHOD_COLUMNS = ("method", "flow", "factor", "unit", "source", "licence")


def user_method_dirs() -> list[Path]:
    """Folders of user indicator definitions: ``SCENAT_HOME/methods`` and ``$SCENAT_METHODS``.

    Every ``*.csv`` in them (same columns as ``methods/indicators.csv``) is loaded after the
    shipped definitions, in folder then file-name order.
    """
    from scenat.paths import scenat_home

    folders = [scenat_home() / "methods"]
    extra = os.environ.get("SCENAT_METHODS")
    if extra:
        folders += [Path(p).expanduser() for p in extra.split(os.pathsep) if p]
    return [f for f in folders if f.is_dir()]


def _definition_files() -> list[Path]:
    files = [methods_dir() / name for name in SHIPPED_FILES]
    for folder in user_method_dirs():
        files += sorted(
            p for p in folder.glob("*.csv") if p.resolve() not in {f.resolve() for f in files}
        )
    return files


class BundledMethod(NamedTuple):
    """One LCIA method of the data bundled with bw2io, with its factors in the bundle's order."""

    name: tuple[str, ...]
    unit: str
    description: str
    filename: str | None
    #: (database, flow code, characterisation factor); the database is always biosphere3
    factors: tuple[tuple[str, str, float], ...]


def lcia_bundle() -> Path:
    """bw2io's bundled LCIA data (ecoinvent 3.9 implementation), found without importing bw2io.

    >>> lcia_bundle().name
    'lcia_39_ecoinvent.zip'
    """
    return bw2io_data_dir() / "lcia" / "lcia_39_ecoinvent.zip"


@lru_cache(maxsize=1)
def bundled_methods() -> dict[tuple[str, ...], BundledMethod]:
    """The LCIA methods bundled with bw2io (the only ones scenat can write), by name.

    The one reader of the bundle's ``data.json`` (40 MB, about 3 s to parse); what it keeps
    (about 17 MB) is cached for the process, as the project set-up, the indicator checks and
    the curated-inventory build all need it.
    """
    import json
    import sys
    import zipfile

    with zipfile.ZipFile(lcia_bundle()) as archive:
        data = json.load(archive.open("data.json"))
    return {
        tuple(entry["name"]): BundledMethod(
            name=tuple(entry["name"]),
            unit=entry["unit"],
            description=entry.get("description", ""),
            filename=entry.get("filename"),
            factors=tuple(
                (sys.intern(database), sys.intern(code), float(exchange["amount"]))
                for exchange in entry["exchanges"]
                for database, code in [exchange["input"]]
            ),
        )
        for entry in data
    }


@lru_cache(maxsize=1)
def _bundled_method_names() -> frozenset[tuple[str, ...]]:
    """Names of the LCIA methods bundled with bw2io."""
    return frozenset(bundled_methods())


class ScenatMethod(NamedTuple):
    """A method scenat defines itself: factors on scenat's indicator flows."""

    name: tuple[str, ...]
    unit: str
    description: str
    #: (elementary flow id of the catalogue, characterisation factor)
    factors: tuple[tuple[str, float], ...]


def scenat_methods() -> dict[tuple[str, ...], ScenatMethod]:
    """The methods of ``methods/scenat_methods.csv``, by name (``a | b | c`` split on ``|``).

    One row per (method, flow): ``method, flow, factor, unit, source, licence``. Raises
    :class:`InputError` with row and column for a missing column or a factor that is not a
    number.

    >>> method = scenat_methods()[("USEEIO v2.0.1", "energy", "non-renewable energy (NNRG)")]
    >>> method.unit, method.factors
    ('MJ', (('useeio_nnrg', 1.0),))
    """
    path = methods_dir() / SCENAT_METHODS_FILE
    return _scenat_methods(str(path), path.stat().st_mtime if path.exists() else 0.0)


@lru_cache(maxsize=2)
def _scenat_methods(path: str, _mtime: float) -> dict[tuple[str, ...], ScenatMethod]:
    file = Path(path)
    if not file.exists():
        return {}
    problems: list[Problem] = []
    with file.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in SCENAT_METHOD_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(
                Problem(
                    file=path,
                    row=1,
                    column=", ".join(missing),
                    message="missing column(s)",
                    hint="columns: " + ", ".join(SCENAT_METHOD_COLUMNS),
                )
            )
        rows = list(enumerate(reader, start=2))
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    for number, row in rows:
        name = tuple(part.strip() for part in row["method"].split("|"))
        try:
            factor = float(row["factor"])
        except ValueError:
            problems.append(
                Problem(
                    file=path,
                    row=number,
                    column="factor",
                    value=row["factor"],
                    message="not a number",
                    hint="e.g. 1",
                )
            )
            continue
        entry = found.setdefault(
            name, {"unit": row["unit"], "source": row["source"], "factors": []}
        )
        entry["factors"].append((row["flow"].strip(), factor))
    if problems:
        raise InputError(problems)
    return {
        name: ScenatMethod(name, entry["unit"], entry["source"], tuple(entry["factors"]))
        for name, entry in found.items()
    }


def scenat_methods_version() -> str:
    """A digest of ``methods/scenat_methods.csv``: a changed table gives a new version."""
    import hashlib

    path = methods_dir() / SCENAT_METHODS_FILE
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.exists() else ""


def known_method(name: tuple[str, ...]) -> bool:
    """A method scenat can write: bundled with bw2io or defined in ``methods/``."""
    return name in _bundled_method_names() or name in scenat_methods()


def _load_file(path: Path, known: dict[str, Indicator], shipped: bool) -> list[Problem]:
    problems: list[Problem] = []

    def problem(row: int | None, column: str | None, value: Any, message: str, hint: str) -> None:
        problems.append(
            Problem(file=str(path), row=row, column=column, value=value, message=message, hint=hint)
        )

    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [(h or "").strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            problem(
                1,
                ", ".join(missing),
                None,
                "missing column(s) " + ", ".join(missing),
                "an indicator file has the columns " + ", ".join(COLUMNS),
            )
            return problems
        rows = [
            {(k or "").strip().lower(): (v or "").strip() for k, v in r.items()} for r in reader
        ]
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        method = tuple(part.strip() for part in row["method"].split("|"))
        if not row["id"]:
            problem(number, "id", "", "empty indicator id", "give the indicator a short id")
            continue
        if row["id"] in known:
            problem(
                number,
                "id",
                row["id"],
                f"indicator {row['id']!r} is already defined",
                "choose another id; ids must be unique over methods/ and user files",
            )
            continue
        if not shipped and not known_method(method):
            import difflib

            names = sorted(" | ".join(m) for m in _bundled_method_names())
            close = difflib.get_close_matches(" | ".join(method), names, n=3, cutoff=0.5)
            problem(
                number,
                "method",
                row["method"],
                "not an LCIA method bundled with bw2io (ecoinvent 3.9 LCIA implementation)",
                "write the method name as 'part | part | part'"
                + ("; e.g. " + "; ".join(sorted(close)) if close else ""),
            )
            continue
        default = (row.get("default") or "yes").lower()
        if default not in ("yes", "no"):
            problem(
                number,
                "default",
                row.get("default"),
                "not yes or no",
                "yes: every assessment reports it; no: only when asked",
            )
            continue
        known[row["id"]] = Indicator(
            id=row["id"],
            label=row["label"] or row["id"],
            method=method,
            unit=row["unit"],
            kind=row["kind"],
            source=row["source"],
            licence=row["licence"],
            default=default == "yes",
        )
    return problems


@lru_cache(maxsize=1)
def _load_cached(key: tuple[tuple[str, float], ...]) -> dict[str, Indicator]:
    known: dict[str, Indicator] = {}
    problems: list[Problem] = []
    for i, (name, _mtime) in enumerate(key):
        problems += _load_file(Path(name), known, shipped=i < len(SHIPPED_FILES))
    if problems:
        raise InputError(problems)
    return known


def _load() -> dict[str, Indicator]:
    """Shipped indicators, then user definition files (reloaded when one changes)."""
    files = _definition_files()
    return _load_cached(tuple((str(p), p.stat().st_mtime) for p in files))


def all_indicators() -> list[Indicator]:
    """Every known indicator: shipped (default and optional) and user-defined."""
    return list(_load().values())


def default_indicators() -> list[Indicator]:
    """The indicators every assessment reports unless told otherwise (user ones included)."""
    return [i for i in _load().values() if i.default]


def shipped_indicators() -> list[Indicator]:
    """Only the indicators of the shipped ``methods/indicators.csv`` (the default four, all
    bundled with bw2io), without the optional shipped ones and without user files."""
    known: dict[str, Indicator] = {}
    problems = _load_file(methods_dir() / "indicators.csv", known, shipped=True)
    if problems:
        raise InputError(problems)
    return list(known.values())


def indicator(indicator_id: str) -> Indicator:
    """Look up one indicator by id; an unknown id is an :class:`InputError` with a hint."""
    known = _load()
    if indicator_id not in known:
        raise InputError(
            Problem(
                message=f"unknown indicator {indicator_id!r}",
                value=indicator_id,
                hint="choose one of " + ", ".join(known),
            )
        )
    return known[indicator_id]


def resolve(indicators: list[str] | None) -> list[Indicator]:
    """Turn a list of ids (or None for the defaults) into indicators, checking every id."""
    if not indicators:
        return default_indicators()
    problems: list[Problem] = []
    found: list[Indicator] = []
    for ind in indicators:
        try:
            found.append(indicator(ind))
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems)
    return found


def characterised_flows(indicators: list[Indicator] | None = None) -> dict[str, frozenset[str]]:
    """Elementary flow id of the shipped catalogue -> the indicators that characterise it.

    An indicator characterises a flow when its method (bundled with bw2io, or scenat's own)
    gives the flow's code a non-zero factor. Reads the bundled LCIA data (about 3 s, cached).

    >>> found = characterised_flows()
    >>> sorted(found["natural_gas_resource"]), sorted(found["useeio_nnrg"])
    (['fossil_energy'], ['useeio_nnrg'])
    """
    from scenat.model.catalogue import shipped_catalogue

    flows = shipped_catalogue().elementary
    by_code = {(f.database, f.code): f.id for f in flows.values()}
    bundled = bundled_methods()
    own = scenat_methods()
    found: dict[str, set[str]] = {}
    for ind in indicators if indicators is not None else all_indicators():
        if ind.method in own:
            for flow, factor in own[ind.method].factors:
                if factor and flow in flows:
                    found.setdefault(flow, set()).add(ind.id)
        elif ind.method in bundled:
            for database, code, factor in bundled[ind.method].factors:
                flow = by_code.get((database, code))
                if flow is not None and factor:
                    found.setdefault(flow, set()).add(ind.id)
    return {flow: frozenset(ids) for flow, ids in found.items()}
