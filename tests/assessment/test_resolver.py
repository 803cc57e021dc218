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


def _node_flow_changes(case):
    """A case with a node-to-node flow rescaled, one of another node removed, one added, and
    a process purchase copied to another node: changes in two or more foreground columns."""
    flows = list(case.flows)
    node_rows = [i for i, f in enumerate(flows) if f.kind == "node"]
    first = node_rows[0]
    second = next(i for i in node_rows if flows[i].node != flows[first].node)
    f = flows[first]
    flows[first] = f.__class__(
        **{
            **f.__dict__,
            "amount": f.amount * 1.3,
            "amount_in_reference": f.amount_in_reference * 1.3,
        }
    )
    del flows[second]
    reference = case.reference_node
    other = next(n for n in case.nodes if n != reference)
    unit = case.nodes[other].output_unit
    flows.append(f.__class__(reference, "node", other, 0.25, unit, 0.25, unit))
    process = next(x for x in flows if x.kind == "process")
    flows.append(process.__class__(**{**process.__dict__, "node": other, "row": None}))
    return case.copy(flows=flows)


@pytest.mark.parametrize("rank_limit", [64, 0])
def test_node_flow_changes_resolve_like_a_full_reassessment(
    bicycle, resolver, monkeypatch, rank_limit
):
    import scenat.assessment.resolver as module

    monkeypatch.setattr(module, "MAX_UPDATE_RANK", rank_limit)
    modified = _node_flow_changes(bicycle)
    fast = resolver(modified, INDICATORS)
    assert resolver.last.method == ("update" if rank_limit else "refactorised")
    assert resolver.last.rank >= 2
    full = scenat.assess(modified, indicators=INDICATORS)
    for ind in INDICATORS:
        assert fast[ind] == pytest.approx(full.total(ind), rel=1e-9, abs=1e-12), ind
    supply = resolver.supply(modified)
    for node, runs in full.supply.items():
        assert supply[node] == pytest.approx(runs, rel=1e-9, abs=1e-12), node


def test_a_case_that_is_not_changed_is_the_base(bicycle, resolver):
    resolver(bicycle.copy(flows=list(bicycle.flows)), INDICATORS)
    assert (resolver.last.method, resolver.last.rank) == ("unchanged", 0)
