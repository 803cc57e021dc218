"""Structural path analysis over the whole linked system (foreground and background).

A path runs from the reference node through its suppliers to one activity; its value is the
impact of that activity's own exchanges caused along this path. Write ``A = (I - N) D``
with ``D`` the diagonal of ``A`` (net production: a node's use of its own output is netted
out there) and ``N[j, k] = -A[j, k] / A[k, k]`` the inputs per unit of product. Then
``x = D^-1 (I + N + N^2 + ...) f``: with ``q`` the product flowing along a path and
``e = c B D^-1`` the direct impact per unit of product, the path's value is
``q * e[last]``, and all paths together (infinitely many with loops) sum to the total.
Paths are explored best first, pruned where the whole upstream of a path,
``q * s[last]`` with ``s = c B A^-1`` (one adjoint solve), is below ``cutoff * |total|``.
Loops are followed like any other edge; the cutoff and ``max_depth`` end them.

>>> import numpy as np
>>> from scipy import sparse
>>> a = sparse.csr_matrix(np.array([[1.0, 0.0], [-0.5, 1.0]]))   # 0 needs 0.5 of 1
>>> b = sparse.csr_matrix(np.array([[1.0, 4.0]]))                 # direct impacts
>>> found = structural_paths(a, b, np.array([1.0]), np.array([1.0, 0.0]), top=5, cutoff=0.0)
>>> [(p.nodes, p.value) for p in found.paths]
[((0, 1), 2.0), ((0,), 1.0)]
>>> found.coverage
1.0
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse

from scenat.calc.linked import LinkedSystem
from scenat.calc.solver import FactorisedSystem


@dataclass(frozen=True)
class Path:
    nodes: tuple[int, ...]  # activity indices from the reference outwards
    amount: float  # product of the last activity flowing along the path
    value: float  # impact of the last activity's own exchanges caused along this path
    upstream: float  # impact of the last activity's whole supply chain along this path


@dataclass
class PathSearch:
    paths: list[Path]
    total: float
    coverage: float  # sum of the listed paths' values / total
    explored: int
    truncated: bool  # the exploration hit max_expansions before the cutoff ended it


def structural_paths(
    technosphere: sparse.spmatrix,
    biosphere: sparse.spmatrix,
    cf: np.ndarray,
    demand: np.ndarray,
    top: int = 20,
    cutoff: float = 1e-3,
    max_depth: int = 30,
    max_expansions: int = 200_000,
    solver: FactorisedSystem | None = None,
) -> PathSearch:
    """The ``top`` paths by absolute value, with the coverage they explain."""
    a = sparse.csc_matrix(technosphere, dtype=float)
    solver = solver or FactorisedSystem.from_matrix(technosphere)
    direct = np.asarray(sparse.csr_matrix(biosphere).T @ cf).ravel()  # c B per activity run
    scores = solver.solve_transposed(direct)  # c B A^-1 per unit of product
    production = a.diagonal()
    per_unit = direct / np.where(production == 0, 1.0, production)
    supply = solver.solve(demand)
    total = float(direct @ supply)
    threshold = abs(total) * cutoff
    heap: list[tuple[float, int, tuple[int, ...], float]] = []
    counter = 0
    for start in np.flatnonzero(demand):
        amount = float(demand[start])
        heapq.heappush(heap, (-abs(amount * scores[start]), counter, (int(start),), amount))
        counter += 1
    found: list[Path] = []
    explored = 0
    truncated = False
    indptr, indices, data = a.indptr, a.indices, a.data
    while heap:
        if explored >= max_expansions:
            truncated = True
            break
        _, _, nodes, amount = heapq.heappop(heap)
        explored += 1
        last = nodes[-1]
        value = amount * per_unit[last]
        if value != 0.0 and abs(value) >= threshold:
            found.append(Path(nodes, amount, float(value), float(amount * scores[last])))
        if len(nodes) > max_depth:
            continue
        # Per unit of (net) product `last`, the inputs are -A[j, last] / A[last, last]; a
        # node's use of its own product is already netted out of the diagonal.
        scale = amount / production[last]
        for pos in range(indptr[last], indptr[last + 1]):
            supplier = indices[pos]
            if supplier == last:
                continue
            continue_amount = -data[pos] * scale
            if continue_amount == 0.0:
                continue
            reach = continue_amount * scores[supplier]
            if abs(reach) < threshold or reach == 0.0:
                continue
            heapq.heappush(heap, (-abs(reach), counter, (*nodes, int(supplier)), continue_amount))
            counter += 1
    found.sort(key=lambda p: -abs(p.value))
    listed = found[:top]
    coverage = sum(p.value for p in listed) / total if total else 0.0
    return PathSearch(listed, total, float(coverage), explored, truncated)


@dataclass
class PathTable:
    """Structural paths as a table, with the share of the total they explain."""

    indicator: str
    table: pl.DataFrame
    coverage: float
    total: float
    cutoff: float
    truncated: bool

    def __repr__(self) -> str:
        return (
            f"PathTable({self.indicator}: {self.table.height} paths, coverage "
            f"{100 * self.coverage:.1f} % of {self.total:.6g}, cutoff {self.cutoff:g})"
        )


def path_table(
    linked: LinkedSystem,
    indicator: str,
    top: int = 20,
    cutoff: float = 1e-3,
    max_depth: int = 30,
) -> PathTable:
    """The top structural paths of a linked case from the reference flow to each emitting
    activity, labelled, as a :class:`PathTable`."""
    search: PathSearch = structural_paths(
        linked.technosphere,
        linked.biosphere,
        linked.cf[indicator],
        linked.demand,
        top=top,
        cutoff=cutoff,
        max_depth=max_depth,
        solver=linked.solver,
    )
    keys = linked.activity_keys
    names = [label.replace(" (direct, foreground)", "") for label in linked.activity_labels]
    table = pl.DataFrame(
        {
            "rank": list(range(1, len(search.paths) + 1)),
            "path": [" <- ".join(names[i] for i in p.nodes) for p in search.paths],
            "keys": [[keys[i] for i in p.nodes] for p in search.paths],
            "depth": [len(p.nodes) - 1 for p in search.paths],
            "emitter": [keys[p.nodes[-1]] for p in search.paths],
            "amount": [p.amount for p in search.paths],
            "value": [p.value for p in search.paths],
            "share": [p.value / search.total if search.total else 0.0 for p in search.paths],
        },
        schema={
            "rank": pl.Int64,
            "path": pl.String,
            "keys": pl.List(pl.String),
            "depth": pl.Int64,
            "emitter": pl.String,
            "amount": pl.Float64,
            "value": pl.Float64,
            "share": pl.Float64,
        },
    )
    return PathTable(indicator, table, search.coverage, search.total, cutoff, search.truncated)
