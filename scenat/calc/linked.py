"""A case linked to its background, as arrays: the system every breakdown is computed from.

:func:`scenat.brightway.link` builds a :class:`LinkedSystem` from a case and the Brightway
project; everything here is numpy/scipy over it. Rows and columns of the technosphere are
in one order (product ``i`` is made by activity ``i``), so ``technosphere[j, k]`` is what
activity ``k`` exchanges with product ``j``.

>>> import numpy as np
>>> from scipy import sparse
>>> from scenat.calc.solver import FactorisedSystem
>>> a = sparse.csr_matrix(np.array([[1.0, 0.0], [-2.0, 1.0]]))   # node 0 buys 2 of process 1
>>> b = sparse.csr_matrix(np.array([[0.5, 3.0]]))                # kg CO2 per run
>>> linked = LinkedSystem(
...     solver=FactorisedSystem.from_matrix(a), technosphere=a, biosphere=b,
...     demand=np.array([1.0, 0.0]), supply=np.array([1.0, 2.0]), cf={"gwp": np.array([1.0])},
...     node_order=["n"], node_cols={"n": 0}, is_foreground=np.array([True, False]),
...     purchases={"n": [(1, 2.0)]}, activity_keys=["n", "p"], activity_labels=["n", "p"],
...     activity_kind=["foreground", "background"], flow_keys=["co2"], flow_labels=["CO2"])
>>> linked.total("gwp"), linked.scores("gwp").tolist()
(6.5, [6.5, 3.0])
>>> direct, purchased = node_scores(linked, "gwp")
>>> direct.tolist(), purchased.tolist()
([0.5], [6.0])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from scenat.calc.solver import FactorisedSystem

#: where a result comes from (``data_source`` breakdown): purchases of process data
#: (``process`` and ``credit`` flows), spend (EEIO) purchases, and the nodes' own emissions
DATA_SOURCES = ("process", "spend", "direct")
DATA_SOURCE_LABELS = {
    "process": "process data (background processes, credits included)",
    "spend": "spend data (EEIO sectors)",
    "direct": "direct emissions and resources (primary data)",
}


@dataclass
class LinkedSystem:
    """The case linked to its background: matrices, supply, factors and labels, kept factorised.

    Rows and columns of ``technosphere`` are in one order (product ``i`` is made by activity
    ``i``), so ``technosphere[j, k]`` is what activity ``k`` exchanges with product ``j``.
    """

    solver: FactorisedSystem
    technosphere: Any  # scipy csr, products x activities, same order
    biosphere: Any  # scipy csr, flows x activities
    demand: np.ndarray
    supply: np.ndarray
    cf: dict[str, np.ndarray]
    node_order: list[str]
    node_cols: dict[str, int]
    is_foreground: np.ndarray
    purchases: dict[str, list[tuple[int, float]]]  # node -> [(column of bg process, amount)]
    activity_keys: list[str]
    activity_labels: list[str]
    activity_kind: list[str]
    flow_keys: list[str]
    flow_labels: list[str]
    _scores: dict[str, np.ndarray] = field(default_factory=dict)
    #: arrays derived from the fields above, made once (:func:`purchase_matrix`)
    _derived: dict[Any, Any] = field(default_factory=dict, repr=False)
    #: per node, the flow kind (process, spend, credit) of each entry of ``purchases``
    purchase_kinds: dict[str, list[str]] = field(default_factory=dict)
    #: unit of each activity's product ("" where the background does not say)
    activity_units: list[str] = field(default_factory=list)
    #: what the linker keeps to go back to its sources (Brightway's index maps and
    #: datapackages, for background uncertainty); opaque here
    source: Any = field(default=None, repr=False)

    def total(self, indicator_id: str) -> float:
        return float(self.cf[indicator_id] @ (self.biosphere @ self.supply))

    def direct_intensity(self, indicator_id: str) -> np.ndarray:
        """Impact of each activity's own exchanges per activity run: ``c B``."""
        return np.asarray(self.biosphere.T @ self.cf[indicator_id]).ravel()

    def scores(self, indicator_id: str) -> np.ndarray:
        """Cradle-to-gate impact per unit of each product, ``c B A^-1`` (one adjoint solve)."""
        if indicator_id not in self._scores:
            self._scores[indicator_id] = self.solver.solve_transposed(
                self.direct_intensity(indicator_id)
            )
        return self._scores[indicator_id]

    def __getstate__(self) -> dict[str, Any]:
        # The linker's handles (Brightway objects) stay in the process that made them.
        state = dict(self.__dict__)
        state["source"] = None
        return state


def purchase_matrix(linked: LinkedSystem, kinds: tuple[str, ...] | None = None) -> Any:
    """``P`` (products x nodes, scipy CSC): what each node buys of each background product
    per run (credits negative), for purchases of the flow ``kinds`` given (all when None;
    a purchase of unknown kind counts as ``process``). Made once per linked system."""
    cache_key = ("purchases", kinds)
    if cache_key not in linked._derived:
        linked._derived[cache_key] = _purchase_matrix(linked, kinds)
    return linked._derived[cache_key]


def _purchase_matrix(linked: LinkedSystem, kinds: tuple[str, ...] | None) -> Any:
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for j, node_id in enumerate(linked.node_order):
        found = linked.purchase_kinds.get(node_id) or []
        for i, (row, amount) in enumerate(linked.purchases[node_id]):
            kind = found[i] if i < len(found) else "process"
            if kinds is None or kind in kinds:
                rows.append(row)
                cols.append(j)
                values.append(amount)
    shape = (len(linked.supply), len(linked.node_order))
    return sparse.csc_matrix(
        (np.asarray(values, dtype=float), (np.asarray(rows, dtype=np.int64), cols)), shape=shape
    )


def node_supplies(linked: LinkedSystem) -> np.ndarray:
    """``x`` of every node, in ``node_order``."""
    return linked.supply[[linked.node_cols[n] for n in linked.node_order]]


def node_scores(linked: LinkedSystem, indicator_id: str) -> tuple[np.ndarray, np.ndarray]:
    """Per node (``node_order``): the impact of its own exchanges, ``x_k (c B)_k``, and of the
    background it buys, ``x_k sum_p P[p, k] s_p`` with ``s = c B A^-1`` (the adjoint scores:
    one transposed solve per indicator, kept), instead of one solve per node.

    Exact: the background never buys from the foreground, so the cradle-to-gate inventory
    of a purchase ``r`` (background rows only) is ``B A^-1 r`` and its impact ``c B A^-1 r =
    s . r``. The two sum, over the nodes, to the total."""
    x = node_supplies(linked)
    cols = np.array([linked.node_cols[n] for n in linked.node_order], dtype=np.int64)
    direct = x * linked.direct_intensity(indicator_id)[cols]
    purchased = x * np.asarray(purchase_matrix(linked).T @ linked.scores(indicator_id)).ravel()
    return direct, purchased


def data_source_scores(linked: LinkedSystem, indicator_id: str) -> dict[str, float]:
    """The total split by data source (``process``, ``spend``, ``direct``) from the adjoint
    scores, as :func:`node_scores` splits it by node; the three sum to the total."""
    x = node_supplies(linked)
    scores = linked.scores(indicator_id)
    direct, _ = node_scores(linked, indicator_id)
    spend = purchase_matrix(linked, ("spend",))
    everything = purchase_matrix(linked)
    by_spend = float(x @ (spend.T @ scores))
    return {
        "process": float(x @ (everything.T @ scores)) - by_spend,
        "spend": by_spend,
        "direct": float(direct.sum()),
    }


def data_source_inventories(linked: LinkedSystem) -> dict[str, np.ndarray]:
    """The system's inventory split by data source: ``process``, ``spend`` and ``direct``.

    ``direct`` is the nodes' own exchanges; ``process`` and ``spend`` are the cradle-to-gate
    inventories of the nodes' purchases by flow kind (credits, being avoided process
    purchases, count with ``process``). One batched solve of two columns; the three sum to
    ``B s``.
    """
    x = node_supplies(linked)
    cols = np.array([linked.node_cols[n] for n in linked.node_order], dtype=np.int64)
    out = {"direct": np.asarray(linked.biosphere[:, cols] @ x).ravel()}
    spend = purchase_matrix(linked, ("spend",)) @ x
    rhs = np.column_stack([purchase_matrix(linked) @ x - spend, spend])
    upstream = linked.solver.solve(rhs).reshape(rhs.shape) if rhs.any() else rhs
    upstream[linked.is_foreground, :] = 0.0
    inventory = np.asarray(linked.biosphere @ upstream)
    out["process"], out["spend"] = inventory[:, 0], inventory[:, 1]
    return {name: out[name] for name in DATA_SOURCES}
