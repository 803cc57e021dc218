"""Synthetic, hub-like background + foreground systems for benchmarks (never for tests of values).

Real LCA databases are hub-like: many processes buy electricity, transport and steel. Each
background process here buys ``inputs`` suppliers drawn with probability proportional to
1/rank^1.3 over a random permutation of processes (notes/performance.md: uniform draws
give an expander graph whose LU fill is pathological). Coefficients are uniform in
(0, 0.8/inputs) so every column sums below 0.8 and the system is productive.

The linked system is built straight from scipy matrices, so the benchmark measures scenat's
own calculations (attribution, breakdowns, paths, Monte Carlo) against a floor measured in
the same run; bw2calc's matrix building is measured in notes/brightway.md.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from scenat.calc import LinkedSystem
from scenat.calc.solver import FactorisedSystem
from scenat.model.case import Case, Flow, Node, Uncertainty
from scenat.model.indicators import default_indicators

EXPONENT = 1.3


def background(
    n: int, inputs: int, flows: int, seed: int
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Technosphere (n x n, unit diagonal) and biosphere (flows x n) of the background."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    weights = 1.0 / np.arange(1, n + 1) ** EXPONENT
    weights /= weights.sum()
    rows, cols, vals = [], [], []
    for j in range(n):
        suppliers = order[rng.choice(n, size=inputs, replace=False, p=weights)]
        suppliers = suppliers[suppliers != j]
        rows.extend(suppliers)
        cols.extend([j] * len(suppliers))
        vals.extend(-rng.uniform(0, 0.8 / inputs, len(suppliers)))
    rows.extend(range(n))
    cols.extend(range(n))
    vals.extend([1.0] * n)
    a = sparse.csr_matrix((vals, (rows, cols)), shape=(n, n))
    # Every process emits 3 GHG-like flows; a quarter also draws on one of the other flows.
    b_rows = np.concatenate(
        [np.zeros(n), np.ones(n), np.full(n, 2), rng.integers(3, flows, n // 4)]
    )
    b_cols = np.concatenate([np.arange(n)] * 3 + [rng.choice(n, n // 4, replace=False)])
    b_vals = rng.lognormal(0, 1, len(b_rows))
    b = sparse.csr_matrix((b_vals, (b_rows.astype(int), b_cols)), shape=(flows, n))
    return a, b


def linked_system(
    n_background: int = 20_000,
    inputs: int = 10,
    n_nodes: int = 30,
    seed: int = 1,
) -> tuple[Case, LinkedSystem]:
    """A case of ``n_nodes`` foreground nodes over tiers 0-3 on a synthetic background.

    Every foreground flow carries a lognormal uncertainty (gsd 1.2), so Monte Carlo samples
    the whole foreground.
    """
    rng = np.random.default_rng(seed + 1)
    flows_count = 12
    a_bg, b_bg = background(n_background, inputs, flows_count, seed)
    n = n_background + n_nodes
    keys = [f"p{i:05d}" for i in range(n_background)] + [f"node{i:02d}" for i in range(n_nodes)]
    flow_keys = [f"flow{i:02d}" for i in range(flows_count)]
    nodes: dict[str, Node] = {}
    case_flows: list[Flow] = []
    # Node 0 is the reference (tier 0); the others spread over tiers 1-3.
    tiers = np.array([0] + [1 + (i - 1) * 3 // (n_nodes - 1) for i in range(1, n_nodes)])
    a = sparse.lil_matrix((n, n))
    a[:n_background, :n_background] = a_bg
    b = sparse.lil_matrix((flows_count, n))
    b[:, :n_background] = b_bg
    purchases: dict[str, list[tuple[int, float]]] = {}
    for i in range(n_nodes):
        node_id = keys[n_background + i]
        nodes[node_id] = Node(
            node_id,
            f"Node {i}",
            int(tiers[i]),
            "item",
            1.0,
            ["assembly", "manufacturing", "materials", "transport"][tiers[i]],
        )
        col = n_background + i
        a[col, col] = 1.0
        purchases[node_id] = []
        for p in rng.choice(n_background, 5, replace=False):
            amount = float(rng.uniform(0.1, 2))
            a[p, col] = -amount
            purchases[node_id].append((int(p), amount))
            case_flows.append(
                Flow(
                    node_id,
                    "process",
                    keys[p],
                    amount,
                    "unit",
                    amount,
                    "unit",
                    Uncertainty("lognormal", gsd=1.2),
                )
            )
        # Suppliers one tier down; the last tier closes a loop back into tier 2.
        candidates = [j for j in range(n_nodes) if tiers[j] == min(tiers[i] + 1, 3) and j != i]
        if tiers[i] == 3:
            candidates = [j for j in range(n_nodes) if tiers[j] == 2][:1]
        # The reference buys from every tier-1 node; the others from up to 3 below them,
        # chosen so every node is reached (node j is bought by node j - 1's tier).
        picks = (
            candidates
            if tiers[i] == 0
            else rng.choice(candidates, min(3, len(candidates)), replace=False)
        )
        for j in picks:
            amount = float(rng.uniform(0.05, 0.4))
            a[n_background + j, col] = -amount
            case_flows.append(
                Flow(
                    node_id,
                    "node",
                    keys[n_background + j],
                    amount,
                    "item",
                    amount,
                    "item",
                    Uncertainty("lognormal", gsd=1.2),
                )
            )
        amount = float(rng.uniform(0.1, 1))
        b[0, col] = amount
        case_flows.append(
            Flow(
                node_id,
                "emission",
                "flow00",
                amount,
                "kg",
                amount,
                "kg",
                Uncertainty("lognormal", gsd=1.2),
            )
        )
    a = a.tocsr()
    b = b.tocsr()
    demand = np.zeros(n)
    demand[n_background] = 1.0
    solver = FactorisedSystem.from_matrix(a)
    supply = solver.solve(demand)
    cf = {}
    for k, ind in enumerate(default_indicators()):
        vector = np.zeros(flows_count)
        vector[k % 3] = 1.0
        vector[3 + k :: 4] = rng.uniform(0.1, 2, len(vector[3 + k :: 4]))
        cf[ind.id] = vector
    is_foreground = np.zeros(n, dtype=bool)
    is_foreground[n_background:] = True
    case = Case(name="synthetic", reference_node=keys[n_background], nodes=nodes, flows=case_flows)
    linked = LinkedSystem(
        solver=solver,
        technosphere=a,
        biosphere=b,
        demand=demand,
        supply=supply,
        cf=cf,
        node_order=list(nodes),
        node_cols={k: n_background + i for i, k in enumerate(nodes)},
        is_foreground=is_foreground,
        purchases=purchases,
        activity_keys=keys,
        activity_labels=keys,
        activity_kind=["background"] * n_background + ["foreground"] * n_nodes,
        flow_keys=flow_keys,
        flow_labels=flow_keys,
    )
    return case, linked


# --- a synthetic automotive bill of materials, as case sheets ---------------------------------

#: share of the non-reference nodes in tiers 1-5 (most suppliers sit deep in the chain)
TIER_SHARES = (0.03, 0.09, 0.18, 0.30, 0.40)
MATERIALS = (
    ("uslci_steel_hot_rolled", "kg"),
    ("uslci_steel_cold_rolled", "kg"),
    ("uslci_steel_galvanized", "kg"),
    ("uslci_aluminium_primary", "kg"),
    ("uslci_aluminium_secondary", "kg"),
    ("aluminium_cans_foil_primary", "kg"),
    ("plastics_average_primary", "kg"),
    ("glass_primary", "kg"),
)
GRIDS = tuple(
    f"electricity_grid_{iso}" for iso in ("deu", "fra", "pol", "cze", "esp", "ita", "chn", "mex")
) + ("electricity_uk_grid_delivered",)
FREIGHT = ("freight_hgv_diesel_tkm", "freight_rail_diesel_eu_tkm", "freight_sea_container_tkm")
SPEND = ("epa_naics_331110", "epa_naics_336320", "epa_naics_336390_no_margins", "epa_naics_334418")
FLOW_HEADER = ["node", "kind", "input", "amount", "unit", "distribution", "gsd", "source"]


def automotive_bom(
    n_nodes: int, seed: int = 0, loop_share: float = 0.01, uncertain_share: float = 0.30
) -> dict[str, list[list]]:
    """Case sheets (``case``, ``nodes``, ``flows``) of a synthetic automotive supply chain.

    One vehicle assembly plant (tier 0) over tiers 1-5 (:data:`TIER_SHARES` of the other
    nodes); each node of tiers 0-4 buys 2-10 parts from distinct nodes one tier down (every
    node bought by at least one), every node buys 1-3 materials, grid electricity and
    freight from the shipped inventories, 30 % of them a spend purchase (EPA sectors), half
    natural gas, a fifth a direct CO2 emission. About ``loop_share`` of the nodes (tiers 2-5)
    sell a little back up the chain (0.1-1 % of a unit: returns, test parts, tooling), which
    makes loops; ``uncertain_share`` of the flows carry a lognormal gsd of 1.1-1.5.
    Deterministic for a ``seed``.
    """
    rng = np.random.default_rng(seed)
    rest = n_nodes - 1
    sizes = [1] + [max(1, int(round(rest * s))) for s in TIER_SHARES]
    sizes[-1] = max(1, n_nodes - sum(sizes[:-1]))
    tiers: list[list[str]] = []
    count = 0
    for t, size in enumerate(sizes):
        tiers.append([f"t{t}_{i:05d}" for i in range(size)])
        count += size
    stages = ("assembly", "manufacturing", "manufacturing", "materials", "materials", "materials")
    nodes = [["id", "name", "tier", "stage", "location", "output_amount", "output_unit"]]
    for t, ids in enumerate(tiers):
        for node_id in ids:
            nodes.append([node_id, f"Supplier {node_id}", t, stages[t], "DE", 1, "item"])
    flows: list[list] = [FLOW_HEADER]

    def add(node: str, kind: str, input_: str, amount: float, unit: str) -> None:
        uncertain = rng.random() < uncertain_share
        flows.append(
            [
                node,
                kind,
                input_,
                float(f"{amount:.6g}"),
                unit,
                "lognormal" if uncertain else "",
                float(f"{rng.uniform(1.1, 1.5):.3g}") if uncertain else "",
                "synthetic",
            ]
        )

    for t in range(len(tiers) - 1):
        below = tiers[t + 1]
        bought: dict[str, list[str]] = {}
        for node_id in tiers[t]:
            k = min(len(below), int(rng.integers(2, 11)))
            bought[node_id] = list(rng.choice(below, k, replace=False))
        covered = {s for picks in bought.values() for s in picks}
        for supplier in below:
            if supplier not in covered:
                bought[str(rng.choice(tiers[t]))].append(supplier)
        for node_id, picks in bought.items():
            for supplier in picks:
                add(node_id, "node", str(supplier), rng.uniform(0.05, 1.5), "item")
    for ids in tiers:
        for node_id in ids:
            for m in rng.choice(len(MATERIALS), int(rng.integers(1, 4)), replace=False):
                code, unit = MATERIALS[m]
                add(node_id, "process", code, rng.uniform(0.1, 20), unit)
            add(node_id, "process", str(rng.choice(GRIDS)), rng.uniform(1, 50), "kWh")
            add(node_id, "process", str(rng.choice(FREIGHT)), rng.uniform(0.01, 2), "tkm")
            if rng.random() < 0.3:
                add(node_id, "spend", str(rng.choice(SPEND)), rng.uniform(1, 100), "USD")
            if rng.random() < 0.5:
                add(node_id, "process", "natural_gas_combustion_kwh", rng.uniform(1, 30), "kWh")
            if rng.random() < 0.2:
                add(node_id, "emission", "co2_fossil", rng.uniform(0.1, 5), "kg")
    deep = [node_id for ids in tiers[2:] for node_id in ids]
    for node_id in rng.choice(deep, max(1, int(round(loop_share * n_nodes))), replace=False):
        t = int(str(node_id)[1])
        up = tiers[int(rng.integers(max(1, t - 2), t))]
        add(str(node_id), "node", str(rng.choice(up)), rng.uniform(0.001, 0.01), "item")
    case = [
        ["field", "value"],
        ["name", f"Synthetic automotive BOM, {n_nodes} nodes (seed {seed})"],
        ["reference_node", tiers[0][0]],
        ["reference_amount", 1],
        ["functional_unit", "one vehicle at the assembly plant gate"],
        ["annual_volume", 100000],
        ["currency", "USD"],
        ["year", 2022],
        ["region", "DE"],
    ]
    return {"case": case, "nodes": nodes, "flows": flows}
