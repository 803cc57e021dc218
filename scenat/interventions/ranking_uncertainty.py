"""How robust is an intervention ranking? The probability that each option ranks in the top k.

Each Monte Carlo iteration samples the case's uncertain amounts once; the base case and
every modified case (one per intervention) are scored with those same draws (draws are
keyed by flow, so a flow an intervention leaves alone draws identically before and after;
a flow it rescales keeps its draws, scaled). Abatement per iteration is the base total minus
the modified total, per year; options are ranked by marginal abatement cost (annual cost /
abatement, cheapest first) among those that abate in that iteration. Costs are the
deterministic ones of :func:`scenat.interventions.library.evaluate`.

Everything runs on the foreground around the factorised background
(:mod:`scenat.calc.foreground`): no re-linking, no re-factorisation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import polars as pl

from scenat.assessment.resolver import ForegroundResolver
from scenat.brightway.link import link
from scenat.calc.foreground import foreground_model, solve_foreground
from scenat.interventions.apply import apply
from scenat.interventions.evaluate import CARBON_INDICATOR, evaluate
from scenat.interventions.library import collect
from scenat.model.case import Case
from scenat.model.indicators import indicator, resolve
from scenat.uncertainty.foreground import Progress, sample_flow


def _sampled_totals(case: Case, linked, chosen, iterations: int, seed: int) -> np.ndarray:
    model = foreground_model(case, linked, chosen)
    if not model.flows:
        return np.zeros(iterations)
    amounts = np.column_stack([sample_flow(f, iterations, seed) for f in model.flows])
    supply = solve_foreground(model, amounts)
    runs = supply[:, model.node_of_flow]
    return (amounts * runs * model.weights[CARBON_INDICATOR]).sum(axis=1)


def rank_probabilities(
    case: Case,
    k: int = 3,
    iterations: int = 1000,
    seed: int = 42,
    libraries: Sequence[str] = (),
    progress: Progress | None = None,
) -> pl.DataFrame:
    """Per applicable intervention: deterministic MAC rank, P(top k), abatement interval."""
    chosen = resolve([CARBON_INDICATOR])
    linked = link(case, indicators=chosen)
    options = collect(case, libraries)
    table = evaluate(case, options, [CARBON_INDICATOR], solve=ForegroundResolver(case, linked))
    costs = dict(zip(table["id"], table["annual_cost"]))
    tonnes = 1000.0 if indicator(CARBON_INDICATOR).unit.startswith("kg") else 1.0
    per_year = case.annual_volume / tonnes
    base = _sampled_totals(case, linked, chosen, iterations, seed)
    ids, abatements = [], []
    by_id = {o.id: o for o in options}
    for done, option_id in enumerate(table["id"], start=1):
        modified = apply(case, by_id[option_id])
        if set(modified.nodes) != set(case.nodes):
            continue
        after = _sampled_totals(modified, linked, chosen, iterations, seed)
        ids.append(option_id)
        abatements.append((base - after) * per_year)
        if progress:
            progress(done, table.height)
    if not ids:
        return pl.DataFrame()
    abatement = np.vstack(abatements)  # options x iterations
    cost = np.array([costs[i] for i in ids])[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        mac = np.where(abatement > 0, cost / abatement, np.inf)
    # Rank per iteration, cheapest abatement first; non-abating options share the last place.
    order = np.argsort(mac, axis=0, kind="stable")
    ranks = np.empty_like(order)
    ranks[order, np.arange(iterations)] = np.arange(1, len(ids) + 1)[:, None]
    ranks = np.where(np.isfinite(mac), ranks, len(ids) + 1)
    deterministic = dict(zip(table["id"], table["mac"]))
    frame = pl.DataFrame(
        {
            "id": ids,
            "mac": [deterministic[i] for i in ids],
            "probability_top_k": (ranks <= k).mean(axis=1),
            "probability_abates": (abatement > 0).mean(axis=1),
            "abatement_t_year_p5": np.quantile(abatement, 0.05, axis=1),
            "abatement_t_year_p50": np.quantile(abatement, 0.5, axis=1),
            "abatement_t_year_p95": np.quantile(abatement, 0.95, axis=1),
            "median_rank": np.median(ranks, axis=1),
        }
    )
    return frame.with_columns(pl.lit(k).alias("k")).sort(
        pl.col("mac").fill_nan(math.inf), nulls_last=True
    )
