"""Monte Carlo over the shipped background's own distributions gives a real spread.

Every exchange scenat ships carries a distribution (pedigree assessment or the source's own),
so sampling the background alone (foreground fixed) moves the totals of a shipped example.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import scenat
from scenat.uncertainty import background_monte_carlo, case_system

STADIUM = (
    Path(__file__).resolve().parents[2] / "examples" / "stadium_retrofit" / "stadium_retrofit.xlsx"
)


def test_stadium_background_monte_carlo_has_a_real_spread():
    case = scenat.read_case(STADIUM)
    system = case_system(case, indicators=["gwp100", "fossil_energy"], foreground=False)
    assert system.biosphere.uncertain > 100  # the shipped exchanges' distributions
    result = background_monte_carlo(system, iterations=200, seed=3)
    deterministic = scenat.assess(case, indicators=["gwp100", "fossil_energy"])
    for indicator in ("gwp100", "fossil_energy"):
        samples = result.totals[indicator]
        low, high = np.percentile(samples, [5, 95])
        assert low < deterministic.total(indicator) < high
        # a lognormal around each exchange: a 90 % interval of a few per cent of the total
        # (DESNZ GSD 1.04-1.23, grid resources 1.11), not zero and not absurd
        width = (high - low) / deterministic.total(indicator)
        assert 0.005 < width < 0.5, (indicator, width)
    assert result.solver_summary()["max_backward_error"] <= result.tolerance
