"""Preconditioned solves of many samples of one sparse matrix, all columns at once.

A Monte Carlo chunk solves ``A_k x_k = b`` for ``k = 1..K`` samples ``A_k`` of one matrix:
the same sparsity pattern, and values that differ from the deterministic ``A`` only at the
positions of the uncertain entries ``v``. With ``F`` the entries of ``A`` no sample changes
and ``a_k`` the values of sample ``k`` on ``v``:

* ``A_k x_k = F x_k + S (a_k * x_k[c_v])``, with ``S`` the 0/1 matrix that scatters the
  entries of ``v`` to their rows and ``c_v`` their columns: one sparse product with ``F`` and
  one with ``S`` for the ``K`` columns together, not ``K`` products with ``K`` matrices;
* likewise ``|A_k| |x_k| = |F| |x_k| + S (|a_k| * |x_k[c_v]|)`` for the componentwise
  backward error.

The iteration is the one of :meth:`scenat.calc.solver.FactorisedSystem.solve_perturbed_many`
step for step (stationary refinement ``x += A^-1 (b - A_k x)`` with the kept factorisation of
``A``, every column accepted only once its backward error is at most the tolerance, the
same rules for when to check it and when a column is stuck); a column that does not get
there gets that method's fall-backs (GMRES, then a direct solve of its matrix), so no answer
is less accurate than there. Only the sums are grouped differently, which moves residuals by
round-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from scenat.calc.solver import EPS, FactorisedSystem, PerturbedSolve, backward_error

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
        # the entries no sample changes (the changed cells come from the samples' values)
        # (a copy: eliminating zeros rewrites the index arrays, which base shares)
        self.fixed = base.copy()
        self.fixed.data[self.positions] = 0.0
        self.fixed.eliminate_zeros()
        self.abs_fixed = abs(self.fixed)
        # scatter of the changed entries to their rows
        self.scatter = sparse.csr_matrix(
            (np.ones(len(self.positions)), (self.rows, np.arange(len(self.positions)))),
            shape=(base.shape[0], len(self.positions)),
        )

    def permuted(self, p: np.ndarray) -> SampledPattern:
        """The same pattern with rows and columns in the order ``p`` (``P A P^T``, row ``i``
        of it row ``p[i]`` of ``A``), the values of the changed positions in the same order.
        Each row keeps its entries in their order, so every product sums the same terms in
        the same order as this pattern's (the answers are the same numbers, permuted)."""
        cached = getattr(self, "_permuted", None)
        if cached is not None and cached[0] is p:
            return cached[1]
        base = self.base
        q = np.empty_like(p)
        q[p] = np.arange(len(p))
        lengths = np.diff(base.indptr)[p]
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        # data index of every entry of the permuted matrix, row after row
        take = np.repeat(base.indptr[:-1][p] - indptr[:-1], lengths) + np.arange(base.nnz)
        inverse = np.empty_like(take)
        inverse[take] = np.arange(len(take))
        matrix = sparse.csr_matrix(
            (base.data[take], q[base.indices[take]], indptr), shape=base.shape
        )
        out = SampledPattern(matrix, inverse[self.positions])
        self._permuted = (p, out)
        return out

    def matrix(self, values: np.ndarray) -> sparse.csr_matrix:
        """The sample with ``values`` (one row of ``solve_samples``' values) as a CSR matrix."""
        data = self.base.data.copy()
        data[self.positions] = values
        return sparse.csr_matrix((data, self.base.indices, self.base.indptr), shape=self.base.shape)

    def product(self, x: np.ndarray, values: np.ndarray) -> np.ndarray:
        """``A_k x_k`` for the columns of ``x`` (n x K); ``values`` (changed entries x K) are
        the samples' values on the changed positions."""
        changed = x[self.cols]
        changed *= values
        out = self.fixed @ x
        out += self.scatter @ changed
        return out

    def abs_product(self, x_abs: np.ndarray, abs_values: np.ndarray) -> np.ndarray:
        """``|A_k| |x_k|`` for ``x_abs = |x|``; ``abs_values`` is ``|a_k|``."""
        changed = x_abs[self.cols]
        changed *= abs_values
        out = self.abs_fixed @ x_abs
        out += self.scatter @ changed
        return out


def _errors(residual: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Per column ``max_i |r_i| / scale_i`` over ``scale_i > 0``; inf where a row with zero
    scale has a residual (:func:`scenat.calc.solver.backward_error`)."""
    nonzero = scale > 0
    # |r| divided in place where the scale is positive; a row of zero scale keeps |r|,
    # which is 0 (no effect on the maximum) or makes its column inf below
    ratio = np.abs(residual)
    np.divide(ratio, scale, out=ratio, where=nonzero)
    out = ratio.max(axis=0, initial=0.0)
    if not nonzero.all():
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
    original, original_rhs = pattern, rhs
    # iterate in the order of the kept factorisation (the backward errors do not depend on
    # the order of the rows); answers are put back in the matrix's order at the end
    order, solve = system.permuted_solve()
    if order is not None:
        pattern = pattern.permuted(order)
        rhs, start = rhs[order], start[order]
    delta = values.T.copy()  # changed entries x samples
    abs_delta = np.abs(delta)
    abs_rhs = np.abs(rhs)[:, None]

    def errors(xc: np.ndarray, rc: np.ndarray, abs_dc: np.ndarray) -> np.ndarray:
        scale = pattern.abs_product(np.abs(xc), abs_dc)
        scale += abs_rhs
        return _errors(rc, scale)

    x = np.repeat(start[:, None], count, axis=1)
    # every column starts at the same x0: the entries no sample changes enter its residual
    # and scale as one vector each (F x0, |F| |x0|), only the changed cells per column
    changed = delta * start[pattern.cols, None]
    residual = pattern.scatter @ changed
    np.subtract((rhs - pattern.fixed @ start)[:, None], residual, out=residual)
    np.abs(changed, out=changed)
    scale = pattern.scatter @ changed
    scale += (pattern.abs_fixed @ np.abs(start) + np.abs(rhs))[:, None]
    del changed
    history = [[float(e)] for e in _errors(residual, scale)]
    del scale
    last = np.array([h[-1] for h in history])
    checked = np.full(count, -10)
    steps = np.zeros(count, dtype=int)
    stalled: list[int] = []
    # The columns still iterating, kept compact (x, residual, changes of those only). All
    # of them have taken the same number of steps (they start together and only leave), so
    # the rules of solve_perturbed_many are applied to all at once; only the columns whose
    # backward error is computed are looked at one by one.
    active = np.flatnonzero(last > tolerance)
    xa, ra, da, aa = x[:, active], residual[:, active], delta[:, active], abs_delta[:, active]
    moves = np.empty((max_iterations + 1, len(active)))
    step = 0
    while len(active):
        correction = solve(ra)
        xa += correction
        step += 1
        steps[active] = step
        ra = pattern.product(xa, da)
        np.subtract(rhs[:, None], ra, out=ra)
        size = np.maximum(xa.max(axis=0), -xa.min(axis=0))
        np.abs(correction, out=correction)  # not needed any more: its size, in place
        step_size = correction.max(axis=0)
        del correction
        with np.errstate(divide="ignore", invalid="ignore"):
            move = np.where(size != 0, step_size / np.where(size != 0, size, 1.0), 0.0)
        moves[step - 1] = move
        # diverging, or stagnating while far from converged: the correction not halved
        # over four steps
        stuck = ~np.isfinite(move)
        if step > 4:
            recent = moves[step - 4 : step].min(axis=0)
            stuck |= (move > 1e-13) & ~(recent < 0.5 * moves[: step - 4].min(axis=0))
        # far above the tolerance the error falls about tenfold a step: check every other
        far = (last[active] > 1e3 * tolerance) & (checked[active] == step - 1)
        at_most = step >= max_iterations
        check = np.flatnonzero(((move < 1e-9) & ~far) | stuck | at_most)
        if not len(check):
            continue
        if len(check) == len(active):  # all of them (the usual case): no copies
            found = errors(xa, ra, aa)
        else:
            found = errors(xa[:, check], ra[:, check], aa[:, check])
        checked[active[check]] = step
        last[active[check]] = found
        keep = np.ones(len(active), dtype=bool)
        for j, e in zip(check.tolist(), found.tolist()):
            k = int(active[j])
            errs = history[k]
            errs.append(e)
            if e <= tolerance:
                keep[j] = False
                continue
            if stuck[j] or (len(errs) > 3 and not min(errs[-3:]) < 0.5 * min(errs[:-3])) or at_most:
                stalled.append(k)
                keep[j] = False
        if not keep.any() and len(active) == count:
            x = xa  # every column left at this step (the usual case): no copies
            break
        if not keep.all():
            done = ~keep
            x[:, active[done]] = xa[:, done]
            active, xa, ra = active[keep], xa[:, keep], ra[:, keep]
            da, aa = da[:, keep], aa[:, keep]
            moves = moves[:, keep]
    if order is not None:
        permuted = x
        x = np.empty_like(permuted)
        x[order] = permuted
        pattern, rhs = original, original_rhs
    out = [
        PerturbedSolve(x[:, k].copy(), "refinement", int(steps[k]), history[k][-1], tolerance)
        for k in range(count)
    ]
    for k in stalled:
        # GMRES preconditioned by the kept LU, then a direct solve of the sample itself,
        # from where refinement got to: the fall-backs of solve_perturbed_many
        matrix = pattern.matrix(values[k])
        out[k] = system.stalled_solve(
            matrix,
            rhs,
            x[:, k],
            out[k],
            max_iterations,
            lambda _k, y, r, m=matrix: backward_error(m, y, rhs, r),
            k,
        )
    return out
