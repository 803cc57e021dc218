"""Two cases under uncertainty: the probability that A is lower than B.

Common random numbers: a flow present in both cases draws the same samples in both, because
draws are keyed by the flow and the seed, so the difference is not blurred by independent noise.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from scenat.model.case import Case
from scenat.uncertainty.foreground import Progress, monte_carlo


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
