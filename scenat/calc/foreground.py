"""The foreground on its own: which nodes the reference needs, its matrix, its supply, and
fast solves around a fixed, factorised background.

The one place that knows the shape of a case's foreground. Its technology matrix ``A_ff``
holds each node's ``output_amount`` on the diagonal and, below it, minus what each node buys
of another node's output (per run of ``output_amount``); the node supplies ``x_f`` (how often
each node runs per functional unit) solve ``A_ff x_f = f``. Loops are allowed; the system
has a solution when the loops consume less than they make: the spectral radius of the
per-unit input matrix is below 1. That matrix is block triangular in the order of its
strongly connected components (each loop of suppliers one block), so its spectral radius is
the largest of its blocks' own: each loop is checked on its own block
(:func:`loop_blocks`), never as a dense ``n x n`` eigenvalue problem, and every matrix here
is sparse.

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
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import ArpackNoConvergence, eigs

from scenat.calc.linked import LinkedSystem
from scenat.calc.solver import FactorisedSystem
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


def sparse_technology_matrix(
    nodes: Mapping[str, Node], flows: Iterable[Flow], ids: Sequence[str]
) -> sparse.csc_matrix:
    """``A_ff`` over the nodes ``ids`` (in that order), sparse: output on the diagonal, minus
    the node-to-node purchases (in the supplier's unit); repeated entries are summed."""
    index = {n: i for i, n in enumerate(ids)}
    rows, cols, values = [], [], []
    for flow in flows:
        if flow.kind == "node":
            supplier, consumer = index.get(flow.input), index.get(flow.node)
            if supplier is not None and consumer is not None:
                rows.append(supplier)
                cols.append(consumer)
                values.append(-flow.amount_in_reference)
    n = len(ids)
    diagonal = np.arange(n)
    output = np.array([nodes[i].output_amount for i in ids], dtype=float)
    return sparse.csc_matrix(
        (
            np.concatenate([output, np.asarray(values, dtype=float)]),
            (
                np.concatenate([diagonal, rows]).astype(np.int64),
                np.concatenate([diagonal, cols]).astype(np.int64),
            ),
        ),
        shape=(n, n),
    )


def technology_matrix(
    nodes: Mapping[str, Node], flows: Iterable[Flow], ids: Sequence[str]
) -> np.ndarray:
    """``A_ff`` as a dense array (small cases and tests; see :func:`sparse_technology_matrix`)."""
    return sparse_technology_matrix(nodes, flows, ids).toarray()


@dataclass(frozen=True)
class LoopBlock:
    """One loop of the foreground: a strongly connected set of nodes and its spectral radius."""

    nodes: tuple[str, ...]
    radius: float


#: loops up to this many nodes get a dense eigenvalue solve; larger ones ARPACK's
DENSE_LOOP_LIMIT = 400


def _block_radius(per_unit: sparse.csc_matrix) -> float:
    """Spectral radius of one loop's per-unit input matrix."""
    n = per_unit.shape[0]
    if per_unit.nnz == 0:
        return 0.0
    if n <= DENSE_LOOP_LIMIT:
        return float(np.max(np.abs(np.linalg.eigvals(per_unit.toarray()))))
    try:
        values = eigs(per_unit, k=1, which="LM", return_eigenvectors=False, maxiter=20 * n)
        return float(np.max(np.abs(values)))
    except ArpackNoConvergence:
        # Power-type iterations stall on some loop structures (several eigenvalues of one
        # modulus): fall back to a dense solve of this block alone.
        return float(np.max(np.abs(np.linalg.eigvals(per_unit.toarray()))))


def loop_blocks(
    nodes: Mapping[str, Node], flows: Sequence[Flow], ids: Sequence[str]
) -> list[LoopBlock]:
    """Every loop among the nodes ``ids`` (strongly connected components of two or more
    nodes), largest radius first, each with the spectral radius of its per-unit inputs
    ``I - A_ff diag(A_ff)^-1`` restricted to its nodes. The whole matrix's radius is the
    largest of them (0 without loops): it is block triangular in the components' order."""
    if len(ids) < 2:
        return []
    matrix = sparse_technology_matrix(nodes, flows, ids)
    count, labels = connected_components(matrix, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=count)
    looped = np.flatnonzero(sizes >= 2)
    if not len(looped):
        return []
    diagonal = matrix.diagonal()
    order = np.argsort(labels, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)])
    out = []
    for label in looped:
        members = order[starts[label] : starts[label + 1]]
        block = sparse.csc_matrix(matrix[members][:, members])
        per_unit = sparse.identity(len(members), format="csc") - block @ sparse.diags(
            1.0 / diagonal[members]
        )
        out.append(LoopBlock(tuple(ids[i] for i in members), _block_radius(per_unit)))
    return sorted(out, key=lambda b: -b.radius)


def loop_radius(nodes: Mapping[str, Node], flows: Sequence[Flow], ids: Sequence[str]) -> float:
    """Spectral radius of the inputs per unit of output, ``I - A_ff diag(A_ff)^-1``: below 1
    when the loops make more than they consume (the system is productive); the largest of
    the loops' own radii (:func:`loop_blocks`)."""
    blocks = loop_blocks(nodes, flows, ids)
    return blocks[0].radius if blocks else 0.0


def node_supply(case: Case) -> dict[str, float]:
    """How many times each node's activity runs (of ``output_amount`` each) per functional
    unit, from ``A_ff x_f = f`` over the nodes the reference needs; other nodes run 0 times.
    One sparse factorisation (:mod:`scenat.calc.solver`).

    It equals :attr:`scenat.assessment.Assessment.supply` (the background never buys from the
    foreground).
    """
    reached = reachable_nodes(case.reference_node, case.flows)
    ids = [n for n in case.nodes if n in reached]
    matrix = sparse_technology_matrix(case.nodes, case.flows, ids)
    demand = np.zeros(len(ids))
    demand[ids.index(case.reference_node)] = case.reference_amount
    runs = FactorisedSystem.from_matrix(matrix).solve(demand)
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
    """The case's flows as arrays over the linked system's nodes: each flow's node, its
    supplier node (node flows) and, per indicator, its impact per unit amount per run
    (``s`` of the process bought, minus for a credit; the factor of an elementary flow)."""
    nodes = linked.node_order
    local = {n: i for i, n in enumerate(nodes)}
    production = np.array([case.nodes[n].output_amount for n in nodes], dtype=float)
    demand = np.zeros(len(nodes))
    demand[local[case.reference_node]] = case.reference_amount
    flows = list(case.flows)
    node_of_flow = np.array([local[f.node] for f in flows], dtype=int)
    input_of_flow = np.array([local[f.input] if f.kind == "node" else -1 for f in flows], dtype=int)
    weights = flow_weights(flows, linked, indicators)
    return ForegroundModel(nodes, production, demand, flows, node_of_flow, input_of_flow, weights)


def flow_weights(
    flows: Sequence[Flow], linked: LinkedSystem, indicators: list[Indicator]
) -> dict[str, np.ndarray]:
    """Per indicator, each flow's impact per unit amount per run of its node: ``s`` (the
    cradle-to-gate score ``c B A^-1``) of the background process it buys (minus for a
    credit), the characterisation factor of an elementary flow, 0 for a node flow (its
    supplier's impact is counted at the supplier). The look-ups are made once for all
    indicators; a flow whose elementary flow the linked system does not hold weighs 0."""
    if "flow_lookups" not in linked._derived:  # made once per linked system
        linked._derived["flow_lookups"] = (
            {key: i for i, key in enumerate(linked.flow_keys)},
            {
                key: i
                for i, (key, kind) in enumerate(zip(linked.activity_keys, linked.activity_kind))
                if kind == "background"
            },
        )
    biosphere_row, activity_col = linked._derived["flow_lookups"]
    by_code = shipped_catalogue().elementary_by_code()
    activity = np.full(len(flows), -1, dtype=np.int64)
    elementary = np.full(len(flows), -1, dtype=np.int64)
    sign = np.ones(len(flows))
    for i, f in enumerate(flows):
        if f.kind in BACKGROUND_KINDS:
            activity[i] = activity_col[f.input]
            if f.kind == "credit":
                sign[i] = -1.0
        elif f.kind in ELEMENTARY_KINDS:
            row = biosphere_row.get(f.input)
            if row is None:  # given by biosphere3 code: linked keys use scenat's id
                known = by_code.get(f.input)
                row = biosphere_row.get(known.id) if known else None
            if row is not None:
                elementary[i] = row
    bought, emitted = activity >= 0, elementary >= 0
    weights: dict[str, np.ndarray] = {}
    for ind in indicators:
        w = np.zeros(len(flows))
        w[bought] = sign[bought] * linked.scores(ind.id)[activity[bought]]
        w[emitted] = linked.cf[ind.id][elementary[emitted]]
        weights[ind.id] = w
    return weights


#: foregrounds up to this many nodes are solved as a dense batch (iterations x n x n)
DENSE_FOREGROUND_LIMIT = 200


def solve_foreground(model: ForegroundModel, amounts: np.ndarray) -> np.ndarray:
    """Supply of every node per iteration (iterations x nodes) for sampled amounts:
    ``A_ff(amounts) x = f`` for each row of ``amounts``. Small foregrounds are one dense
    batched solve; larger ones one sparse factorisation per row (memory ``O(flows)`` per
    row instead of ``O(n^2)``)."""
    iterations, n = amounts.shape[0], len(model.nodes)
    node_flows = np.flatnonzero(model.input_of_flow >= 0)
    suppliers, consumers = model.input_of_flow[node_flows], model.node_of_flow[node_flows]
    if n <= DENSE_FOREGROUND_LIMIT:
        a = np.zeros((iterations, n, n))
        a[:, np.arange(n), np.arange(n)] = model.production
        for i, flow in enumerate(node_flows):
            a[:, suppliers[i], consumers[i]] -= amounts[:, flow]
        rhs = np.broadcast_to(model.demand, (iterations, n))[..., None]
        return np.linalg.solve(a, rhs)[..., 0]
    diagonal = np.arange(n)
    rows = np.concatenate([diagonal, suppliers])
    cols = np.concatenate([diagonal, consumers])
    out = np.empty((iterations, n))
    for k in range(iterations):
        values = np.concatenate([model.production, -amounts[k, node_flows]])
        matrix = sparse.csc_matrix((values, (rows, cols)), shape=(n, n))
        out[k] = FactorisedSystem.from_matrix(matrix).solve(model.demand)
    return out


def foreground_totals(
    model: ForegroundModel, amounts: np.ndarray | None = None
) -> dict[str, float]:
    """Totals per indicator for the model's own amounts (or one given row of amounts)."""
    if amounts is None:
        amounts = np.array([[f.amount_in_reference for f in model.flows]])
    supply = solve_foreground(model, amounts)
    runs = supply[:, model.node_of_flow]
    return {ind: float((amounts * runs * w).sum()) for ind, w in model.weights.items()}
