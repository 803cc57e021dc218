"""The foreground on its own: which nodes the reference needs, its matrix, its supply, and
fast solves around a fixed, factorised background.

The one place that knows the shape of a case's foreground. Its technology matrix ``A_ff``
holds each node's ``output_amount`` on the diagonal and, below it, minus what each node buys
of another node's output (per run of ``output_amount``); the node supplies ``x_f`` (how often
each node runs per functional unit) solve ``A_ff x_f = f``. Loops are allowed; the system
has a solution when the loops consume less than they make: the spectral radius of the
per-unit input matrix is below 1.

The background never buys from the foreground, so the linked system is block triangular.
With the background's cradle-to-gate intensities ``s = c B A^-1`` computed once (one
adjoint solve per indicator with the kept factorisation), any case on the same background
is scored by solving only its small foreground: ``h = sum over flows of amount * x_node *
weight``, where a flow's weight is its characterisation factor (direct emissions) or ``s`` of
the process it buys. This is exact algebra, not an approximation; it serves Monte Carlo
(many samples of the same case) and what-if evaluation (many modified copies of a case).

>>> from scenat.model.case import Case, Flow, Node
>>> nodes = {"a": Node("a", "A", 0, "item"), "b": Node("b", "B", 1, "item", output_amount=2.0)}
>>> flows = [Flow("a", "node", "b", 3.0, "item", 3.0, "item"),
...          Flow("b", "node", "a", 0.5, "item", 0.5, "item")]
>>> case = Case("loop", "a", nodes, flows)
>>> sorted(reachable_nodes(case.reference_node, case.flows))
['a', 'b']
>>> {k: round(v, 6) for k, v in node_supply(case).items()}
{'a': 4.0, 'b': 6.0}
>>> round(loop_radius(nodes, flows, ["a", "b"]), 6)
0.866025
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from scenat.calc.linked import LinkedSystem
from scenat.model.case import Case, Flow, Node
from scenat.model.catalogue import shipped_catalogue
from scenat.model.indicators import Indicator
from scenat.model.schema import BACKGROUND_KINDS, ELEMENTARY_KINDS


def reachable_nodes(reference: str, flows: Iterable[Flow]) -> set[str]:
    """The nodes the reference node needs, directly or through other nodes (itself included)."""
    suppliers: dict[str, set[str]] = {}
    for flow in flows:
        if flow.kind == "node":
            suppliers.setdefault(flow.node, set()).add(flow.input)
    reached = {reference}
    stack = [reference]
    while stack:
        for supplier in suppliers.get(stack.pop(), ()):
            if supplier not in reached:
                reached.add(supplier)
                stack.append(supplier)
    return reached


def technology_matrix(
    nodes: Mapping[str, Node], flows: Iterable[Flow], ids: Sequence[str]
) -> np.ndarray:
    """``A_ff`` over the nodes ``ids`` (in that order): output on the diagonal, minus the
    node-to-node purchases (in the supplier's unit) below it."""
    index = {n: i for i, n in enumerate(ids)}
    matrix = np.zeros((len(ids), len(ids)))
    for n in ids:
        matrix[index[n], index[n]] = nodes[n].output_amount
    for flow in flows:
        if flow.kind == "node" and flow.node in index and flow.input in index:
            matrix[index[flow.input], index[flow.node]] -= flow.amount_in_reference
    return matrix


def loop_radius(nodes: Mapping[str, Node], flows: Sequence[Flow], ids: Sequence[str]) -> float:
    """Spectral radius of the inputs per unit of output, ``I - A_ff diag(A_ff)^-1``: below 1
    when the loops make more than they consume (the system is productive)."""
    if len(ids) < 2:
        return 0.0
    matrix = technology_matrix(nodes, flows, ids)
    per_unit = np.eye(len(ids)) - matrix / np.diag(matrix)[None, :]
    return float(max(abs(np.linalg.eigvals(per_unit)))) if per_unit.any() else 0.0


def node_supply(case: Case) -> dict[str, float]:
    """How many times each node's activity runs (of ``output_amount`` each) per functional
    unit, from ``A_ff x_f = f`` over the nodes the reference needs; other nodes run 0 times.

    It equals :attr:`scenat.assessment.Assessment.supply` (the background never buys from the
    foreground).
    """
    reached = reachable_nodes(case.reference_node, case.flows)
    ids = [n for n in case.nodes if n in reached]
    matrix = technology_matrix(case.nodes, case.flows, ids)
    demand = np.zeros(len(ids))
    demand[ids.index(case.reference_node)] = case.reference_amount
    runs = np.linalg.solve(matrix, demand)
    supply = {n: 0.0 for n in case.nodes}
    supply.update({n: float(runs[i]) for i, n in enumerate(ids)})
    return supply


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
