"""Structural paths against an independent enumeration of the power series, and graph edges
against the balance every node must keep."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

import scenat
from scenat.calc.structural_paths import structural_paths
from scenat.paths import examples_dir

# Activity 0 (reference, makes 1) buys 0.6 of 1 and 0.2 of 2; 1 (makes 2) buys 0.4 of 2
# and 0.1 of 3; 2 buys 0.3 of 1 (a loop 1 <-> 2) and 0.5 of 3; 3 buys nothing.
A = np.array(
    [
        [1.0, 0.0, 0.0, 0.0],
        [-0.6, 2.0, -0.3, 0.0],
        [-0.2, -0.4, 1.0, 0.0],
        [0.0, -0.1, -0.5, 1.0],
    ]
)
B = np.array([[0.5, 1.0, 2.0, 4.0], [0.0, 0.1, 0.0, 0.3]])
CF = np.array([1.0, 10.0])
F = np.array([3.0, 0.0, 0.0, 0.0])


def _enumerate(depth: int) -> dict[tuple[int, ...], float]:
    """Every path up to `depth` steps with its value, by explicit products (no search)."""
    production = np.diag(A)
    per_unit = (CF @ B) / production
    n = -(A - np.diag(production)) / production[None, :]  # inputs per unit of product
    out: dict[tuple[int, ...], float] = {}

    def walk(path: tuple[int, ...], amount: float) -> None:
        out[path] = amount * per_unit[path[-1]]
        if len(path) > depth:
            return
        for j in range(len(production)):
            if n[j, path[-1]] != 0.0:
                walk((*path, j), amount * n[j, path[-1]])

    walk((0,), F[0])
    return out


def test_paths_match_the_enumerated_power_series():
    total = CF @ B @ np.linalg.solve(A, F)
    enumerated = _enumerate(depth=40)
    # Truncated deep enough, the series sums to the total.
    assert sum(enumerated.values()) == pytest.approx(total, rel=1e-9)
    found = structural_paths(sparse.csr_matrix(A), sparse.csr_matrix(B), CF, F, top=10, cutoff=1e-6)
    expected = sorted(enumerated.items(), key=lambda kv: -abs(kv[1]))[:10]
    assert [p.nodes for p in found.paths] == [path for path, _ in expected]
    for path, (_nodes, value) in zip(found.paths, expected):
        assert path.value == pytest.approx(value, rel=1e-12)
    assert found.total == pytest.approx(total, rel=1e-12)
    assert found.coverage == pytest.approx(sum(v for _, v in expected) / total, rel=1e-12)
    # The loop is followed: some listed path visits activity 1 twice.
    loops = [
        p
        for p in structural_paths(
            sparse.csr_matrix(A), sparse.csr_matrix(B), CF, F, top=200, cutoff=1e-6
        ).paths
        if p.nodes.count(1) > 1
    ]
    assert loops


def test_all_paths_above_a_tiny_cutoff_cover_the_total():
    found = structural_paths(
        sparse.csr_matrix(A), sparse.csr_matrix(B), CF, F, top=100_000, cutoff=1e-12, max_depth=200
    )
    assert found.coverage == pytest.approx(1.0, abs=1e-9)
    assert not found.truncated


@pytest.fixture(scope="module")
def bicycle_result():
    return scenat.assess(scenat.read_case(examples_dir() / "bicycle"))


def test_assessment_paths_report_coverage_and_start_at_the_reference(bicycle_result):
    table = bicycle_result.paths("gwp100", top=15, cutoff=1e-4)
    assert table.table.height == 15
    assert all(keys[0] == "bike_assembly" for keys in table.table["keys"])
    assert 0 < table.coverage <= 1 + 1e-12
    assert table.table["value"].sum() == pytest.approx(table.coverage * table.total, rel=1e-12)
    # The biggest path: the frame maker's aluminium (0.24 t per batch of 100 frames).
    assert table.table["emitter"][0] == "okobaudat_aluminium_section"


def test_graph_balances_at_every_node(bicycle_result):
    edges = bicycle_result.edges()
    nodes = bicycle_result.supply_chain_nodes()
    for ind in ["gwp100", "fossil_energy", "water"]:
        for row in nodes.iter_rows(named=True):
            inflow = edges.filter(edges["target"] == row["id"])[f"impact_{ind}"].sum()
            outflow = edges.filter(edges["source"] == row["id"])[f"impact_{ind}"].sum()
            embodied = row[f"embodied_{ind}"]
            # Embodied in production = own (direct + background bought) + from suppliers ...
            assert embodied == pytest.approx(row[f"own_{ind}"] + inflow, rel=1e-9, abs=1e-12)
            # ... = what leaves to consumers, plus the functional unit at the reference.
            final = bicycle_result.total(ind) if row["id"] == "bike_assembly" else 0.0
            assert embodied == pytest.approx(outflow + final, rel=1e-9, abs=1e-12)
    expanded = bicycle_result.edges(expand_background=True)
    background = expanded.filter(expanded["kind"] == "background")
    own_total = nodes["own_gwp100"].sum()
    direct = sum(
        bicycle_result.hotspots("gwp100", "process").filter(
            bicycle_result.hotspots("gwp100", "process")["kind"] == "foreground"
        )["value"]
    )
    assert background["impact_gwp100"].sum() + direct == pytest.approx(own_total, rel=1e-9)
