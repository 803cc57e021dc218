"""Solves reuse one factorisation; adjoint and rank-one updates agree with dense numpy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from scenat.calc.solver import FactorisedSystem


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
