"""Hotspot views across indicators: every breakdown at once, carbon vs resource hotspots, paths.

>>> import scenat
>>> from scenat.paths import examples_dir
>>> result = scenat.assess(scenat.read_case(examples_dir() / "bicycle"))
>>> table = all_hotspots(result)
>>> sorted(set(table["by"]))
['data_source', 'flow', 'node', 'process', 'stage', 'tier']
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from scenat.assessment.result import ALL_BREAKDOWNS, Assessment
from scenat.calc.structural_paths import PathSearch, structural_paths

CARBON = "gwp100"


def all_hotspots(result: Assessment) -> pl.DataFrame:
    """Every breakdown for every indicator in one long table."""
    frames = []
    for ind in result.indicators:
        for by in ALL_BREAKDOWNS:
            table = result.hotspots(ind.id, by).select(
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


def carbon_vs_resources(result: Assessment, by: str = "node", top: int = 5) -> pl.DataFrame:
    """Side by side: each item's rank and share for carbon and for each resource indicator.

    ``resource_only`` marks an item in the top ``top`` of some resource indicator but not of
    carbon (a burden a carbon-only view misses); ``carbon_only`` the reverse. Where either is
    set, cutting carbon and cutting resource use point at different places.
    """
    indicators = [i.id for i in result.indicators]
    if CARBON not in indicators:
        raise ValueError("carbon_vs_resources needs gwp100 among the assessed indicators")
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


@dataclass
class PathTable:
    """Structural paths as a table, with the share of the total they explain."""

    indicator: str
    table: pl.DataFrame
    coverage: float
    total: float
    cutoff: float
    truncated: bool

    def __repr__(self) -> str:
        return (
            f"PathTable({self.indicator}: {self.table.height} paths, coverage "
            f"{100 * self.coverage:.1f} % of {self.total:.6g}, cutoff {self.cutoff:g})"
        )


def paths(
    result: Assessment,
    indicator: str = CARBON,
    top: int = 20,
    cutoff: float = 1e-3,
    max_depth: int = 30,
) -> PathTable:
    """The top structural paths from the reference flow to each emitting activity."""
    result.indicator(indicator)
    linked = result.linked
    if linked is None:
        raise ValueError("this assessment was built without its linked system")
    search: PathSearch = structural_paths(
        linked.technosphere,
        linked.biosphere,
        linked.cf[indicator],
        linked.demand,
        top=top,
        cutoff=cutoff,
        max_depth=max_depth,
        solver=linked.solver,
    )
    keys = linked.activity_keys
    names = [label.replace(" (direct, foreground)", "") for label in linked.activity_labels]
    table = pl.DataFrame(
        {
            "rank": list(range(1, len(search.paths) + 1)),
            "path": [" <- ".join(names[i] for i in p.nodes) for p in search.paths],
            "keys": [[keys[i] for i in p.nodes] for p in search.paths],
            "depth": [len(p.nodes) - 1 for p in search.paths],
            "emitter": [keys[p.nodes[-1]] for p in search.paths],
            "amount": [p.amount for p in search.paths],
            "value": [p.value for p in search.paths],
            "share": [p.value / search.total if search.total else 0.0 for p in search.paths],
        },
        schema={
            "rank": pl.Int64,
            "path": pl.String,
            "keys": pl.List(pl.String),
            "depth": pl.Int64,
            "emitter": pl.String,
            "amount": pl.Float64,
            "value": pl.Float64,
            "share": pl.Float64,
        },
    )
    return PathTable(indicator, table, search.coverage, search.total, cutoff, search.truncated)
