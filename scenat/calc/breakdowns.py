"""Hotspot breakdowns of a linked case: by node, tier, stage, process, flow and data source.

Each breakdown is a table ``key, label, value, share, cumulative_share, in_80`` (largest
first) whose values sum to the indicator's total within 1e-9 relative.

>>> BREAKDOWNS
('node', 'tier', 'stage', 'process', 'flow')
>>> table = breakdown_table(["a", "b"], ["A", "B"], [1.0, 3.0], 4.0)
>>> table["key"].to_list(), table["share"].to_list(), table["in_80"].to_list()
(['b', 'a'], [0.75, 0.25], [True, True])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from scenat.calc.foreground import foreground_model
from scenat.calc.lcamath import (
    activity_contributions,
    flow_contributions,
    group_sum,
    shares,
    without_round_off,
)
from scenat.calc.linked import (
    DATA_SOURCE_LABELS,
    DATA_SOURCES,
    LinkedSystem,
    data_source_scores,
    node_scores,
)
from scenat.model.case import Case
from scenat.model.indicators import Indicator

BREAKDOWNS = ("node", "tier", "stage", "process", "flow")
#: every breakdown ``Assessment.hotspots`` answers: the five above (which the app, compare
#: and the xlsx report iterate) plus the hybrid-screening split by data source
ALL_BREAKDOWNS = (*BREAKDOWNS, "data_source")


def compute_breakdowns(
    case: Case, linked: LinkedSystem, chosen: list[Indicator]
) -> tuple[dict[str, float], dict[str, dict[str, pl.DataFrame]]]:
    """Totals and every breakdown table per indicator, from a linked system.

    Node, tier, stage and data-source values come from the adjoint scores ``s = c B A^-1``
    (one transposed solve per indicator, :func:`scenat.calc.linked.node_scores`): a node's
    value is ``x_k ((c B)_k + sum_p P[p, k] s_p)``, its own exchanges plus the background it
    buys. Values below the round-off tolerance of the indicator's gross magnitude
    (:func:`gross_magnitudes`) are 0, totals included.
    """
    nodes = case.nodes
    node_order = linked.node_order
    gross = gross_magnitudes(case, linked, chosen)
    totals: dict[str, float] = {}
    breakdowns: dict[str, dict[str, pl.DataFrame]] = {}
    for ind in chosen:
        cf = linked.cf[ind.id]
        scale = gross[ind.id]
        total = float(without_round_off(linked.total(ind.id), scale))
        totals[ind.id] = total
        direct, purchased = node_scores(linked, ind.id)
        by_node = direct + purchased
        by_source = data_source_scores(linked, ind.id)
        tiers = group_sum(by_node, [nodes[n].tier for n in node_order])
        stages = group_sum(by_node, [nodes[n].stage for n in node_order])
        breakdowns[ind.id] = {
            "node": breakdown_table(
                node_order, [nodes[n].name for n in node_order], by_node, total, scale=scale
            ),
            "tier": breakdown_table(
                [str(t) for t in tiers],
                [f"tier {t}" for t in tiers],
                list(tiers.values()),
                total,
                scale=scale,
            ),
            "stage": breakdown_table(
                list(map(str, stages)),
                [str(s).replace("_", " ") for s in stages],
                list(stages.values()),
                total,
                scale=scale,
            ),
            "process": breakdown_table(
                linked.activity_keys,
                linked.activity_labels,
                activity_contributions(cf, linked.biosphere, linked.supply),
                total,
                extra={"kind": linked.activity_kind},
                scale=scale,
            ),
            "flow": breakdown_table(
                linked.flow_keys,
                linked.flow_labels,
                flow_contributions(cf, linked.biosphere, linked.supply),
                total,
                scale=scale,
            ),
            "data_source": breakdown_table(
                list(DATA_SOURCES),
                [DATA_SOURCE_LABELS[k] for k in DATA_SOURCES],
                [by_source[k] for k in DATA_SOURCES],
                total,
                scale=scale,
            ),
        }
    return totals, breakdowns


def gross_magnitudes(case: Case, linked: LinkedSystem, chosen: list[Indicator]) -> dict[str, float]:
    """Per indicator, the sum of the sizes of every flow's contribution, ``sum |a x w|``
    (amount, runs of its node, impact per unit): what the total is summed from before
    purchases and credits cancel, the scale round-off is measured against."""
    model = foreground_model(case, linked, chosen)
    supply = np.array([linked.supply[linked.node_cols[n]] for n in model.nodes], dtype=float)
    contributions = np.array([f.amount_in_reference for f in model.flows]) * (
        supply[model.node_of_flow] if len(model.flows) else 0.0
    )
    return {ind: float(np.abs(contributions * w).sum()) for ind, w in model.weights.items()}


def breakdown_table(
    keys: list[str],
    labels: list[str],
    values: Any,
    total: float,
    extra: dict[str, list[Any]] | None = None,
    scale: float = 0.0,
) -> pl.DataFrame:
    """A breakdown table, largest first, zero rows dropped, the 80 % set marked.

    ``in_80`` marks the smallest set of items (largest first) whose sum reaches 80 % of the
    total; the other rows stay listed one by one, never lumped into a "rest". ``scale`` is the
    gross magnitude round-off is measured against (:func:`gross_magnitudes`).
    """
    values = np.asarray(values, dtype=float)
    # Round-off from the solves is not a contribution: drop it, measured against the values'
    # own sizes and the gross magnitude of the indicator, whichever is larger.
    values = without_round_off(values, max(np.abs(values).sum(), scale))
    columns: dict[str, Any] = {"key": keys, "label": labels, "value": values}
    if extra:
        columns.update(extra)
    frame = pl.DataFrame(columns).filter(pl.col("value") != 0.0)
    frame = frame.sort("value", descending=True, maintain_order=True)
    share = shares(frame["value"].to_numpy(), total)
    cumulative = np.cumsum(share)
    reached = np.flatnonzero(cumulative >= 0.8 - 1e-12)
    cut = int(reached[0]) + 1 if len(reached) and total > 0 else len(share)
    return frame.with_columns(
        pl.Series("share", share),
        pl.Series("cumulative_share", cumulative),
        pl.Series("in_80", np.arange(len(share)) < cut),
    )


def long_table(
    indicators: list[Indicator], breakdowns: dict[str, dict[str, pl.DataFrame]]
) -> pl.DataFrame:
    """Every breakdown of every indicator in one long table (``indicator``, ``unit``, ``by``
    and the breakdown columns)."""
    frames = []
    for ind in indicators:
        for by in ALL_BREAKDOWNS:
            table = breakdowns[ind.id][by].select(
                "key", "label", "value", "share", "cumulative_share", "in_80"
            )
            frames.append(
                table.with_columns(
                    pl.lit(ind.id).alias("indicator"),
                    pl.lit(ind.unit).alias("unit"),
                    pl.lit(by).alias("by"),
                )
            )
    columns = [
        "indicator",
        "unit",
        "by",
        "key",
        "label",
        "value",
        "share",
        "cumulative_share",
        "in_80",
    ]
    return pl.concat(frames).select(columns)
