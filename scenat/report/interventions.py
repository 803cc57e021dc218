"""The interventions document: ``scenat interventions CASE --json``, ranked, with a portfolio.

>>> import polars as pl
>>> json_records(pl.DataFrame({"mac": [1.0, float("nan")], "payback": [float("inf"), 2.0]}))
[{'mac': 1.0, 'payback': None}, {'mac': None, 'payback': 2.0}]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from scenat.calc import rank
from scenat.interventions import (
    assess_totals,
    case_discount_rate,
    collect,
    evaluate,
    plan_portfolio,
)
from scenat.interventions.evaluate import Solver
from scenat.model.case import Case


def json_records(table: pl.DataFrame) -> list[dict[str, Any]]:
    """Table rows as JSON-safe dicts (NaN and infinities become None)."""
    out = []
    for row in table.to_dicts():
        out.append(
            {
                k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in row.items()
            }
        )
    return out


def ranked_interventions(
    table: pl.DataFrame, rank_by: str = "mac", weights: Mapping[str, float] | None = None
) -> pl.DataFrame:
    """The evaluated ``table`` in ranked order with its Pareto front marked.

    For ``mac`` the cheapest per t CO2-eq comes first and options that do not abate are
    listed after the ranked ones, unranked (the MACC keeps only options that abate);
    ``topsis`` and ``weighted`` score by ``weights`` (default ``rank.DEFAULT_WEIGHTS``).
    """
    ranked = rank.rank_table(table, rank_by, weights)
    if rank_by == "mac":
        rest = table.filter(~pl.col("id").is_in(ranked["id"].to_list()))
        ranked = pl.concat([ranked, rest], how="diagonal_relaxed")
    return rank.pareto(ranked)


def interventions_document(
    case: Case,
    rank_by: str = "mac",
    weights: Mapping[str, float] | None = None,
    budget: float | None = None,
    *,
    target: float | None = None,
    libraries: Sequence[str | Path] = (),
    indicators: Sequence[str] | None = None,
    solve: Solver | None = None,
) -> dict[str, Any]:
    """One JSON-ready document for ``scenat interventions CASE [--rank] [--weights] [--budget]``.

    ``interventions`` are in ranked order (for ``mac``: cheapest per t CO2-eq first, options
    that do not abate last, unranked); ``portfolio`` is present when a budget is given.
    """
    solve = solve or assess_totals
    options = collect(case, libraries)
    table = evaluate(case, options, indicators, solve=solve)
    ranked = ranked_interventions(table, rank_by, weights)
    document: dict[str, Any] = {
        "case": case.name,
        "currency": case.currency,
        "price_year": case.year,
        "annual_volume": case.annual_volume,
        "discount_rate": case_discount_rate(case),
        "ranking": rank_by,
        "weights": dict(weights or rank.DEFAULT_WEIGHTS) if rank_by != "mac" else None,
        "interventions": json_records(ranked),
        "portfolio": None,
    }
    if budget is not None:
        plan = plan_portfolio(case, budget, options, target=target, table=table, solve=solve)
        document["portfolio"] = plan.to_dict()
    return document
