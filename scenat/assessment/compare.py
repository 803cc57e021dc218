"""Two cases (or a case and a variant) side by side: the difference per indicator and per
hotspot item. Under uncertainty, :func:`scenat.uncertainty.probability_lower` gives P(A < B).

>>> import scenat
>>> from scenat.paths import examples_dir
>>> a = scenat.assess(scenat.read_case(examples_dir() / "bicycle"))
>>> compare_totals(a, a)["difference"].to_list()
[0.0, 0.0, 0.0, 0.0]
"""

from __future__ import annotations

import polars as pl

from scenat.assessment.result import Assessment
from scenat.calc import ALL_BREAKDOWNS
from scenat.calc.lcamath import ROUND_OFF, without_round_off
from scenat.errors import InputError, Problem


def compare_totals(a: Assessment, b: Assessment) -> pl.DataFrame:
    """Per indicator: A, B, B - A and the change relative to A."""
    rows = []
    for ind in a.indicators:
        if ind.id not in b.totals:
            continue
        va, vb = a.total(ind.id), b.total(ind.id)
        difference = float(without_round_off(vb - va, max(abs(va), abs(vb))))
        rows.append(
            {
                "indicator": ind.id,
                "unit": ind.unit,
                "a": va,
                "b": vb,
                "difference": difference,
                "relative": difference / va if va else None,
            }
        )
    return pl.DataFrame(rows)


def compare_hotspots(
    a: Assessment, b: Assessment, indicator: str, by: str = "node"
) -> pl.DataFrame:
    """Per hotspot item (matched on key): A, B and B - A, largest absolute change first."""
    if by not in ALL_BREAKDOWNS:
        raise InputError(
            Problem(
                message=f"unknown breakdown {by!r}",
                column="--by",
                value=by,
                hint="use one of " + ", ".join(ALL_BREAKDOWNS),
            )
        )
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
        .with_columns(
            # Two solves of an unchanged item differ by round-off (1e-14): no change.
            pl.when(
                (pl.col("b") - pl.col("a")).abs()
                <= ROUND_OFF * pl.max_horizontal(pl.col("a").abs(), pl.col("b").abs())
            )
            .then(0.0)
            .otherwise(pl.col("b") - pl.col("a"))
            .alias("difference")
        )
        .sort(pl.col("difference").abs(), descending=True)
    )
