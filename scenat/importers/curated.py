"""Curated cradle-to-gate materials and transport from USLCI (``inventories/materials/``).

USLCI (NREL, Federal LCA Commons, CC0 1.0) has process-level data for the materials the
examples need, but as a network of ~1,000 unit processes that only an optional import
(``scenat data uslci``) brings into a project. This module aggregates a small selection
(:data:`SELECTION`) to **one shipped process each** at build time, so that every scenat
installation has them without USLCI:

1. import USLCI JSON-LD with :func:`scenat.importers.uslci.import_uslci` (database ``uslci`` of
   the current scenat project, physical allocation; the same import as ``scenat data
   uslci``);
2. build the technosphere ``A`` and biosphere ``B`` of that database with bw2calc
   (:func:`scenat.brightway.lci_of`), factorise ``A`` once and solve ``A x = e_p`` per
   selected product ``p``; ``g = B x`` is its
   cradle-to-gate inventory (all of USLCI's cut-offs stay cut off);
3. keep the elementary flows that ``inventories/elementary_flows.csv`` names: a flow is taken
   by its biosphere3 code, or, for a sub-compartment of the same substance (``Carbon
   dioxide, fossil`` to ``air::urban air close to ground``), by name and top compartment
   when the four default indicators characterise it exactly as the listed flow (so merging
   them changes no result). Flows the table does not name are left out; each process's
   ``comment`` says which share of the full USLCI result (every linked flow) the shipped
   flows keep, per default indicator.

Not in USLCI, so not shipped here (use the EPA spend sectors instead): copper, concrete,
flat or container glass (only E-glass fibre), battery cells, PV modules, LED luminaires.

    scenat data materials ../shared/data/uslci inventories/materials [--add-flows]

``--add-flows`` first appends to ``elementary_flows.csv`` (beside ``OUT``) the flows of the
selected processes that a default indicator characterises, that contribute at least
:data:`FLOW_THRESHOLD` of some process's result and that the table lacks; the build is then
reproducible without it (the project set-up reads every shipped folder, so run it before
a folder refers to the new flows). Runs in the current ``SCENAT_HOME`` (set a scratch one to
keep your own project untouched); about 40 s.
"""

from __future__ import annotations

import csv
import json
import math
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import polars as pl

from scenat.errors import InputError, Problem
from scenat.importers.inventory import (
    PROCESS_COLUMNS,
    UNCERTAIN_EXCHANGE_COLUMNS,
    drop_round_off,
    exchange_schema,
    write_inventory,
)
from scenat.importers.pedigree import FACTOR_SOURCE, Pedigree
from scenat.importers.uslci import LICENCE as USLCI_LICENCE

__all__ = [
    "SELECTION",
    "Selected",
    "build_materials_inventory",
    "cradle_to_gate",
]

DATABASE = "uslci"
LICENCE = "CC0 1.0"
SOURCE = (
    "US Life Cycle Inventory (USLCI), NREL / Federal LCA Commons, openLCA JSON-LD ({archive}); "
    "process {name!r} [{uuid}]"
)
#: a flow the table lacks is proposed by ``--add-flows`` when it makes at least this share of
#: a selected process's result for some default indicator
FLOW_THRESHOLD = 1e-3
#: how a note names each default indicator's method (the form tests/data/test_desnz.py reads)
NOTE_PREFIX = {
    "gwp100": "IPCC 2021 GWP100",
    "fossil_energy": "EF v3.1 ADP fossil",
    "metals_minerals": "EF v3.1 ADP elements (ultimate reserves)",
    "water": "EF v3.1 water use",
}
SIGNIFICANT = 10  # digits kept
#: an aggregated amount at most this share of the largest amount of the same flow in the
#: folder is round-off of the solve, not data, and is dropped (inventory.drop_round_off)
ROUND_OFF_RTOL = 1e-9
#: pedigree of every USLCI unit process where its exchange has no distribution: reliability 2
#: (verified data partly based on assumptions: USLCI's review), completeness 2, temporal 4
#: (most USLCI data are 10-15 years older than the 2024 build), geographical 2 (US data for
#: a process shipped as US), technological 2
USLCI_PEDIGREE = Pedigree(2, 2, 4, 2, 2)
USLCI_PEDIGREE_TEXT = "USLCI unit processes pedigree (2,2,4,2,2)"


class Selected(NamedTuple):
    id: str
    uuid: str  # openLCA process @id = code of the activity in database ``uslci``
    category: str
    name: str  # scenat's name; USLCI's own is in ``source``


#: the shipped selection: id, USLCI process @id, category, readable name
SELECTION: tuple[Selected, ...] = (
    Selected(
        "uslci_steel_hot_rolled",
        "bc251c04-d2b2-366f-af0c-99d8fc2ed467",
        "materials",
        "steel, hot rolled sheet, production mix (USLCI)",
    ),
    Selected(
        "uslci_steel_cold_rolled",
        "c378e883-97fc-3714-b923-d7271b8fcbac",
        "materials",
        "steel, cold rolled sheet, production mix (USLCI)",
    ),
    Selected(
        "uslci_steel_galvanized",
        "d6510d2d-d29c-3705-b686-b7903cd6e6bd",
        "materials",
        "steel, galvanized sheet (USLCI)",
    ),
    Selected(
        "uslci_steel_rebar_bof",
        "91150a40-c29d-4eff-891b-0e3fd56df1a4",
        "materials",
        "steel reinforcement bar, blast furnace route (USLCI)",
    ),
    Selected(
        "uslci_steel_sections",
        "60b5e1ee-3f9c-39e4-ad2f-68cfe3a71956",
        "materials",
        "steel, structural beams and columns, at plant (USLCI)",
    ),
    Selected(
        "uslci_steel_stainless_recycled",
        "c19569ac-f0ab-453a-b70b-43f73bad11f8",
        "materials",
        "stainless steel 316 2B, 80 % recycled content (USLCI)",
    ),
    Selected(
        "uslci_aluminium_primary",
        "99963138-ddf9-3b32-9e93-69593d76cb08",
        "materials",
        "aluminium, primary ingot (USLCI)",
    ),
    Selected(
        "uslci_aluminium_secondary",
        "bcc68f88-debb-3fc3-93ee-5ceadcef0b14",
        "materials",
        "aluminium, secondary (recycled) ingot (USLCI)",
    ),
    Selected(
        "uslci_aluminium_mix",
        "a8eb9a6a-e8e6-3da6-a3ab-20dcf68e883a",
        "materials",
        "aluminium ingot, US production mix of primary and secondary (USLCI)",
    ),
    Selected(
        "uslci_zinc",
        "230e8d51-1f4d-3459-be47-429b0b828add",
        "materials",
        "zinc, special high grade (USLCI)",
    ),
    Selected(
        "uslci_cement_portland",
        "62993671-574c-3fc5-b66a-6be3bb21ad3d",
        "materials",
        "cement, Portland (USLCI)",
    ),
    Selected(
        "uslci_glass_fibre",
        "2d50471f-ae3a-337b-9e53-6ff319e39b55",
        "materials",
        "glass fibre, E-glass (USLCI)",
    ),
    Selected(
        "uslci_lumber_softwood",
        "7e57a70b-5821-35c8-a8be-496bc9872632",
        "materials",
        "timber, softwood lumber, planed, kiln dried, US Inland Northwest (USLCI)",
    ),
    Selected(
        "uslci_lumber_hardwood",
        "eb664f4e-2615-3b3a-aac4-b09b91fe8f1f",
        "materials",
        "timber, hardwood lumber, planed, kiln dried, US Northeast-North Central (USLCI)",
    ),
    Selected(
        "uslci_hdpe",
        "d7c36a39-fdcc-3eb8-a8cd-c6c2b5a11c9a",
        "materials",
        "polyethylene, high density (HDPE), resin (USLCI)",
    ),
    Selected(
        "uslci_ldpe",
        "05561830-e889-31a3-b2be-7c52ee2ea545",
        "materials",
        "polyethylene, low density (LDPE), resin (USLCI)",
    ),
    Selected(
        "uslci_pp",
        "1ba8424c-2bdb-353e-8ea4-5e8d3bd477b8",
        "materials",
        "polypropylene (PP), resin (USLCI)",
    ),
    Selected(
        "uslci_pet",
        "7b69255a-a7b2-318e-9433-54b7c4d13ece",
        "materials",
        "polyethylene terephthalate (PET), resin (USLCI)",
    ),
    Selected(
        "uslci_pet_recycled",
        "22ebc7fb-f03f-37dc-be57-b73d2c577414",
        "materials",
        "PET, recycled post-consumer pellet (USLCI)",
    ),
    Selected(
        "uslci_pvc",
        "b19fe3da-392e-36af-9342-910be1d2160a",
        "materials",
        "polyvinyl chloride (PVC), resin (USLCI)",
    ),
    Selected(
        "uslci_polystyrene",
        "dc8ba0cc-e7bb-3e8f-8d07-39f2e873dd24",
        "materials",
        "polystyrene, general purpose (USLCI)",
    ),
    Selected(
        "uslci_insulation_eps",
        "66691548-5be9-3c87-bf87-2f38136bc7bf",
        "materials",
        "insulation, expanded polystyrene (EPS) board (USLCI)",
    ),
    Selected(
        "uslci_gypsum_board",
        "85b81e30-2422-36fc-8144-1459b1b993b2",
        "materials",
        "gypsum wallboard, regular, 12.7 mm (USLCI)",
    ),
    Selected(
        "uslci_containerboard",
        "9fd05600-4cbe-3f15-aef2-e90c59bede77",
        "materials",
        "containerboard (packaging), average production (USLCI)",
    ),
    Selected(
        "uslci_transport_truck",
        "34156f3c-28ef-33db-9ad0-6293a2aa0d52",
        "transport",
        "freight, combination truck, diesel, US average (USLCI)",
    ),
    Selected(
        "uslci_transport_truck_single_unit",
        "45b70b50-20a0-341b-8e2f-c196974d1541",
        "transport",
        "freight, single unit truck, diesel, US average (USLCI)",
    ),
    Selected(
        "uslci_transport_rail",
        "7de9c230-fd0f-3478-be87-f80181132faa",
        "transport",
        "freight, rail, diesel, Class 1 line haul, weighted tier average (USLCI)",
    ),
    Selected(
        "uslci_transport_barge",
        "099c3d09-08a3-3cac-9ffd-0558c12033b9",
        "transport",
        "freight, barge, average fuel mix (USLCI)",
    ),
    Selected(
        "uslci_transport_ocean",
        "f85fcdde-6c6b-3bbb-8efc-de6cb34c9ac7",
        "transport",
        "freight, ocean freighter, residual fuel oil (USLCI)",
    ),
)


class FlowInfo(NamedTuple):
    code: str
    name: str
    categories: tuple[str, ...]
    unit: str


class CradleToGate(NamedTuple):
    """The solved system: per selected id, its activity's metadata and inventory over flows."""

    activities: dict[str, dict[str, Any]]
    inventories: dict[str, np.ndarray]  # id -> g (one value per biosphere row)
    flows: list[FlowInfo]  # biosphere rows
    solved: Any = None  # the Inventories of lci_of (supply, B, own spreads), keyed by uuid
    codes: dict[str, str] | None = None  # selected id -> code in the solved database


def cradle_to_gate(selection: Sequence[Selected] = SELECTION) -> CradleToGate:
    """Cradle-to-gate LCI of each selected USLCI process: one factorisation, one solve each."""
    from scenat.brightway import database_names, lci_of, node_ids

    if DATABASE not in database_names():
        raise InputError(
            Problem(
                message="no database 'uslci' in the project",
                hint="import it first: scenat data uslci PATH",
            )
        )
    known = node_ids(DATABASE)
    missing = [item for item in selection if item.uuid not in known]
    if missing:
        raise InputError(
            [
                Problem(
                    message=f"USLCI has no process {m.uuid} (for {m.id})",
                    value=m.uuid,
                    hint="a newer USLCI release may have renamed it; update SELECTION",
                )
                for m in missing
            ]
        )
    solved = lci_of(DATABASE, [item.uuid for item in selection])
    flows = [
        FlowInfo(f["code"], f["name"], tuple(f.get("categories") or ()), f.get("unit", ""))
        for f in solved.flows
    ]
    inventories, meta = {}, {}
    for item in selection:
        act = solved.activities[item.uuid]
        inventories[item.id] = solved.inventories[item.uuid]
        meta[item.id] = {
            "name": act["name"],
            "product": act.get("reference product") or act["name"],
            "unit": act.get("unit", ""),
            "archive": Path(act.get("olca", {}).get("source", "")).name,
            "location": act.get("location"),
        }
    return CradleToGate(
        meta, inventories, flows, solved=solved, codes={i.id: i.uuid for i in selection}
    )


def _bundled_methods(names: Sequence[tuple[str, ...]]) -> dict[tuple[str, ...], dict[str, float]]:
    """Characterisation factors (biosphere3 code -> factor) of methods bundled with bw2io."""
    from scenat.model.indicators import bundled_methods

    wanted = {tuple(n) for n in names}
    out: dict[tuple[str, ...], dict[str, float]] = {}
    for name, method in bundled_methods().items():
        if name in wanted:
            out[name] = {}
            for database, code, amount in method.factors:
                if database == "biosphere3":
                    out[name][code] = out[name].get(code, 0.0) + amount
    return out


def _read_flow_table(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _flow_map(
    flows: list[FlowInfo], table: list[dict[str, str]], cfs: dict[tuple[str, ...], dict[str, float]]
) -> list[str | None]:
    """Per biosphere row, the elementary_flows.csv id it is booked on (None: left out)."""
    by_code = {row["code"]: row for row in table}
    by_name = {(row["name"], row["categories"].split("::")[0], row["unit"]): row for row in table}
    out: list[str | None] = []
    for flow in flows:
        row = by_code.get(flow.code)
        if row is None:
            row = by_name.get((flow.name, (flow.categories or ("",))[0], flow.unit))
            same = row is not None and all(
                factors.get(flow.code, 0.0) == factors.get(row["code"], 0.0)
                for factors in cfs.values()
            )
            row = row if same else None
        out.append(row["id"] if row else None)
    return out


def _round(value: float) -> float:
    return float(f"{value:.{SIGNIFICANT}g}")


def _process_year(archive_dir: Path, archive: str, uuid: str) -> str:
    """The first year of the process's validity (openLCA processDocumentation.validFrom)."""
    for path in sorted(archive_dir.rglob(archive)) if archive_dir.is_dir() else [archive_dir]:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.endswith(f"processes/{uuid}.json"):
                    doc = json.loads(zf.read(name)).get("processDocumentation") or {}
                    found = re.match(r"(\d{4})", str(doc.get("validFrom") or ""))
                    return found.group(1) if found else ""
    return ""


class Spread(NamedTuple):
    """The lognormal spread of one aggregated flow (:func:`propagate_spreads`)."""

    total: float  # g, the aggregated amount
    gsd: float | None  # None: nothing to spread (a zero total)
    own_share: float  # share of sum |contribution| carried by the source's own distributions
    magnitude: float = 0.0  # sum |contribution|: |total| far below it is cancellation noise

    def cancelled(self, rtol: float) -> bool:
        """True when ``|total| <= rtol * sum |contribution|``: what is left of contributions
        that cancel is round-off of the solve, not data."""
        return abs(self.total) <= rtol * self.magnitude


def with_recorded_indicators(processes: pl.DataFrame, exchanges: pl.DataFrame) -> pl.DataFrame:
    """``processes`` with the ``recorded_indicators`` column (what each process's flows count
    for, :func:`scenat.importers.inventory.recorded_indicators`)."""
    from scenat.importers.inventory import RECORDED_INDICATORS, recorded_indicators
    from scenat.model.indicators import characterised_flows

    recorded = recorded_indicators(
        processes["id"], exchanges.iter_rows(named=True), characterised_flows()
    )
    return processes.with_columns(
        pl.Series(RECORDED_INDICATORS, [recorded[i] for i in processes["id"]])
    )


def spread_columns(spread: Spread, source: str, pedigree_text: str) -> dict[str, Any]:
    """The uncertainty columns of one aggregated exchange (see :func:`propagate_spreads`)."""
    if spread.gsd is None:
        return {
            "distribution": None,
            "gsd": None,
            "sd": None,
            "min": None,
            "max": None,
            "uncertainty_source": "none: an exact zero",
        }
    return {
        "distribution": "lognormal",
        "gsd": round(spread.gsd, 6),
        "sd": None,
        "min": None,
        "max": None,
        "uncertainty_source": (
            f"first-order propagation through the cradle-to-gate solve (biosphere and stated "
            f"technosphere spreads): "
            f"{spread.own_share:.2%} of the amount from {source}'s own distributions, the rest "
            f"from the pedigree assessment ({pedigree_text}; basic factor per flow class; "
            f"{FACTOR_SOURCE}); scenat.importers.curated.propagate_spreads"
        ),
    }


def _technosphere_variance(
    result: Any, code: str, members: dict[str, list[int]]
) -> dict[str, float]:
    """Per shipped flow, ``sum_ij (lambda_i x_j)^2 Var(A_ij)`` over the technosphere entries of
    the chain that carry the source's own distribution, ``lambda = A^-T b_f`` (``b_f`` the
    flow's biosphere rows summed): first order in the technosphere (dg/dA_ij = -lambda_i x_j).
    Entries without a stated distribution are held fixed."""
    adjoint = getattr(result, "adjoint", None) or {}
    tech = getattr(result, "technosphere_variance", None)
    if code not in adjoint or tech is None or tech.nnz == 0:
        return {}
    cols, rows, factors = adjoint[code]
    sub = tech[rows][:, cols].tocoo()
    if sub.nnz == 0:
        return {}
    x = result.supply[code][cols]
    b = result.biosphere[:, cols].tocsr()
    out = {}
    for flow, flow_rows in members.items():
        rhs = np.asarray(b[flow_rows].sum(axis=0)).ravel()
        lam = factors.solve(rhs, trans="T")
        out[flow] = float(np.sum(lam[sub.row] ** 2 * x[sub.col] ** 2 * sub.data))
    return out


def negligible_flows(
    g: np.ndarray,
    mapping: Sequence[str | None],
    cf_rows: dict[str, np.ndarray],
    rtol: float = ROUND_OFF_RTOL,
) -> set[str]:
    """Shipped flows whose share of every default indicator they count for is at most ``rtol``.

    For indicator ``i`` the flow's score is ``s_i(f) = sum_(k in f) CF_ik g_k`` and the
    process's ``T_i = sum_f s_i(f)``; ``f`` is negligible when some indicator characterises it
    and ``|s_i(f)| <= rtol |T_i|`` for each such indicator (``T_i != 0``): 4e-24 kg of tin per
    kg of steel sections, the tail of a deep supply chain, changes no result. A flow no
    default indicator characterises is kept (its amount is the only thing it says).
    """
    scores: dict[str, dict[str, float]] = {}
    counted: dict[str, set[str]] = {}
    for ind, cf in cf_rows.items():
        for row, flow in enumerate(mapping):
            if flow is None or cf[row] == 0.0:
                continue
            scores.setdefault(flow, {}).setdefault(ind, 0.0)
            scores[flow][ind] += float(cf[row] * g[row])
            counted.setdefault(flow, set()).add(ind)
    totals = {ind: sum(s.get(ind, 0.0) for s in scores.values()) for ind in cf_rows}
    out = set()
    for flow, inds in counted.items():
        if all(totals[i] != 0.0 and abs(scores[flow][i]) <= rtol * abs(totals[i]) for i in inds):
            out.add(flow)
    return out


def column_scores(pedigrees: Sequence[Pedigree]) -> np.ndarray:
    """``sum_i ln(U_i)^2`` of each column's pedigree scores (the basic factor added per row)."""
    from scenat.importers.pedigree import FACTORS

    return np.array(
        [sum(math.log(FACTORS[n][getattr(p, n) - 1]) ** 2 for n in FACTORS) for p in pedigrees]
    )


def propagate_spreads(
    result: Any,
    code: str,
    mapping: Sequence[str | None],
    scores: np.ndarray,
) -> dict[str, Spread]:
    """Spread of each shipped flow of activity ``code``'s cradle-to-gate inventory.

    First-order propagation: the aggregated amount of shipped flow ``f`` is
    ``g_f = sum_(k in f) sum_j B_kj x_j`` over the biosphere rows ``k`` booked on ``f`` and
    the unit processes ``j`` of the supply chain (supply ``x``). Each
    contribution ``c_kj = B_kj x_j`` is independent with variance ``x_j^2 Var(B_kj)``:

    * the part of ``B_kj`` with the source's own distribution: its stats_arrays variance
      (``own_variance``, lognormal ``b^2 (exp(s^2) - 1)``, normal ``s^2``, uniform
      ``(b - a)^2 / 12``, triangular);
    * the rest: lognormal from the pedigree assessment of unit process ``j`` (``scores[j]``
      = ``sum_i ln(U_i)^2``) and the basic factor ``U_b`` of flow ``f``:
      ``s^2 = (scores[j] + ln(U_b)^2) / 4`` (``GSD = sqrt(GSD^2)``,
      :mod:`scenat.importers.pedigree`), variance ``b^2 (exp(s^2) - 1)``;
    * the technosphere entries with the source's own distribution, first order:
      ``(lambda_i x_j)^2 Var(A_ij)`` with ``lambda = A^-T b_f`` (when ``result`` carries the
      chain's factors; entries without a distribution are held fixed).

    Then ``V_f = sum x_j^2 Var(B_kj) + sum (lambda_i x_j)^2 Var(A_ij)`` and the shipped
    lognormal has the same mean and variance: ``ln(GSD_f)^2 = ln(1 + V_f / g_f^2)``.
    ``own_share`` is ``sum |own part of c_kj| / sum |c_kj|`` (biosphere contributions).
    """
    from scipy import sparse

    from scenat.importers.pedigree import BASIC, FLOW_CLASSES

    x = result.supply[code]
    scale = sparse.diags(x)
    contributions = (result.biosphere @ scale).tocoo()
    own = (result.own_amount @ scale).tocsr()
    own_var = (result.own_variance @ sparse.diags(x * x)).tocoo()
    rest = (contributions.tocsr() - own).tocoo()
    basic = np.array(
        [
            math.log(BASIC[FLOW_CLASSES.get(flow, "other_air")]) ** 2 if flow else 0.0
            for flow in mapping
        ]
    )
    sigma2 = (scores[rest.col] + basic[rest.row]) / 4.0
    rest_var = rest.data**2 * np.expm1(sigma2)
    rows = len(mapping)
    total = np.bincount(contributions.row, contributions.data, minlength=rows)
    magnitude = np.bincount(contributions.row, np.abs(contributions.data), minlength=rows)
    own_coo = own.tocoo()
    own_mag = np.bincount(own_coo.row, np.abs(own_coo.data), minlength=rows)
    variance = np.bincount(rest.row, rest_var, minlength=rows) + np.bincount(
        own_var.row, own_var.data, minlength=rows
    )
    out: dict[str, list[float]] = {}
    members: dict[str, list[int]] = {}
    for row, flow in enumerate(mapping):
        if flow is None or magnitude[row] == 0.0:
            continue
        acc = out.setdefault(flow, [0.0, 0.0, 0.0, 0.0])
        acc[0] += total[row]
        acc[1] += variance[row]
        acc[2] += own_mag[row]
        acc[3] += magnitude[row]
        members.setdefault(flow, []).append(row)
    for flow, variance_part in _technosphere_variance(result, code, members).items():
        out[flow][1] += variance_part
    spreads = {}
    for flow, (g, v, own_part, mag) in out.items():
        gsd = math.exp(math.sqrt(math.log1p(v / (g * g)))) if g != 0.0 else None
        spreads[flow] = Spread(g, gsd, own_part / mag if mag else 0.0, mag)
    return spreads


class ShippedFlows:
    """How an aggregated cradle-to-gate inventory ``g`` (one value per biosphere row of
    ``flows``) becomes shipped exchanges: the rows mapped onto the ``elementary_flows.csv``
    ids they are booked on, and the default indicators' factors per row."""

    def __init__(self, flows: list[FlowInfo], flow_table: list[dict[str, str]]):
        from scenat.model.catalogue import BIOSPHERE_UNITS
        from scenat.model.indicators import shipped_indicators

        self.indicators = shipped_indicators()
        cfs = _bundled_methods([i.method for i in self.indicators])
        self.mapping = _flow_map(flows, flow_table, cfs)
        self.units = {
            row["id"]: BIOSPHERE_UNITS.get(row["unit"], row["unit"]) for row in flow_table
        }
        self.order = {row["id"]: i for i, row in enumerate(flow_table)}
        self.cf_rows = {
            ind.id: np.array([cfs[ind.method].get(f.code, 0.0) for f in flows])
            for ind in self.indicators
        }
        self.kept = np.array([m is not None for m in self.mapping])

    def coverage(self, g: np.ndarray) -> list[str]:
        """Per indicator, the share ``CF[kept] g[kept] / CF g`` of the result the shipped
        flows keep over every linked flow (``n/a`` when the result is 0)."""
        out = []
        for ind in self.indicators:
            full = float(self.cf_rows[ind.id] @ g)
            part = float(self.cf_rows[ind.id][self.kept] @ g[self.kept])
            out.append(f"{ind.id} {part / full:.1%}" if full else f"{ind.id} n/a")
        return out

    def amounts(self, g: np.ndarray, spreads: dict[str, Spread]) -> list[tuple[str, float]]:
        """``(flow id, amount)`` in flow-table order: ``g`` summed over the rows booked on each
        id and rounded to :data:`SIGNIFICANT` digits; an id is left out when it rounds to 0,
        when its spread says the sum is cancellation (:data:`ROUND_OFF_RTOL`), or when it is
        negligible for every indicator counting it (:func:`negligible_flows`)."""
        totals: dict[str, float] = {}
        for value, flow_id in zip(g.tolist(), self.mapping):
            if flow_id is not None and value != 0.0:
                totals[flow_id] = totals.get(flow_id, 0.0) + value
        tiny = negligible_flows(g, self.mapping, self.cf_rows)
        out = []
        for flow_id in sorted(totals, key=self.order.__getitem__):
            amount = _round(totals[flow_id])
            if amount == 0.0 or spreads[flow_id].cancelled(ROUND_OFF_RTOL) or flow_id in tiny:
                continue
            out.append((flow_id, amount))
        return out


def to_inventory(
    result: CradleToGate,
    flow_table: list[dict[str, str]],
    uslci_path: Path,
    selection: Sequence[Selected] = SELECTION,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Processes and exchanges tables in the shipped schema."""
    from scenat.model.catalogue import brightway_unit

    shipped = ShippedFlows(result.flows, flow_table)
    processes, exchanges = [], []
    scores = column_scores([USLCI_PEDIGREE] * len(result.solved.columns))
    for item in selection:
        meta, g = result.activities[item.id], result.inventories[item.id]
        spreads = propagate_spreads(result.solved, item.uuid, shipped.mapping, scores)
        source = SOURCE.format(archive=meta["archive"], name=meta["name"], uuid=item.uuid)
        table = (
            f"{meta['archive']}: processes/{item.uuid}.json, cradle-to-gate LCI of 1 "
            f"{meta['unit']} (bw2calc, physical allocation, scenat.importers.curated)"
        )
        year = _process_year(uslci_path, meta["archive"], item.uuid)
        coverage = shipped.coverage(g)
        processes.append(
            {
                "id": item.id,
                "name": item.name,
                "reference_product": meta["product"],
                "unit": brightway_unit(meta["unit"]),
                "location": "US",
                "category": item.category,
                "source": source,
                "table": table,
                "year": year,
                "licence": f"{LICENCE} ({USLCI_LICENCE.split('(')[-1].rstrip(')')})",
                "comment": (
                    f"USLCI location {meta['location']}. Aggregated to one process: the "
                    "elementary flows of inventories/elementary_flows.csv, USLCI's cut-offs kept. "
                    "Shipped flows keep this share of the result over every linked USLCI flow: "
                    + ", ".join(coverage)
                ),
            }
        )
        for flow_id, amount in shipped.amounts(g, spreads):
            exchanges.append(
                {
                    "process": item.id,
                    "type": "biosphere",
                    "input": flow_id,
                    "amount": amount,
                    "unit": shipped.units[flow_id],
                    "source": source,
                    "table": table,
                    "year": int(year) if year else None,
                    "licence": processes[-1]["licence"],
                    "comment": "cradle-to-gate, summed over sub-compartments of the same flow",
                    **spread_columns(spreads[flow_id], "USLCI", USLCI_PEDIGREE_TEXT),
                }
            )
    schema_p = {c: pl.Utf8 for c in PROCESS_COLUMNS}
    frame = pl.DataFrame(exchanges, schema=exchange_schema(UNCERTAIN_EXCHANGE_COLUMNS))
    frame = drop_round_off(frame, ROUND_OFF_RTOL)
    return with_recorded_indicators(pl.DataFrame(processes, schema=schema_p), frame), frame


def missing_flows(
    result: CradleToGate, flow_table: list[dict[str, str]], threshold: float = FLOW_THRESHOLD
) -> list[dict[str, str]]:
    """Rows for elementary_flows.csv: characterised flows of the selection the table lacks."""
    from scenat.model.indicators import shipped_indicators

    indicators = shipped_indicators()
    cfs = _bundled_methods([i.method for i in indicators])
    mapping = _flow_map(result.flows, flow_table, cfs)
    known = {row["id"] for row in flow_table}
    wanted: dict[str, tuple[FlowInfo, str]] = {}
    for g in result.inventories.values():
        for ind in indicators:
            cf = np.array([cfs[ind.method].get(f.code, 0.0) for f in result.flows])
            scores = cf * g
            total = np.abs(scores).sum()
            for row in np.flatnonzero(np.abs(scores) >= threshold * total if total else []):
                flow = result.flows[row]
                if mapping[row] is None and flow.code not in wanted:
                    unit = {"kilogram": "kg", "standard cubic meter": "Sm3"}.get(
                        flow.unit, flow.unit
                    )
                    factor = cfs[ind.method][flow.code]
                    note = (
                        f"{NOTE_PREFIX[ind.id]} CF {factor:.6g} {ind.unit.split(',')[0]}/{unit}; "
                        "added for the USLCI materials (scenat.importers.curated)"
                    )
                    wanted[flow.code] = (flow, note)
    rows = []
    for flow, note in wanted.values():
        top = (flow.categories or ("",))[0]
        kind = "resource" if top == "natural resource" else "emission"
        text = flow.name.lower().split(",")[0] if kind == "resource" else flow.name.lower()
        slug = re.sub(r"[^a-z0-9]+", "_", text).strip("_")[:40]
        flow_id = f"{slug}_resource" if kind == "resource" else slug
        if flow_id in known:
            flow_id = f"{flow_id}_{flow.code[:8]}"
        known.add(flow_id)
        rows.append(
            {
                "id": flow_id,
                "name": flow.name,
                "categories": "::".join(flow.categories),
                "unit": flow.unit,
                "code": flow.code,
                "kind": kind,
                "note": note,
            }
        )
    return rows


def build_materials_inventory(
    uslci_path: str | Path, out_dir: str | Path, add_flows: bool = False
) -> tuple[int, int]:
    """Import USLCI, aggregate :data:`SELECTION` and write ``processes.csv``/``exchanges.csv``."""
    from scenat.brightway import database_changed
    from scenat.importers.uslci import import_uslci
    from scenat.paths import inventories_dir

    out = Path(out_dir)
    flows_path = out.parent / "elementary_flows.csv"
    if not flows_path.exists():  # e.g. a scratch folder: use the shipped table
        if add_flows:
            raise InputError(
                Problem(
                    file=str(flows_path),
                    message="no elementary_flows.csv",
                    hint="--add-flows needs OUT inside an inventories/ folder",
                )
            )
        flows_path = inventories_dir() / "elementary_flows.csv"
    import_uslci(uslci_path)
    database_changed(DATABASE)
    result = cradle_to_gate()
    table = _read_flow_table(flows_path)
    if add_flows:
        extra = missing_flows(result, table)
        if extra:
            with flows_path.open("a", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(table[0]), lineterminator="\n")
                writer.writerows(extra)
            table = _read_flow_table(flows_path)
    processes, exchanges = to_inventory(result, table, Path(uslci_path))
    return write_inventory(processes, exchanges, out)
