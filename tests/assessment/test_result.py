"""Assessment results checked against an independent plain-numpy calculation.

The reference builds the whole system (shipped starter background + the test's foreground)
as dense numpy matrices straight from the CSV tables and the LCIA data bundled in bw2io,
solves ``x = solve(A, f)`` and scores ``h = c @ B @ x``. It shares no code with scenat.

Tolerances: results that pass through Brightway's stored background and method values
(float32 arrays in its datapackages) agree with the float64 reference to about 1e-6
relative; a case whose numbers never pass through float32 (foreground only, factors that
float32 represents exactly) agrees to 1e-9. Internal identities (breakdowns summing to
the total) hold to 1e-9 always.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("SCENAT_HOME", tempfile.mkdtemp(prefix="scenat-test-"))

import scenat  # noqa: E402
from scenat.calc import BREAKDOWNS  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
STARTER = REPO / "inventories" / "starter"
GWP = ("IPCC 2021", "climate change", "global warming potential (GWP100)")
FOSSIL = (
    "EF v3.1",
    "energy resources: non-renewable",
    "abiotic depletion potential (ADP): fossil fuels",
)


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _write(folder: Path, name: str, rows: list[list[object]]) -> None:
    with (folder / name).open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def _factors(method: tuple[str, ...]) -> dict[str, float]:
    """biosphere3 code -> characterisation factor, read from bw2io's bundled data."""
    import bw2io

    bundle = Path(bw2io.__file__).parent / "data" / "lcia" / "lcia_39_ecoinvent.zip"
    with zipfile.ZipFile(bundle) as archive:
        data = json.load(archive.open("data.json"))
    for entry in data:
        if tuple(entry["name"]) == method:
            return {e["input"][1]: float(e["amount"]) for e in entry["exchanges"]}
    raise KeyError(method)


# A loop (frame <-> jig), mixed units, direct emissions, a credit, background purchases.
NODES = [
    ["id", "name", "tier", "stage", "output_amount", "output_unit"],
    ["final", "Final assembly", 0, "assembly", 1, "item"],
    ["frame", "Frame maker", 1, "manufacturing", 10, "item"],
    ["jig", "Jig shop", 2, "manufacturing", 1, "item"],
    ["steam", "Steam plant", 1, "operation", 1, "MWh"],
]
FLOWS = [
    ["node", "kind", "input", "amount", "unit"],
    ["final", "node", "frame", 1, "item"],
    ["final", "node", "steam", 250, "kWh"],
    ["final", "process", "electricity_uk_grid_delivered", 0.02, "MWh"],
    ["final", "process", "freight_hgv_diesel_tkm", 3000, "kg*km"],
    ["final", "emission", "co2_fossil", 1500, "g"],
    ["frame", "process", "aluminium_cans_foil_primary", 0.03, "t"],
    ["frame", "process", "electricity_uk_grid_delivered", 120, "kWh"],
    ["frame", "node", "jig", 0.5, "item"],
    ["frame", "node", "steam", 0.4, "MWh"],
    ["frame", "process", "freight_hgv_diesel_tkm", 2.5, "t*km"],
    ["frame", "credit", "steel_cans_primary", 4, "kg"],
    ["jig", "process", "steel_cans_primary", 12, "kg"],
    ["jig", "node", "frame", 0.2, "item"],
    ["jig", "emission", "ch4_fossil", 0.01, "kg"],
    ["steam", "process", "natural_gas_combustion_kwh", 1.1, "MWh"],
    ["steam", "emission", "n2o", 2, "g"],
    ["steam", "process", "water_supply", 2000, "L"],
]
# In each flow's input reference unit (hand conversions of the rows above).
REFERENCE_AMOUNTS = [
    1,
    0.25,
    20,
    3,
    1.5,
    0.03,
    120,
    0.5,
    0.4,
    2.5,
    4 / 1000,
    12 / 1000,
    0.2,
    0.01,
    1100,
    0.002,
    2,
]


def _make_case(folder: Path, nodes=NODES, flows=FLOWS, reference="final") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _write(
        folder,
        "case.csv",
        [
            ["field", "value"],
            ["name", "loop test"],
            ["reference_node", reference],
            ["reference_amount", 2],
        ],
    )
    _write(folder, "nodes.csv", nodes)
    _write(folder, "flows.csv", flows)
    return folder


def _reference_system(flows=FLOWS, amounts=REFERENCE_AMOUNTS, nodes=NODES):
    """Dense A, B and indices for background + foreground, from the CSV tables only."""
    processes = [row["id"] for row in _csv(STARTER / "processes.csv")]
    node_ids = [row[0] for row in nodes[1:]]
    activities = processes + node_ids
    col = {a: i for i, a in enumerate(activities)}
    flows_table = {
        row["id"]: row["code"] for row in _csv(REPO / "inventories" / "elementary_flows.csv")
    }
    codes = sorted(set(flows_table.values()))
    row = {c: i for i, c in enumerate(codes)}
    a = np.eye(len(activities))
    b = np.zeros((len(codes), len(activities)))
    for ex in _csv(STARTER / "exchanges.csv"):
        j = col[ex["process"]]
        if ex["type"] == "technosphere":
            a[col[ex["input"]], j] -= float(ex["amount"])
        else:
            b[row[flows_table[ex["input"]]], j] += float(ex["amount"])
    for record in nodes[1:]:
        a[col[record[0]], col[record[0]]] = float(record[4])
    for (node, kind, inp, _amount, _unit), value in zip([f for f in flows[1:]], amounts):
        j = col[node]
        if kind in ("node", "process"):
            a[col[inp], j] -= value
        elif kind == "credit":
            a[col[inp], j] += value
        else:
            b[row[flows_table[inp]], j] += value
    return a, b, col, codes, processes, node_ids


def _cf_vector(codes: list[str], method) -> np.ndarray:
    factors = _factors(method)
    return np.array([factors.get(code, 0.0) for code in codes])


@pytest.fixture(scope="module")
def loop_case(tmp_path_factory) -> scenat.model.case.Case:
    return scenat.read_case(_make_case(tmp_path_factory.mktemp("loop") / "case"))


@pytest.fixture(scope="module")
def loop_result(loop_case):
    return scenat.assess(loop_case)


def test_units_are_converted_to_the_inputs_reference_units(loop_case):
    got = [f.amount_in_reference for f in loop_case.flows]
    assert got == pytest.approx(REFERENCE_AMOUNTS, rel=1e-12)


@pytest.mark.parametrize("indicator, method", [("gwp100", GWP), ("fossil_energy", FOSSIL)])
def test_totals_match_plain_numpy(loop_result, indicator, method):
    # Through Brightway's float32 stored background and factors: about 1e-6 relative.
    a, b, col, codes, _, _ = _reference_system()
    demand = np.zeros(len(col))
    demand[col["final"]] = 2.0
    x = np.linalg.solve(a, demand)
    expected = _cf_vector(codes, method) @ b @ x
    assert expected > 0
    assert loop_result.total(indicator) == pytest.approx(expected, rel=2e-6)


def test_node_and_tier_contributions_match_plain_numpy(loop_result):
    a, b, col, codes, processes, node_ids = _reference_system()
    c = _cf_vector(codes, GWP)
    demand = np.zeros(len(col))
    demand[col["final"]] = 2.0
    x = np.linalg.solve(a, demand)
    expected = {}
    for node in node_ids:
        j = col[node]
        direct = c @ b[:, j] * x[j]
        purchases = np.zeros(len(col))
        for p in processes:
            purchases[col[p]] = -a[col[p], j] * x[j]
        upstream = np.linalg.solve(a, purchases)
        expected[node] = direct + c @ b @ upstream
    table = loop_result.hotspots("gwp100", by="node")
    got = dict(zip(table["key"], table["value"]))
    for node in node_ids:
        assert got[node] == pytest.approx(expected[node], rel=2e-6), node
    tiers = dict(
        zip(
            loop_result.hotspots("gwp100", "tier")["key"],
            loop_result.hotspots("gwp100", "tier")["value"],
        )
    )
    assert tiers["1"] == pytest.approx(expected["frame"] + expected["steam"], rel=2e-6)
    assert tiers["2"] == pytest.approx(expected["jig"], rel=2e-6)
    # The credit makes the frame maker's purchased burden smaller than without it.
    assert expected["frame"] < expected["frame"] + 4e-3 * 2863.90131 * x[col["frame"]]


def test_supply_matches_the_foreground_solution(loop_result):
    a, _, col, _, _, node_ids = _reference_system()
    demand = np.zeros(len(col))
    demand[col["final"]] = 2.0
    x = np.linalg.solve(a, demand)
    for node in node_ids:
        # The foreground is float64 end to end.
        assert loop_result.supply[node] == pytest.approx(x[col[node]], rel=1e-12)


@pytest.mark.parametrize("by", BREAKDOWNS)
@pytest.mark.parametrize("indicator", ["gwp100", "fossil_energy", "water"])
def test_every_breakdown_sums_to_the_total(loop_result, by, indicator):
    total = loop_result.total(indicator)
    table = loop_result.hotspots(indicator, by)
    assert abs(table["value"].sum() - total) <= 1e-9 * abs(total)
    assert table["share"].sum() == pytest.approx(1.0, abs=1e-9)


def test_process_and_flow_breakdowns_name_their_items(loop_result):
    process = loop_result.hotspots("gwp100", "process")
    kinds = dict(zip(process["key"], process["kind"]))
    assert kinds["final"] == "foreground"  # its direct 1.5 kg CO2
    assert kinds["aluminium_cans_foil_primary"] == "background"
    flow = loop_result.hotspots("gwp100", "flow")
    assert {"co2_fossil", "ch4_fossil", "n2o"} <= set(flow["key"])


def test_foreground_only_case_is_exact(tmp_path):
    # CO2 (1), N2O (273) and SF6 (25200) are exact in float32, so nothing is rounded.
    nodes = [
        NODES[0],
        ["final", "Final", 0, "assembly", 1, "item"],
        ["part", "Part", 1, "materials", 4, "kg"],
    ]
    flows = [
        FLOWS[0],
        ["final", "node", "part", 3000, "g"],
        ["final", "emission", "co2_fossil", 0.7, "t"],
        ["part", "emission", "n2o", 5, "g"],
        ["part", "emission", "sf6", 0.25, "g"],
        ["part", "node", "part", 0.5, "kg"],
    ]
    result = scenat.assess(scenat.read_case(_make_case(tmp_path / "fg", nodes, flows)))
    # By hand: part makes 4 kg and uses 0.5 kg of itself, so 3 kg of part needs
    # 3 / (4 - 0.5) runs; each run emits 0.005 kg N2O and 0.00025 kg SF6.
    runs = 3 / 3.5
    per_final = 700 + runs * (0.005 * 273 + 0.00025 * 25200)
    assert result.total("gwp100") == pytest.approx(2 * per_final, rel=1e-9)
    nodes_table = result.hotspots("gwp100", "node")
    got = dict(zip(nodes_table["key"], nodes_table["value"]))
    assert got["final"] == pytest.approx(1400, rel=1e-9)
    assert got["part"] == pytest.approx(2 * runs * (0.005 * 273 + 0.00025 * 25200), rel=1e-9)


def test_unknown_indicator_is_a_located_input_error(loop_case):
    with pytest.raises(scenat.InputError) as info:
        scenat.assess(loop_case, indicators=["gwp1000"])
    assert "gwp100" in info.value.problems[0].hint


def test_example_runs_and_reports_every_indicator():
    from scenat.paths import examples_dir

    result = scenat.assess(scenat.read_case(examples_dir() / "bicycle"))
    assert set(result.totals) == {"gwp100", "fossil_energy", "metals_minerals", "water"}
    assert result.total("gwp100") > 0
    assert result.indicator("gwp100").method == GWP


def test_spend_flow_is_converted_to_the_sectors_currency_and_year(tmp_path):
    folder = tmp_path / "spend"
    folder.mkdir()
    _write(
        folder,
        "case.csv",
        [["field", "value"], ["name", "spend"], ["reference_node", "office"], ["year", 2024]],
    )
    _write(
        folder,
        "nodes.csv",
        [["id", "name", "tier", "output_unit"], ["office", "Office", 0, "year"]],
    )
    # A bare NAICS code names the sector's with-margins process.
    _write(folder, "flows.csv", [FLOWS[0], ["office", "spend", "331110", 2.5, "kGBP"]])
    case = scenat.read_case(folder)
    (flow,) = case.flows
    assert flow.input == "epa_naics_331110"
    # By hand: HMRC 2024 average 1.2787 USD/GBP, then US CPI-U 2024 -> 2022 (292.655/313.689).
    usd_2022 = 2500 * 1.2787 * 292.655 / 313.689
    assert flow.amount_in_reference == pytest.approx(usd_2022, rel=1e-12)
    # The sector's factor from its shipped exchanges and the bundled IPCC 2021 factors.
    codes = {r["id"]: r["code"] for r in _csv(REPO / "inventories" / "elementary_flows.csv")}
    factors = _factors(GWP)
    per_usd = sum(
        float(ex["amount"]) * factors.get(codes.get(ex["input"], ""), 0.0)
        for ex in _csv(REPO / "inventories" / "epa_spend" / "exchanges.csv")
        if ex["process"] == "epa_naics_331110"
    )
    assert 0.7 < per_usd < 0.9  # EPA publishes 0.787 kg CO2e/USD (AR5) for iron and steel mills
    assert scenat.assess(case).total("gwp100") == pytest.approx(usd_2022 * per_usd, rel=2e-6)


def test_an_indicator_nothing_characterises_is_explained():
    from scenat.paths import examples_dir

    # the bicycle on DESNZ data alone: its factors are GHG and energy only, no metal resources
    bicycle = scenat.read_case(examples_dir() / "bicycle")
    desnz_only = [f for f in bicycle.flows if not f.input.startswith(("okobaudat_", "uslci_"))]
    result = scenat.assess(bicycle.copy(flows=desnz_only))
    assert result.total("metals_minerals") == 0.0
    assert any(note.startswith("metals_minerals is 0") for note in result.notes)
    assert not any(note.startswith("gwp100") for note in result.notes)


def test_all_hotspots_is_every_breakdown_in_one_table():
    import polars as pl

    import scenat

    result = scenat.assess(scenat.read_case(REPO / "examples" / "bicycle"))
    table = result.all_hotspots()
    sums = table.group_by("indicator", "by").agg(pl.col("value").sum())
    nonzero = [i for i in result.indicators if result.total(i.id) != 0]
    assert sums.height == len(nonzero) * 6  # zero rows are left out of every breakdown
    for row in sums.iter_rows(named=True):
        total = result.total(row["indicator"])
        assert row["value"] == pytest.approx(total, rel=1e-9, abs=1e-15)


def test_round_off_is_shown_as_zero_never_as_a_result(tmp_path):
    """A supplier buys 0.3 kg of hot-rolled steel and credits 0.1 kg and 0.2 kg of it back:
    the steel nets to nothing, but the solves left -3.4e-15 MJ of fossil energy as the total
    and e-16 process rows. A value below 1e-12 of the magnitudes it is summed from (the
    stated tolerance, ``scenat.calc.lcamath.ROUND_OFF``) is 0."""
    folder = tmp_path / "noise"
    folder.mkdir()
    _write(folder, "case.csv", [["field", "value"], ["name", "noise"], ["reference_node", "plant"]])
    _write(folder, "nodes.csv", [["id", "name", "tier", "output_unit"], ["plant", "Plant", 0,
                                 "item"], ["supplier", "Supplier", 1, "kg"]])  # fmt: skip
    steel = "uslci_steel_hot_rolled"
    _write(folder, "flows.csv", [
        FLOWS[0],
        ["plant", "node", "supplier", 2, "kg"],
        ["supplier", "process", steel, 0.3, "kg"],
        ["supplier", "credit", steel, 0.1, "kg"],
        ["supplier", "credit", steel, 0.2, "kg"],
        ["supplier", "emission", "co2_fossil", 0.5, "kg"],
    ])  # fmt: skip
    result = scenat.assess(scenat.read_case(folder))
    assert result.total("fossil_energy") == 0.0
    assert all(result.hotspots("fossil_energy", by).height == 0 for by in BREAKDOWNS)
    # The direct CO2 is the whole climate result: 2 kg x 0.5 kg; the steel rows are gone.
    assert result.total("gwp100") == pytest.approx(1.0, rel=1e-12)
    assert result.hotspots("gwp100", "process")["key"].to_list() == ["supplier"]
    from scenat.report import text_report

    text = text_report(result)
    assert "e-1" not in text, text


def test_a_merge_preview_shows_no_change_where_nothing_changed():
    """Raising one node's electricity moved frame_maker (untouched) by -2.8e-14 kg CO2-eq
    in the preview; a difference below the tolerance of the values compared is 0."""
    from dataclasses import replace

    from scenat.report.documents import diff_text
    from scenat.store.diff import diff_cases

    a = scenat.read_case(REPO / "examples" / "bicycle")
    i, flow = next((i, f) for i, f in enumerate(a.flows) if f.kind == "process")
    b = a.copy()
    b.flows[i] = replace(flow, amount=flow.amount * 1.1,
                         amount_in_reference=flow.amount_in_reference * 1.1)  # fmt: skip
    diff = diff_cases(a, b, "a", "b", True, None)
    for table in diff.hotspots.values():
        moved = table.filter(table["difference"] != 0)["key"].to_list()
        assert moved in ([], [flow.node]), moved
    assert "e-1" not in diff_text(diff)
