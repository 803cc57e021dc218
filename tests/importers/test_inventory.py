"""The inventory helpers every importer shares: tolerance comparison, round-off, coverage."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from scenat.importers.inventory import (
    compare_inventories,
    drop_round_off,
    recorded_indicators,
    shipped_recorded_indicators,
)
from scenat.model.indicators import characterised_flows

REPO = Path(__file__).resolve().parents[2]


def write(folder: Path, text: str, name: str = "exchanges.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


HEADER = "process,type,input,amount,unit\n"


def test_numbers_compare_with_a_tolerance_and_text_exactly(tmp_path):
    old = write(
        tmp_path / "old", HEADER + "a,biosphere,co2_fossil,0.1,kg\na,biosphere,n2o,1e-6,kg\n"
    )
    # the last digits of a sum differ on another machine: equal within 1e-9
    same = write(
        tmp_path / "same",
        HEADER + "a,biosphere,co2_fossil,0.10000000000000002,kg\n"
        "a,biosphere,n2o,1.0000000000000002e-06,kg\n",
    )
    assert compare_inventories(old, same) == []
    moved = write(
        tmp_path / "moved", HEADER + "a,biosphere,co2_fossil,0.1001,kg\na,biosphere,n2o,1e-6,g\n"
    )
    assert compare_inventories(old, moved) == [
        "exchanges.csv a biosphere co2_fossil: amount 0.1 != 0.1001",
        "exchanges.csv a biosphere n2o: unit kg != g",
    ]


def test_missing_and_extra_rows_and_files_are_reported(tmp_path):
    old = write(tmp_path / "old", HEADER + "a,biosphere,co2_fossil,0.1,kg\n")
    new = write(tmp_path / "new", HEADER + "b,biosphere,co2_fossil,0.1,kg\n")
    write(new, "id\nb\n", "processes.csv")
    problems = compare_inventories(old, new)
    assert f"exchanges.csv a biosphere co2_fossil: only in {old}" in problems
    assert f"exchanges.csv b biosphere co2_fossil: only in {new}" in problems
    assert f"processes.csv: missing from {old}" in problems
    # typed tables only the shipped folder holds are not rebuilt, so not compared
    write(old, "parameter,value\nx,1\n", "model_parameters.csv")
    assert not any("model_parameters" in p for p in compare_inventories(old, new))


def test_repeated_exchanges_of_one_flow_are_matched_in_order(tmp_path):
    # a process may book one flow twice (fuel energy and its extraction losses)
    old = write(
        tmp_path / "old",
        HEADER + "a,biosphere,crude_oil_resource,0.795,kg\n"
        "a,biosphere,crude_oil_resource,0.0278,kg\n",
    )
    new = write(
        tmp_path / "new",
        HEADER + "a,biosphere,crude_oil_resource,0.795,kg\n"
        "a,biosphere,crude_oil_resource,0.0279,kg\n",
    )
    assert compare_inventories(old, new) == [
        "exchanges.csv a biosphere crude_oil_resource #2: amount 0.0278 != 0.0279"
    ]


def test_round_off_noise_is_dropped_per_flow():
    table = pl.DataFrame(
        {
            "process": ["steel", "pvc", "glass", "steel", "pvc"],
            "type": ["biosphere"] * 5,
            "input": ["uranium_resource"] * 3 + ["co2_fossil"] * 2,
            "amount": [2.0e-5, -3.1e-17, 4.0e-12, 2.3, 0.0],
            "unit": ["kg"] * 5,
        }
    )
    kept = drop_round_off(table)
    # -3.1e-17 is 1.6e-12 of the largest uranium amount (noise); 4e-12 is 2e-7 (real); a
    # zero is a published value, kept
    assert kept.select("process", "input").rows() == [
        ("steel", "uranium_resource"),
        ("glass", "uranium_resource"),
        ("steel", "co2_fossil"),
        ("pvc", "co2_fossil"),
    ]


def test_recorded_indicators_follow_links_and_loops():
    characterised = {"co2_fossil": {"gwp100"}, "uranium_resource": {"fossil_energy"}}
    rows = [
        {"process": "a", "type": "technosphere", "input": "b", "amount": 1.0},
        {"process": "b", "type": "technosphere", "input": "a", "amount": 0.1},
        {"process": "b", "type": "biosphere", "input": "co2_fossil", "amount": 0.5},
        {"process": "c", "type": "biosphere", "input": "co2_fossil", "amount": 0.0},
        {"process": "c", "type": "technosphere", "input": "grid", "amount": 1.0},
    ]
    found = recorded_indicators(["a", "b", "c"], rows, characterised, {"grid": {"fossil_energy"}})
    # a published zero (c's CO2) records its indicator: the data says nil, it is not missing
    assert found == {"a": "gwp100", "b": "gwp100", "c": "gwp100;fossil_energy"}


def test_shipped_processes_state_what_their_data_record():
    recorded = shipped_recorded_indicators(REPO / "inventories")
    # Ember grids: GHG and fossil energy (no water, no metals: not covered)
    assert recorded["electricity_grid_deu"] == {"gwp100", "fossil_energy"}
    # the UK delivered grid records what its four linked DESNZ processes record
    assert recorded["electricity_uk_grid_delivered"] == {"gwp100", "fossil_energy"}
    # a spend sector records GHG and the eight USEEIO indicators, nothing of EF
    assert recorded["epa_naics_331110"] == {
        "gwp100",
        "useeio_enrg",
        "useeio_nnrg",
        "useeio_rnrg",
        "useeio_watr",
        "useeio_mnrl",
        "useeio_land",
        "useeio_jobs",
        "useeio_vadd",
    }
    # freight records its grid's fossil energy through the technosphere link
    assert recorded["freight_rail_electric_cn_tkm"] == {"gwp100", "fossil_energy"}
    # an ÖKOBAUDAT product records the three mapped EF indicators and its own two
    assert recorded["okobaudat_steel_rebar"] == {
        "gwp100",
        "fossil_energy",
        "metals_minerals",
        "okobaudat_penrt",
        "okobaudat_fw",
    }


def test_ef_indicators_never_count_the_useeio_flows():
    flows = characterised_flows()
    for flow, indicators in flows.items():
        if flow.startswith(("useeio_", "okobaudat_")):
            assert indicators == {flow}, (flow, indicators)
        else:
            assert not any(i.startswith(("useeio_", "okobaudat_")) for i in indicators), (
                flow,
                indicators,
            )
    # ÖKOBAUDAT's FW (net fresh water) is its own indicator, never EF water
    assert flows["okobaudat_fw"] == {"okobaudat_fw"}
    # ÖKOBAUDAT's ADPE is booked on antimony, EF 3.1's reference substance of ADP elements
    assert flows["antimony_resource"] == {"metals_minerals"}
