"""Hotspot views across indicators: where carbon and resource hotspots point elsewhere.

>>> import scenat
>>> from scenat.paths import examples_dir
>>> result = scenat.assess(scenat.read_case(examples_dir() / "bicycle"))
>>> table = carbon_vs_resources(result, top=3)
>>> {"resource_only", "carbon_only"} <= set(table.columns)
True
"""

from __future__ import annotations

import polars as pl

from scenat.assessment.result import Assessment
from scenat.errors import InputError, Problem

CARBON = "gwp100"


def carbon_vs_resources(result: Assessment, by: str = "node", top: int = 5) -> pl.DataFrame:
    """Side by side: each item's rank and share for carbon and for each resource indicator.

    ``resource_only`` marks an item in the top ``top`` of some resource indicator but not of
    carbon (a burden a carbon-only view misses); ``carbon_only`` the reverse. Where either is
    set, cutting carbon and cutting resource use point at different places.
    """
    indicators = [i.id for i in result.indicators]
    if CARBON not in indicators:
        raise InputError(
            Problem(
                message="carbon vs resources needs gwp100 among the assessed indicators",
                value=", ".join(indicators),
                hint="assess with gwp100 (the default indicators include it)",
            )
        )
    resources = [i.id for i in result.indicators if i.kind == "resource"]
    tables = {}
    for ind in [CARBON, *resources]:
        table = result.hotspots(ind, by).with_row_index("rank", offset=1)
        tables[ind] = table.select(
            "key",
            "label",
            pl.col("rank").alias(f"{ind}_rank"),
            pl.col("share").alias(f"{ind}_share"),
        )
    merged = tables[CARBON]
    for ind in resources:
        merged = merged.join(tables[ind], on=["key", "label"], how="full", coalesce=True)
    in_carbon_top = pl.col(f"{CARBON}_rank").fill_null(10**9) <= top
    in_resource_top = (
        pl.any_horizontal([pl.col(f"{ind}_rank").fill_null(10**9) <= top for ind in resources])
        if resources
        else pl.lit(False)
    )
    best = pl.min_horizontal(
        [pl.col(f"{ind}_rank").fill_null(10**9) for ind in [CARBON, *resources]]
    )
    return (
        merged.with_columns(
            (in_resource_top & ~in_carbon_top).alias("resource_only"),
            (in_carbon_top & ~in_resource_top).alias("carbon_only"),
        )
        .with_columns(best.alias("_best"))
        .filter(pl.col("_best") <= top)
        .sort("_best", f"{CARBON}_rank", nulls_last=True)
        .drop("_best")
    )
