"""Background Monte Carlo: zero spread is the deterministic result; each preconditioned
iterative solve agrees with a direct solve of the sampled matrix to the checked tolerance
(and falls back when it cannot get there); chunks and batches do not change the numbers;
a case's background sampling with fixed background equals the foreground-only Monte Carlo."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.linalg import splu

from scenat.calc.solver import EPS, FactorisedSystem, backward_error
from scenat.uncertainty.background import (
    UncertainMatrix,
    UncertainSystem,
    case_system,
    lognormal,
    monte_carlo,
    no_uncertainty,
)


def _system(n: int = 400, gsd: float = 1.2, seed: int = 0) -> UncertainSystem:
    """A small hub-like technosphere (suppliers drawn ~ 1/rank^1.3) with lognormal exchanges."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    weights = 1.0 / np.arange(1, n + 1) ** 1.3
    weights /= weights.sum()
    rows, cols, amounts = [], [], []
    for j in range(n):
        suppliers = order[rng.choice(n, size=6, replace=False, p=weights)]
        suppliers = suppliers[suppliers != j]
        rows += suppliers.tolist()
        cols += [j] * len(suppliers)
        amounts += rng.uniform(0, 0.8 / 6, len(suppliers)).tolist()
    rows, cols, amounts = np.array(rows), np.array(cols), np.array(amounts)
    t_rows = np.concatenate([np.arange(n), rows])
    t_cols = np.concatenate([np.arange(n), cols])
    t_amounts = np.concatenate([np.ones(n), amounts])
    flip = np.concatenate([np.zeros(n, bool), np.ones(len(rows), bool)])
    params = np.concatenate([no_uncertainty(n), lognormal(amounts, gsd)])
    technosphere = UncertainMatrix.from_entries(t_rows, t_cols, t_amounts, (n, n), params, flip)
    b_rows = np.concatenate([np.zeros(n, int), np.ones(n, int)])
    b_cols = np.concatenate([np.arange(n), np.arange(n)])
    b_amounts = rng.lognormal(0, 1, 2 * n)
    biosphere = UncertainMatrix.from_entries(
        b_rows, b_cols, b_amounts, (2, n), lognormal(b_amounts, gsd)
    )
    demand = np.zeros(n)
    demand[rng.integers(n, size=5)] = 1.0
    return UncertainSystem(technosphere, biosphere, {"gwp": np.array([1.0, 25.0])}, demand)


def test_zero_spread_gives_the_deterministic_result_exactly():
    system = _system(gsd=1.0)
    assert system.technosphere.uncertain == 0 and system.biosphere.uncertain == 0
    result = monte_carlo(system, iterations=12, seed=3)
    deterministic = system.deterministic()["gwp"]
    assert np.array_equal(result.totals["gwp"], np.full(12, deterministic))
    assert set(result.methods) == {"refinement"} and result.solves.max() == 0
    # and the deterministic result is the plain direct solve of the summed matrix
    a = system.technosphere.matrix()
    x = splu(sparse.csc_matrix(a)).solve(system.demand)
    assert deterministic == pytest.approx(
        float(system.cf["gwp"] @ (system.biosphere.matrix() @ x)), rel=1e-12
    )


def test_preconditioned_solves_agree_with_direct_solves_to_the_checked_tolerance():
    system = _system(gsd=1.3)
    base = system.base()
    solver: FactorisedSystem = base["solver"]
    rng = np.random.default_rng(11)
    matrices = [
        system.technosphere.matrix(system.technosphere.values(system.technosphere.sample(rng)))
        for _ in range(6)
    ]
    solved = solver.solve_perturbed_many(matrices, system.demand, x0=base["supply"])
    for matrix, result in zip(matrices, solved):
        direct = splu(matrix.T.tocsc()).solve(system.demand, trans="T")
        assert result.method == "refinement" and result.iterations > 2
        assert result.backward_error <= result.tolerance
        assert backward_error(matrix, result.x, system.demand) <= result.tolerance
        # as accurate as the direct solve: its own backward error is of the same size
        assert result.tolerance <= max(4 * EPS, backward_error(matrix, direct, system.demand) * 10)
        assert np.abs(result.x - direct).max() <= 1e-12 * np.abs(direct).max()
    # one at a time gives the same numbers as in a batch
    alone = solver.solve_perturbed(matrices[2], system.demand, x0=base["supply"])
    assert np.array_equal(alone.x, solved[2].x)


def test_a_sample_the_iteration_cannot_solve_falls_back_and_stays_accurate():
    system = _system(gsd=1.3)
    base = system.base()
    rng = np.random.default_rng(5)
    matrix = system.technosphere.matrix(system.technosphere.values(system.technosphere.sample(rng)))
    # two refinement steps are not enough: GMRES (LU-preconditioned) or a direct solve finish
    result = base["solver"].solve_perturbed(matrix, system.demand, max_iterations=2)
    assert result.method in ("gmres", "direct")
    direct = splu(matrix.T.tocsc()).solve(system.demand, trans="T")
    assert np.abs(result.x - direct).max() <= 1e-12 * np.abs(direct).max()
    assert result.backward_error <= result.tolerance


def test_chunks_and_seeds():
    system = _system(gsd=1.2)
    whole = monte_carlo(system, iterations=20, seed=7, chunk=20)
    pieces = monte_carlo(system, iterations=20, seed=7, chunk=6)
    assert np.array_equal(whole.totals["gwp"], pieces.totals["gwp"])
    other = monte_carlo(system, iterations=20, seed=8, chunk=20)
    assert not np.array_equal(whole.totals["gwp"], other.totals["gwp"])
    assert whole.solver_summary()["max_backward_error"] <= whole.tolerance
    # lognormal exchanges with median = deterministic amount: the mean is a little higher
    assert np.median(whole.totals["gwp"]) == pytest.approx(whole.deterministic["gwp"], rel=0.15)


def test_lognormal_biosphere_matches_its_analytical_mean():
    # One process, one flow of 2 kg with gsd 1.5: mean = 2 exp(s^2 / 2).
    technosphere = UncertainMatrix.from_entries([0], [0], [1.0], (1, 1))
    biosphere = UncertainMatrix.from_entries([0], [0], [2.0], (1, 1), lognormal([2.0], 1.5))
    system = UncertainSystem(technosphere, biosphere, {"x": np.array([1.0])}, np.array([1.0]))
    result = monte_carlo(system, iterations=2000, seed=1, chunk=2000)
    s = np.log(1.5)
    assert result.totals["x"].mean() == pytest.approx(2 * np.exp(s**2 / 2), rel=0.03)


def test_case_with_fixed_background_equals_the_foreground_monte_carlo(bicycle):
    import scenat
    from scenat.uncertainty.foreground import monte_carlo as foreground_monte_carlo

    case = scenat.read_case(bicycle)
    fixed = case_system(case, indicators=["gwp100"], foreground=False)
    # the shipped inventories carry distributions (tests/uncertainty/test_shipped_spread.py)
    assert fixed.technosphere.uncertain > 0 and fixed.biosphere.uncertain > 0
    fixed = case_system(case, indicators=["gwp100"], foreground=False, background=False)
    assert fixed.technosphere.uncertain == fixed.biosphere.uncertain == 0
    result = monte_carlo(fixed, iterations=3, seed=1)
    total = scenat.assess(case, indicators=["gwp100"]).total("gwp100")
    assert np.allclose(result.totals["gwp100"], total, rtol=1e-9)
    sampled = case_system(case, indicators=["gwp100"], iterations=30, seed=4, background=False)
    ours = monte_carlo(sampled, iterations=30, seed=4, chunk=7)
    theirs = foreground_monte_carlo(case, iterations=30, seed=4, indicators=["gwp100"])
    assert np.allclose(ours.totals["gwp100"], theirs.totals["gwp100"], rtol=1e-9)
    # a screening spread on every background exchange widens the distribution
    spread = case_system(
        case, indicators=["gwp100"], default_gsd=1.3, foreground=False, background=False
    )
    assert spread.technosphere.uncertain > 0
    wide = monte_carlo(spread, iterations=30, seed=4)
    assert wide.totals["gwp100"].std() > 0
    assert wide.solver_summary()["max_backward_error"] <= wide.tolerance
