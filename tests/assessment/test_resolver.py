"""The foreground re-solve equals a full re-assessment of the modified case (1e-9 relative).

Both read the same stored background values, so any difference beyond round-off would be a
bug in the partitioned algebra, not float32 storage.
"""

from __future__ import annotations

import numpy as np
import pytest

import scenat
from scenat.assessment import ForegroundResolver
from scenat.interventions import apply, collect
from scenat.paths import examples_dir
from scenat.uncertainty.foreground import monte_carlo

INDICATORS = ["gwp100", "fossil_energy", "water"]


@pytest.fixture(scope="module")
def bicycle():
    return scenat.read_case(examples_dir() / "bicycle")


@pytest.fixture(scope="module")
def resolver(bicycle):
    return ForegroundResolver(bicycle)


def test_resolve_of_the_base_case_equals_the_assessment(bicycle, resolver):
    result = scenat.assess(bicycle)
    fast = resolver(bicycle, INDICATORS)
    for ind in INDICATORS:
        assert fast[ind] == pytest.approx(result.total(ind), rel=1e-9, abs=1e-12)


def test_every_library_intervention_resolves_like_a_full_reassessment(bicycle, resolver):
    checked = 0
    for intervention in collect(bicycle):
        modified = apply(bicycle, intervention)
        if modified.flows == bicycle.flows:
            continue  # not applicable to this case
        fast = resolver(modified, INDICATORS)
        full = scenat.assess(modified, indicators=INDICATORS)
        for ind in INDICATORS:
            assert fast[ind] == pytest.approx(full.total(ind), rel=1e-9, abs=1e-12), (
                intervention.id,
                ind,
            )
        checked += 1
    assert checked >= 10


def test_monte_carlo_with_no_uncertainty_equals_the_deterministic_result(bicycle, resolver):
    certain = bicycle.copy(
        flows=[f.__class__(**{**f.__dict__, "uncertainty": None}) for f in bicycle.flows]
    )
    mc = monte_carlo(certain, iterations=20, seed=3, linked=resolver.linked)
    for ind in INDICATORS:
        assert np.allclose(mc.totals[ind], resolver.linked.total(ind), rtol=1e-12, atol=0)
