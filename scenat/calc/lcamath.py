"""Pure calculations over arrays: characterisation, contributions, breakdown tables.

Nothing here knows about Brightway, workbooks or files (in the spirit of pymrio's
``iomath``): inputs are numpy arrays and scipy sparse matrices, outputs are arrays.

>>> import numpy as np
>>> from scipy import sparse
>>> B = sparse.csr_matrix(np.array([[1.0, 2.0], [0.0, 3.0]]))
>>> cf = np.array([1.0, 10.0])
>>> x = np.array([2.0, 1.0])
>>> activity_contributions(cf, B, x).tolist()
[2.0, 32.0]
>>> flow_contributions(cf, B, x).tolist()
[4.0, 30.0]
>>> shares([3.0, 1.0]).tolist()
[0.75, 0.25]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

#: the stated tolerance of round-off: a result smaller than this share of the magnitudes it
#: is summed from (say a steel purchase and its credit back) is 0, not a result
ROUND_OFF = 1e-12


def without_round_off(values: np.ndarray | float, scale: float) -> np.ndarray:
    """``values`` with every entry of at most ``ROUND_OFF * scale`` in size set to 0.

    ``scale`` is the size of what the values were summed from, before anything cancelled.

    >>> without_round_off(np.array([1.0, -3.4e-15, 2e-10]), 1.0).tolist()
    [1.0, 0.0, 2e-10]
    """
    array = np.asarray(values, dtype=float)
    return np.where(np.abs(array) <= ROUND_OFF * abs(scale), 0.0, array)


def activity_contributions(
    cf: np.ndarray, biosphere: sparse.spmatrix, supply: np.ndarray
) -> np.ndarray:
    """Impact of each activity's own direct exchanges: ``(cf @ B) * x`` (sums to the total)."""
    return np.asarray(biosphere.T @ cf).ravel() * supply


def flow_contributions(
    cf: np.ndarray, biosphere: sparse.spmatrix, supply: np.ndarray
) -> np.ndarray:
    """Impact of each elementary flow over the whole system: ``cf * (B @ x)``."""
    return cf * np.asarray(biosphere @ supply).ravel()


def node_contributions(
    cf: np.ndarray,
    direct_inventory: np.ndarray,
    purchased_inventory: np.ndarray,
) -> np.ndarray:
    """Impact credited to each foreground node.

    ``direct_inventory`` (flows x nodes) holds each node's own elementary flows scaled by
    its supply; ``purchased_inventory`` (flows x nodes) holds the cradle-to-gate inventory
    of the background inputs it buys, scaled the same way. Columns sum to the system
    inventory, so node contributions sum to the total.
    """
    return cf @ direct_inventory + cf @ purchased_inventory


def group_sum(values: np.ndarray, groups: Sequence[object]) -> dict[object, float]:
    """Sum ``values`` by group label, keeping first-seen order."""
    out: dict[object, float] = {}
    for value, group in zip(values, groups):
        out[group] = out.get(group, 0.0) + float(value)
    return out


def shares(values: Sequence[float] | np.ndarray, total: float | None = None) -> np.ndarray:
    """Each value as a share of the total (of the values unless given); zeros when total is 0."""
    array = np.asarray(values, dtype=float)
    denominator = float(array.sum()) if total is None else float(total)
    if denominator == 0.0:
        return np.zeros_like(array)
    return array / denominator
