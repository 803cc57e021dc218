"""USEEIO v2.0.1's resource and socio-economic indicators on the EPA spend sectors.

EPA's supply-chain factors (:mod:`scenat.importers.epa`) give greenhouse gases only. The US
EEIO model they come from also publishes energy, water, minerals, land, jobs and value-added
indicators; USEEIO v2.0.1 (411 sectors, ``../shared/data/useeio/USEEIOv2.0.1-411``, the
USEEIO API JSON layout) holds them as ``N`` (total, supply-chain impact per USD of final
demand, 2012 USD at producer price; ``N = D L``) with the sectors' total output ``x``.

**Matching.** Each EPA process names a reference USEEIO code (``useeio_code``, USEEIO v2.2's
BEA 2017 schema). It is found in v2.0.1 exactly (1,958 of 2,032 processes), else as the
codes of a comma-separated list (construction: ``230301, 233210, ...``), else by the longest
prefix that v2.0.1 has (``562000`` -> the seven ``562...`` waste sectors, ``335220`` -> the
four household appliance sectors, ``333914`` -> ``33391...``). Several codes are averaged
weighted by their total output ``x``; the comment of every exchange says which.

**Price year and basis.** EPA's factors are per USD of 2022 at purchaser price; USEEIO's per
USD of 2012 at producer price. Two conversions, one per kind of indicator:

* physical indicators (ENRG, NNRG, RNRG MJ; WATR kg; MNRL kg; LAND m2*year) are scaled by
  the sector's GHG ratio ``k = EPA kg CO2e per USD 2022 / USEEIO N[GHG] per USD 2012``:
  ``I = N[I] x k``. This keeps USEEIO's resource-to-GHG ratio and EPA's GHG, and so absorbs
  in one factor the price year, the purchaser/producer basis, margins and the data years
  (2012 vs 2017); k ranges 0.3-0.8 (median 0.6). The with- and without-margins sets use
  their own EPA totals.
* JOBS and VADD are money ratios: they are converted by the US price level only (CPI-U
  2012 -> 2022 from ``inventories/currency``, :func:`scenat.model.currency.conversion`):
  jobs per USD 2022 = N[JOBS] / 1.2747; value added per USD is a ratio of dollars of the
  same year and stays as published (about 0.99). The producer/purchaser difference is not
  corrected for them.

**Booked as their own flows.** Each indicator is one of scenat's indicator flows
(``inventories/indicator_flows.csv``, e.g. ``useeio_nnrg``), counted only by scenat's USEEIO
method of the same name (``methods/scenat_methods.csv``) and never by EF 3.1 or IPCC; the
indicators (``useeio_enrg`` ...) are optional (``methods/useeio_indicators.csv``). USEEIO's
WATR is a withdrawal in kg and MNRL a mass: they are not comparable with EF's water
deprivation or ADP elements.

>>> resolve_code("562000", ["562111", "562HAZ", "561100"])
(['562111', '562HAZ'], 'prefix 562')
>>> resolve_code("230301, 233210", ["230301", "233210"])
(['230301', '233210'], 'list of 2 codes')
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scenat.errors import InputError, Problem
from scenat.importers.pedigree import BASIC, Pedigree

__all__ = ["INDICATORS", "UseeioModel", "indicator_exchanges", "read_useeio_json", "resolve_code"]

#: USEEIO indicator code -> (scenat indicator flow id, unit of the flow, converted as)
INDICATORS: Mapping[str, tuple[str, str, str]] = {
    "ENRG": ("useeio_enrg", "MJ", "physical"),
    "NNRG": ("useeio_nnrg", "MJ", "physical"),
    "RNRG": ("useeio_rnrg", "MJ", "physical"),
    "WATR": ("useeio_watr", "kg", "physical"),
    "MNRL": ("useeio_mnrl", "kg", "physical"),
    "LAND": ("useeio_land", "m2*year", "physical"),
    "JOBS": ("useeio_jobs", "jobs", "money"),
    "VADD": ("useeio_vadd", "USD", "money"),
}
SOURCE = "US EPA USEEIO v2.0.1 (411 sectors; ModelEarth/useeio-json models/2020, baa1c13)"
LICENCE = "US federal work (public domain in the US)"
PRICE_YEAR = 2012
# Pedigree of USEEIO's indicators on EPA's sectors: verified statistics partly estimated (2),
# the whole economy (1), 2012 data for 2022 (3), the US (1), sector averages for a purchase
# (4) (scenat.importers.pedigree).
PEDIGREE = Pedigree(2, 1, 3, 1, 4)


@dataclass(frozen=True)
class UseeioModel:
    """The parts of a USEEIO model this module needs."""

    codes: list[str]  # sector codes in matrix order
    indicators: list[str]  # indicator codes in N's row order
    N: np.ndarray  # indicators x sectors, per USD of PRICE_YEAR producer price
    x: np.ndarray  # total output per sector, USD
    folder: str

    def column(self, code: str) -> int:
        return self.codes.index(code)

    def row(self, indicator: str) -> int:
        return self.indicators.index(indicator)


def read_useeio_json(folder: str | os.PathLike[str]) -> UseeioModel:
    """Read ``sectors.json``, ``indicators.json``, ``matrix/N.json`` and ``matrix/x.json``.

    Raises :class:`InputError` for a missing file, matrices of the wrong shape, or an
    indicator of :data:`INDICATORS` (and GHG) the model lacks.
    """
    base = Path(folder)
    files = {
        "sectors": base / "sectors.json",
        "indicators": base / "indicators.json",
        "N": base / "matrix" / "N.json",
        "x": base / "matrix" / "x.json",
    }
    missing = [p for p in files.values() if not p.is_file()]
    if missing:
        raise InputError(
            [
                Problem(
                    file=str(p),
                    message="USEEIO file not found",
                    hint="give the USEEIOv2.0.1-411 folder (USEEIO API JSON layout)",
                )
                for p in missing
            ]
        )
    data = {k: json.loads(p.read_text(encoding="utf-8")) for k, p in files.items()}
    sectors = sorted(data["sectors"], key=lambda s: s["index"])
    indicators = sorted(data["indicators"], key=lambda i: i["index"])
    N = np.asarray(data["N"], dtype=float)
    x = np.asarray(data["x"], dtype=float).reshape(-1)
    problems = []
    if N.shape != (len(indicators), len(sectors)) or x.shape != (len(sectors),):
        problems.append(
            Problem(
                file=str(files["N"]),
                value=f"N {N.shape}, x {x.shape}",
                message=f"expected N {len(indicators)} x {len(sectors)} and x {len(sectors)}",
            )
        )
    codes = [i["code"] for i in indicators]
    for code in (*INDICATORS, "GHG"):
        if code not in codes:
            problems.append(
                Problem(
                    file=str(files["indicators"]),
                    value=code,
                    message="indicator missing from the model",
                )
            )
    if problems:
        raise InputError(problems)
    return UseeioModel([s["code"] for s in sectors], codes, N, x, str(base))


def resolve_code(code: str, known: Sequence[str]) -> tuple[list[str], str]:
    """The model's sector codes for an EPA ``useeio_code``, and how they were found."""
    known_set = set(known)
    if code in known_set:
        return [code], "exact"
    parts = [c.strip() for c in code.split(",") if c.strip()]
    if len(parts) > 1 and all(p in known_set for p in parts):
        return parts, f"list of {len(parts)} codes"
    stem = code.strip().rstrip("0") or code.strip()
    while len(stem) >= 3:
        found = [k for k in known if k.startswith(stem)]
        if found:
            return found, f"prefix {stem}"
        stem = stem[:-1]
    return [], "not in the model"


def indicator_exchanges(
    process: Mapping[str, Any], model: UseeioModel, money_factor: float, money_note: str
) -> list[dict[str, Any]]:
    """The USEEIO indicator exchanges of one EPA process (empty when its code is unknown).

    ``process`` needs ``id``, ``useeio_code`` and ``epa_kg_co2e`` (per USD 2022);
    ``money_factor`` is USD 2022 per USD 2012 (the CPI-U ratio) for JOBS, described by
    ``money_note``.
    """
    codes, how = resolve_code(process["useeio_code"], model.codes)
    if not codes:
        return []
    cols = [model.column(c) for c in codes]
    weights = model.x[cols] / model.x[cols].sum()
    N = model.N[:, cols] @ weights
    ghg = N[model.row("GHG")]
    if ghg <= 0:
        return []
    k = process["epa_kg_co2e"] / ghg
    where = (
        f"{codes[0]}/US"
        if len(codes) == 1
        else f"{len(codes)} sectors ({', '.join(codes)}), weighted by total output x"
    )
    rows = []
    for code, (flow, unit, kind) in INDICATORS.items():
        value = N[model.row(code)]
        if kind == "physical":
            amount = value * k
            how_scaled = f"x k {k:.4f} (EPA {process['epa_kg_co2e']:g} / USEEIO GHG {ghg:.5g})"
        elif code == "JOBS":
            amount = value / money_factor
            how_scaled = f"/ {money_factor:.4f} ({money_note})"
        else:
            amount = value
            how_scaled = "(USD per USD: kept)"
        if not amount:
            continue
        rows.append(
            {
                "process": process["id"],
                "type": "biosphere",
                "input": flow,
                "amount": float(f"{amount:.12g}"),
                "unit": unit,
                "source": SOURCE,
                "table": f"matrix/N.json {code}, {where} ({how})",
                "year": PRICE_YEAR,
                "licence": LICENCE,
                "comment": f"USEEIO {code} {value:.6g} {unit}/USD {PRICE_YEAR} {how_scaled}; "
                "USEEIO method only",
                **PEDIGREE.columns(BASIC["resource"]),
            }
        )
    return rows
