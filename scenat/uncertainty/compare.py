"""Two cases under uncertainty: the probability that A is lower than B.

Common random numbers: a flow or background exchange present in both cases draws the same
samples in both, because draws are keyed by the input and the seed
(:mod:`scenat.uncertainty.draws`), so the difference is not blurred by independent noise.
Foreground and background are both sampled unless ``background=False``.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from scenat.model.case import Case
from scenat.uncertainty.montecarlo import monte_carlo
from scenat.uncertainty.result import Progress


def probability_lower(
    case_a: Case,
    case_b: Case,
    iterations: int = 1000,
    seed: int = 42,
    indicators: list[str] | None = None,
    progress: Progress | None = None,
    background: bool = True,
) -> pl.DataFrame:
    """Per indicator: P(A < B) over paired samples with shared draws for shared inputs.

    ``anything_uncertain`` is False when neither case sampled anything: the probability is
    then 0 or 1 by the deterministic totals alone."""
    mc_a = monte_carlo(case_a, iterations, seed, indicators, progress, background=background)
    mc_b = monte_carlo(case_b, iterations, seed, indicators, progress, background=background)
    uncertain = mc_a.anything_uncertain or mc_b.anything_uncertain
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
                "anything_uncertain": uncertain,
            }
        )
    return pl.DataFrame(rows)
