"""Matching and applying interventions: modified copies, filters, matched flows, supply."""

from __future__ import annotations

import os
import tempfile

import pytest

os.environ.setdefault("SCENAT_HOME", tempfile.mkdtemp(prefix="scenat-test-"))

import scenat.interventions as iv  # noqa: E402
from scenat.calc import node_supply  # noqa: E402
from scenat.model.case import Case  # noqa: E402
from tests.interventions.conftest import (  # noqa: E402
    GRID,
    case_row,
)


def test_foreground_supply_equals_assessment(bicycle: Case) -> None:
    from scenat.assessment.result import assess

    supply = node_supply(bicycle)
    for node, value in assess(bicycle, ["gwp100"]).supply.items():
        assert supply[node] == pytest.approx(value, rel=1e-9)


def test_apply_returns_a_modified_copy(bicycle: Case, library: list[iv.Intervention]) -> None:
    before = list(bicycle.flows)
    heat_pump = next(i for i in library if i.id == "heat_pump")
    changed = iv.apply(bicycle, heat_pump)
    assert bicycle.flows == before
    assert "applied_interventions" not in bicycle.metadata
    assert changed.metadata["applied_interventions"] == ["heat_pump"]
    gas = [f for f in changed.flows if f.input == "natural_gas_combustion_kwh"]
    assert gas == []  # share 1: all gas goes
    added = [
        f for f in changed.flows if f.metadata.get("from_input") == "natural_gas_combustion_kwh"
    ]
    assert {f.node for f in added} == {"bike_assembly", "frame_maker"}
    assembly = next(f for f in added if f.node == "bike_assembly")
    assert assembly.input == GRID
    assert assembly.amount_in_reference == pytest.approx(25 * heat_pump.factor)


def test_remove_add_and_filters(bicycle: Case) -> None:
    case = bicycle.copy(
        interventions=[
            case_row(
                id="cut", match_input=GRID, match_node="wheel_maker", action="remove", share=0.25
            ),
            case_row(
                _row=3,
                id="tier2",
                match_input="category:electricity",
                match_tier=2,
                action="scale",
                factor=0.5,
            ),
            case_row(
                _row=4,
                id="credit",
                match_input="steel_cans_primary",
                unit="kg",
                action="add",
                factor=0.1,
                to_kind="credit",
            ),
        ]
    )
    cut, tier2, credit = iv.case_interventions(case)
    after = iv.apply(case, cut)
    wheel = [f for f in after.flows if f.node == "wheel_maker" and f.input == GRID]
    assert [f.amount_in_reference for f in wheel] == [pytest.approx(3.0)]  # 4 kWh x 0.75
    others = [f for f in after.flows if f.node != "wheel_maker" and f.input == GRID]
    assert others == [f for f in case.flows if f.node != "wheel_maker" and f.input == GRID]
    halved = {
        f.node
        for f in iv.apply(case, tier2).flows
        if "tier2" in f.metadata.get("interventions", [])
    }
    assert halved == {"tool_shop", "paint_supplier"}  # the tier-2 nodes
    credits = [f for f in iv.apply(case, credit).flows if f.kind == "credit"]
    # wheel_maker buys 1.1 kg and tool_shop 8 kg of steel: credits of 0.11 and 0.8 kg,
    # which are 0.00011 and 0.0008 in the process's unit (t).
    assert sorted(f.amount for f in credits) == [pytest.approx(0.11), pytest.approx(0.8)]
    assert {f.unit for f in credits} == {"kg"}
    assert sorted(f.amount_in_reference for f in credits) == [
        pytest.approx(0.00011),
        pytest.approx(0.0008),
    ]
    assert {f.reference_unit for f in credits} == {"t"}


def test_applicable_lists_matched_flows(bicycle: Case, library: list[iv.Intervention]) -> None:
    table = iv.applicable(bicycle, library)
    ppa = table.filter(table["intervention"] == "renewable_electricity_ppa")
    assert set(ppa["node"]) == set(f.node for f in bicycle.flows if f.input == GRID)
    # bike_assembly buys 0.012 MWh per bicycle, 20,000 bicycles a year.
    row = ppa.filter(ppa["node"] == "bike_assembly")
    assert row["annual_quantity"][0] == pytest.approx(12.0 * 20_000)
    assert "concrete" not in " ".join(table["input"].to_list())


# --------------------------------------------------------------------------- evaluating


def test_a_rescaled_flow_is_the_flow_replace_makes(bicycle):
    from dataclasses import replace

    from scenat.interventions.apply import _copy_with

    flow = next(f for f in bicycle.flows if f.uncertainty is not None)
    changes = {"amount": flow.amount * 0.5, "metadata": {"interventions": ["x"]}}
    copy = _copy_with(flow, **changes)
    assert copy == replace(flow, **changes) and copy is not flow
    assert flow.amount != copy.amount  # the original is untouched
