"""Node, tier, stage and data-source breakdowns from adjoint scores equal the per-node dense
computation (one dense solve per node with numpy) on a small looped system, and sum to the
total."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from scenat.calc.breakdowns import ALL_BREAKDOWNS, compute_breakdowns
from scenat.calc.linked import LinkedSystem, data_source_inventories, node_scores
from scenat.calc.solver import FactorisedSystem
from scenat.model.case import Case, Flow, Node
from scenat.model.indicators import Indicator

# Background: p0 (electricity) <-> p1 (steel) buy from each other (a loop), p2 buys p0,
# p3 is a spend sector buying p1. Foreground: a (reference) buys b and c; b <-> c a loop.
BACKGROUND = ["p0", "p1", "p2", "p3"]
NODES = ["a", "b", "c"]
PURCHASES = {  # node -> [(kind, process, amount per run)]
    "a": [("process", "p2", 3.0), ("spend", "p3", 10.0)],
    "b": [("process", "p0", 5.0), ("credit", "p1", 0.5)],
    "c": [("process", "p1", 2.0), ("spend", "p3", 4.0)],
}
NODE_FLOWS = [("a", "b", 2.0), ("a", "c", 1.0), ("b", "c", 0.5), ("c", "b", 0.1)]
EMISSIONS = {"a": 1.0, "c": 0.3}  # kg co2 per run
OUTPUT = {"a": 1.0, "b": 2.0, "c": 1.0}


def _system() -> tuple[Case, LinkedSystem, np.ndarray, np.ndarray]:
    n = len(BACKGROUND) + len(NODES)
    col = {k: i for i, k in enumerate(BACKGROUND + NODES)}
    a = np.eye(n)
    a[col["p1"], col["p0"]] = -0.1
    a[col["p0"], col["p1"]] = -0.4
    a[col["p0"], col["p2"]] = -0.7
    a[col["p1"], col["p3"]] = -0.02
    for k in NODES:
        a[col[k], col[k]] = OUTPUT[k]
    for node, supplier, amount in NODE_FLOWS:
        a[col[supplier], col[node]] -= amount
    for node, items in PURCHASES.items():
        for kind, process, amount in items:
            a[col[process], col[node]] += amount if kind == "credit" else -amount
    b = np.zeros((2, n))  # co2, ch4
    b[0, :4] = [0.4, 2.0, 0.1, 0.05]
    b[1, :4] = [0.001, 0.0, 0.02, 0.0005]
    for k, v in EMISSIONS.items():
        b[0, col[k]] = v
    demand = np.zeros(n)
    demand[col["a"]] = 1.0
    matrix = sparse.csr_matrix(a)
    solver = FactorisedSystem.from_matrix(matrix)
    cf = {"gwp": np.array([1.0, 28.0])}
    linked = LinkedSystem(
        solver=solver,
        technosphere=matrix,
        biosphere=sparse.csr_matrix(b),
        demand=demand,
        supply=solver.solve(demand),
        cf=cf,
        node_order=NODES,
        node_cols={k: col[k] for k in NODES},
        is_foreground=np.array([False] * 4 + [True] * 3),
        purchases={
            k: [(col[p], -v if kind == "credit" else v) for kind, p, v in items]
            for k, items in PURCHASES.items()
        },
        purchase_kinds={k: [kind for kind, _, _ in items] for k, items in PURCHASES.items()},
        activity_keys=BACKGROUND + NODES,
        activity_labels=BACKGROUND + NODES,
        activity_kind=["background"] * 4 + ["foreground"] * 3,
        flow_keys=["co2", "ch4"],
        flow_labels=["CO2", "CH4"],
    )
    nodes = {
        "a": Node("a", "A", 0, "item", OUTPUT["a"], "assembly"),
        "b": Node("b", "B", 1, "item", OUTPUT["b"], "manufacturing"),
        "c": Node("c", "C", 1, "item", OUTPUT["c"], "materials"),
    }
    flows = [Flow(x, "node", y, v, "item", v, "item") for x, y, v in NODE_FLOWS]
    for node, items in PURCHASES.items():
        flows += [Flow(node, kind, p, v, "unit", v, "unit") for kind, p, v in items]
    flows += [Flow(k, "emission", "co2", v, "kg", v, "kg") for k, v in EMISSIONS.items()]
    return Case("looped", "a", nodes, flows), linked, a, b


def _dense_by_node(a: np.ndarray, b: np.ndarray, cf: np.ndarray) -> dict[str, dict[str, float]]:
    """One dense solve per node: its direct impact and the cradle-to-gate impact of what it
    buys, by the kind of purchase."""
    col = {k: i for i, k in enumerate(BACKGROUND + NODES)}
    demand = np.zeros(len(a))
    demand[col["a"]] = 1.0
    x = np.linalg.solve(a, demand)
    out = {}
    for k in NODES:
        by_kind = {"process": 0.0, "spend": 0.0}
        for kind, process, amount in PURCHASES[k]:
            r = np.zeros(len(a))
            r[col[process]] = (-amount if kind == "credit" else amount) * x[col[k]]
            impact = cf @ b @ np.linalg.solve(a, r)
            by_kind["spend" if kind == "spend" else "process"] += impact
        out[k] = {"direct": float(cf @ b[:, col[k]] * x[col[k]]), **by_kind}
    out["_total"] = {"total": float(cf @ b @ x)}
    return out


def test_node_scores_equal_one_dense_solve_per_node():
    case, linked, a, b = _system()
    expected = _dense_by_node(a, b, linked.cf["gwp"])
    direct, purchased = node_scores(linked, "gwp")
    for j, k in enumerate(NODES):
        assert direct[j] == pytest.approx(expected[k]["direct"], rel=1e-12, abs=1e-15)
        want = expected[k]["process"] + expected[k]["spend"]
        assert purchased[j] == pytest.approx(want, rel=1e-12)


def test_breakdowns_match_dense_and_sum_to_the_total():
    case, linked, a, b = _system()
    expected = _dense_by_node(a, b, linked.cf["gwp"])
    gwp = Indicator("gwp", "GWP", ("test",), "kg CO2-eq", "climate", "test", "CC0")
    totals, tables = compute_breakdowns(case, linked, [gwp])
    total = expected["_total"]["total"]
    assert totals["gwp"] == pytest.approx(total, rel=1e-12)
    by_node = dict(zip(tables["gwp"]["node"]["key"], tables["gwp"]["node"]["value"]))
    for k in NODES:
        assert by_node[k] == pytest.approx(sum(expected[k].values()), rel=1e-12)
    by_tier = dict(zip(tables["gwp"]["tier"]["key"], tables["gwp"]["tier"]["value"]))
    assert by_tier["1"] == pytest.approx(
        sum(expected["b"].values()) + sum(expected["c"].values()), rel=1e-12
    )
    by_source = dict(
        zip(tables["gwp"]["data_source"]["key"], tables["gwp"]["data_source"]["value"])
    )
    for source in ("process", "spend", "direct"):
        assert by_source[source] == pytest.approx(
            sum(expected[k][source] for k in NODES), rel=1e-12
        )
    for by in ALL_BREAKDOWNS:
        assert abs(tables["gwp"][by]["value"].sum() - total) <= 1e-9 * abs(total)


def test_data_source_inventories_sum_to_the_system_inventory():
    _case, linked, a, b = _system()
    parts = data_source_inventories(linked)
    demand = linked.demand
    assert np.allclose(sum(parts.values()), b @ np.linalg.solve(a, demand), rtol=1e-12)
