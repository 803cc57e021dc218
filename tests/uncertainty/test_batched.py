"""Batched preconditioned solves on one sparsity pattern (:mod:`scenat.uncertainty.batched`):
every sample's solution equals a dense NumPy solve of its own matrix, and the iteration
takes the steps of :meth:`FactorisedSystem.solve_perturbed_many` on the same matrices (to
one step: the residuals are summed in another order, which moves them by round-off, and so
the step at which a tight tolerance is met)."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from scenat.calc.solver import FactorisedSystem
from scenat.uncertainty.batched import SampledPattern, solve_samples


def _system(n: int = 40, seed: int = 3):
    rng = np.random.default_rng(seed)
    a = np.eye(n) * rng.uniform(1.0, 2.0, n)
    for j in range(n):  # each column buys from up to three others (a productive system)
        for i in rng.choice(n, 3, replace=False):
            if i != j:
                a[i, j] -= rng.uniform(0.0, 0.2)
    matrix = sparse.csr_matrix(a)
    matrix.sort_indices()
    rhs = np.zeros(n)
    rhs[0] = 1.0
    return matrix, rhs, rng


def test_each_sample_equals_a_dense_solve_of_its_matrix_and_the_steps_of_the_one_by_one_solver():
    matrix, rhs, rng = _system()
    positions = np.sort(rng.choice(matrix.nnz, 25, replace=False))
    kept = matrix.copy()
    pattern = SampledPattern(matrix, positions)
    # the pattern leaves the matrix it is given as it was
    assert np.array_equal(matrix.indices, kept.indices) and np.array_equal(matrix.data, kept.data)
    base = matrix.data[positions]
    values = base * np.exp(0.1 * rng.standard_normal((30, len(positions))))
    system = FactorisedSystem.from_matrix(matrix)
    solved = solve_samples(system, pattern, values, rhs, tolerance=1e-15)
    matrices = []
    for k, s in enumerate(solved):
        dense = matrix.toarray()
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))[positions]
        dense[rows, matrix.indices[positions]] = values[k]
        expected = np.linalg.solve(dense, rhs)
        assert np.allclose(s.x, expected, rtol=1e-12, atol=1e-15)
        assert s.backward_error <= 1e-15
        matrices.append(sparse.csr_matrix(dense))
    one_by_one = system.solve_perturbed_many(matrices, rhs, tolerance=1e-15)
    steps = np.array([s.iterations for s in solved])
    assert np.abs(steps - [s.iterations for s in one_by_one]).max() <= 1
    assert steps.min() > 0
    assert [s.method for s in solved] == [s.method for s in one_by_one]
    for a, b in zip(solved, one_by_one):
        assert np.allclose(a.x, b.x, rtol=1e-13, atol=1e-16)


def test_an_unchanged_sample_takes_no_step_and_a_far_one_falls_back_but_is_exact():
    matrix, rhs, rng = _system(seed=5)
    positions = np.arange(matrix.nnz)  # every cell may change
    pattern = SampledPattern(matrix, positions)
    far = matrix.data.copy()
    diagonal = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr)) == matrix.indices
    far[~diagonal] *= 4.0  # off-diagonal purchases four times larger: refinement diverges
    values = np.vstack([matrix.data, far])
    system = FactorisedSystem.from_matrix(matrix)
    solved = solve_samples(system, pattern, values, rhs)
    assert solved[0].iterations == 0 and solved[0].method == "refinement"
    assert np.allclose(solved[0].x, system.solve(rhs), rtol=0, atol=0)
    assert solved[1].method in ("gmres", "direct")
    expected = np.linalg.solve(pattern.matrix(far).toarray(), rhs)
    assert np.allclose(solved[1].x, expected, rtol=1e-10)
