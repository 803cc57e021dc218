"""Options that match by function serve supply chains in other places with their own data."""

from __future__ import annotations

from dataclasses import replace

import pytest

import scenat.interventions as iv
from scenat.errors import InputError
from scenat.interventions.functions import load_functions, shipped_functions
from scenat.model import shipped_catalogue
from scenat.model.case import Case, Flow, Node
from tests.interventions.conftest import assess_total, case_row


def test_shipped_functions_name_shipped_processes_of_one_kind():
    functions = shipped_functions()
    catalogue = shipped_catalogue()
    for name, members in functions.members.items():
        assert members, name
        for pid in members:
            assert pid in catalogue.processes, (name, pid)
    assert functions.units["freight.road"] == "tkm"
    assert functions.resolve("electricity.grid", ["GB"]) == "electricity_uk_grid_delivered"
    assert functions.resolve("electricity.grid", ["CN-BJ"]) == "electricity_grid_cn_bj"
    assert functions.resolve("electricity.grid", ["CN"]) == "electricity_grid_chn"
    assert functions.resolve("freight.rail", ["DE"]) == "freight_rail_electric_eu_tkm"
    assert functions.resolve("freight.rail", ["CN-CQ"]) == "freight_rail_electric_cn_tkm"
    assert functions.resolve("electricity.grid", ["ZZ", None]) == "electricity_uk_grid_delivered"


def test_a_bad_functions_table_is_located(tmp_path):
    path = tmp_path / "functions.csv"
    path.write_text(
        "function,process,note\n"
        "freight.road,freight_hgv_diesel_tkm,\n"
        "freight.road,electricity_uk_grid_delivered,kWh is no tkm\n"
        "freight.road,no_such_process,\n"
    )
    with pytest.raises(InputError) as info:
        load_functions(path)
    located = {(p.row, p.column) for p in info.value.errors}
    assert located == {(3, "process"), (4, "process")}


def _truck_case(location: str, truck: str) -> Case:
    node = Node("haulier", "Haulier", 0, "item", location=location)
    flow = Flow("haulier", "process", truck, 1000.0, "tkm", 1000.0, "tkm", row=2)
    return Case("freight", "haulier", {"haulier": node}, [flow])


def test_function_substitution_takes_the_provider_of_the_place():
    """Electric trucks on a US road flow draw US grid electricity; on a UK one, UK grid."""
    trucks = next(i for i in iv.load_library() if i.id == "electric_trucks")
    us = iv.apply(_truck_case("US", "uslci_transport_truck"), trucks)
    uk = iv.apply(_truck_case("GB", "freight_hgv_diesel_tkm"), trucks)
    kept = ["uslci_transport_truck"] if trucks.share < 1 else []
    assert [f.input for f in us.flows if "interventions" in f.metadata] == [
        *kept,
        "electricity_grid_usa",
    ]
    assert "electricity_uk_grid_delivered" in {f.input for f in uk.flows}
    added = next(f for f in us.flows if f.input == "electricity_grid_usa")
    assert added.amount_in_reference == pytest.approx(1000.0 * trucks.share * trucks.factor)
    # The effect equals a case written by hand with the same flows.
    left = 1000.0 * (1 - trucks.share)
    by_hand = replace(
        _truck_case("US", "uslci_transport_truck"),
        flows=[
            Flow("haulier", "process", "uslci_transport_truck", left, "tkm", left, "tkm", row=2),
            Flow("haulier", "process", "electricity_grid_usa", added.amount, "kWh",
                 added.amount, "kWh", row=2),
        ],
    )  # fmt: skip
    assert assess_total(us) == pytest.approx(assess_total(by_hand), rel=1e-9)


def test_a_case_row_may_match_by_function():
    case = _truck_case("CN", "uslci_transport_truck").copy(
        interventions=[
            case_row(
                id="fewer_km",
                match_input="function:freight.road",
                unit="tkm",
                action="scale",
                factor=0.8,
            )
        ]
    )
    (entry,) = iv.case_interventions(case)
    assert iv.matched_flows(case, entry) == [0]
