"""Which flows of a case an intervention acts on, and how much of them a year.

>>> from scenat.casefile import read_case, resolve_case
>>> from scenat.interventions.library import load_library
>>> case = read_case(resolve_case("bicycle"))
>>> ppa = next(i for i in load_library() if i.id == "renewable_electricity_ppa")
>>> [case.flows[i].input for i in matched_flows(case, ppa)]  # doctest: +ELLIPSIS
['electricity_uk_grid_delivered'...]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from scenat.brightway import project_catalogue
from scenat.calc.foreground import node_supply
from scenat.interventions.functions import FUNCTION_PREFIX, Functions, shipped_functions
from scenat.interventions.library import CATEGORY_PREFIX, Intervention, collect
from scenat.model.case import Case, Flow
from scenat.model.catalogue import Catalogue
from scenat.model.places import within
from scenat.model.schema import BACKGROUND_KINDS
from scenat.model.units import UnitMismatch, conversion_factor


def _input_matches(
    intervention: Intervention, flow: Flow, catalogue: Catalogue, functions: Functions | None
) -> bool:
    for target in intervention.inputs:
        if target.startswith(FUNCTION_PREFIX):
            functions = functions or shipped_functions()
            members = functions.members.get(target[len(FUNCTION_PREFIX) :], ())
            if flow.kind in BACKGROUND_KINDS and flow.input in members:
                return True
        elif target.startswith(CATEGORY_PREFIX):
            process = catalogue.processes.get(flow.input)
            if (
                flow.kind in BACKGROUND_KINDS
                and process is not None
                and process.category == target[len(CATEGORY_PREFIX) :]
            ):
                return True
        elif target == flow.input:
            return True
        else:
            elementary = catalogue.elementary.get(target)
            if elementary is not None and elementary.code == flow.input:
                return True
    return False


def unit_factor(flow: Flow, unit: str) -> float | None:
    """Units of ``unit`` per unit of the flow's reference unit; None when they do not convert."""
    try:
        return conversion_factor(flow.reference_unit, unit)
    except UnitMismatch:
        return None


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
            taken = self._inputs[key] = _input_matches(iv, flow, self.catalogue, self.functions)
        if not taken:
            return False
        node_taken = self._nodes.get(flow.node)
        if node_taken is None:
            node = self.case.nodes[flow.node]
            node_taken = self._nodes[flow.node] = not (
                (iv.nodes and node.id not in iv.nodes)
                or (iv.stages and node.stage not in iv.stages)
                or (iv.tiers and node.tier not in iv.tiers)
                or (
                    iv.locations
                    and not any(
                        within(node.location or self.case.region, region) for region in iv.locations
                    )
                )
            )
        return node_taken and unit_factor(flow, iv.unit) is not None


def matched_flows(
    case: Case, intervention: Intervention, catalogue: Catalogue | None = None
) -> list[int]:
    """Indices into ``case.flows`` of the flows the intervention acts on."""
    matcher = Matcher(intervention, case, catalogue, shipped_functions())
    kinds = intervention.kinds  # flows of other kinds are decided here, without a call
    return [i for i, f in enumerate(case.flows) if f.kind in kinds and matcher(f)]


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
    rows = []
    for iv in interventions:
        for i in matched_flows(case, iv, catalogue):
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
