"""Interventions: library validation, matching, application, and KPIs checked independently.

Evaluated changes are compared with a full assessment of a case modified by hand in the
test (sharing no code with :func:`scenat.interventions.library.apply`); abatement, MAC and payback
with the finance formulas written out here.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

os.environ.setdefault("SCENAT_HOME", tempfile.mkdtemp(prefix="scenat-test-"))

import scenat.interventions as iv  # noqa: E402
from scenat.calc import node_supply  # noqa: E402
from scenat.casefile.build import read_case  # noqa: E402
from scenat.errors import InputError  # noqa: E402
from scenat.model.case import Case, Flow, Node  # noqa: E402
from scenat.model.catalogue import shipped_catalogue  # noqa: E402
from scenat.model.schema import INTERVENTION_COLUMNS, INTERVENTION_SOURCE_COLUMNS  # noqa: E402
from scenat.report.interventions import json_records  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
BICYCLE = REPO / "examples" / "bicycle"
GRID = "electricity_uk_grid_delivered"
RATE = 0.035


def _assess_total(case: Case, indicator: str = "gwp100") -> float:
    from scenat.assessment.result import assess

    return assess(case, [indicator]).total(indicator)


def _scaled(case: Case, inputs: set[str], k: float) -> Case:
    """The case with every flow of these inputs multiplied by k (written without scenat)."""
    flows = [
        replace(f, amount=f.amount * k, amount_in_reference=f.amount_in_reference * k)
        if f.input in inputs
        else f
        for f in case.flows
    ]
    return case.copy(flows=flows)


def _row(**fields: object) -> dict:
    """A case 'interventions' sheet row as the workbook reader keeps it (strings, _row)."""
    base = {
        "_row": 2,
        "name": "test intervention",
        "category": "energy",
        "unit": "kWh",
        "share": "1",
        "capex": "0",
        "opex_change": "0",
        "lifetime": "10",
    }
    base.update({k: v if k == "_row" else str(v) for k, v in fields.items()})
    return base


@pytest.fixture(scope="module")
def bicycle() -> Case:
    return read_case(BICYCLE)


@pytest.fixture(scope="module")
def library() -> list[iv.Intervention]:
    return iv.load_library()


# --------------------------------------------------------------------------- library


def test_shipped_library_is_complete(library: list[iv.Intervention]) -> None:
    assert len(library) >= 30
    assert iv.validate_library() == []
    categories = {i.category for i in library}
    assert {"energy", "materials", "logistics", "end_of_life"} <= categories
    catalogue = shipped_catalogue()
    for entry in library:
        assert set(entry.sources) == set(INTERVENTION_SOURCE_COLUMNS), entry.id
        assert all(len(text) > 20 for text in entry.sources.values()), entry.id
        for target in (*entry.inputs, *([entry.to] if entry.to else [])):
            if not target.startswith(iv.CATEGORY_PREFIX):
                assert target in catalogue.processes or target in catalogue.elementary, target
    ids = {i.id for i in library}
    for expected in (
        "led_lighting",
        "heat_pump",
        "rooftop_solar_pv",
        "renewable_electricity_ppa",
        "vsd_motors",
        "heat_recovery",
        "recycled_aluminium",
        "eaf_steel",
        "ggbs_concrete",
        "recycled_plastics",
        "timber_substitution",
        "road_to_rail",
        "road_to_sea",
        "electric_trucks",
        "hvo_trucks",
        "load_factor",
        "nearshoring",
        "eol_recycling_aluminium",
        "take_back_remanufacture",
    ):
        assert expected in ids


def test_bad_library_entries_are_located(tmp_path: Path) -> None:
    header = ",".join(INTERVENTION_COLUMNS)
    good = dict.fromkeys(INTERVENTION_COLUMNS, "")
    good.update(
        id="ok",
        name="fine",
        category="energy",
        match_input=GRID,
        unit="kWh",
        action="scale",
        factor="0.5",
        capex="0",
        opex_change="0",
        lifetime="5",
        **{c: "a source" for c in INTERVENTION_SOURCE_COLUMNS},
    )
    rows = [
        {**good, "id": "typo_target", "match_input": "electricity_uk_grid_delivred"},
        {**good, "id": "negative_life", "lifetime": "-3"},
        {**good, "id": "no_capex", "capex": ""},
        {**good, "id": "bad_sub", "action": "substitute", "to": "unobtainium"},
        {**good, "id": "no_source", "source_capex": ""},
        good,
    ]
    path = tmp_path / "lib.csv"
    path.write_text(
        header + "\n" + "\n".join(",".join(r[c] for c in INTERVENTION_COLUMNS) for r in rows) + "\n"
    )
    with pytest.raises(InputError) as caught:
        iv.load_library(path)
    problems = {(p.row, p.column): p for p in caught.value.errors}
    typo = problems[(2, "match_input")]
    assert "typo_target" in typo.message and "unknown target id" in typo.message
    assert typo.value == "electricity_uk_grid_delivred" and GRID in typo.hint
    assert typo.file == str(path)
    assert "negative_life" in problems[(3, "lifetime")].message
    assert "no_capex" in problems[(4, "capex")].message
    assert "required" in problems[(4, "capex")].message
    assert "unobtainium" in str(problems[(5, "to")].value)
    assert "every figure needs a source" in problems[(6, "source_capex")].message
    assert len(caught.value.errors) == 5


def test_case_rows_override_library_ids(bicycle: Case) -> None:
    case = bicycle.copy(
        interventions=[
            _row(
                id="renewable_electricity_ppa",
                match_input=GRID,
                action="scale",
                share=0.5,
                factor=0.1,
            ),
            _row(
                _row=3,
                id="own_idea",
                match_input="frame_maker",
                match_kind="node",
                unit="item",
                action="scale",
                factor=0.9,
            ),
        ]
    )
    merged = iv.collect(case)
    by_id = {i.id: i for i in merged}
    assert by_id["renewable_electricity_ppa"].share == 0.5
    assert by_id["renewable_electricity_ppa"].origin == "case"
    # The override keeps the library entry's place; new case entries come last.
    assert [i.id for i in merged].index("renewable_electricity_ppa") == [
        i.id for i in iv.load_library()
    ].index("renewable_electricity_ppa")
    assert merged[-1].id == "own_idea"
    # Case rows without sources are allowed (warnings only).
    assert by_id["own_idea"].sources == {}


def test_bad_case_row_names_sheet_row_and_entry(bicycle: Case) -> None:
    case = bicycle.copy(
        interventions=[_row(_row=4, id="x", match_input=GRID, action="scale", factor="-1")]
    )
    with pytest.raises(InputError) as caught:
        iv.collect(case)
    (problem,) = caught.value.errors
    assert (problem.sheet, problem.row, problem.column) == ("interventions", 4, "factor")
    assert "'x'" in problem.message


# --------------------------------------------------------------------------- applying


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
            _row(id="cut", match_input=GRID, match_node="wheel_maker", action="remove", share=0.25),
            _row(
                _row=3,
                id="tier2",
                match_input="category:electricity",
                match_tier=2,
                action="scale",
                factor=0.5,
            ),
            _row(
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


def test_renewable_supply_equals_hand_modified_case(
    bicycle: Case, library: list[iv.Intervention]
) -> None:
    ppa = next(i for i in library if i.id == "renewable_electricity_ppa")
    table = iv.evaluate(bicycle, [ppa])
    expected = _assess_total(_scaled(bicycle, {GRID}, ppa.factor)) - _assess_total(bicycle)
    (row,) = table.to_dicts()
    assert expected < 0
    assert row["change_gwp100"] == pytest.approx(expected, rel=1e-9)
    assert row["change_year_gwp100"] == pytest.approx(expected * 20_000, rel=1e-9)
    assert row["change_pct_gwp100"] == pytest.approx(100 * expected / _assess_total(bicycle))
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
    entry = _row(
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

    grid_per_kwh = _assess_total(_tiny_case([]).copy(flows=[_tiny_case([]).flows[0]])) / 1000
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
        entry = _row(
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
    entry = _row(
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
    base = _assess_total(bicycle)
    # By hand: every grid kWh x (1 - share + share x LED factor) x PPA factor.
    k = (1 - led.share + led.share * led.factor) * ppa.factor
    expected = _assess_total(_scaled(bicycle, {GRID}, k)) - base
    assert together["change_gwp100"] == pytest.approx(expected, rel=1e-9)
    assert together["abatement_t_year"] < alone["abatement_t_year"].sum()
    # The PPA premium is paid on the kWh left after the LED retrofit.
    led_kwh = iv.affected_quantity(bicycle, led)
    ppa_kwh_after = iv.affected_quantity(bicycle, ppa) - led_kwh * (1 - led.factor)
    expected_opex = led.opex_change * led_kwh + ppa.opex_change * ppa_kwh_after
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


def test_user_library_overrides_the_shipped_one(tmp_path: Path) -> None:
    shipped = {i.id: i for i in iv.load_library()}
    path = tmp_path / "mine.csv"
    with iv.shipped_library_path().open() as handle:
        header, *rows = handle.read().splitlines()
    led = next(r for r in rows if r.startswith("led_lighting,"))
    path.write_text(header + "\n" + led.replace(",0.15,0.4,", ",0.3,0.4,") + "\n")
    merged = {i.id: i for i in iv.collect(libraries=[path])}
    assert merged["led_lighting"].share == 0.3
    assert merged["led_lighting"].origin == "user library mine.csv"
    assert shipped["led_lighting"].share == 0.15
    assert len(merged) == len(shipped)
