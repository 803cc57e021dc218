"""Indicator definitions shipped in ``methods/indicators.csv``.

An indicator is scenat's short id for one Brightway LCIA method, with its unit and the
source of its characterisation factors.

>>> ind = indicator("gwp100")
>>> ind.method
('IPCC 2021', 'climate change', 'global warming potential (GWP100)')
>>> ind.unit
'kg CO2-eq'
>>> [i.id for i in default_indicators()]
['gwp100', 'fossil_energy', 'metals_minerals', 'water']
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from scenat.errors import InputError, Problem
from scenat.paths import methods_dir


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    method: tuple[str, ...]
    unit: str
    kind: str
    source: str
    licence: str


@lru_cache(maxsize=1)
def _load() -> dict[str, Indicator]:
    path = methods_dir() / "indicators.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        row["id"]: Indicator(
            id=row["id"],
            label=row["label"],
            method=tuple(part.strip() for part in row["method"].split("|")),
            unit=row["unit"],
            kind=row["kind"],
            source=row["source"],
            licence=row["licence"],
        )
        for row in rows
    }


def default_indicators() -> list[Indicator]:
    """The indicators every assessment reports unless told otherwise."""
    return list(_load().values())


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
