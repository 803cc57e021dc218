"""Two cases (or a case and a variant) side by side.

Deterministic: the difference per indicator and per hotspot item. With Monte Carlo: the
probability that A is lower than B, with common random numbers (a flow present in both
cases draws the same samples in both, because draws are keyed by the flow and the seed).

>>> import scenat
>>> from scenat.paths import examples_dir
>>> a = scenat.assess(scenat.read_case(examples_dir() / "bicycle"))
>>> compare_totals(a, a)["difference"].to_list()
[0.0, 0.0, 0.0, 0.0]
"""

from __future__ import annotations

import numpy as np
import polars as pl

from scenat.assessment.result import ALL_BREAKDOWNS, Assessment
from scenat.model.case import Case
from scenat.uncertainty.foreground import Progress, monte_carlo


def compare_totals(a: Assessment, b: Assessment) -> pl.DataFrame:
    """Per indicator: A, B, B - A and the change relative to A."""
    rows = []
    for ind in a.indicators:
        if ind.id not in b.totals:
            continue
        va, vb = a.total(ind.id), b.total(ind.id)
        rows.append(
            {
                "indicator": ind.id,
                "unit": ind.unit,
                "a": va,
                "b": vb,
                "difference": vb - va,
                "relative": (vb - va) / va if va else None,
            }
        )
    return pl.DataFrame(rows)


def compare_hotspots(
    a: Assessment, b: Assessment, indicator: str, by: str = "node"
) -> pl.DataFrame:
    """Per hotspot item (matched on key): A, B and B - A, largest absolute change first."""
    if by not in ALL_BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}; use one of {', '.join(ALL_BREAKDOWNS)}")
    left = a.hotspots(indicator, by).select("key", "label", pl.col("value").alias("a"))
    right = b.hotspots(indicator, by).select(
        "key", pl.col("label").alias("label_b"), pl.col("value").alias("b")
    )
    merged = left.join(right, on="key", how="full", coalesce=True)
    return (
        merged.with_columns(
            pl.coalesce("label", "label_b").alias("label"),
            pl.col("a").fill_null(0.0),
            pl.col("b").fill_null(0.0),
        )
        .drop("label_b")
        .with_columns((pl.col("b") - pl.col("a")).alias("difference"))
        .sort(pl.col("difference").abs(), descending=True)
    )


def probability_lower(
    case_a: Case,
    case_b: Case,
    iterations: int = 1000,
    seed: int = 42,
    indicators: list[str] | None = None,
    progress: Progress | None = None,
) -> pl.DataFrame:
    """Per indicator: P(A < B) over paired samples with shared draws for shared flows."""
    mc_a = monte_carlo(case_a, iterations, seed, indicators, progress)
    mc_b = monte_carlo(case_b, iterations, seed, indicators, progress)
    rows = []
    for ind in mc_a.indicators:
        sa, sb = mc_a.totals[ind.id], mc_b.totals[ind.id]
        difference = sb - sa
        rows.append(
            {
                "indicator": ind.id,
                "mean_a": float(sa.mean()),
                "mean_b": float(sb.mean()),
                "mean_difference": float(difference.mean()),
                "p5_difference": float(np.quantile(difference, 0.05)),
                "p95_difference": float(np.quantile(difference, 0.95)),
                "probability_a_lower": float((sa < sb).mean()),
            }
        )
    return pl.DataFrame(rows)
