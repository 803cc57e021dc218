"""The fast evaluation (options applied as columns, scored as changes of the kept foreground
factorisation) equals a full re-assessment of the modified case within 1e-9 relative.

The reference cases are written here flow by flow, without scenat's ``apply``, and scored
from scratch: the modified case linked to the background and ``c B A^-1 f`` solved with
scipy on the whole linked system (no partitioning, no kept factorisation, no per-flow
weights).
"""

from __future__ import annotations

import importlib
import os
import tempfile
from dataclasses import replace

import numpy as np
import pytest
from scipy.sparse.linalg import spsolve

os.environ.setdefault("SCENAT_HOME", tempfile.mkdtemp(prefix="scenat-test-"))

import scenat.interventions as iv  # noqa: E402
from scenat.assessment import ForegroundResolver  # noqa: E402
from scenat.brightway import link, project_catalogue  # noqa: E402
from scenat.interventions.apply import apply_rows  # noqa: E402
from scenat.interventions.columns import FlowTable  # noqa: E402
from scenat.interventions.matching import matched_rows  # noqa: E402
from scenat.model.case import Case, Flow  # noqa: E402
from scenat.model.indicators import resolve  # noqa: E402
from tests.interventions.conftest import GRID, case_row  # noqa: E402

INDICATORS = ["gwp100", "fossil_energy", "water"]
GAS = "natural_gas_combustion_kwh"
REL = 1e-9


def scipy_totals(case: Case) -> dict[str, float]:
    """``c B A^-1 f`` of the whole linked system, solved by scipy from scratch."""
    linked = link(case, indicators=resolve(INDICATORS))
    x = spsolve(linked.technosphere.tocsc(), linked.demand)
    emitted = linked.biosphere @ x
    return {ind: float(linked.cf[ind] @ emitted) for ind in INDICATORS}


def with_options(case: Case, *rows: dict) -> tuple[Case, list[iv.Intervention]]:
    """The case with these rows in its interventions sheet, and the options they make."""
    case = case.copy(interventions=list(rows))
    return case, iv.case_interventions(case)


def rescaled(flow: Flow, k: float) -> Flow:
    return replace(flow, amount=flow.amount * k, amount_in_reference=flow.amount_in_reference * k)


def kwh_per(flow: Flow) -> float:
    """kWh per unit of a flow's reference unit, by hand (the bicycle's grid is in MWh)."""
    return {"kWh": 1.0, "MWh": 1000.0}[flow.reference_unit]


def assert_change(row: dict, base: dict[str, float], expected: dict[str, float]) -> None:
    for ind in INDICATORS:
        fast = row[f"baseline_{ind}"] + row[f"change_{ind}"]
        assert fast == pytest.approx(expected[ind], rel=REL, abs=1e-12), ind
        assert row[f"baseline_{ind}"] == pytest.approx(base[ind], rel=REL, abs=1e-12), ind


@pytest.fixture(scope="module")
def bicycle() -> Case:
    from scenat.casefile.build import read_case
    from tests.interventions.conftest import BICYCLE

    return read_case(BICYCLE)


@pytest.fixture(scope="module")
def base_totals(bicycle: Case) -> dict[str, float]:
    return scipy_totals(bicycle)


@pytest.fixture
def no_cases(monkeypatch):
    """Fails a test that builds a modified case: the fast path must not need one."""

    def refuse(*args, **kwargs):
        raise AssertionError("a modified case was built")

    # ``scenat.interventions.apply`` is the function; its module is imported by name.
    monkeypatch.setattr(importlib.import_module("scenat.interventions.apply"), "apply", refuse)


def fast_row(case: Case, option: iv.Intervention) -> dict:
    solve = ForegroundResolver(case)
    (row,) = iv.evaluate(case, [option], INDICATORS, solve=solve).to_dicts()
    return row


def test_a_rescale_equals_a_full_reassessment(bicycle, base_totals, no_cases) -> None:
    case, (option,) = with_options(
        bicycle, case_row(id="green", match_input=GRID, action="scale", share=0.8, factor=0.2)
    )
    keep = 1 - 0.8 + 0.8 * 0.2
    by_hand = case.copy(flows=[rescaled(f, keep) if f.input == GRID else f for f in case.flows])
    assert_change(fast_row(case, option), base_totals, scipy_totals(by_hand))


def test_a_substitution_equals_a_full_reassessment(bicycle, base_totals, no_cases) -> None:
    # 60 % of the grid electricity becomes 0.9 kWh of gas per kWh: the bicycle's grid flows
    # are in MWh, so the added gas is amount x 1000 x 0.6 x 0.9 kWh.
    case, (option,) = with_options(
        bicycle,
        case_row(id="sub", match_input=GRID, action="substitute", share=0.6, to=GAS, factor=0.9),
    )
    flows = []
    for f in case.flows:
        if f.input != GRID:
            flows.append(f)
            continue
        gas = f.amount_in_reference * kwh_per(f) * 0.6 * 0.9
        flows += [rescaled(f, 0.4), Flow(f.node, "process", GAS, gas, "kWh", gas, "kWh")]
    assert_change(fast_row(case, option), base_totals, scipy_totals(case.copy(flows=flows)))


def test_an_addition_with_an_extra_input_equals_a_full_reassessment(
    bicycle, base_totals, no_cases
) -> None:
    # Keep the gas, add 0.05 kWh of grid electricity per kWh of half of it (a pump), and
    # 0.001 units of water supply per kWh as the option's extra input.
    case, (option,) = with_options(
        bicycle,
        case_row(
            id="pump",
            match_input=GAS,
            action="add",
            share=0.5,
            to=GRID,
            factor=0.05,
            extra_input="water_supply",
            extra_factor=0.001,
        ),
    )
    grid_unit = project_catalogue().processes[GRID].unit
    per_grid_unit = {"kWh": 1.0, "MWh": 0.001}[grid_unit]  # grid units per kWh
    water_unit = project_catalogue().processes["water_supply"].unit
    flows = []
    for f in case.flows:
        flows.append(f)
        if f.input != GAS:
            continue
        kwh = f.amount_in_reference * kwh_per(f) * 0.5
        grid = kwh * 0.05 * per_grid_unit
        flows.append(Flow(f.node, "process", GRID, grid, grid_unit, grid, grid_unit))
        water = kwh * 0.001
        flows.append(Flow(f.node, "process", "water_supply", water, water_unit, water, water_unit))
    assert_change(fast_row(case, option), base_totals, scipy_totals(case.copy(flows=flows)))


def test_a_node_to_node_rescale_equals_a_full_reassessment(bicycle, base_totals, no_cases):
    # Two wheels become 1.5 (a node-to-node flow: the foreground matrix itself changes).
    case, (option,) = with_options(
        bicycle,
        case_row(
            id="fewer_wheels",
            match_input="wheel_maker",
            match_kind="node",
            unit="item",
            action="scale",
            factor=0.75,
        ),
    )
    flows = [
        rescaled(f, 0.75) if f.kind == "node" and f.input == "wheel_maker" else f
        for f in case.flows
    ]
    assert_change(fast_row(case, option), base_totals, scipy_totals(case.copy(flows=flows)))


def test_a_combination_equals_a_full_reassessment_of_both_applied(bicycle, base_totals):
    # Half the gas moved to grid electricity, then 30 % less grid electricity: the second
    # acts on the first one's electricity too.
    case, options = with_options(
        bicycle,
        case_row(id="electrify", match_input=GAS, action="substitute", share=0.5, to=GRID,
                 factor=1.0),
        case_row(id="saving", match_input=GRID, action="scale", factor=0.7),
    )  # fmt: skip
    grid_unit = project_catalogue().processes[GRID].unit
    per_grid_unit = {"kWh": 1.0, "MWh": 0.001}[grid_unit]
    flows = []
    for f in case.flows:
        if f.input == GAS:
            grid = f.amount_in_reference * kwh_per(f) * 0.5 * per_grid_unit * 0.7
            flows += [rescaled(f, 0.5), Flow(f.node, "process", GRID, grid, grid_unit, grid,
                                             grid_unit)]  # fmt: skip
        elif f.input == GRID:
            flows.append(rescaled(f, 0.7))
        else:
            flows.append(f)
    expected = scipy_totals(case.copy(flows=flows))
    row = iv.evaluate_combination(case, options, INDICATORS, solve=ForegroundResolver(case))
    for ind in INDICATORS:
        total = row[f"baseline_{ind}"] + row[f"change_{ind}"]
        assert total == pytest.approx(expected[ind], rel=REL, abs=1e-12), ind


def test_the_table_is_the_case_apply_makes_row_for_row(bicycle) -> None:
    """Every shipped option and a substitute, an addition with an extra input and a node
    option, each applied to the case and then again to the result: the table's rows are
    the flows ``apply`` makes (node, kind, input, reference unit, amount)."""
    case, own = with_options(
        bicycle,
        case_row(id="sub", match_input=GRID, action="substitute", share=0.6, to=GAS, factor=0.9),
        case_row(id="pump", match_input=GAS, action="add", share=0.5, to=GRID, factor=0.05,
                 extra_input="function:electricity.grid", extra_factor=0.01),
        case_row(id="w", match_input="wheel_maker", match_kind="node", unit="item",
                 action="remove", share=1.0),
    )  # fmt: skip
    options = [*iv.collect(case), *own]
    base = FlowTable.of(case)
    checked = 0
    for first in options:
        once = apply_rows(base, first)
        for second in (None, *options[::5]):
            table = once if second is None else apply_rows(once, second)
            made = iv.apply(case, first)
            if second is not None:
                made = iv.apply(made, second)
            assert len(table) == len(made.flows), (first.id, second and second.id)
            for j, flow in enumerate(made.flows):
                kind, put, unit = table.context.keys[table.key[j]]
                assert (table.context.node_ids[table.node[j]], kind, put, unit) == (
                    flow.node, flow.kind, flow.input, flow.reference_unit,
                ), (first.id, j)  # fmt: skip
                assert table.amount[j] == pytest.approx(flow.amount_in_reference, rel=1e-15)
            assert table.case.flows == made.flows
            checked += 1
    assert checked > 100


def test_matched_rows_are_the_flows_matches_takes(bicycle) -> None:
    table = FlowTable.of(bicycle)
    for option in iv.collect(bicycle):
        taken = [i for i, f in enumerate(bicycle.flows) if iv.matches(option, bicycle, f)]
        assert matched_rows(table, option).tolist() == taken == iv.matched_flows(bicycle, option)


def test_a_resolver_of_flows_since_changed_is_not_trusted(bicycle) -> None:
    """A case whose flows list was edited after its resolver was made is scored by
    modified cases (the resolver's base no longer is the case), with the right totals."""
    case, (option,) = with_options(
        bicycle, case_row(id="green", match_input=GRID, action="scale", factor=0.5)
    )
    case = case.copy()
    solve = ForegroundResolver(case)
    case.flows[0] = rescaled(case.flows[0], 2.0)
    by_hand = case.copy(flows=[rescaled(f, 0.5) if f.input == GRID else f for f in case.flows])
    expected = scipy_totals(by_hand)
    (row,) = iv.evaluate(case, [option], INDICATORS, solve=solve).to_dicts()
    for ind in INDICATORS:
        fast = row[f"baseline_{ind}"] + row[f"change_{ind}"]
        assert fast == pytest.approx(expected[ind], rel=REL, abs=1e-12), ind


def test_the_evaluation_is_the_same_by_any_solve(bicycle) -> None:
    """Evaluation, MACC sequence and portfolio through the resolver equal those through
    full assessments of modified cases (the default solve)."""
    options = iv.collect(bicycle)
    fast = iv.evaluate(bicycle, options, solve=ForegroundResolver(bicycle))
    full = iv.evaluate(bicycle, options)
    assert fast["id"].to_list() == full["id"].to_list()
    for column in fast.columns:
        a, b = fast[column].to_list(), full[column].to_list()
        if fast[column].dtype.is_float():
            np.testing.assert_allclose(
                np.array(a, dtype=float), np.array(b, dtype=float), rtol=1e-9, atol=1e-9
            )
        else:
            assert a == b, column


@pytest.mark.parametrize("count", [12, None])
def test_the_portfolio_is_the_same_by_any_solve(bicycle, count) -> None:
    """Exact enumeration of combinations (12 options) and the MILP (all), through the
    resolver and through full assessments: the same sets, values and certificates."""
    options = iv.collect(bicycle)[:count]
    solve = ForegroundResolver(bicycle)
    table = iv.evaluate(bicycle, options, solve=solve)
    fast = iv.plan_portfolio(bicycle, 2e5, options, table=table, solve=solve)
    full = iv.plan_portfolio(bicycle, 2e5, options, table=iv.evaluate(bicycle, options))
    assert fast.chosen == full.chosen and len(fast.chosen) > 2
    assert (fast.method, fast.certified, fast.evaluations) == (
        full.method, full.certified, full.evaluations,
    )  # fmt: skip
    assert fast.benefit == pytest.approx(full.benefit, rel=1e-9)
    assert [c[0] for c in fast.considered] == [c[0] for c in full.considered]
    values = [v for c in full.considered for v in c[1:]]
    assert [v for c in fast.considered for v in c[1:]] == pytest.approx(values, rel=1e-9)
