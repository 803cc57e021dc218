"""The foreground solved on its own, around a fixed, factorised background.

The background never buys from the foreground, so the linked system is block triangular.
With the background's cradle-to-gate intensities ``s = c B A^-1`` computed once (one
adjoint solve per indicator with the kept factorisation), any case on the same background
is scored by solving only its small, dense foreground: the node supplies ``x_f`` from
``A_ff x_f = f``, then ``h = sum over flows of amount * x_node * weight``, where a flow's
weight is its characterisation factor (direct emissions) or ``s`` of the process it buys.
This is exact algebra, not an approximation; it serves Monte Carlo (many samples of the
same case) and what-if evaluation (many modified copies of a case).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scenat.assessment.result import BACKGROUND_KINDS, ELEMENTARY_KINDS, LinkedSystem, link
from scenat.model.case import Case, Flow
from scenat.model.catalogue import shipped_catalogue
from scenat.model.indicators import Indicator, resolve


@dataclass
class ForegroundModel:
    """The foreground of a linked case as arrays, for fast repeated solves."""

    nodes: list[str]
    production: np.ndarray
    demand: np.ndarray
    flows: list[Flow]
    node_of_flow: np.ndarray
    input_of_flow: np.ndarray  # local node index for node flows, else -1
    weights: dict[str, np.ndarray]  # impact per unit amount per run of the node


def foreground_model(
    case: Case, linked: LinkedSystem, indicators: list[Indicator]
) -> ForegroundModel:
    nodes = linked.node_order
    local = {n: i for i, n in enumerate(nodes)}
    production = np.array([case.nodes[n].output_amount for n in nodes], dtype=float)
    demand = np.zeros(len(nodes))
    demand[local[case.reference_node]] = case.reference_amount
    flows = list(case.flows)
    node_of_flow = np.array([local[f.node] for f in flows], dtype=int)
    input_of_flow = np.array([local[f.input] if f.kind == "node" else -1 for f in flows])
    biosphere_row = {key: i for i, key in enumerate(linked.flow_keys)}
    activity_col = {
        key: i
        for i, (key, kind) in enumerate(zip(linked.activity_keys, linked.activity_kind))
        if kind == "background"
    }
    by_code = shipped_catalogue().elementary_by_code()
    weights: dict[str, np.ndarray] = {}
    for ind in indicators:
        cf = linked.cf[ind.id]
        scores = linked.scores(ind.id)
        w = np.zeros(len(flows))
        for i, f in enumerate(flows):
            if f.kind in BACKGROUND_KINDS:
                sign = -1.0 if f.kind == "credit" else 1.0
                w[i] = sign * scores[activity_col[f.input]]
            elif f.kind in ELEMENTARY_KINDS:
                row = biosphere_row.get(f.input)
                if row is None:  # given by biosphere3 code: linked keys use scenat's id
                    known = by_code.get(f.input)
                    row = biosphere_row.get(known.id) if known else None
                w[i] = cf[row] if row is not None else 0.0
        weights[ind.id] = w
    return ForegroundModel(nodes, production, demand, flows, node_of_flow, input_of_flow, weights)


def solve_foreground(model: ForegroundModel, amounts: np.ndarray) -> np.ndarray:
    """Supply of every node per iteration (iterations x nodes) for sampled amounts."""
    iterations, n = amounts.shape[0], len(model.nodes)
    a = np.zeros((iterations, n, n))
    a[:, np.arange(n), np.arange(n)] = model.production
    node_flows = np.flatnonzero(model.input_of_flow >= 0)
    for i in node_flows:
        a[:, model.input_of_flow[i], model.node_of_flow[i]] -= amounts[:, i]
    rhs = np.broadcast_to(model.demand, (iterations, n))[..., None]
    return np.linalg.solve(a, rhs)[..., 0]


def foreground_totals(
    model: ForegroundModel, amounts: np.ndarray | None = None
) -> dict[str, float]:
    """Totals per indicator for the model's own amounts (or one given row of amounts)."""
    if amounts is None:
        amounts = np.array([[f.amount_in_reference for f in model.flows]])
    supply = solve_foreground(model, amounts)
    runs = supply[:, model.node_of_flow]
    return {ind: float((amounts * runs * w).sum()) for ind, w in model.weights.items()}


class ForegroundResolver:
    """Scores modified copies of a case without re-linking or re-factorising anything.

    Built once from a base case; each call takes a case with the same nodes (flows may be
    changed, added, removed or re-pointed at other background processes) and returns its
    totals. A case with other nodes falls back to a full assessment.

    >>> import scenat
    >>> from scenat.paths import examples_dir
    >>> case = scenat.read_case(examples_dir() / "bicycle")
    >>> resolver = ForegroundResolver(case)
    >>> fast = resolver(case, ["gwp100"])["gwp100"]
    >>> abs(fast - scenat.assess(case).total("gwp100")) < 1e-9 * fast
    True
    """

    def __init__(
        self,
        case: Case,
        linked: LinkedSystem | None = None,
        indicators: Sequence[str] | None = None,
    ):
        self.indicators = resolve(list(indicators) if indicators else None)
        self.linked = linked or link(case, indicators=self.indicators)
        self.nodes = set(self.linked.node_order)

    def __call__(self, case: Case, indicator_ids: Sequence[str]) -> dict[str, float]:
        chosen = [i for i in self.indicators if i.id in set(indicator_ids)]
        missing = set(indicator_ids) - {i.id for i in chosen}
        if missing or set(case.nodes) != self.nodes:
            from scenat.assessment.result import assess

            result = assess(case, indicators=list(indicator_ids))
            return {i: result.total(i) for i in indicator_ids}
        return foreground_totals(foreground_model(case, self.linked, chosen))
