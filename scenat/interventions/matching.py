"""Which flows of a case an intervention acts on, and how much of them a year.

>>> from scenat.casefile import read_case, resolve_case
>>> from scenat.interventions.library import load_library
>>> case = read_case(resolve_case("bicycle"))
>>> ppa = next(i for i in load_library() if i.id == "renewable_electricity_ppa")
>>> [case.flows[i].input for i in matched_flows(case, ppa)]  # doctest: +ELLIPSIS
['electricity_uk_grid_delivered'...]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from scenat.brightway import project_catalogue
from scenat.calc.foreground import node_supply
from scenat.interventions.columns import FlowTable
from scenat.interventions.functions import FUNCTION_PREFIX, Functions, shipped_functions
from scenat.interventions.library import CATEGORY_PREFIX, Intervention, collect
from scenat.model.case import Case, Flow
from scenat.model.catalogue import Catalogue
from scenat.model.places import within
from scenat.model.schema import BACKGROUND_KINDS
from scenat.model.units import UnitMismatch, conversion_factor


def _input_matches(
    intervention: Intervention,
    kind: str,
    put: str,
    catalogue: Catalogue,
    functions: Functions | None,
) -> bool:
    """Whether the intervention takes a flow of ``kind`` buying or emitting ``put``."""
    for target in intervention.inputs:
        if target.startswith(FUNCTION_PREFIX):
            functions = functions or shipped_functions()
            members = functions.members.get(target[len(FUNCTION_PREFIX) :], ())
            if kind in BACKGROUND_KINDS and put in members:
                return True
        elif target.startswith(CATEGORY_PREFIX):
            process = catalogue.processes.get(put)
            if (
                kind in BACKGROUND_KINDS
                and process is not None
                and process.category == target[len(CATEGORY_PREFIX) :]
            ):
                return True
        elif target == put:
            return True
        else:
            elementary = catalogue.elementary.get(target)
            if elementary is not None and elementary.code == put:
                return True
    return False


def _node_taken(intervention: Intervention, case: Case, node_id: str) -> bool:
    """Whether the intervention's node, stage, tier and location filters take ``node_id``."""
    node = case.nodes[node_id]
    if intervention.nodes and node.id not in intervention.nodes:
        return False
    return _place_taken(intervention, case, node.stage, node.tier, node.location)


def _place_taken(
    intervention: Intervention, case: Case, stage: str, tier: int, location: str | None
) -> bool:
    """Whether the stage, tier and location filters take a node of that stage, tier and
    location (one without a location is at the case's ``region``)."""
    iv = intervention
    return not (
        (iv.stages and stage not in iv.stages)
        or (iv.tiers and tier not in iv.tiers)
        or (
            iv.locations
            and not any(within(location or case.region, region) for region in iv.locations)
        )
    )


def _units_per(reference_unit: str, unit: str) -> float | None:
    """Units of ``unit`` per ``reference_unit``; None when they do not convert."""
    try:
        return conversion_factor(reference_unit, unit)
    except UnitMismatch:
        return None


def unit_factor(flow: Flow, unit: str) -> float | None:
    """Units of ``unit`` per unit of the flow's reference unit; None when they do not convert."""
    return _units_per(flow.reference_unit, unit)


def matches(
    intervention: Intervention,
    case: Case,
    flow: Flow,
    catalogue: Catalogue | None = None,
    functions: Functions | None = None,
) -> bool:
    """Whether ``intervention`` acts on ``flow`` of ``case`` (``functions``: the shipped
    functions table, read once by a caller matching many flows)."""
    return Matcher(intervention, case, catalogue, functions)(flow)


class Matcher:
    """:func:`matches` for many flows of one case: whether the intervention takes a flow's
    input depends only on the input (and whether the flow buys from the background), and
    whether it takes its node only on the node, so each is decided once."""

    def __init__(
        self,
        intervention: Intervention,
        case: Case,
        catalogue: Catalogue | None = None,
        functions: Functions | None = None,
    ):
        self.intervention = intervention
        self.case = case
        self.catalogue = catalogue or project_catalogue()
        self.functions = functions
        self._inputs: dict[tuple[bool, str], bool] = {}
        self._nodes: dict[str, bool] = {}

    def __call__(self, flow: Flow) -> bool:
        iv = self.intervention
        if flow.kind not in iv.kinds:
            return False
        key = (flow.kind in BACKGROUND_KINDS, flow.input)
        taken = self._inputs.get(key)
        if taken is None:
            taken = self._inputs[key] = _input_matches(
                iv, flow.kind, flow.input, self.catalogue, self.functions
            )
        if not taken:
            return False
        node_taken = self._nodes.get(flow.node)
        if node_taken is None:
            node_taken = self._nodes[flow.node] = _node_taken(iv, self.case, flow.node)
        return node_taken and unit_factor(flow, iv.unit) is not None


def matched_flows(
    case: Case, intervention: Intervention, catalogue: Catalogue | None = None
) -> list[int]:
    """Indices into ``case.flows`` of the flows the intervention acts on."""
    table = FlowTable.of(case, catalogue)
    return matched_rows(table, intervention).tolist()


def _decisions(table: FlowTable, iv: Intervention) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per key of the table's registry: whether the option takes it and the option's units
    per unit of its reference unit (NaN where it does not take it); per node: whether its
    filters take it. Made once per option and base case, extended as keys are added."""
    context = table.context
    held = context.decisions.get(id(iv))
    if held is None or held[0] is not iv:
        case = context.case
        if iv.nodes:
            nodes = np.fromiter(
                (_node_taken(iv, case, n) for n in context.node_ids),
                dtype=bool,
                count=len(context.node_ids),
            )
        elif iv.stages or iv.tiers or iv.locations:
            # Decided once per (stage, tier, location) of the nodes, not per node.
            places, where = context.places()
            taken_place = np.array([_place_taken(iv, case, *p) for p in places], dtype=bool)
            nodes = taken_place[where]
        else:
            nodes = np.ones(len(context.node_ids), dtype=bool)
        held = [iv, np.zeros(0, dtype=bool), np.zeros(0), nodes]
        context.decisions[id(iv)] = held
    _, taken, factor, nodes = held
    if len(taken) < len(context.keys):
        first = len(taken)
        more_taken = np.zeros(len(context.keys) - first, dtype=bool)
        more_factor = np.full(len(context.keys) - first, math.nan)
        per_unit: dict[str, float | None] = {}
        # Most keys are of kinds the option does not take (a node bought, for one).
        for j in context.keys_of_kinds(iv.kinds, first):
            kind, put, unit = context.keys[j]
            if unit not in per_unit:
                per_unit[unit] = _units_per(unit, iv.unit)
            units = per_unit[unit]
            if units is not None and _input_matches(
                iv, kind, put, context.catalogue, context.functions
            ):
                more_taken[j - first], more_factor[j - first] = True, units
        held[1] = taken = np.concatenate([taken, more_taken])
        held[2] = factor = np.concatenate([factor, more_factor])
    return taken, factor, nodes


def matched_rows(table: FlowTable, intervention: Intervention) -> np.ndarray:
    """:func:`matched_flows` of a table: the rows the intervention acts on, in order."""
    taken, _, nodes = _decisions(table, intervention)
    return np.flatnonzero(taken[table.key] & nodes[table.node])


def units_per_row(table: FlowTable, intervention: Intervention, rows: np.ndarray) -> np.ndarray:
    """The intervention's units per unit of each row's reference unit (as :func:`unit_factor`,
    0 where they do not convert)."""
    _, factor, _ = _decisions(table, intervention)
    found = factor[table.key[rows]]
    missing = np.isnan(found)
    if missing.any():  # rows the option does not take, given by the caller: decided here
        keys = table.context.keys
        found[missing] = [
            _units_per(keys[k][2], intervention.unit) or 0.0
            for k in table.key[rows][missing].tolist()
        ]
    return found


def rows_quantity(
    table: FlowTable, intervention: Intervention, rows: np.ndarray, supply: np.ndarray
) -> float:
    """:func:`matched_quantity` of matched table rows, ``supply`` in the case's node order:
    ``sum of amount x units per reference unit x runs of the node``, x annual volume x share."""
    amount = table.amount[rows] * units_per_row(table, intervention, rows)
    total = float(np.dot(amount, supply[table.node[rows]]))
    return total * table.base.annual_volume * intervention.share


def affected_quantity(
    case: Case,
    intervention: Intervention,
    supply: Mapping[str, float] | None = None,
    catalogue: Catalogue | None = None,
) -> float:
    """Matched annual quantity x share, in the intervention's ``unit`` per year."""
    return matched_quantity(
        case, intervention, matched_flows(case, intervention, catalogue), supply
    )


def matched_quantity(
    case: Case,
    intervention: Intervention,
    matched: Sequence[int],
    supply: Mapping[str, float] | None = None,
) -> float:
    """:func:`affected_quantity` of flows already matched (indices into ``case.flows``)."""
    supply = supply if supply is not None else node_supply(case)
    total = 0.0
    for i in matched:
        flow = case.flows[i]
        factor = unit_factor(flow, intervention.unit) or 0.0
        total += flow.amount_in_reference * factor * supply[flow.node]
    return total * case.annual_volume * intervention.share


def applicable(
    case: Case,
    interventions: Sequence[Intervention] | None = None,
    catalogue: Catalogue | None = None,
) -> pl.DataFrame:
    """Which interventions act on which flows: one row per (intervention, matched flow).

    ``annual_quantity`` is the flow's yearly amount in the intervention's unit and
    ``affected_annual_quantity`` that times ``share``.
    """
    catalogue = catalogue or project_catalogue()
    interventions = collect(case, catalogue=catalogue) if interventions is None else interventions
    supply = node_supply(case)
    table = FlowTable.of(case, catalogue)
    rows = []
    for iv in interventions:
        for i in matched_rows(table, iv).tolist():
            flow = case.flows[i]
            annual = (
                flow.amount_in_reference
                * (unit_factor(flow, iv.unit) or 0.0)
                * supply[flow.node]
                * case.annual_volume
            )
            rows.append(
                {
                    "intervention": iv.id,
                    "name": iv.name,
                    "action": iv.action,
                    "node": flow.node,
                    "kind": flow.kind,
                    "input": flow.input,
                    "flow_row": flow.row,
                    "unit": iv.unit,
                    "annual_quantity": annual,
                    "affected_annual_quantity": annual * iv.share,
                }
            )
    schema = {
        "intervention": pl.String,
        "name": pl.String,
        "action": pl.String,
        "node": pl.String,
        "kind": pl.String,
        "input": pl.String,
        "flow_row": pl.Int64,
        "unit": pl.String,
        "annual_quantity": pl.Float64,
        "affected_annual_quantity": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)
