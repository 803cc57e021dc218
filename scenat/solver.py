"""Solves with one factorisation: the only place scenat chooses how linear systems are solved.

bw2calc factorises the technosphere once (``lci(factorize=True)``); every further solve of
``A x = b`` reuses it. Scores of every product at once need the adjoint system
``A^T y = c``; with SciPy's SuperLU, bw2calc's factorisation is of ``A^T`` already, so the
adjoint solve reuses it too. With another solver (UMFPACK, PARDISO) the adjoint gets its
own SuperLU factorisation of ``A^T``, made once and kept.

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

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import splu


class FactorisedSystem:
    """``A x = b`` and ``A^T y = c`` solves over one technosphere matrix."""

    def __init__(self, matrix: sparse.spmatrix, solve: Callable[[np.ndarray], np.ndarray]):
        self.matrix = matrix.tocsr()
        self._solve = solve
        self._adjoint: Any = _superlu_of(solve)

    @classmethod
    def from_lca(cls, lca: Any) -> FactorisedSystem:
        """Wrap a bw2calc LCA on which ``lci(factorize=True)`` has run."""
        if not hasattr(lca, "solver"):
            lca.decompose_technosphere()
        return cls(lca.technosphere_matrix, lca.solver)

    @classmethod
    def from_matrix(cls, matrix: sparse.spmatrix) -> FactorisedSystem:
        """Factorise a matrix directly (benchmarks and tests of the pure maths)."""
        factor = splu(sparse.csr_matrix(matrix, dtype=np.float64).T.tocsc())

        def solve(b: np.ndarray) -> np.ndarray:
            return factor.solve(b, trans="T")

        system = cls(matrix, solve)
        system._adjoint = factor
        return system

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """``x`` with ``A x = rhs``; ``rhs`` may be one vector or columns of a 2-d array."""
        rhs = np.asarray(rhs, dtype=float)
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

    def solve_transposed(self, rhs: np.ndarray) -> np.ndarray:
        """``y`` with ``A^T y = rhs``: e.g. every product's score, ``y = (c B A^-1)^T``."""
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
