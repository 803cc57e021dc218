"""Circularity of a case: recycled content, end-of-life recycling rate, the Material
Circularity Indicator and the recycling credit (EN 15804 module D), per material flow and
for the case.

A material flow carries the shares ``recycled_content`` (``R_in``: of its mass, recycled
feedstock) and ``eol_recycling_rate`` (``R_out``: of its mass, collected and recycled at the
end of the product's life), and optionally the ``recycling_process`` of its recycling route
(see ``scenat.model.schema.CIRCULARITY_COLUMNS``). For the mass ``m`` of each flow per
functional unit (amount x its node's supply)::

    recycled content     = sum m R_in / sum m
    end-of-life rate     = sum m R_out / sum m
    MCI                  = sum m MCI(R_in, R_out) / sum m       (scenat.calc.circularity)

**Credit method: EN 15804+A2 module D**, reported beside the total, never netted into it.
The footprint stays cut-off (the recycled content is bought at the burden of its own
process, the scrap leaves the system burden-free); module D then counts the *net* scrap the
product sends to recycling, so recycled content that came in is not credited twice::

    D = sum m (R_out - R_in) (E_recycling - E_primary)

per indicator, with ``E`` the cradle-to-gate impact per kg of the flow's own process
(``E_primary``) and of its ``recycling_process`` (``E_recycling``), quality ratio 1. A
positive net scrap gives a negative D (a benefit); a negative net scrap (more recycled
content than end-of-life recycling) a positive D, as EN 15804 charges it. Module D rather
than a 50:50 split: it is what European product declarations (EPDs) report, it keeps the
footprint comparable with cut-off data, and it needs no assumption about the next product's
demand. Flows with net scrap but no recycling process are listed as not credited (their
share of D is unknown, not zero).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from scenat.brightway import project_catalogue
from scenat.calc.circularity import mass_weighted, mci
from scenat.model.case import Case, Flow, Node
from scenat.model.schema import CIRCULARITY_COLUMNS, RECYCLING_PROCESS_COLUMN
from scenat.model.units import conversion_factor

METHOD = (
    "EN 15804+A2 module D (net scrap x (recycling - primary), reported separately); "
    "Ellen MacArthur Foundation MCI (2015/2019) with utility 1 and recycling efficiencies 1"
)

#: ``solve(case, indicator ids) -> {indicator: total}``: the assessment's own solve
Solver = Callable[[Case, Sequence[str]], Mapping[str, float]]


@dataclass
class Circularity:
    """The circularity indicators of one case (see the module docstring)."""

    materials: pl.DataFrame
    mass_kg: float
    recycled_content: float
    eol_recycling_rate: float
    mci: float
    module_d: dict[str, float] = field(default_factory=dict)
    not_credited: list[str] = field(default_factory=list)
    method: str = METHOD

    def as_dict(self) -> dict[str, object]:
        """Plain values for documents (JSON, text, the app)."""
        return {
            "method": self.method,
            "mass_kg": self.mass_kg,
            "recycled_content": self.recycled_content,
            "eol_recycling_rate": self.eol_recycling_rate,
            "mci": self.mci,
            "module_d": dict(self.module_d),
            "not_credited": list(self.not_credited),
            "materials": self.materials.to_dicts(),
        }


def material_flows(case: Case) -> list[Flow]:
    """The flows that carry circularity shares."""
    return [f for f in case.flows if all(c in f.metadata for c in CIRCULARITY_COLUMNS)]


def circularity(
    case: Case, supply: Mapping[str, float], indicators: Sequence[str], solve: Solver
) -> Circularity | None:
    """The case's circularity, None when no flow carries the shares.

    ``solve`` scores the module-D exchanges (a one-node case of the net scrap's credits and
    recycling purchases) on the same background as the assessment.
    """
    flows = material_flows(case)
    if not flows:
        return None
    rows = []
    credit_flows: list[Flow] = []
    not_credited: list[str] = []
    for flow in flows:
        recycled = float(flow.metadata["recycled_content"])
        eol = float(flow.metadata["eol_recycling_rate"])
        mass = flow.amount_in_reference * conversion_factor(flow.reference_unit, "kg")
        mass *= supply.get(flow.node, 0.0)
        route = flow.metadata.get(RECYCLING_PROCESS_COLUMN)
        net = mass * (eol - recycled)
        label = f"{flow.node}: {flow.input} (row {flow.row})"
        if net != 0.0 and route:
            credit_flows += _module_d_flows(flow, str(route), net, case)
        elif net != 0.0:
            not_credited.append(label)
        rows.append(
            {
                "node": flow.node,
                "input": flow.input,
                "row": flow.row,
                "mass_kg": mass,
                "recycled_content": recycled,
                "eol_recycling_rate": eol,
                "mci": mci(recycled=recycled, collected_for_recycling=eol),
                "net_scrap_kg": net,
                "recycling_process": route,
            }
        )
    table = pl.DataFrame(rows, schema_overrides={"recycling_process": pl.String})
    masses = table["mass_kg"].to_list()
    total = float(sum(masses))
    shares = (
        {
            "recycled_content": mass_weighted(table["recycled_content"].to_list(), masses),
            "eol_recycling_rate": mass_weighted(table["eol_recycling_rate"].to_list(), masses),
            "mci": mass_weighted(table["mci"].to_list(), masses),
        }
        if total > 0
        else {"recycled_content": math.nan, "eol_recycling_rate": math.nan, "mci": math.nan}
    )
    module_d = dict(solve(_module_d_case(case, credit_flows), indicators)) if credit_flows else {}
    if not credit_flows:
        module_d = {i: (0.0 if not not_credited else math.nan) for i in indicators}
    return Circularity(
        materials=table,
        mass_kg=total,
        module_d=module_d,
        not_credited=not_credited,
        **shares,
    )


def _module_d_flows(flow: Flow, route: str, net: float, case: Case) -> list[Flow]:
    """Net scrap > 0: buy the recycling route, credit the primary; < 0 the other way round.

    Amounts are per functional unit (the net scrap in kg, in each process's unit)."""
    primary_unit = flow.reference_unit
    kg_in_primary = conversion_factor("kg", primary_unit)
    route_unit = project_catalogue().processes[route].unit
    kg_in_route = conversion_factor("kg", route_unit)
    amount = abs(net)
    recycle_kind, primary_kind = ("process", "credit") if net > 0 else ("credit", "process")
    common = {"node": "module_d", "row": flow.row, "metadata": {"from_input": flow.input}}
    return [
        Flow(kind=primary_kind, input=flow.input, amount=amount * kg_in_primary,
             unit=primary_unit, amount_in_reference=amount * kg_in_primary,
             reference_unit=primary_unit, source="module D", **common),  # type: ignore[arg-type]
        Flow(kind=recycle_kind, input=route, amount=amount * kg_in_route, unit=route_unit,
             amount_in_reference=amount * kg_in_route, reference_unit=route_unit,
             source="module D", **common),  # type: ignore[arg-type]
    ]  # fmt: skip


def _module_d_case(case: Case, flows: list[Flow]) -> Case:
    node = Node(id="module_d", name="Module D: net scrap to recycling", tier=0,
                output_unit="item")  # fmt: skip
    return Case(
        name=f"{case.name}: module D",
        reference_node="module_d",
        nodes={"module_d": node},
        flows=flows,
        currency=case.currency,
        year=case.year,
    )
