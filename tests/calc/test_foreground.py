"""The foreground on its own: per-loop productivity and sparse supply against dense numpy."""

from __future__ import annotations

import numpy as np

from scenat.calc.foreground import (
    loop_blocks,
    loop_radius,
    node_supply,
    sparse_technology_matrix,
)
from scenat.model.case import Case, Flow, Node


def _case(seed: int, n: int = 60, loops: int = 5) -> Case:
    """Tiers of nodes buying 1-3 parts from the tier below, a few sales back up (loops)."""
    rng = np.random.default_rng(seed)
    ids = [f"n{i:03d}" for i in range(n)]
    nodes = {
        k: Node(k, k, min(i // 10, 5), "item", output_amount=float(rng.uniform(0.5, 3)))
        for i, k in enumerate(ids)
    }
    flows = []
    for i in range(n - 10):
        for j in rng.choice(np.arange(max(i + 1, (i // 10 + 1) * 10), n), 3, replace=False):
            amount = float(rng.uniform(0.1, 1.5))
            flows.append(Flow(ids[i], "node", ids[j], amount, "item", amount, "item"))
    for k in rng.choice(len(flows), loops, replace=False):  # a supplier sells back: a loop
        amount = float(rng.uniform(0.01, 0.2))
        flows.append(Flow(flows[k].input, "node", flows[k].node, amount, "item", amount, "item"))
    return Case("loops", ids[0], nodes, flows)


def _dense(case: Case) -> np.ndarray:
    ids = list(case.nodes)
    a = np.diag([case.nodes[k].output_amount for k in ids])
    for f in case.flows:
        a[ids.index(f.input), ids.index(f.node)] -= f.amount_in_reference
    return a


def test_loop_radius_equals_the_dense_spectral_radius():
    for seed in range(4):
        case = _case(seed)
        a = _dense(case)
        per_unit = np.eye(len(a)) - a / np.diag(a)[None, :]
        expected = float(np.max(np.abs(np.linalg.eigvals(per_unit))))
        ids = list(case.nodes)
        got = loop_radius(case.nodes, case.flows, ids)
        assert abs(got - expected) <= 1e-12 * max(expected, 1.0)
        blocks = loop_blocks(case.nodes, case.flows, ids)
        assert blocks and all(len(b.nodes) >= 2 for b in blocks)
        assert np.allclose(sparse_technology_matrix(case.nodes, case.flows, ids).toarray(), a)


def test_each_loop_is_its_own_block():
    nodes = {k: Node(k, k, 0, "item") for k in "abcde"}
    f = [("a", "b", 1.0), ("b", "c", 2.0), ("c", "b", 0.6), ("a", "d", 1.0), ("d", "e", 1.0),
         ("e", "d", 0.25)]  # fmt: skip
    flows = [Flow(x, "node", y, v, "item", v, "item") for x, y, v in f]
    blocks = loop_blocks(nodes, flows, list(nodes))
    # b<->c: per unit [[0, 0.6], [2, 0]], radius sqrt(1.2); d<->e: sqrt(0.25) = 0.5
    assert [(sorted(b.nodes), round(b.radius, 12)) for b in blocks] == [
        (["b", "c"], round(np.sqrt(1.2), 12)),
        (["d", "e"], 0.5),
    ]


def test_node_supply_is_the_dense_solution():
    case = _case(7)
    a = _dense(case)
    f = np.zeros(len(a))
    f[0] = 1.0
    expected = np.linalg.solve(a, f)
    got = node_supply(case)
    values = np.array([got[k] for k in case.nodes])
    assert np.max(np.abs(values - expected)) <= 1e-12 * np.max(np.abs(expected))
