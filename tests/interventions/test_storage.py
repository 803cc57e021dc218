"""Battery storage as an option with its embodied burden (the library's ``extra_input``) and
options limited to a place (``match_location``), checked against hand arithmetic.

The Beijing grid's CO2e per kWh is read from the shipped inventory's exchanges and weighted
with the IPCC AR6 GWP100 values written here (fossil CH4 29.8, N2O 273), so nothing comes
from scenat's own calculation. The expected changes follow the option's published recipe:
the stored share of grid electricity is replaced by PV at 41 g/kWh / 0.85 (round trip), and
every kWh the battery delivers carries 109.3 kg CO2e per kWh of capacity (Hao et al. 2017:
3,061 kg for 28 kWh) over 300 cycles x 0.9 depth x 15 years of throughput.
"""

from __future__ import annotations

import csv
import math
import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("SCENAT_HOME", tempfile.mkdtemp(prefix="scenat-test-"))

import scenat.interventions as iv  # noqa: E402
from scenat.errors import InputError  # noqa: E402
from scenat.interventions.library import case_interventions  # noqa: E402
from scenat.model.case import Case, Flow, Node  # noqa: E402
from tests.interventions.conftest import REPO, case_row  # noqa: E402

BJ = "electricity_grid_cn_bj"
KWH = 10_000.0  # a year of the tiny site's electricity
GWP = {"co2_fossil": 1.0, "ch4_fossil": 29.8, "n2o": 273.0}  # IPCC AR6 WG1, GWP100
RATE = 0.035
EMBODIED = 3061 / 28 / (300 * 0.9 * 15)  # kg CO2e per kWh delivered by the battery


def _grid_co2e(process: str) -> float:
    path = REPO / "inventories" / "grid_electricity" / "exchanges.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(
            float(r["amount"]) * GWP[r["input"]]
            for r in csv.DictReader(handle)
            if r["process"] == process and r["input"] in GWP
        )


def _site(location: str, grid: str = BJ, interventions: list[dict] | None = None) -> Case:
    site = Node(id="site", name="Site", tier=0, output_unit="year", location=location)
    return Case(
        name="site",
        reference_node="site",
        nodes={"site": site},
        flows=[Flow("site", "process", grid, KWH, "kWh", KWH, "kWh", row=2)],
        currency="CNY",
        year=2024,
        interventions=interventions or [],
    )


def _crf(rate: float, years: float) -> float:
    return rate / (1 - (1 + rate) ** -years)


@pytest.fixture(scope="module")
def options() -> dict[str, iv.Intervention]:
    return {i.id: i for i in iv.load_library()}


def test_beijing_grid_factor_is_the_published_one() -> None:
    # MEE/NBS 2023: 555.4 g CO2/kWh for Beijing; combustion CH4 and N2O add a few grams.
    assert 0.5554 < _grid_co2e(BJ) < 0.5554 * 1.01


def test_pv_with_battery_abatement_and_cost_by_hand(options: dict) -> None:
    option = options["pv_battery_storage_cn"]
    (row,) = iv.evaluate(_site("CN-BJ"), [option]).to_dicts()
    stored = KWH * 0.1  # kWh a year the battery delivers
    change = stored * (0.041 / 0.85 + EMBODIED - _grid_co2e(BJ))
    assert row["change_gwp100"] == pytest.approx(change, rel=1e-5)
    assert row["abatement_t_year"] == pytest.approx(-change / 1000, rel=1e-5)
    # capex: PV 3,300 CNY/kWp / 1,200 kWh/kWp / 0.85 + battery 464.6 CNY/kWh / (300 x 0.9)
    capex = stored * (3300 / 1200 / 0.85 + 464.6 / 270)
    # opex: grid at 0.75 CNY/kWh avoided, PV O&M 40 CNY/kWp/yr / 1,200 / 0.85, battery 2 %
    opex = stored * (-0.75 + 40 / 1200 / 0.85 + 0.02 * 464.6 / 270)
    assert row["capex"] == pytest.approx(capex, rel=1e-5)
    assert row["opex_change_year"] == pytest.approx(opex, rel=1e-5)
    assert row["eac"] == pytest.approx(capex * _crf(RATE, 15), rel=1e-5)
    mac = (capex * _crf(RATE, 15) + opex) / (-change / 1000)
    assert row["mac"] == pytest.approx(mac, rel=1e-4)
    assert row["currency"] == "CNY"


def test_peak_shifting_adds_losses_and_embodied_carbon(options: dict) -> None:
    option = options["battery_peak_shifting_cn"]
    (row,) = iv.evaluate(_site("CN-BJ"), [option]).to_dicts()
    shifted = KWH * 0.2
    # the shifted kWh are bought at 1/0.85 and the battery's embodied CO2 is added
    change = shifted * ((1 / 0.85 - 1) * _grid_co2e(BJ) + EMBODIED)
    assert change > 0
    assert row["change_gwp100"] == pytest.approx(change, rel=1e-5)
    assert row["abatement_t_year"] < 0
    assert math.isnan(row["mac"])
    # Beijing 2023 ratio 1.8 : 1 : 0.3 on a flat 0.75 CNY/kWh; charging pays for the losses
    saving = shifted * (1.8 * 0.75 - 0.3 * 0.75 / 0.85 - 0.02 * 464.6 / 270)
    assert row["opex_change_year"] == pytest.approx(-saving, rel=1e-5)


def test_extra_flow_in_the_modified_case(options: dict) -> None:
    modified = iv.apply(_site("CN-BJ"), options["pv_battery_storage_cn"])
    extra = [f for f in modified.flows if f.metadata.get("extra")]
    assert len(extra) == 1
    assert extra[0].kind == "emission" and extra[0].input == "co2_fossil"
    assert extra[0].amount_in_reference == pytest.approx(KWH * 0.1 * EMBODIED, rel=1e-6)
    grid = [f for f in modified.flows if f.input == BJ]
    assert grid[0].amount_in_reference == pytest.approx(KWH * 0.9)


def test_chinese_options_do_not_match_outside_china(options: dict) -> None:
    chinese = [o for o in options.values() if o.locations == ("CN",)]
    assert len(chinese) >= 6
    # the same Chinese grid bought by a node in Germany: no Chinese price applies to it
    assert iv.evaluate(_site("DE"), chinese).height == 0
    # a node without a location takes the case's region
    site = _site("", interventions=[])
    site.region = "CN"
    site.nodes["site"] = Node(id="site", name="Site", tier=0, output_unit="year")
    assert iv.evaluate(site, [options["rooftop_pv_cn"]]).height == 1


def test_extra_input_through_a_function_takes_the_local_member() -> None:
    row = case_row(
        id="battery_cells", action="scale", factor="1", match_input=BJ,
        extra_input="function:electricity.grid", extra_factor="0.5",
    )  # fmt: skip
    case = _site("CN-BJ", interventions=[row])
    (option,) = case_interventions(case)
    modified = iv.apply(case, option)
    extra = [f for f in modified.flows if f.metadata.get("extra")]
    assert [(f.input, f.amount_in_reference) for f in extra] == [(BJ, KWH * 0.5)]


@pytest.mark.parametrize(
    ("fields", "column", "text"),
    [
        ({"extra_factor": "0.1"}, "extra_factor", "without extra_input"),
        ({"extra_input": "co2_fossil"}, "extra_factor", "required"),
        ({"extra_input": "co2_fossil", "extra_factor": "-1"}, "extra_factor", "greater than"),
        ({"extra_input": "no_such_thing", "extra_factor": "1"}, "extra_input", "unknown"),
        (
            {"extra_input": BJ, "extra_factor": "1", "extra_kind": "emission"},
            "extra_kind",
            "is a process",
        ),
        ({"match_location": "Atlantis"}, "match_location", "unknown place"),
    ],
)
def test_bad_extra_and_location_cells_are_located(fields: dict, column: str, text: str) -> None:
    row = case_row(id="bad", action="scale", factor="1", match_input=BJ, _row=7, **fields)
    with pytest.raises(InputError) as caught:
        case_interventions(_site("CN-BJ", interventions=[row]))
    problems = [p for p in caught.value.problems if p.severity == "error"]
    assert any(p.row == 7 and p.column == column and text in p.message for p in problems), [
        (p.column, p.message) for p in problems
    ]


def test_library_rows_carry_currency_year_and_sources(options: dict) -> None:
    for key in ("rooftop_pv_cn", "pv_battery_storage_cn", "battery_peak_shifting_cn"):
        option = options[key]
        assert option.currency == "CNY" and option.price_year == 2024
        assert all(
            option.sources.get(c)
            for c in ("source_effect", "source_capex", "source_opex", "source_lifetime")
        )
    assert Path(REPO / "inventories" / "interventions" / "library.csv").exists()
