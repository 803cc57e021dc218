"""Preconditioned solves of many samples of one sparse matrix, all columns at once.

A Monte Carlo chunk solves ``A_k x_k = b`` for ``k = 1..K`` samples ``A_k`` of one matrix:
the same sparsity pattern, and values that differ from the deterministic ``A`` only at the
positions of the uncertain entries ``v``. With ``D_k = A_k - A`` (non-zero only on ``v``):

* ``A_k x_k = A x_k + S (d_k * x_k[c_v])``, with ``S`` the 0/1 matrix that scatters the
  entries of ``v`` to their rows and ``c_v`` their columns: one sparse product with ``A`` and
  one with ``S`` for the ``K`` columns together, not ``K`` products with ``K`` matrices;
* likewise ``|A_k| |x_k| = |A| |x_k| + S ((|a_k| - |a|) * |x_k[c_v]|)`` for the
  componentwise backward error.

The iteration is the one of :meth:`scenat.calc.solver.FactorisedSystem.solve_perturbed_many`
step for step (stationary refinement ``x += A^-1 (b - A_k x)`` with the kept factorisation of
``A``, every column accepted only once its backward error is at most the tolerance, the
same rules for when to check it and when a column is stuck); a column that does not get
there is handed to that method (GMRES, then a direct solve of its matrix), so no answer is
less accurate than there. Only the sums are grouped differently, which moves residuals by
round-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from scenat.calc.solver import EPS, FactorisedSystem, PerturbedSolve

__all__ = ["SampledPattern", "solve_samples"]


@dataclass
class SampledPattern:
    """The deterministic matrix ``A`` (CSR, every cell a sample may change stored, zeros
    included) and the CSR data positions ``positions`` whose values samples set."""

    base: sparse.csr_matrix
    positions: np.ndarray

    def __post_init__(self) -> None:
        base = sparse.csr_matrix(self.base)
        self.base = base
        self.positions = np.asarray(self.positions, dtype=np.int64)
        rows = np.repeat(np.arange(base.shape[0]), np.diff(base.indptr))
        self.rows = rows[self.positions]
        self.cols = base.indices[self.positions].astype(np.int64)
        self.base_values = base.data[self.positions].copy()
        self.abs_base = sparse.csr_matrix(
            (np.abs(base.data), base.indices, base.indptr), shape=base.shape
        )
        # scatter of the changed entries to their rows
        self.scatter = sparse.csr_matrix(
            (np.ones(len(self.positions)), (self.rows, np.arange(len(self.positions)))),
            shape=(base.shape[0], len(self.positions)),
        )

    def matrix(self, values: np.ndarray) -> sparse.csr_matrix:
        """The sample with ``values`` (one row of ``solve_samples``' values) as a CSR matrix."""
        data = self.base.data.copy()
        data[self.positions] = values
        return sparse.csr_matrix((data, self.base.indices, self.base.indptr), shape=self.base.shape)

    def product(self, x: np.ndarray, delta: np.ndarray) -> np.ndarray:
        """``A_k x_k`` for the columns of ``x`` (n x K); ``delta`` (changed entries x K) is
        ``a_k - a`` on the changed positions."""
        return self.base @ x + self.scatter @ (delta * x[self.cols])

    def abs_product(self, x_abs: np.ndarray, abs_delta: np.ndarray) -> np.ndarray:
        """``|A_k| |x_k|`` for ``x_abs = |x|``; ``abs_delta`` is ``|a_k| - |a|``."""
        return self.abs_base @ x_abs + self.scatter @ (abs_delta * x_abs[self.cols])


def _errors(residual: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Per column ``max_i |r_i| / scale_i`` over ``scale_i > 0``; inf where a row with zero
    scale has a residual (:func:`scenat.calc.solver.backward_error`)."""
    nonzero = scale > 0
    ratio = np.divide(np.abs(residual), scale, out=np.zeros_like(scale), where=nonzero)
    out = ratio.max(axis=0, initial=0.0)
    bad = (~nonzero & (residual != 0)).any(axis=0)
    out[bad] = np.inf
    return out


def solve_samples(
    system: FactorisedSystem,
    pattern: SampledPattern,
    values: np.ndarray,
    rhs: np.ndarray,
    x0: np.ndarray | None = None,
    tolerance: float | None = None,
    max_iterations: int = 60,
) -> list[PerturbedSolve]:
    """``x_k`` with ``A_k x_k = rhs``, ``A_k`` the pattern's matrix with ``values[k]`` (samples
    x changed positions) at its changed positions; ``system`` factorises the deterministic
    ``A`` (module docstring). One :class:`~scenat.calc.solver.PerturbedSolve` per sample."""
    rhs = np.asarray(rhs, dtype=float)
    values = np.asarray(values, dtype=float)
    if tolerance is None:
        tolerance = max(4 * EPS, system.direct_backward_error(rhs))
    start = system.solve(rhs) if x0 is None else np.asarray(x0, dtype=float)
    count = len(values)
    delta = (values - pattern.base_values).T.copy()
    abs_delta = (np.abs(values) - np.abs(pattern.base_values)).T.copy()
    abs_rhs = np.abs(rhs)[:, None]

    def errors(cols: np.ndarray, xc: np.ndarray, rc: np.ndarray) -> np.ndarray:
        scale = pattern.abs_product(np.abs(xc), abs_delta[:, cols]) + abs_rhs
        return _errors(rc, scale)

    x = np.repeat(start[:, None], count, axis=1)
    residual = rhs[:, None] - pattern.product(x, delta)
    history = [[float(e)] for e in errors(np.arange(count), x, residual)]
    changes: list[list[float]] = [[] for _ in range(count)]
    checked = np.full(count, -10)
    steps = np.zeros(count, dtype=int)
    stalled: list[int] = []
    # the columns still iterating, kept compact (x, residual and changes of those only)
    active = np.array([k for k in range(count) if history[k][-1] > tolerance], dtype=np.int64)
    xa, ra, da = x[:, active], residual[:, active], delta[:, active]
    while len(active):
        correction = system.solve(ra)
        xa += correction
        steps[active] += 1
        ra = rhs[:, None] - pattern.product(xa, da)
        size = np.abs(xa).max(axis=0)
        step_size = np.abs(correction).max(axis=0)
        # the same decisions as solve_perturbed_many, column by column: first which columns
        # need their backward error, then (all of them in one product) what it says
        stuck_of, check = [], []
        for j, k in enumerate(active.tolist()):
            moves = changes[k]
            moves.append(float(step_size[j] / size[j]) if size[j] else 0.0)
            stuck = not np.isfinite(moves[-1]) or (
                moves[-1] > 1e-13 and len(moves) > 4 and not min(moves[-4:]) < 0.5 * min(moves[:-4])
            )
            stuck_of.append(stuck)
            far = history[k][-1] > 1e3 * tolerance and checked[k] == steps[k] - 1
            if (moves[-1] < 1e-9 and not far) or stuck or steps[k] >= max_iterations:
                check.append(j)
        if check:
            found = errors(active[check], xa[:, check], ra[:, check])
            for j, e in zip(check, found.tolist()):
                checked[active[j]] = steps[active[j]]
                history[active[j]].append(e)
        keep = np.ones(len(active), dtype=bool)
        for j, k in enumerate(active.tolist()):
            stuck = stuck_of[j]
            if checked[k] == steps[k]:
                errs = history[k]
                if errs[-1] <= tolerance:
                    keep[j] = False
                    continue
                stuck = stuck or (len(errs) > 3 and not min(errs[-3:]) < 0.5 * min(errs[:-3]))
            if stuck or steps[k] >= max_iterations:
                stalled.append(k)
                keep[j] = False
        if not keep.all():
            done = ~keep
            x[:, active[done]] = xa[:, done]
            active, xa, ra, da = active[keep], xa[:, keep], ra[:, keep], da[:, keep]
    out = [
        PerturbedSolve(x[:, k].copy(), "refinement", int(steps[k]), history[k][-1], tolerance)
        for k in range(count)
    ]
    for k in stalled:
        # GMRES and the direct solve of the sample itself, from where refinement got to
        again = system.solve_perturbed(
            pattern.matrix(values[k]), rhs, x[:, k], tolerance, max_iterations
        )
        again.iterations += int(steps[k])
        out[k] = again
    return out
