"""What-if totals without re-linking: modified copies of a case scored by the foreground alone.

The background is fixed, so a modified case's total is ``sum over flows of a x_node w``
(amount, runs of its node, impact per unit: :func:`scenat.calc.foreground.flow_weights`),
with ``x`` solving the foreground ``A_ff x = f``. The resolver keeps the base case's
foreground factorised, each base flow's ``a w`` per indicator and the base totals. A
modified case is compared with the base flow by flow (a flow an intervention leaves alone
is the same object, :func:`scenat.interventions.apply`), or given directly as
:class:`FlowChanges` (signed flows added to a parent, as
:mod:`scenat.interventions.columns` makes them, no case built). Flows that left or came
change the totals by their own ``a w x_node``; node-to-node flows that changed change the
columns ``C`` of ``A_ff``, ``A' = A + U V^T`` with ``V = [e_k, k in C]``, and
``x' = x - Z (I + V^T Z)^-1 V^T x`` with ``Z = A^-1 U`` (Sherman-Morrison-Woodbury, ``|C|``
solves with the kept factorisation), and then ``total' = d x' - (a w x') of the flows that
left + (a w x') of those that came`` (``d``: the base's impact per run of each node). Past
:data:`MAX_UPDATE_RANK` changed columns the changed foreground is factorised again instead
(sparse, in the solver's block-triangular order). Both are exact algebra, not
approximations: totals equal a full re-assessment to round-off.

>>> import scenat
>>> from scenat.paths import examples_dir
>>> case = scenat.read_case(examples_dir() / "bicycle")
>>> resolver = ForegroundResolver(case)
>>> fast = resolver(case, ["gwp100"])["gwp100"]
>>> abs(fast - scenat.assess(case).total("gwp100")) < 1e-9 * fast
True
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter

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
#: solved changes kept, so that the supply of changes just scored is not solved again
_MEMO = 4


#: ``(removed, node, keys, key, amount)``: base flows no longer there as they were (indices
#: into ``base.flows``) and the flows there instead, as the columns of :class:`FlowChanges`
BaseChanges = tuple[np.ndarray, np.ndarray, Sequence[tuple[str, str]], np.ndarray, np.ndarray]


@dataclass(frozen=True, eq=False)
class FlowChanges:
    """A modified case as signed flows added to another one, in columns: to ``parent`` (a
    modified case given the same way) or, when None, to the base case. One element per
    flow: ``node`` (index into ``list(base.nodes)``), ``keys[key]`` (its ``(kind, input)``)
    and ``amount`` (``amount_in_reference``, negative for a flow taken out: a rescaled flow
    is taken out and put in again). ``against_base`` gives the whole difference from the
    base case (:data:`BaseChanges`), needed when node-to-node flows change;
    ``materialise`` builds the modified :class:`Case` when a solve needs one (a case with
    other nodes, an indicator not linked).
    """

    base: Case
    parent: FlowChanges | None
    node: np.ndarray
    keys: Sequence[tuple[str, str]]
    key: np.ndarray
    amount: np.ndarray
    against_base: Callable[[], BaseChanges]
    materialise: Callable[[], Case]


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
        self._base_ids = base_ids
        self._sorted_positions = np.argsort(base_ids)
        self._sorted_ids = base_ids[self._sorted_positions]
        matrix = sparse_technology_matrix(case.nodes, self._base_flows, self._order)
        self._matrix = matrix
        self._solver = FactorisedSystem.from_matrix(matrix)
        self._demand = np.zeros(len(self._order))
        self._demand[self._local[case.reference_node]] = case.reference_amount
        self._supply = self._solver.solve(self._demand)
        weights = flow_weights(self._base_flows, self.linked, self.indicators)
        count = len(self._base_flows)
        # Attribute getters mapped over the flows: no Python frame per flow.
        self._amounts = np.fromiter(
            map(attrgetter("amount_in_reference"), self._base_flows), dtype=float, count=count
        )
        self._owner = np.fromiter(
            map(self._local.__getitem__, map(attrgetter("node"), self._base_flows)),
            dtype=np.int64,
            count=count,
        )
        n = len(self._order)
        # Supplier (resolver order) of each base node-to-node flow, -1 for the others.
        self._supplier = np.full(count, -1, dtype=np.int64)
        bought = [i for i, f in enumerate(self._base_flows) if f.kind == "node"]
        self._supplier[bought] = [self._local[self._base_flows[i].input] for i in bought]
        #: resolver position of each node of the base case, in the case's ``nodes`` order
        self._case_order = np.array([self._local[k] for k in case.nodes], dtype=np.int64)
        self._weight_of: dict[tuple[str, str], np.ndarray] = {}
        self._memo: list[tuple[weakref.ref[FlowChanges], Resolved]] = []
        # Per indicator, each base flow's a w (flows x indicators) and each node's impact per
        # run d_k = sum over k's flows of a w (indicators x nodes): a modified case's totals
        # are a few products of them.
        self._names = [ind.id for ind in self.indicators]
        self._contributions = np.zeros((count, len(self._names)))
        self._intensities = np.zeros((len(self._names), n))
        for j, name in enumerate(self._names):
            self._contributions[:, j] = self._amounts * weights[name]
            self._intensities[j] = np.bincount(
                self._owner, weights=self._contributions[:, j], minlength=n
            )
        self._totals = self._intensities @ self._supply
        self._base = Resolved(
            self._supply,
            {name: float(t) for name, t in zip(self._names, self._totals)},
            "unchanged",
            0,
        )
        #: how the last call solved (for benchmarks and the curious)
        self.last: Resolved | None = None

    def __call__(self, case: Case | FlowChanges, indicator_ids: Sequence[str]) -> dict[str, float]:
        chosen = [i for i in self.indicators if i.id in set(indicator_ids)]
        missing = set(indicator_ids) - {i.id for i in chosen}
        if isinstance(case, FlowChanges):
            if missing or case.base is not self.case:
                case = case.materialise()
            else:
                solved = self.resolve_changes(case)
                return {i.id: solved.totals[i.id] for i in chosen}
        if missing or set(case.nodes) != self.nodes:
            result = assess(case, indicators=list(indicator_ids), circular=False)
            return {i: result.total(i) for i in indicator_ids}
        solved = self.resolve(case)
        return {i.id: solved.totals[i.id] for i in chosen}

    def accepts(self, changes: FlowChanges, indicator_ids: Sequence[str]) -> bool:
        """Whether :meth:`__call__` scores ``changes`` by the kept factorisation, without
        materialising a case: changes of this resolver's base case, whose flows are still
        the very ones the resolver was built from, and indicators it links."""
        linked = {i.id for i in self.indicators}
        flows = changes.base.flows
        return (
            changes.base is self.case
            and all(i in linked for i in indicator_ids)
            and len(flows) == len(self._base_ids)
            and bool(
                (
                    np.fromiter(map(id, flows), dtype=np.uint64, count=len(flows)) == self._base_ids
                ).all()
            )
        )

    def supply(self, case: Case | FlowChanges) -> dict[str, float]:
        """Runs of every node of a modified case (same nodes), as
        :func:`scenat.calc.foreground.node_supply` gives them."""
        if isinstance(case, FlowChanges):
            x = self.supply_vector(case)
            return {n: float(v) for n, v in zip(case.base.nodes, x)}
        if set(case.nodes) != self.nodes:
            from scenat.calc.foreground import node_supply

            return node_supply(case)
        x = self.resolve(case).supply
        return {n: float(x[self._local[n]]) for n in case.nodes}

    def supply_vector(self, case: Case | FlowChanges) -> np.ndarray:
        """:meth:`supply` as an array in the order of the case's ``nodes`` (for changes: of
        their base's nodes)."""
        if isinstance(case, FlowChanges) and case.base is self.case:
            return self.resolve_changes(case).supply[self._case_order]
        if isinstance(case, FlowChanges):
            case = case.materialise()
        supply = self.supply(case)
        return np.array([supply[n] for n in case.nodes], dtype=float)

    def resolve(self, case: Case) -> Resolved:
        """Supply and every linked indicator's total of ``case`` (same nodes as the base)."""
        kept, added = self._diff(case.flows)
        removed = np.flatnonzero(~kept)
        keys: dict[tuple[str, str], int] = {}
        key = np.fromiter(
            (keys.setdefault((f.kind, f.input), len(keys)) for f in added),
            dtype=np.int64,
            count=len(added),
        )
        owner = np.fromiter((self._local[f.node] for f in added), dtype=np.int64, count=len(added))
        amounts = np.fromiter((f.amount_in_reference for f in added), dtype=float, count=len(added))
        self.last = self._solve_changes(removed, owner, list(keys), key, amounts)
        return self.last

    def resolve_changes(self, changes: FlowChanges) -> Resolved:
        """:meth:`resolve` of a modified case given as :class:`FlowChanges`.

        When the step from its parent (or the base) changes no node-to-node flow, the
        supply is the parent's and each total the parent's plus ``sum of a w x_node`` over
        the step's signed flows: the change an option makes is computed from the flows it
        touches, not as the difference of two totals. Otherwise the whole difference from
        the base is solved (:meth:`resolve`'s algebra)."""
        for held, solved in self._memo:
            if held() is changes:
                self.last = solved
                return solved
        if changes.base is not self.case:
            raise ValueError("the changes are of another case than the resolver's base case")
        owner = self._case_order[changes.node]
        keys, key = changes.keys, changes.key
        supplier_of_key = np.array(
            [self._local[i] if k == "node" else -1 for k, i in keys], dtype=np.int64
        )
        if not (supplier_of_key[key] >= 0).any():
            parent = self._base if changes.parent is None else self.resolve_changes(changes.parent)
            x = parent.supply
            totals_of = np.array([parent.totals[name] for name in self._names])
            if len(key):
                totals_of = totals_of + (changes.amount * x[owner]) @ self._key_weights(keys)[key]
            moved = len(key) and parent.method == "unchanged"
            solved = Resolved(
                x,
                {name: float(t) for name, t in zip(self._names, totals_of)},
                "update" if moved else parent.method,
                parent.rank,
            )
        else:
            removed, node, keys, key, amount = changes.against_base()
            solved = self._solve_changes(removed, self._case_order[node], keys, key, amount)
        # The same changes are asked for their totals, then their supply (costs), and are the
        # parent of the next: kept briefly.
        # Weakly: the memo keeps no modified case (and the chain it came from) alive.
        self._memo = [(weakref.ref(changes), solved), *self._memo[: _MEMO - 1]]
        self.last = solved
        return solved

    def _key_weights(self, keys: Sequence[tuple[str, str]]) -> np.ndarray:
        """The weight (:func:`flow_weights`) of a flow of each ``(kind, input)`` (rows) per
        indicator (columns, in the order of ``self._names``): a flow's weight depends on
        nothing else."""
        new = [k for k in dict.fromkeys(keys) if k not in self._weight_of]
        if new:
            probes = [
                Flow(self.case.reference_node, kind, put, 1.0, "", 1.0, "") for kind, put in new
            ]
            found = flow_weights(probes, self.linked, self.indicators)
            stacked = np.column_stack([found[name] for name in self._names])
            for j, k in enumerate(new):
                self._weight_of[k] = stacked[j]
        if not keys:
            return np.zeros((0, len(self._names)))
        return np.vstack([self._weight_of[k] for k in keys])

    def _solve_changes(
        self,
        removed: np.ndarray,
        owner: np.ndarray,
        keys: Sequence[tuple[str, str]],
        key: np.ndarray,
        amounts: np.ndarray,
    ) -> Resolved:
        """The base less the base flows ``removed`` (indices), plus flows put in as columns:
        their node (resolver order), ``(kind, input)`` (``keys[key]``) and amount in the
        input's reference unit."""
        n = len(self._order)
        removed = np.asarray(removed, dtype=np.int64)
        put = len(key)
        # Node-to-node flows that changed: A' - A, by column (consumer).
        gone = removed[self._supplier[removed] >= 0]
        supplier_of_key = np.array(
            [self._local[i] if k == "node" else -1 for k, i in keys], dtype=np.int64
        )
        came = np.flatnonzero(supplier_of_key[key] >= 0) if put else np.zeros(0, dtype=np.int64)
        rows = np.concatenate([self._supplier[gone], supplier_of_key[key[came]]])
        cols = np.concatenate([self._owner[gone], owner[came]])
        values = np.concatenate([self._amounts[gone], -amounts[came]])
        changed = np.unique(cols)
        if not len(changed):
            x, method = self._supply, "unchanged" if not (len(removed) or put) else "update"
        elif len(changed) <= MAX_UPDATE_RANK:
            x, method = self._woodbury(rows, cols, values, changed), "update"
        else:
            delta = sparse.csc_matrix((values, (rows, cols)), shape=(n, n))
            x = FactorisedSystem.from_matrix(self._matrix + delta).solve(self._demand)
            method = "refactorised"
        # total = d' x' with d' = d less the flows that left plus those that came, so
        # d x' (the base's total when x' = x) - sum of a w x'_node over those that left
        # + the same over those that came: only the changed flows are visited.
        base = self._totals if x is self._supply else self._intensities @ x
        # One gather and one product per side, for every indicator at once.
        totals_of = base - x[self._owner[removed]] @ self._contributions[removed]
        if put:
            totals_of = totals_of + (amounts * x[owner]) @ self._key_weights(keys)[key]
        totals = {name: float(t) for name, t in zip(self._names, totals_of)}
        return Resolved(x, totals, method, len(changed))

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
        self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, changed: np.ndarray
    ) -> np.ndarray:
        """``x'`` of ``(A + U V^T) x' = f``, ``U`` the changed columns, ``V = [e_k]``."""
        n = len(self._order)
        u = sparse.csc_matrix(
            (values, (rows, np.searchsorted(changed, cols))), shape=(n, len(changed))
        ).toarray()
        z = self._solver.solve(u).reshape(n, len(changed))
        x = self._supply
        capacitance = np.eye(len(changed)) + z[changed, :]
        return x - z @ np.linalg.solve(capacitance, x[changed])
