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


def test_the_monte_carlo_for_users_samples_the_stadium_background_and_names_drivers():
    from scenat.uncertainty import monte_carlo

    case = scenat.read_case(STADIUM)
    assert not any(f.uncertainty for f in case.flows)  # all the spread is the background's
    result = monte_carlo(case, iterations=300, seed=42, indicators=["gwp100"])
    assert result.background_sampled and result.uncertain_exchanges > 100
    samples = result.totals["gwp100"]
    low, high = np.percentile(samples, [5, 95])
    total = result.deterministic["gwp100"]
    assert low < total < high and 0.005 < (high - low) / total < 0.5
    drivers = result.drivers("gwp100", top=5)
    assert drivers.height == 5 and set(drivers["kind"]) == {"background exchange"}
    # the linear model explains nearly all of it (lognormal spreads of a few per cent)
    assert drivers["r2"][0] > 0.9
    assert drivers["src2"].sum() <= drivers["r2"][0] + 0.05
    assert result.solver["max_backward_error"] <= 1e-12
    fixed = monte_carlo(case, iterations=20, seed=42, indicators=["gwp100"], background=False)
    assert not fixed.anything_uncertain and fixed.drivers("gwp100").height == 0
