"""The supply-chain graph: nodes and edges with the impact flowing along each edge.

An edge from supplier ``j`` to consumer ``k`` carries ``-A[j, k] * x[k]`` units of ``j``'s
product and the impact embodied in them, that amount times ``s[j]`` (the cradle-to-gate
impact per unit of ``j``, ``s = c B A^-1``). Since ``s A = c B``, at every node the
impact embodied in its production equals its own contribution (its direct emissions plus
the background it buys) plus what flows in from its foreground suppliers; that inflow also
equals what leaves the node to its consumers and to the functional unit. At node level the
background is folded into the node that buys it; ``expand_background=True`` lists those
purchases as edges too.

Edges run in the direction of the material flow (supplier -> consumer), as a Sankey
diagram draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from scenat.calc.linked import LinkedSystem, node_scores
from scenat.model.case import Case


def supply_chain_edges(
    case: Case, linked: LinkedSystem, indicator_ids: Sequence[str], expand_background: bool = False
) -> pl.DataFrame:
    """One row per edge: source, target, kind, amount, unit and ``impact_<indicator>``."""
    a = linked.technosphere.tocsc()
    col_to_node = {col: n for n, col in linked.node_cols.items()}
    rows: dict[str, list[Any]] = {
        "source": [],
        "source_label": [],
        "target": [],
        "target_label": [],
        "kind": [],
        "amount": [],
        "unit": [],
    }
    scores = {ind: linked.scores(ind) for ind in indicator_ids}
    impacts: dict[str, list[float]] = {ind: [] for ind in indicator_ids}
    for consumer in linked.node_order:
        k = linked.node_cols[consumer]
        x_k = linked.supply[k]
        for pos in range(a.indptr[k], a.indptr[k + 1]):
            j = int(a.indices[pos])
            if j == k:
                continue
            amount = -a.data[pos] * x_k
            if j in col_to_node:
                supplier = case.nodes[col_to_node[j]]
                source, source_label, kind, unit = (
                    supplier.id,
                    supplier.name,
                    "node",
                    supplier.output_unit,
                )
            elif expand_background:
                source = linked.activity_keys[j]
                source_label = linked.activity_labels[j]
                kind = "background"
                unit = linked.activity_units[j] if linked.activity_units else ""
            else:
                continue
            rows["source"].append(source)
            rows["source_label"].append(source_label)
            rows["target"].append(consumer)
            rows["target_label"].append(case.nodes[consumer].name)
            rows["kind"].append(kind)
            rows["amount"].append(float(amount))
            rows["unit"].append(unit)
            for ind_id, s in scores.items():
                impacts[ind_id].append(float(amount * s[j]))
    frame = pl.DataFrame(
        rows,
        schema={
            "source": pl.String,
            "source_label": pl.String,
            "target": pl.String,
            "target_label": pl.String,
            "kind": pl.String,
            "amount": pl.Float64,
            "unit": pl.String,
        },
    )
    return frame.with_columns(
        [
            pl.Series(f"impact_{ind_id}", values, dtype=pl.Float64)
            for ind_id, values in impacts.items()
        ]
    )


def supply_chain_nodes(
    case: Case, linked: LinkedSystem, indicator_ids: Sequence[str]
) -> pl.DataFrame:
    """One row per node: tier, stage, supply, own contribution and embodied impact per indicator.

    ``own_<ind>`` is the node's hotspot value (direct + purchased background);
    ``embodied_<ind>`` is the impact embodied in everything the node produces.
    """
    columns: dict[str, Any] = {
        "id": linked.node_order,
        "label": [case.nodes[n].name for n in linked.node_order],
        "tier": [case.nodes[n].tier for n in linked.node_order],
        "stage": [case.nodes[n].stage for n in linked.node_order],
        "supply": [float(linked.supply[linked.node_cols[n]]) for n in linked.node_order],
        "output_unit": [case.nodes[n].output_unit for n in linked.node_order],
    }
    diagonal = linked.technosphere.diagonal()
    cols = np.array([linked.node_cols[n] for n in linked.node_order])
    for ind in indicator_ids:
        direct, purchased = node_scores(linked, ind)
        columns[f"own_{ind}"] = direct + purchased
        columns[f"embodied_{ind}"] = linked.supply[cols] * diagonal[cols] * linked.scores(ind)[cols]
    return pl.DataFrame(columns)
