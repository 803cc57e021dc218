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
>>> direct, purchased = node_inventories(linked)
>>> direct.tolist(), purchased.tolist()
([[0.5]], [[6.0]])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

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


def data_source_inventories(linked: LinkedSystem) -> dict[str, np.ndarray]:
    """The system's inventory split by data source: ``process``, ``spend`` and ``direct``.

    ``direct`` is the nodes' own exchanges; ``process`` and ``spend`` are the cradle-to-gate
    inventories of the nodes' purchases by flow kind (credits, being avoided process
    purchases, count with ``process``). One batched solve; the three sum to ``B s``.
    """
    n_flows = linked.biosphere.shape[0]
    out = {name: np.zeros(n_flows) for name in DATA_SOURCES}
    rhs = np.zeros((len(linked.supply), 2))
    for node_id in linked.node_order:
        col = linked.node_cols[node_id]
        x_node = linked.supply[col]
        out["direct"] += linked.biosphere[:, col].toarray().ravel() * x_node
        kinds = linked.purchase_kinds.get(node_id) or []
        for i, (row, amount) in enumerate(linked.purchases[node_id]):
            kind = kinds[i] if i < len(kinds) else "process"
            rhs[row, 1 if kind == "spend" else 0] += amount * x_node
    if rhs.any():
        upstream = linked.solver.solve(rhs).reshape(rhs.shape)
        upstream[linked.is_foreground, :] = 0.0
        inventory = np.asarray(linked.biosphere @ upstream)
        out["process"], out["spend"] = inventory[:, 0], inventory[:, 1]
    return out


def node_inventories(linked: LinkedSystem) -> tuple[np.ndarray, np.ndarray]:
    """Per node: its direct inventory and the cradle-to-gate inventory of what it buys.

    Both flows x nodes, scaled by the node's supply; one batched solve for all nodes.
    """
    n_flows = linked.biosphere.shape[0]
    direct = np.zeros((n_flows, len(linked.node_order)))
    rhs = np.zeros((len(linked.supply), len(linked.node_order)))
    for j, node_id in enumerate(linked.node_order):
        col = linked.node_cols[node_id]
        x_node = linked.supply[col]
        direct[:, j] = linked.biosphere[:, col].toarray().ravel() * x_node
        for row, amount in linked.purchases[node_id]:
            rhs[row, j] += amount * x_node
    purchased = np.zeros_like(direct)
    if rhs.any():
        upstream = linked.solver.solve(rhs).reshape(rhs.shape)
        # Background never buys from the foreground, so only background columns carry flows.
        upstream[linked.is_foreground, :] = 0.0
        purchased = np.asarray(linked.biosphere @ upstream)
    return direct, purchased
