"""Solves reuse one factorisation; adjoint and rank-one updates agree with dense numpy."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from scipy import sparse

from scenat.calc.solver import (
    FactorisedSystem,
    _topological_labels,
    block_triangular_permutation,
)


@pytest.fixture
def system():
    rng = np.random.default_rng(3)
    n = 60
    dense = np.eye(n) - np.where(rng.random((n, n)) < 0.08, rng.uniform(0, 0.1, (n, n)), 0.0)
    np.fill_diagonal(dense, 1.0)
    return dense, FactorisedSystem.from_matrix(sparse.csr_matrix(dense))


def test_solve_and_adjoint_match_dense(system):
    dense, solver = system
    b = np.arange(dense.shape[0], dtype=float)
    assert np.allclose(solver.solve(b), np.linalg.solve(dense, b), rtol=1e-12, atol=1e-12)
    assert np.allclose(
        solver.solve_transposed(b), np.linalg.solve(dense.T, b), rtol=1e-12, atol=1e-12
    )
    many = np.column_stack([b, b[::-1]])
    assert np.allclose(solver.solve(many), np.linalg.solve(dense, many), rtol=1e-12)


def test_rank_one_change_of_one_exchange_matches_a_new_solve(system):
    dense, solver = system
    n = dense.shape[0]
    i, j, delta = 7, 21, -0.35  # activity 21 now buys 0.35 more of product 7
    u = np.zeros(n)
    u[i] = delta
    v = np.zeros(n)
    v[j] = 1.0
    b = np.zeros(n)
    b[0] = 1.0
    changed = dense.copy()
    changed[i, j] += delta
    assert np.allclose(
        solver.solve_rank_one(u, v, b), np.linalg.solve(changed, b), rtol=1e-12, atol=1e-14
    )


def _looped_supply_chain(seed: int, n: int = 80) -> np.ndarray:
    """A technosphere shaped like a supply chain: purchases from higher-numbered activities
    (a tree-like DAG), a few loops back, hidden by a random relabelling."""
    rng = np.random.default_rng(seed)
    dense = np.eye(n) * rng.uniform(0.5, 2.0, n)
    for k in range(n - 1):
        for j in rng.choice(np.arange(k + 1, n), min(3, n - k - 1), replace=False):
            dense[j, k] -= rng.uniform(0.05, 0.3)
    for _ in range(4):  # loops: a supplier buys a little of its consumer's product
        k = int(rng.integers(5, n))
        dense[int(rng.integers(0, k)), k] -= 0.02
    order = rng.permutation(n)
    return dense[np.ix_(order, order)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_block_triangular_order_solves_as_numpy(seed, caplog):
    dense = _looped_supply_chain(seed)
    n = dense.shape[0]
    with caplog.at_level(logging.INFO, logger="scenat.calc.solver"):
        solver = FactorisedSystem.from_matrix(sparse.csr_matrix(dense))
    assert solver.ordering.name == "block triangular"
    assert "block triangular order" in caplog.text
    rng = np.random.default_rng(seed + 10)
    b = rng.uniform(0, 1, n)
    c = rng.uniform(-1, 1, n)
    x, y = np.linalg.solve(dense, b), np.linalg.solve(dense.T, c)
    assert np.max(np.abs(solver.solve(b) - x)) <= 1e-12 * np.max(np.abs(x))
    assert np.max(np.abs(solver.solve_transposed(c) - y)) <= 1e-12 * np.max(np.abs(y))
    many = np.column_stack([b, c])
    expected = np.linalg.solve(dense, many)
    assert np.max(np.abs(solver.solve(many) - expected)) <= 1e-12 * np.max(np.abs(expected))


def test_permutation_is_block_lower_triangular_with_the_loops_as_blocks():
    dense = _looped_supply_chain(5)
    p, labels = block_triangular_permutation(sparse.csr_matrix(dense))
    assert sorted(p.tolist()) == list(range(dense.shape[0]))
    permuted = dense[np.ix_(p, p)]
    lab = labels[p]
    rows, cols = np.nonzero(permuted)
    outside = lab[rows] != lab[cols]
    assert np.all(rows[outside] > cols[outside])  # every entry outside a loop is below
    # each block is one strongly connected component: its rows are contiguous
    assert np.all(np.diff(lab) >= 0)
    assert len(np.unique(labels)) < dense.shape[0]  # the loops made blocks of several rows


def test_kahn_relabelling_orders_any_acyclic_condensation():
    # components 0 -> 2 -> 1 -> 3 (edges first -> then)
    first, then = np.array([0, 2, 1, 0]), np.array([2, 1, 3, 3])
    labels = np.array([0, 1, 2, 3, 2])
    ranks = _topological_labels(4, first, then, labels)
    component = {0: 0, 1: 2, 2: 1, 3: 3}  # rank of each component
    assert ranks.tolist() == [component[c] for c in labels.tolist()]


def test_a_zero_diagonal_is_pivoted_and_still_exact():
    dense = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, -0.5], [0.0, -0.2, 1.0]])
    solver = FactorisedSystem.from_matrix(sparse.csr_matrix(dense))
    b = np.array([1.0, 2.0, 3.0])
    assert np.allclose(solver.solve(b), np.linalg.solve(dense, b), rtol=1e-13, atol=0)
    assert np.allclose(solver.solve_transposed(b), np.linalg.solve(dense.T, b), rtol=1e-13)


def test_growth_without_pivoting_falls_back_to_colamd_with_partial_pivoting():
    # Eliminating on the tiny diagonal entry would grow U to 1e10: not trusted.
    dense = np.array([[1e-10, 1.0], [1.0, 1.0]])
    solver = FactorisedSystem.from_matrix(sparse.csr_matrix(dense))
    assert solver.ordering.name == "colamd"
    b = np.array([1.0, 2.0])
    assert np.allclose(solver.solve(b), np.linalg.solve(dense, b), rtol=1e-13, atol=0)
    assert np.allclose(solver.solve_transposed(b), np.linalg.solve(dense.T, b), rtol=1e-13)
