"""The validated, unit-normalised supply-chain model: :class:`Case`, :class:`Node`, :class:`Flow`.

A :class:`Case` is what :func:`scenat.read_case` returns after every check has passed.
Amounts of flows are kept as the user wrote them *and* converted to the reference unit
of their input (another node's output unit, a background process's unit, or an
elementary flow's unit), so the calculation never touches unit strings.

>>> n = Node(id="plant", name="Plant", tier=0, output_unit="item")
>>> f = Flow(node="plant", kind="emission", input="co2_fossil", amount=2.0, unit="t",
...          amount_in_reference=2000.0, reference_unit="kg")
>>> c = Case(name="demo", reference_node="plant", nodes={"plant": n}, flows=[f])
>>> [x.input for x in c.flows_of("plant")]
['co2_fossil']
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from scenat.model.schema import UNSPECIFIED_STAGE


@dataclass(frozen=True)
class Uncertainty:
    """An amount's uncertainty as the workbook gives it (stats_arrays vocabulary).

    Conventions: lognormal ``amount`` is the median, spread ``gsd`` (or ``sd`` of ln);
    normal ``amount`` is the mean; triangular ``amount`` is the mode; uniform ignores it.

    >>> Uncertainty("lognormal", gsd=1.2).stats_arrays(-2.0)["negative"]
    True
    >>> Uncertainty("triangular", minimum=1.0, maximum=4.0).stats_arrays(2.0)["uncertainty type"]
    5
    """

    distribution: str
    sd: float | None = None
    gsd: float | None = None
    minimum: float | None = None
    maximum: float | None = None

    #: stats_arrays' ids of the distributions (what Brightway stores per exchange)
    STATS_ARRAYS_IDS = {"lognormal": 2, "normal": 3, "uniform": 4, "triangular": 5}

    def stats_arrays(self, amount: float) -> dict[str, Any]:
        """The Brightway exchange fields of this distribution around ``amount``
        (``uncertainty type``, ``loc``, ``scale``, ``minimum``, ``maximum``, ``negative``)."""
        kind = self.STATS_ARRAYS_IDS[self.distribution]
        fields: dict[str, Any] = {"uncertainty type": kind, "negative": amount < 0}
        if self.distribution == "lognormal":
            fields["loc"] = math.log(abs(amount)) if amount else float("nan")
            fields["scale"] = math.log(self.gsd) if self.gsd else float(self.sd or 0.0)
        elif self.distribution == "normal":
            fields["loc"] = amount
            fields["scale"] = float(self.sd or 0.0)
        else:
            fields["loc"] = amount
            fields["minimum"] = self.minimum
            fields["maximum"] = self.maximum
        return fields


@dataclass(frozen=True)
class Node:
    """A supply-chain node: an organisation's product or activity, per ``output_amount``."""

    id: str
    name: str
    tier: int
    output_unit: str
    output_amount: float = 1.0
    stage: str = UNSPECIFIED_STAGE
    location: str | None = None
    row: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Flow:
    """One input (or direct emission) of a node, per the node's ``output_amount``.

    ``amount_in_reference`` is ``amount`` converted to ``reference_unit``, the unit of
    the input it names. Credits keep a positive amount; their sign is applied in the
    calculation (an avoided burden). ``repeat`` tells rows of the same node, kind and input
    apart (0 for the first in the case, 1 for the next, ...): two rows of one input are two
    measurements, and Monte Carlo draws each on its own.
    """

    node: str
    kind: str
    input: str
    amount: float
    unit: str
    amount_in_reference: float
    reference_unit: str
    uncertainty: Uncertainty | None = None
    source: str | None = None
    comment: str | None = None
    row: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    repeat: int = 0


@dataclass
class Case:
    """A whole supply chain with its functional unit."""

    name: str
    reference_node: str
    nodes: dict[str, Node]
    flows: list[Flow]
    reference_amount: float = 1.0
    functional_unit: str | None = None
    annual_volume: float = 1.0
    currency: str = "GBP"
    year: int | None = None
    region: str | None = None
    description: str | None = None
    interventions: list[dict[str, Any]] = field(default_factory=list)
    path: Path | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def flows_of(self, node_id: str) -> list[Flow]:
        return [f for f in self.flows if f.node == node_id]

    def copy(self, **changes: Any) -> Case:
        """A shallow copy with some fields replaced (nodes and flows are immutable)."""
        base = replace(self, nodes=dict(self.nodes), flows=list(self.flows))
        return replace(base, **changes) if changes else base

    def nodes_table(self) -> pl.DataFrame:
        """Nodes as a polars table (one row per node, workbook order)."""
        return pl.DataFrame(
            [
                {
                    "id": n.id,
                    "name": n.name,
                    "tier": n.tier,
                    "stage": n.stage,
                    "location": n.location,
                    "output_amount": n.output_amount,
                    "output_unit": n.output_unit,
                }
                for n in self.nodes.values()
            ],
            schema={
                "id": pl.String,
                "name": pl.String,
                "tier": pl.Int64,
                "stage": pl.String,
                "location": pl.String,
                "output_amount": pl.Float64,
                "output_unit": pl.String,
            },
        )

    def flows_table(self) -> pl.DataFrame:
        """Flows as a polars table, with amounts as given and in reference units."""
        return pl.DataFrame(
            [
                {
                    "node": f.node,
                    "kind": f.kind,
                    "input": f.input,
                    "amount": f.amount,
                    "unit": f.unit,
                    "amount_in_reference": f.amount_in_reference,
                    "reference_unit": f.reference_unit,
                    "source": f.source,
                }
                for f in self.flows
            ],
            schema={
                "node": pl.String,
                "kind": pl.String,
                "input": pl.String,
                "amount": pl.Float64,
                "unit": pl.String,
                "amount_in_reference": pl.Float64,
                "reference_unit": pl.String,
                "source": pl.String,
            },
        )
