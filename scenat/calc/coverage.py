"""Coverage: how much of a case's purchases the background data can speak for, per indicator.

An indicator's result is only as complete as the background data behind it: a spend sector
that records greenhouse gases only contributes nothing to fossil energy or water, and a
silent 0 there would read as "no burden". For each purchase (a node buying ``a`` units of
background product ``p`` per run, run ``x`` times per functional unit), the background
*records* indicator ``i`` when its cradle-to-gate score ``s_i[p] = (c_i B A^-1)[p]`` is not
zero. Coverage is the share of purchases that record it::

    by_count  = #{purchases with s_i[p] != 0} / #{purchases}
    by_carbon = sum over covered purchases |a x s_gwp[p]| / sum over all purchases |a x s_gwp[p]|

``by_carbon`` weighs each purchase by its carbon (every background process records
greenhouse gases), so a large uncovered purchase counts for more than a small one. An
indicator is flagged when ``by_carbon`` is below :data:`LOW_COVERAGE` (0.8).

>>> import numpy as np
>>> from scipy import sparse
>>> from scenat.calc.linked import LinkedSystem
>>> from scenat.calc.solver import FactorisedSystem
>>> a = sparse.csr_matrix(np.eye(3))                          # node 0 buys processes 1 and 2
>>> b = sparse.csr_matrix(np.array([[0.0, 2.0, 1.0], [0.0, 5.0, 0.0]]))  # CO2, water
>>> linked = LinkedSystem(
...     solver=FactorisedSystem.from_matrix(a), technosphere=a, biosphere=b,
...     demand=np.array([1.0, 0, 0]), supply=np.array([1.0, 3.0, 1.0]),
...     cf={"gwp100": np.array([1.0, 0.0]), "water": np.array([0.0, 1.0])},
...     node_order=["n"], node_cols={"n": 0}, is_foreground=np.array([True, False, False]),
...     purchases={"n": [(1, 3.0), (2, 1.0)]}, activity_keys=["n", "p1", "p2"],
...     activity_labels=["n", "p1", "p2"], activity_kind=["foreground", "background", "background"],
...     flow_keys=["co2", "water"], flow_labels=["CO2", "water"])
>>> found = coverage(linked, ["gwp100", "water"])["water"]
>>> found.by_count, round(found.by_carbon, 6), found.uncovered   # p2: 1 of 7 kg CO2
(0.5, 0.857143, ('p2',))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scenat.calc.linked import LinkedSystem

#: below this share of purchases by carbon, an indicator's result is flagged as understated
LOW_COVERAGE = 0.8
#: the indicator purchases are weighed by
CARBON = "gwp100"


@dataclass(frozen=True)
class Coverage:
    """The share of a case's purchases whose background records one indicator."""

    indicator: str
    by_count: float
    #: NaN when carbon was not assessed (nothing to weigh purchases by)
    by_carbon: float
    purchases: int
    #: background processes bought that do not record the indicator, most carbon first
    uncovered: tuple[str, ...]

    @property
    def low(self) -> bool:
        share = self.by_carbon if not math.isnan(self.by_carbon) else self.by_count
        return share < LOW_COVERAGE

    def to_dict(self) -> dict[str, object]:
        return {
            "by_count": self.by_count,
            "by_carbon": None if math.isnan(self.by_carbon) else self.by_carbon,
            "purchases": self.purchases,
            "low": self.low,
            "threshold": LOW_COVERAGE,
            "uncovered": list(self.uncovered),
        }


def coverage(
    linked: LinkedSystem, indicator_ids: Sequence[str], tolerance: float = 1e-12
) -> dict[str, Coverage]:
    """:class:`Coverage` per indicator (see the module docstring for the formulas).

    A score counts as zero below ``tolerance`` times the largest score of that indicator.
    """
    rows: list[int] = []
    weights: list[float] = []
    for node in linked.node_order:
        runs = linked.supply[linked.node_cols[node]]
        for row, amount in linked.purchases[node]:
            rows.append(row)
            weights.append(amount * runs)
    index = np.array(rows, dtype=np.int64)
    amounts = np.array(weights, dtype=float)
    carbon = (
        np.abs(amounts * linked.scores(CARBON)[index])
        if CARBON in linked.cf and len(index)
        else None
    )
    found: dict[str, Coverage] = {}
    for ind in indicator_ids:
        if not len(index):
            found[ind] = Coverage(ind, 1.0, 1.0, 0, ())
            continue
        scores = linked.scores(ind)
        scale = float(np.abs(scores).max()) if scores.size else 0.0
        covered = (
            np.abs(scores[index]) > tolerance * scale
            if scale > 0
            else np.zeros_like(index, dtype=bool)
        )
        by_carbon = math.nan
        order = np.arange(len(index))
        if carbon is not None:
            total = float(carbon.sum())
            by_carbon = float(carbon[covered].sum() / total) if total > 0 else math.nan
            order = np.argsort(-carbon, kind="stable")
        missing: list[str] = []
        for position in order:
            key = linked.activity_keys[index[position]]
            if not covered[position] and key not in missing:
                missing.append(key)
        found[ind] = Coverage(ind, float(covered.mean()), by_carbon, len(index), tuple(missing))
    return found


def direct_share(linked: LinkedSystem, indicator_id: str, keys: set[str]) -> float:
    """Share of an indicator's total booked directly by the activities whose key is in ``keys``:
    ``sum_j in keys (c B)_j s_j / sum_j (c B)_j s_j`` (0 when the total is 0).

    Used to say how much of a result comes from indicator-level (EPD) data, whose aggregated
    processes book their whole cradle-to-gate result directly.

    >>> import numpy as np
    >>> from scipy import sparse
    >>> from scenat.calc.linked import LinkedSystem
    >>> from scenat.calc.solver import FactorisedSystem
    >>> a = sparse.csr_matrix(np.eye(3))
    >>> b = sparse.csr_matrix(np.array([[0.0, 2.0, 1.0]]))
    >>> linked = LinkedSystem(
    ...     solver=FactorisedSystem.from_matrix(a), technosphere=a, biosphere=b,
    ...     demand=np.array([1.0, 0, 0]), supply=np.array([1.0, 3.0, 1.0]),
    ...     cf={"gwp100": np.array([1.0])}, node_order=["n"], node_cols={"n": 0},
    ...     is_foreground=np.array([True, False, False]), purchases={"n": [(1, 3.0), (2, 1.0)]},
    ...     activity_keys=["n", "p1", "p2"], activity_labels=["n", "p1", "p2"],
    ...     activity_kind=["foreground", "background", "background"], flow_keys=["co2"],
    ...     flow_labels=["CO2"])
    >>> round(direct_share(linked, "gwp100", {"p2"}), 6)   # 1 of 7 kg
    0.142857
    """
    contributions = linked.direct_intensity(indicator_id) * linked.supply
    total = float(contributions.sum())
    if total == 0:
        return 0.0
    picked = [j for j, key in enumerate(linked.activity_keys) if key in keys]
    return float(contributions[picked].sum() / total) if picked else 0.0
