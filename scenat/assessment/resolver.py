"""What-if totals without re-linking: modified copies of a case scored by the foreground alone.

The background is fixed, so a modified case's total is ``sum over flows of a x_node w``
(amount, runs of its node, impact per unit: :func:`scenat.calc.foreground.flow_weights`),
with ``x`` solving the foreground ``A_ff x = f``. The resolver keeps the base case's
foreground factorised and, per indicator, each node's impact per run
``d_k = sum over k's flows of a w``. A modified case is compared with the base flow by flow
(a flow an intervention leaves alone is the same object, :func:`scenat.interventions.apply`):
flows that left or came change ``d``; node-to-node flows that changed change the columns
``C`` of ``A_ff``, ``A' = A + U V^T`` with ``V = [e_k, k in C]``, and
``x' = x - Z (I + V^T Z)^-1 V^T x`` with ``Z = A^-1 U`` (Sherman-Morrison-Woodbury, ``|C|``
solves with the kept factorisation). Past :data:`MAX_UPDATE_RANK` changed columns the
changed foreground is factorised again instead (sparse, in the solver's block-triangular
order). Both are exact algebra, not approximations: totals equal a full re-assessment to
round-off.

>>> import scenat
>>> from scenat.paths import examples_dir
>>> case = scenat.read_case(examples_dir() / "bicycle")
>>> resolver = ForegroundResolver(case)
>>> fast = resolver(case, ["gwp100"])["gwp100"]
>>> abs(fast - scenat.assess(case).total("gwp100")) < 1e-9 * fast
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from scenat.assessment.result import assess
from scenat.brightway.link import link
from scenat.calc.foreground import flow_weights, sparse_technology_matrix
from scenat.calc.linked import LinkedSystem
from scenat.calc.solver import FactorisedSystem
from scenat.model.case import Case, Flow
from scenat.model.indicators import resolve

#: changed foreground columns up to which a modified case is solved by a low-rank update of
#: the kept factorisation; beyond, its foreground is factorised again
MAX_UPDATE_RANK = 64


@dataclass
class Resolved:
    """One modified case solved: node supplies and totals per indicator, and how."""

    supply: np.ndarray  # runs of each node, in the resolver's node order
    totals: dict[str, float]
    method: str  # "unchanged", "update" (Woodbury, rank = len(columns)) or "refactorised"
    rank: int


class ForegroundResolver:
    """Scores modified copies of a case without re-linking or re-factorising the background.

    Built once from a base case; each call takes a case with the same nodes (flows may be
    changed, added, removed or re-pointed at other background processes) and returns its
    totals. A case with other nodes, or an indicator not linked, falls back to a full
    assessment. :meth:`supply` gives the modified case's node supplies the same way.
    """

    def __init__(
        self,
        case: Case,
        linked: LinkedSystem | None = None,
        indicators: Sequence[str] | None = None,
    ):
        self.indicators = resolve(list(indicators) if indicators else None)
        self.linked = linked or link(case, indicators=self.indicators)
        # A linked system made for fewer indicators scores only those; others re-assess.
        self.indicators = [i for i in self.indicators if i.id in self.linked.cf]
        self.nodes = set(self.linked.node_order)
        self.case = case
        self._order = list(self.linked.node_order)
        self._local = {n: i for i, n in enumerate(self._order)}
        self._base_flows = list(case.flows)
        base_ids = np.fromiter(map(id, self._base_flows), dtype=np.uint64)
        self._sorted_positions = np.argsort(base_ids)
        self._sorted_ids = base_ids[self._sorted_positions]
        matrix = sparse_technology_matrix(case.nodes, self._base_flows, self._order)
        self._matrix = matrix
        self._solver = FactorisedSystem.from_matrix(matrix)
        self._demand = np.zeros(len(self._order))
        self._demand[self._local[case.reference_node]] = case.reference_amount
        self._supply = self._solver.solve(self._demand)
        self._weights = flow_weights(self._base_flows, self.linked, self.indicators)
        self._amounts = np.array([f.amount_in_reference for f in self._base_flows], dtype=float)
        self._owner = np.array([self._local[f.node] for f in self._base_flows], dtype=np.int64)
        n = len(self._order)
        self._intensity = {
            ind: np.bincount(self._owner, weights=self._amounts * w, minlength=n)
            for ind, w in self._weights.items()
        }
        #: how the last call solved (for benchmarks and the curious)
        self.last: Resolved | None = None

    def __call__(self, case: Case, indicator_ids: Sequence[str]) -> dict[str, float]:
        chosen = [i for i in self.indicators if i.id in set(indicator_ids)]
        missing = set(indicator_ids) - {i.id for i in chosen}
        if missing or set(case.nodes) != self.nodes:
            result = assess(case, indicators=list(indicator_ids), circular=False)
            return {i: result.total(i) for i in indicator_ids}
        solved = self.resolve(case)
        return {i.id: solved.totals[i.id] for i in chosen}

    def supply(self, case: Case) -> dict[str, float]:
        """Runs of every node of a modified case (same nodes), as
        :func:`scenat.calc.foreground.node_supply` gives them."""
        if set(case.nodes) != self.nodes:
            from scenat.calc.foreground import node_supply

            return node_supply(case)
        x = self.resolve(case).supply
        return {n: float(x[self._local[n]]) for n in case.nodes}

    def resolve(self, case: Case) -> Resolved:
        """Supply and every linked indicator's total of ``case`` (same nodes as the base)."""
        kept, added = self._diff(case.flows)
        removed = np.flatnonzero(~kept)
        n = len(self._order)
        # Node impact per run: the base's, less the flows that left, plus those that came.
        added_weights = flow_weights(added, self.linked, self.indicators) if added else {}
        added_owner = np.array([self._local[f.node] for f in added], dtype=np.int64)
        added_amounts = np.array([f.amount_in_reference for f in added], dtype=float)
        intensity = {}
        for ind, base in self._intensity.items():
            d = base.copy()
            if len(removed):
                d -= np.bincount(
                    self._owner[removed],
                    weights=self._amounts[removed] * self._weights[ind][removed],
                    minlength=n,
                )
            if added:
                d += np.bincount(
                    added_owner, weights=added_amounts * added_weights[ind], minlength=n
                )
            intensity[ind] = d
        # Node-to-node flows that changed: A' - A, by column (consumer).
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for i in removed:
            flow = self._base_flows[i]
            if flow.kind == "node":
                rows.append(self._local[flow.input])
                cols.append(self._local[flow.node])
                values.append(flow.amount_in_reference)
        for flow in added:
            if flow.kind == "node":
                rows.append(self._local[flow.input])
                cols.append(self._local[flow.node])
                values.append(-flow.amount_in_reference)
        changed = sorted(set(cols))
        if not changed:
            x, method = self._supply, "unchanged" if not (len(removed) or added) else "update"
        elif len(changed) <= MAX_UPDATE_RANK:
            x, method = self._woodbury(rows, cols, values, changed), "update"
        else:
            delta = sparse.csc_matrix((values, (rows, cols)), shape=(n, n))
            x = FactorisedSystem.from_matrix(self._matrix + delta).solve(self._demand)
            method = "refactorised"
        totals = {ind: float(d @ x) for ind, d in intensity.items()}
        self.last = Resolved(x, totals, method, len(changed))
        return self.last

    def _diff(self, flows: Sequence[Flow]) -> tuple[np.ndarray, list[Flow]]:
        """Which base flows the case keeps (the very objects: an intervention leaves a flow
        it does not touch alone) and the flows it has that the base has not. The base flows
        are held by the resolver, so no other object can take their ids meanwhile."""
        ids = np.fromiter(map(id, flows), dtype=np.uint64, count=len(flows))
        if not len(self._sorted_ids):
            return np.zeros(0, dtype=bool), list(flows)
        at = np.searchsorted(self._sorted_ids, ids)
        at_clipped = np.minimum(at, len(self._sorted_ids) - 1)
        found = (at < len(self._sorted_ids)) & (self._sorted_ids[at_clipped] == ids)
        positions = self._sorted_positions[at_clipped]
        # A base flow listed twice: the first is the base's, the others were added.
        _, first = np.unique(np.where(found, positions, -1), return_index=True)
        once = np.zeros(len(flows), dtype=bool)
        once[first] = True
        found &= once
        kept = np.zeros(len(self._base_flows), dtype=bool)
        kept[positions[found]] = True
        return kept, [flows[i] for i in np.flatnonzero(~found)]

    def _woodbury(
        self, rows: list[int], cols: list[int], values: list[float], changed: list[int]
    ) -> np.ndarray:
        """``x'`` of ``(A + U V^T) x' = f``, ``U`` the changed columns, ``V = [e_k]``."""
        n = len(self._order)
        position = {k: j for j, k in enumerate(changed)}
        u = sparse.csc_matrix(
            (values, (rows, [position[c] for c in cols])), shape=(n, len(changed))
        ).toarray()
        z = self._solver.solve(u).reshape(n, len(changed))
        x = self._supply
        capacitance = np.eye(len(changed)) + z[changed, :]
        return x - z @ np.linalg.solve(capacitance, x[changed])
