"""Comparing two cases: deterministic differences and P(A < B) with shared draws."""

from __future__ import annotations

from dataclasses import replace

import pytest

import scenat
from scenat.assessment.compare import compare_hotspots, compare_totals
from scenat.model.case import Flow
from scenat.paths import examples_dir
from scenat.uncertainty.compare import probability_lower


@pytest.fixture(scope="module")
def cases():
    a = scenat.read_case(examples_dir() / "bicycle")
    # B: the assembly plant stops topping up its chiller (2 g HFC-134a per bike, GWP 1530)
    # and instead vents 1 kg more CO2 per bike.
    flows = [f for f in a.flows if f.input != "hfc134a"]
    flows.append(Flow("bike_assembly", "emission", "co2_fossil", 1.0, "kg", 1.0, "kg"))
    return a, a.copy(flows=flows, name="variant")


def test_totals_and_node_differences_match_the_hand_values(cases):
    a, b = cases
    ra, rb = scenat.assess(a), scenat.assess(b)
    totals = compare_totals(ra, rb)
    gwp = totals.filter(totals["indicator"] == "gwp100").row(0, named=True)
    # 0.002 kg x 1530 out, 1 kg CO2 in. Assembly supply is exactly 1 bike.
    assert gwp["difference"] == pytest.approx(1.0 - 0.002 * 1530, rel=1e-6)
    nodes = compare_hotspots(ra, rb, "gwp100", "node")
    assert nodes["key"][0] == "bike_assembly"
    assert nodes["difference"][0] == pytest.approx(1.0 - 3.06, rel=1e-6)
    assert nodes.filter(nodes["key"] == "wheel_maker")["difference"][0] == pytest.approx(0.0)


def test_shared_draws_make_a_certain_increase_certain(cases):
    a, _ = cases
    # B adds 0.5 kg CO2 per bike to A and changes nothing else: with shared draws B is
    # larger in every iteration, although A's electricity and aluminium are uncertain.
    extra = Flow("bike_assembly", "emission", "co2_fossil", 0.5, "kg", 0.5, "kg")
    b = a.copy(flows=[*a.flows, extra])
    assert any(f.uncertainty for f in a.flows)
    table = probability_lower(a, b, iterations=300, seed=9, indicators=["gwp100"])
    row = table.row(0, named=True)
    assert row["probability_a_lower"] == 1.0
    assert row["mean_difference"] == pytest.approx(0.5, rel=1e-9)
    assert row["p5_difference"] == pytest.approx(0.5, rel=1e-9)


def test_rescaled_flow_keeps_its_draws(cases):
    a, _ = cases
    flows = [
        replace(f, amount=f.amount * 0.5, amount_in_reference=f.amount_in_reference * 0.5)
        if f.input == "okobaudat_aluminium_section"
        else f
        for f in a.flows
    ]
    b = a.copy(flows=flows)
    table = probability_lower(b, a, iterations=200, seed=4, indicators=["gwp100"])
    assert table["probability_a_lower"][0] == 1.0
