"""Solves with one factorisation: the only place scenat chooses how linear systems are solved.

The technosphere is factorised once (:meth:`FactorisedSystem.from_matrix`); every further
solve of ``A x = b`` reuses it, and so does the adjoint system ``A^T y = c`` (scores of every
product at once: SuperLU solves with ``L U`` and with its transpose). Wrapping another
solver's ``b -> A^-1 b`` instead (UMFPACK, PARDISO), the adjoint gets its own SuperLU
factorisation of ``A^T``, made once and kept. Monte Carlo samples of the
matrix are solved with the kept factorisation as a preconditioner
(:meth:`FactorisedSystem.solve_perturbed_many`), each answer checked against the accuracy of
a direct solve.

The factorisation is made here, in an order chosen for supply chains
(:func:`factorise`): the strongly connected components of the matrix (its loops) in
topological order, natural order within each, so the permuted matrix is block triangular
and SuperLU, told to keep that order and its diagonal pivots, fills in only inside the
loops. A supply chain is mostly a tree of purchases with a few loops, so this fills far
less than a general column ordering (COLAMD), which is tried as well when the blocks fill
much and kept when it fills less. The order used is logged (logger ``scenat.calc.solver``).

>>> import numpy as np
>>> from scipy import sparse
>>> a = sparse.csr_matrix(np.array([[1.0, 0.0], [-0.5, 1.0]]))
>>> solver = FactorisedSystem.from_matrix(a)
>>> solver.solve(np.array([1.0, 0.0])).tolist()
[1.0, 0.5]
>>> solver.solve_transposed(np.array([0.0, 2.0])).tolist()
[1.0, 2.0]
>>> solver.solve_rank_one(np.array([0.0, -0.5]), np.array([1.0, 0.0]), np.array([1.0, 0.0]))
array([1., 1.])
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import LinearOperator, gmres, splu

logger = logging.getLogger(__name__)

#: double precision unit round-off; no backward error can be asked below a few of these
EPS = float(np.finfo(np.float64).eps)


def backward_error(
    matrix: sparse.spmatrix, x: np.ndarray, rhs: np.ndarray, residual: np.ndarray | None = None
) -> float:
    """Componentwise backward error ``max_i |rhs - A x|_i / (|A| |x| + |rhs|)_i`` (LAPACK's
    ``berr``): the smallest relative change of the entries of ``A`` and ``rhs`` that makes
    ``x`` exact. A stable direct solve gives a few machine epsilons.

    >>> a = sparse.csr_matrix(np.array([[2.0, -1.0], [0.0, 1.0]]))
    >>> backward_error(a, np.array([1.0, 1.0]), np.array([1.0, 1.0]))
    0.0
    """
    matrix = sparse.csr_matrix(matrix)
    if residual is None:
        residual = rhs - matrix @ x
    scale = sparse.csr_matrix(
        (np.abs(matrix.data), matrix.indices, matrix.indptr), shape=matrix.shape
    ) @ np.abs(x) + np.abs(rhs)
    nonzero = scale > 0
    if not nonzero.all() and np.any(residual[~nonzero] != 0):
        return float("inf")
    return float(np.max(np.abs(residual[nonzero]) / scale[nonzero], initial=0.0))


#: growth ``max |U| / max |A|`` above which a factorisation without pivoting is not trusted
MAX_GROWTH = 1e8
#: fill ``nnz(L + U) / nnz(A)`` of the block-triangular order above which COLAMD is tried too
TRY_COLAMD_ABOVE = 4.0


@dataclass(frozen=True)
class Ordering:
    """How :func:`factorise` ordered a matrix, and what the factorisation holds."""

    name: str  # "block triangular" or "colamd"
    blocks: int  # strongly connected components (one per loop, one per other activity)
    largest_block: int  # activities in the largest loop
    fill: int  # non-zeros of L + U
    nnz: int  # non-zeros of the matrix

    def describe(self) -> str:
        return (
            f"{self.name} order: {self.blocks} strongly connected components (largest "
            f"{self.largest_block}), {self.fill} non-zeros in L+U for {self.nnz} in A"
        )


def block_triangular_permutation(matrix: sparse.spmatrix) -> tuple[np.ndarray, np.ndarray]:
    """``(p, labels)``: a permutation ``p`` with ``A[p][:, p]`` block lower triangular, and the
    strongly connected component of every row.

    The components of the graph with an edge ``j -> k`` for every ``A[j, k] != 0`` (supplier
    to consumer) are put in topological order, consumers first, each in the natural order
    within: every entry outside a diagonal block then lies below it (the supplier's
    component after the consumer's).

    >>> a = sparse.csr_matrix(np.array([[1.0, 0, 0], [-1, 1, -0.5], [0, -0.2, 1]]))
    >>> p, labels = block_triangular_permutation(a)
    >>> p.tolist(), bool(labels[1] == labels[2]), bool(labels[0] != labels[1])
    ([0, 1, 2], True, True)
    """
    graph = sparse.csr_matrix(matrix)
    count, labels = connected_components(graph, directed=True, connection="strong")
    coo = graph.tocoo()
    source, target = labels[coo.row], labels[coo.col]
    between = source != target
    # SciPy's Pearce/Tarjan labelling gives each component a label below those of the
    # components that reach it, so sorting by label puts consumers first; checked here, with
    # Kahn's algorithm on the condensation if a SciPy version ever labels otherwise.
    if np.any(source[between] < target[between]):
        labels = _topological_labels(count, target[between], source[between], labels)
    return np.argsort(labels, kind="stable").astype(np.int64), labels


def _topological_labels(
    count: int, first: np.ndarray, then: np.ndarray, labels: np.ndarray
) -> np.ndarray:
    """Relabel components so that ``first[e]`` gets a smaller label than ``then[e]`` for every
    edge ``e`` of the (acyclic) condensation (Kahn's algorithm, one frontier at a time)."""
    indegree = np.bincount(then, minlength=count)
    rank = np.full(count, -1, dtype=np.int64)
    frontier = np.flatnonzero(indegree == 0)
    done = 0
    alive = np.ones(len(first), dtype=bool)
    while len(frontier):
        rank[frontier] = np.arange(done, done + len(frontier))
        done += len(frontier)
        in_frontier = np.zeros(count, dtype=bool)
        in_frontier[frontier] = True
        leaving = alive & in_frontier[first]
        alive &= ~leaving
        indegree -= np.bincount(then[leaving], minlength=count)
        candidates = np.unique(then[leaving])
        frontier = candidates[(indegree[candidates] == 0) & (rank[candidates] < 0)]
    if done != count:
        raise ValueError("the condensation of a graph has a cycle")  # cannot happen
    return rank[labels]


def factorise(matrix: sparse.spmatrix) -> tuple[Any, np.ndarray | None, Ordering]:
    """SuperLU of ``A[p][:, p]`` (or of ``A`` itself: ``p`` None), in the order with less fill.

    First the block-triangular order (:func:`block_triangular_permutation`) with natural
    column order and diagonal pivots: no fill outside the loops. Without pivoting, the
    factorisation is kept only while the growth ``max |U| / max |A|`` stays below
    :data:`MAX_GROWTH` (a productive technosphere, whose columns are dominated by their
    production, grows little). When it grows more, or fills more than
    :data:`TRY_COLAMD_ABOVE` times the non-zeros of ``A``, SciPy's default (COLAMD with
    partial pivoting) is made too, and the one with less fill kept (always COLAMD when the
    growth was too large). The order used is logged.
    """
    a = sparse.csc_matrix(matrix, dtype=np.float64)
    nnz = int(a.nnz)
    p, labels = block_triangular_permutation(a)
    sizes = np.bincount(labels)
    blocks, largest = len(sizes), int(sizes.max(initial=0))
    permuted = sparse.csc_matrix(a[p][:, p])
    chosen: tuple[Any, np.ndarray | None, Ordering] | None = None
    try:
        factor = splu(permuted, permc_spec="NATURAL", diag_pivot_thresh=0.0)
        scale = float(np.abs(a.data).max(initial=0.0)) or 1.0
        growth = float(np.abs(factor.U.data).max(initial=0.0)) / scale
        if np.isfinite(growth) and growth < MAX_GROWTH:
            chosen = (
                factor,
                p,
                Ordering("block triangular", blocks, largest, int(factor.nnz), nnz),
            )
    except RuntimeError:  # a zero pivot on the diagonal: leave it to partial pivoting
        chosen = None
    if chosen is None or chosen[2].fill > TRY_COLAMD_ABOVE * nnz:
        colamd = splu(a)
        if chosen is None or colamd.nnz < chosen[2].fill:
            chosen = (colamd, None, Ordering("colamd", blocks, largest, int(colamd.nnz), nnz))
    logger.info("factorised %d x %d: %s", a.shape[0], a.shape[1], chosen[2].describe())
    return chosen


@dataclass
class PerturbedSolve:
    """How :meth:`FactorisedSystem.solve_perturbed` solved one system."""

    x: np.ndarray
    method: str  # "refinement" (LU-preconditioned stationary iteration), "gmres" or "direct"
    iterations: int  # solves with the kept factorisation
    backward_error: float
    tolerance: float


class FactorisedSystem:
    """``A x = b`` and ``A^T y = c`` solves over one technosphere matrix."""

    def __init__(
        self,
        matrix: sparse.spmatrix,
        solve: Callable[[np.ndarray], np.ndarray] | None = None,
        *,
        factor: Any = None,
        permutation: np.ndarray | None = None,
        ordering: Ordering | None = None,
    ):
        """Either ``solve`` (another solver's ``b -> A^-1 b``) or ``factor``, the SuperLU of
        ``A[permutation][:, permutation]`` (of ``A`` when ``permutation`` is None)."""
        self.matrix = matrix.tocsr()
        #: how the kept factorisation was ordered (None for another solver's)
        self.ordering = ordering
        self._factor = factor
        self._permutation = permutation
        self._solve = solve
        self._adjoint: Any = None if solve is None else _superlu_of(solve)

    @classmethod
    def from_lca(cls, lca: Any) -> FactorisedSystem:
        """Factorise a bw2calc LCA's technosphere matrix (loaded: ``load_lci_data``) here,
        in the order :func:`factorise` chooses, not bw2calc's."""
        return cls.from_matrix(lca.technosphere_matrix)

    @classmethod
    def from_matrix(cls, matrix: sparse.spmatrix) -> FactorisedSystem:
        """Factorise a matrix in the order :func:`factorise` chooses."""
        factor, permutation, ordering = factorise(matrix)
        return cls(matrix, factor=factor, permutation=permutation, ordering=ordering)

    def _factor_solve(self, rhs: np.ndarray, trans: str) -> np.ndarray:
        """``A^-1 rhs`` (``trans="N"``) or ``A^-T rhs`` (``"T"``) with the kept factor of
        ``M = P A P^T`` (``(P v) = v[p]``): ``A x = b`` is ``M (P x) = P b``."""
        p = self._permutation
        if p is None:
            return np.asarray(self._factor.solve(np.ascontiguousarray(rhs), trans=trans))
        out = np.empty_like(rhs)
        out[p] = self._factor.solve(np.ascontiguousarray(rhs[p]), trans=trans)
        return out

    def reordered(self) -> FactorisedSystem:
        """The same matrix factorised again with a symmetric fill-reducing ordering
        (SuperLU's MMD on ``A^T + A``, diagonal pivots preferred): slower to make (seconds
        at 20,000 processes, against well under one for the default COLAMD), with less fill
        and triangular solves several times cheaper. Worth it as the preconditioner of
        hundreds of perturbed solves (:meth:`solve_perturbed_many`); every answer is still
        checked against the matrix itself.
        """
        factor = splu(
            sparse.csr_matrix(self.matrix).T.tocsc(),
            permc_spec="MMD_AT_PLUS_A",
            diag_pivot_thresh=0.1,
            options={"SymmetricMode": True},
        )

        def solve(b: np.ndarray) -> np.ndarray:
            return factor.solve(b, trans="T")

        system = FactorisedSystem(self.matrix, solve)
        system._adjoint = factor
        return system

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """``x`` with ``A x = rhs``; ``rhs`` may be one vector or columns of a 2-d array."""
        rhs = np.asarray(rhs, dtype=float)
        if self._factor is not None:
            return self._factor_solve(rhs, "N")
        if rhs.ndim == 1:
            return np.asarray(self._solve(rhs), dtype=float)
        if isinstance(self._adjoint, _SUPERLU):
            return self._adjoint.solve(np.ascontiguousarray(rhs), trans="T")
        return np.column_stack([self._solve(rhs[:, j]) for j in range(rhs.shape[1])])

    def solve_rank_one(self, u: np.ndarray, v: np.ndarray, rhs: np.ndarray) -> np.ndarray:
        """``x`` with ``(A + u v^T) x = rhs``, by Sherman-Morrison on the kept factorisation.

        Changing one exchange of one activity (``A[i, j] += d``) is ``u = d e_i``,
        ``v = e_j``: two solves with the existing factorisation instead of a new one.
        """
        y = self.solve(rhs)
        z = self.solve(u)
        denominator = 1.0 + float(v @ z)
        if abs(denominator) < 1e-14:
            raise ValueError("the changed matrix is singular (1 + v^T A^-1 u = 0)")
        return y - z * (float(v @ y) / denominator)

    def solve_perturbed(
        self,
        matrix: sparse.spmatrix,
        rhs: np.ndarray,
        x0: np.ndarray | None = None,
        tolerance: float | None = None,
        max_iterations: int = 60,
    ) -> PerturbedSolve:
        """``x`` with ``matrix x = rhs`` for a matrix near the factorised one (a Monte Carlo
        sample of it), without factorising ``matrix``; see :meth:`solve_perturbed_many`.
        """
        return self.solve_perturbed_many([matrix], rhs, x0, tolerance, max_iterations)[0]

    def solve_perturbed_many(
        self,
        matrices: list[sparse.spmatrix],
        rhs: np.ndarray,
        x0: np.ndarray | None = None,
        tolerance: float | None = None,
        max_iterations: int = 60,
    ) -> list[PerturbedSolve]:
        """``x_k`` with ``matrices[k] x_k = rhs`` for matrices near the factorised ``A``.

        The kept factorisation of ``A`` preconditions an iterative solve of each: first the
        stationary iteration ``x += A^-1 (rhs - A_k x)`` (iterative refinement with ``A``'s
        LU, contracting by the spectral radius of ``I - A^-1 A_k`` per step; the samples of a
        batch share each LU solve as the columns of one right-hand side), then, for a sample
        where that stagnates, GMRES with the LU as preconditioner ``M``. The componentwise
        backward error (:func:`backward_error`) of every sample is checked after every step,
        and an answer is accepted only once it is at most ``tolerance`` (default: the
        backward error of a direct solve of ``A`` for ``rhs``, at least four machine
        epsilons). A sample neither iteration gets there is factorised and solved directly:
        none is returned less accurate than the tolerance, unless its direct solve is not
        either (the backward error reported is then that of the direct solve).
        """
        rhs = np.asarray(rhs, dtype=float)
        if tolerance is None:
            tolerance = max(4 * EPS, self.direct_backward_error(rhs))
        start = self.solve(rhs) if x0 is None else np.asarray(x0, dtype=float)
        count = len(matrices)
        matrices = [sparse.csr_matrix(m) for m in matrices]
        absolutes = [
            sparse.csr_matrix((np.abs(m.data), m.indices, m.indptr), shape=m.shape)
            for m in matrices
        ]
        abs_rhs = np.abs(rhs)

        def error(k: int, x: np.ndarray, residual: np.ndarray) -> float:
            scale = absolutes[k] @ np.abs(x) + abs_rhs
            nonzero = scale > 0
            if not nonzero.all() and np.any(residual[~nonzero] != 0):
                return float("inf")
            return float(np.max(np.abs(residual[nonzero]) / scale[nonzero], initial=0.0))

        x = np.repeat(start[:, None], count, axis=1)
        residual = np.column_stack([rhs - m @ start for m in matrices])
        history = [[error(k, x[:, k], residual[:, k])] for k in range(count)]
        changes: list[list[float]] = [[] for _ in range(count)]
        checked = np.full(count, -10)  # step of the last backward error computed
        steps = np.zeros(count, dtype=int)
        active = [k for k in range(count) if history[k][-1] > tolerance]
        stalled: list[int] = []
        while active:
            correction = self.solve(residual[:, active])
            still = []
            for j, k in enumerate(active):
                step = correction[:, j]
                x[:, k] += step
                steps[k] += 1
                residual[:, k] = rhs - matrices[k] @ x[:, k]
                size = np.abs(x[:, k]).max()
                changes[k].append(float(np.abs(step).max() / size) if size else 0.0)
                moves = changes[k]
                # Diverging, or stagnating while far from converged: the correction not
                # halved over four steps (at round-off level the small components of x may
                # still be converging, which the backward error below follows).
                stuck = not np.isfinite(moves[-1]) or (
                    moves[-1] > 1e-13
                    and len(moves) > 4
                    and not min(moves[-4:]) < 0.5 * min(moves[:-4])
                )
                # The backward error (one more product with |A_k|) is worth computing only
                # once the corrections are small, or to judge a stuck iteration.
                # Far above the tolerance the error falls about tenfold a step: check every
                # other step there.
                far = history[k][-1] > 1e3 * tolerance and checked[k] == steps[k] - 1
                if (moves[-1] < 1e-9 and not far) or stuck or steps[k] >= max_iterations:
                    checked[k] = steps[k]
                    errors = history[k]
                    errors.append(error(k, x[:, k], residual[:, k]))
                    if errors[-1] <= tolerance:
                        continue
                    stuck = stuck or (
                        len(errors) > 3 and not min(errors[-3:]) < 0.5 * min(errors[:-3])
                    )
                if stuck or steps[k] >= max_iterations:
                    stalled.append(k)
                else:
                    still.append(k)
            active = still
        out = [
            PerturbedSolve(x[:, k].copy(), "refinement", int(steps[k]), history[k][-1], tolerance)
            for k in range(count)
        ]
        for k in stalled:
            out[k] = self.stalled_solve(matrices[k], rhs, x[:, k], out[k], max_iterations, error, k)
        return out

    def stalled_solve(
        self,
        matrix: sparse.csr_matrix,
        rhs: np.ndarray,
        x: np.ndarray,
        found: PerturbedSolve,
        max_iterations: int,
        error: Callable[[int, np.ndarray, np.ndarray], float],
        k: int,
    ) -> PerturbedSolve:
        """A sample refinement did not converge for: GMRES preconditioned by the kept LU from
        where refinement got to (``x``, ``found``), then a direct solve of the sampled matrix.
        ``error(k, y, residual)`` is the backward error the answer must reach
        (``found.tolerance``); public so that batched refinements fall back the same way."""
        steps = found.iterations
        if np.all(np.isfinite(x)) and found.backward_error < 1.0:
            preconditioner = LinearOperator(matrix.shape, matvec=self.solve, dtype=float)
            counter = [0]

            def count(_: Any) -> None:
                counter[0] += 1

            y, _info = gmres(
                matrix,
                rhs,
                x0=x,
                M=preconditioner,
                rtol=EPS,
                atol=0.0,
                restart=30,
                maxiter=max(1, max_iterations // 30),
                callback=count,
                callback_type="pr_norm",
            )
            steps += counter[0]
            accuracy = error(k, y, rhs - matrix @ y)
            if accuracy <= found.tolerance:
                return PerturbedSolve(y, "gmres", steps, accuracy, found.tolerance)
        y = splu(matrix.T.tocsc()).solve(rhs, trans="T")
        return PerturbedSolve(y, "direct", steps, error(k, y, rhs - matrix @ y), found.tolerance)

    def permuted_solve(self) -> tuple[np.ndarray | None, Callable[[np.ndarray], np.ndarray]]:
        """``(p, solve)`` with ``solve(b[p]) == (A^-1 b)[p]``: solves in the order the kept
        factorisation was made in, without permuting every right-hand side in and every
        answer out (``p`` None: no permutation, ``solve`` is :meth:`solve`). For iterations
        that keep their vectors in that order (:mod:`scenat.uncertainty.batched`)."""
        if self._factor is None or self._permutation is None:
            return None, self.solve
        factor = self._factor

        def solve(rhs: np.ndarray) -> np.ndarray:
            return np.asarray(factor.solve(np.asarray(rhs, dtype=float)))

        return self._permutation, solve

    def direct_backward_error(self, rhs: np.ndarray) -> float:
        """Backward error of the direct solve of ``A x = rhs`` (the accuracy to match)."""
        rhs = np.asarray(rhs, dtype=float)
        return backward_error(self.matrix, self.solve(rhs), rhs)

    def solve_transposed(self, rhs: np.ndarray) -> np.ndarray:
        """``y`` with ``A^T y = rhs``: e.g. every product's score, ``y = (c B A^-1)^T``."""
        if self._factor is not None:
            return self._factor_solve(np.asarray(rhs, dtype=float), "T")
        if self._adjoint is None:
            # Another solver than SuperLU: factorise A^T once for all adjoint solves.
            self._adjoint = splu(self.matrix.T.tocsc())
        return np.asarray(self._adjoint.solve(np.asarray(rhs, dtype=float)))


_SUPERLU = type(splu(sparse.csc_matrix(np.eye(1))))


def _superlu_of(solve: Callable) -> Any:
    """The SuperLU factorisation of ``A^T`` inside bw2calc's solver closure, if that is what it is.

    bw2calc's ``lu_solver`` returns ``lambda b: factorization.solve(b, trans="T")`` for
    SuperLU; its factorisation object also solves the adjoint (``trans="N"``).
    """
    for cell in getattr(solve, "__closure__", None) or ():
        if isinstance(cell.cell_contents, _SUPERLU):
            return cell.cell_contents
    return None
