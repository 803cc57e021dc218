"""KPIs checked independently: evaluated changes against a full assessment of a case modified
by hand in the test (no shared code with :func:`scenat.interventions.apply`), abatement, MAC
and payback with the finance formulas written out here; portfolios as combinations.
"""

from __future__ import annotations

import json
import math
import os
import tempfile

import pytest

os.environ.setdefault("SCENAT_HOME", tempfile.mkdtemp(prefix="scenat-test-"))

import scenat.interventions as iv  # noqa: E402
from scenat.errors import InputError  # noqa: E402
from scenat.model.case import Case, Flow, Node  # noqa: E402
from scenat.report.interventions import json_records  # noqa: E402
from tests.interventions.conftest import (  # noqa: E402
    GRID,
    RATE,
    assess_total,
    case_row,
    scaled,
)


def test_renewable_supply_equals_hand_modified_case(
    bicycle: Case, library: list[iv.Intervention]
) -> None:
    ppa = next(i for i in library if i.id == "renewable_electricity_ppa")
    table = iv.evaluate(bicycle, [ppa])
    expected = assess_total(scaled(bicycle, {GRID}, ppa.factor)) - assess_total(bicycle)
    (row,) = table.to_dicts()
    assert expected < 0
    assert row["change_gwp100"] == pytest.approx(expected, rel=1e-9)
    assert row["change_year_gwp100"] == pytest.approx(expected * 20_000, rel=1e-9)
    assert row["change_pct_gwp100"] == pytest.approx(100 * expected / assess_total(bicycle))
    assert row["abatement_t_year"] == pytest.approx(-expected * 20_000 / 1000, rel=1e-9)


def _tiny_case(interventions: list[dict]) -> Case:
    """One plant buying 1,000 kWh of grid electricity and 1 kg of water per item."""
    plant = Node(id="plant", name="Plant", tier=0, output_unit="item", stage="manufacturing")
    flows = [
        Flow("plant", "process", GRID, 1000.0, "kWh", 1000.0, "kWh", row=2),
        Flow("plant", "process", "natural_gas_combustion_kwh", 500.0, "kWh", 500.0, "kWh", row=3),
    ]
    return Case(
        name="tiny",
        reference_node="plant",
        nodes={"plant": plant},
        flows=flows,
        annual_volume=50.0,
        interventions=interventions,
        metadata={"discount_rate": "0.035"},
    )


def test_electricity_substitution_kpis_by_hand() -> None:
    # Buy 80 % of the electricity from a supplier whose footprint is 20 % of the grid's,
    # paying GBP 0.5 per kWh/yr up front and saving GBP 0.01 per kWh/yr, for 10 years.
    entry = case_row(
        id="green",
        match_input=GRID,
        action="scale",
        share=0.8,
        factor=0.2,
        capex=0.5,
        capex_basis="per_unit_year",
        opex_change=-0.01,
        opex_basis="per_unit_year",
        lifetime=10,
    )
    case = _tiny_case([entry])
    table = iv.evaluate(case, iv.case_interventions(case))
    (row,) = table.to_dicts()

    grid_per_kwh = assess_total(_tiny_case([]).copy(flows=[_tiny_case([]).flows[0]])) / 1000
    kwh_year = 1000 * 50
    affected = kwh_year * 0.8
    abatement_t = affected * (1 - 0.2) * grid_per_kwh / 1000
    capex = 0.5 * affected
    opex = -0.01 * affected
    crf = RATE * (1 + RATE) ** 10 / ((1 + RATE) ** 10 - 1)
    assert row["affected_quantity_year"] == pytest.approx(affected)
    assert row["abatement_t_year"] == pytest.approx(abatement_t, rel=1e-6)
    assert row["capex"] == pytest.approx(capex)
    assert row["opex_change_year"] == pytest.approx(opex)
    assert row["eac"] == pytest.approx(capex * crf, rel=1e-12)
    assert row["mac"] == pytest.approx((capex * crf + opex) / abatement_t, rel=1e-6)
    assert row["payback_years"] == pytest.approx(capex / -opex)  # 50 years
    annuity = (1 - (1 + RATE) ** -10) / RATE
    assert row["npv"] == pytest.approx(-opex * annuity - capex, rel=1e-12)
    assert row["resource_side_effect"] is False


def test_half_share_gives_half_the_effect() -> None:
    def change(share: float) -> float:
        entry = case_row(
            id="sub",
            match_input=GRID,
            action="substitute",
            share=share,
            to="electricity_uk_grid_generated",
            factor=1.0,
        )
        case = _tiny_case([entry])
        return iv.evaluate(case, iv.case_interventions(case))["change_gwp100"][0]

    full, half = change(1.0), change(0.5)
    assert full < 0
    assert half == pytest.approx(full / 2, rel=1e-9)


def test_side_effect_flagged_when_carbon_falls_but_water_rises() -> None:
    # Silly but clear: replace gas heat by something that needs mains water.
    entry = case_row(
        id="wet",
        match_input="natural_gas_combustion_kwh",
        action="substitute",
        to="water_supply",
        factor=0.01,
    )
    case = _tiny_case([entry])
    (row,) = iv.evaluate(case, iv.case_interventions(case)).to_dicts()
    assert row["change_gwp100"] < 0
    assert row["change_water"] > 0
    assert row["resource_side_effect"] is True
    assert "water" in row["side_effects"]


def test_two_interventions_on_the_same_flow_are_not_double_counted(
    bicycle: Case, library: list[iv.Intervention]
) -> None:
    led = next(i for i in library if i.id == "led_lighting")
    ppa = next(i for i in library if i.id == "renewable_electricity_ppa")
    alone = iv.evaluate(bicycle, [led, ppa])
    together = iv.evaluate_combination(bicycle, [led, ppa])
    base = assess_total(bicycle)
    # By hand: every grid kWh x (1 - share + share x LED factor) x PPA factor.
    k = (1 - led.share + led.share * led.factor) * ppa.factor
    expected = assess_total(scaled(bicycle, {GRID}, k)) - base
    assert together["change_gwp100"] == pytest.approx(expected, rel=1e-9)
    assert together["abatement_t_year"] < alone["abatement_t_year"].sum()
    # The PPA premium is paid on the kWh left after the LED retrofit.
    led_kwh = iv.affected_quantity(bicycle, led)
    ppa_kwh_after = iv.affected_quantity(bicycle, ppa) - led_kwh * (1 - led.factor)
    expected_opex = led.opex_change * led_kwh + ppa.opex_change * ppa_kwh_after
    # The library's money is GBP of 2024, the case's of 2025: UK CPI (ONS D7BT) 138.4 / 133.9.
    assert (led.price_year, bicycle.year) == (2024, 2025)
    expected_opex *= 138.4 / 133.9
    assert together["opex_change_year"] == pytest.approx(expected_opex, rel=1e-9)


def test_portfolio_is_the_best_evaluated_combination(
    bicycle: Case, library: list[iv.Intervention]
) -> None:
    chosen_ids = ["led_lighting", "renewable_electricity_ppa", "vsd_motors", "rooftop_solar_pv"]
    options = [i for i in library if i.id in chosen_ids]
    table = iv.evaluate(bicycle, options, ["gwp100"])
    budget = float(table["capex"].sum()) * 0.6
    plan = iv.plan_portfolio(bicycle, budget, options, table=table)
    # Brute force over the true (combined) abatement of every affordable subset.
    capex = dict(zip(table["id"], table["capex"]))
    best, best_value = (), 0.0
    from itertools import combinations

    for r in range(1, len(options) + 1):
        for combo in combinations(options, r):
            if sum(capex[o.id] for o in combo) <= budget:
                value = iv.evaluate_combination(bicycle, list(combo), ["gwp100"])[
                    "abatement_t_year"
                ]
                if value > best_value:
                    best, best_value = tuple(sorted(o.id for o in combo)), value
    assert tuple(sorted(plan.chosen)) == best
    assert plan.evaluated_benefit == pytest.approx(best_value, rel=1e-9)
    assert plan.capex <= budget
    assert plan.evaluated_benefit < plan.additive_benefit or len(plan.chosen) < 2


def test_whole_library_on_the_bicycle(bicycle: Case) -> None:
    table = iv.evaluate(bicycle)
    assert table.height >= 25
    assert table["id"].n_unique() == table.height
    assert (table["abatement_t_year"] > 0).all()  # every applicable option abates here
    assert table["mac"].is_finite().all()
    # Concrete and water-only options do not apply to a bicycle with no concrete.
    assert "ggbs_concrete" not in table["id"].to_list()
    json.dumps(json_records(table))  # JSON-safe (no NaN or inf)


def test_discount_rate_from_the_case(bicycle: Case) -> None:
    assert iv.case_discount_rate(bicycle) == 0.035
    assert iv.case_discount_rate(bicycle.copy(metadata={"discount_rate": "0.07"})) == 0.07
    with pytest.raises(InputError) as caught:
        iv.case_discount_rate(bicycle.copy(metadata={"discount_rate": "7%"}))
    assert caught.value.sheet == "case"
    assert math.isclose(iv.DEFAULT_DISCOUNT_RATE, 0.035)


def test_costs_convert_to_the_case_currency_and_year(bicycle: Case) -> None:
    """A GBP 2024 library entry on a CNY 2024 case: capex and opex x HMRC's GBP->CNY rate of
    2024 (inventories/currency/rates.csv), said in the notes."""
    import csv

    from tests.interventions.conftest import REPO

    rates = {
        (r["year"], r["base"], r["quote"]): float(r["rate"])
        for r in csv.DictReader(open(REPO / "inventories" / "currency" / "rates.csv"))
    }
    cny = bicycle.copy(currency="CNY", year=2024)
    led = next(i for i in iv.load_library() if i.id == "led_lighting")
    gbp_row = iv.evaluate(bicycle.copy(year=2024), [led]).row(0, named=True)
    cny_row = iv.evaluate(cny, [led]).row(0, named=True)
    factor = rates[("2024", "GBP", "CNY")]
    assert cny_row["currency"] == "CNY"
    assert cny_row["capex"] == pytest.approx(gbp_row["capex"] * factor, rel=1e-9)
    assert cny_row["opex_change_year"] == pytest.approx(
        gbp_row["opex_change_year"] * factor, rel=1e-9
    )
    assert cny_row["mac"] == pytest.approx(gbp_row["mac"] * factor, rel=1e-9)
    assert "converted" in cny_row["notes"] and "GBP" in cny_row["notes"]


def test_never_paying_back_is_distinct_from_zero_and_unknown_in_the_json() -> None:
    """A supply contract with no capex that costs GBP 0.01 per kWh more never pays back; one
    with no capex that saves pays back at once; one in another currency is unknown."""
    entries = [
        case_row(id="dearer", match_input=GRID, action="scale", share=1, factor=0.5,
                 opex_change=0.01, opex_basis="per_unit_year"),
        case_row(id="cheaper", match_input=GRID, action="scale", share=1, factor=0.5,
                 opex_change=-0.01, opex_basis="per_unit_year"),
        case_row(id="foreign", match_input=GRID, action="scale", share=1, factor=0.5,
                 opex_change=-0.01, currency="EUR"),
    ]  # fmt: skip
    case = _tiny_case(entries)
    rows = {r["id"]: r for r in json_records(iv.evaluate(case, iv.case_interventions(case)))}
    assert (rows["dearer"]["payback_years"], rows["dearer"]["payback_status"]) == (None, "never")
    assert (rows["cheaper"]["payback_years"], rows["cheaper"]["payback_status"]) == (
        0.0, "immediate",
    )  # fmt: skip
    assert (rows["foreign"]["payback_years"], rows["foreign"]["payback_status"]) == (
        None, "unknown",
    )  # fmt: skip


def test_the_macc_never_abates_more_than_the_baseline(bicycle: Case) -> None:
    """Options acting on the same flow (renewable supply, then efficiency on what is left)
    are evaluated in MAC order, each on the case the cheaper ones left: the curve's widths
    are what each adds, so the whole curve abates what applying them all together abates,
    up to the baseline (end-of-life credits take the bicycle's total below zero; the curve
    stops at the footprint). Stacked stand-alone, the bicycle's curve reached 169 %."""
    from scenat.assessment import ForegroundResolver
    from scenat.calc import rank

    solve = ForegroundResolver(bicycle)
    options = iv.collect(bicycle)
    table = iv.evaluate(bicycle, options, solve=solve)
    curve = rank.macc(table)
    baseline_t = assess_total(bicycle) * bicycle.annual_volume / 1000
    assert curve["cumulative_abatement"].max() <= baseline_t * (1 + 1e-9)
    # The curve is the sequence: its last cumulative abatement is the combination of its
    # options applied in curve order, exclusive groups honoured (one option per group).
    by_id = {o.id: o for o in options}
    members = [by_id[i] for i in curve["id"].to_list()]
    groups = [o.group for o in members if o.group]
    assert len(groups) == len(set(groups))
    together = iv.evaluate_combination(bicycle, members, ["gwp100"], solve=solve)
    assert curve["cumulative_abatement"][-1] == pytest.approx(
        min(together["abatement_t_year"], baseline_t), rel=1e-9
    )
    # Each bar is the option's own increment at its place in the order, and its height the
    # cost per tonne of that increment.
    for row in curve.iter_rows(named=True):
        assert row["macc_abatement_t_year"] > 0
        assert row["macc_mac"] == pytest.approx(
            row["annual_cost_in_sequence"] / row["macc_abatement_t_year"], rel=1e-12
        )
