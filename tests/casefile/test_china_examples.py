"""The two Chinese examples (beijing_stadium, belt_and_road_ev): the workbooks are what their
builders write, every total is recomputed with plain numpy from the workbook rows and the
inventory CSVs (the local grid chosen here by hand from each node's location, CNY spend
converted by hand), hotspots and option KPIs follow hand arithmetic, and the variants
compare in the direction and by the amount their rows imply.
"""

from __future__ import annotations

import importlib.util
import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from scenat.assessment import assess
from scenat.casefile.build import read_case
from scenat.casefile.examples import list_examples, resolve_case
from tests.casefile.test_examples import _csv, _factors, _inventory, _sheet_records

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
INVENTORIES = ROOT / "inventories"
STADIUM = EXAMPLES / "beijing_stadium"
EV = EXAMPLES / "belt_and_road_ev"
WORKBOOKS = {
    "bj_before": STADIUM / "beijing_stadium.xlsx",
    "bj_after": STADIUM / "beijing_stadium_after.xlsx",
    "ev_sea": EV / "belt_and_road_ev.xlsx",
    "ev_rail": EV / "belt_and_road_ev_rail.xlsx",
    "ev_eu": EV / "belt_and_road_ev_eu_assembly.xlsx",
}
#: the grid a node's location takes, written out by hand (province first, then country)
HAND_GRID = {"CN-BJ": "electricity_grid_cn_bj", "CN-SH": "electricity_grid_cn_sh",
             "CN-JS": "electricity_grid_cn_js", "CN-FJ": "electricity_grid_cn_fj",
             "DE": "electricity_grid_deu"}  # fmt: skip
HAND_UNITS = {("kg", "t"): 1e-3, ("t", "kg"): 1e3}


def _factor(unit: str, reference: str) -> float:
    return 1.0 if unit == reference else HAND_UNITS[(unit, reference)]


def _usd_2022_per_cny(year: int) -> float:
    """CNY of ``year`` -> USD 2022: the year's USD/CNY rate, then US CPI to 2022."""
    cpi = {
        int(r["year"]): float(r["index"])
        for r in _csv(INVENTORIES / "currency" / "deflators.csv")
        if r["currency"] == "USD"
    }
    (row,) = [
        r
        for r in _csv(INVENTORIES / "currency" / "rates.csv")
        if int(r["year"]) == year and r["base"] == "USD" and r["quote"] == "CNY"
    ]
    return cpi[2022] / cpi[year] / float(row["rate"])


@cache
def _hand(name: str):
    """(total GWP100, supply per column, direct score per column, column index)."""
    import openpyxl

    book = openpyxl.load_workbook(WORKBOOKS[name], read_only=True)
    fields = {r["field"]: r["value"] for r in _sheet_records(book, "case")}
    nodes = {r["id"]: r for r in _sheet_records(book, "nodes")}
    flows = _sheet_records(book, "flows")
    units, exchanges, codes = _inventory()
    cf = _factors()

    def pid(flow):
        if flow["input"] == "electricity_grid_local":
            return HAND_GRID[nodes[flow["node"]]["location"]]
        if flow["kind"] == "spend":
            return f"epa_naics_{flow['input']}"
        return flow["input"]

    needed, stack = set(), [pid(f) for f in flows if f["kind"] in ("process", "spend")]
    while stack:
        p = stack.pop()
        if p not in needed:
            needed.add(p)
            stack += [e["input"] for e in exchanges.get(p, []) if e["type"] == "technosphere"]
    columns = sorted(needed) + list(nodes)
    col = {c: i for i, c in enumerate(columns)}
    a = np.eye(len(columns))
    score = np.zeros(len(columns))
    for p in needed:
        for ex in exchanges.get(p, []):
            if ex["type"] == "technosphere":
                a[col[ex["input"]], col[p]] -= float(ex["amount"])
            else:
                score[col[p]] += float(ex["amount"]) * cf.get(codes.get(ex["input"], ""), 0.0)
    for node_id, node in nodes.items():
        a[col[node_id], col[node_id]] = float(node["output_amount"])
    for flow in flows:
        j = col[flow["node"]]
        amount, unit = float(flow["amount"]), flow["unit"]
        if flow["kind"] == "node":
            a[col[flow["input"]], j] -= amount * _factor(unit, nodes[flow["input"]]["output_unit"])
        elif flow["kind"] == "spend":
            assert unit == "CNY"
            a[col[pid(flow)], j] -= amount * _usd_2022_per_cny(int(fields["year"]))
        elif flow["kind"] == "process":
            a[col[pid(flow)], j] -= amount * _factor(unit, units[pid(flow)])
        else:
            assert unit == "kg", flow
            score[j] += amount * cf.get(codes[flow["input"]], 0.0)
    demand = np.zeros(len(columns))
    demand[col[fields["reference_node"]]] = 1.0
    supply = np.linalg.solve(a, demand)
    return float(score @ supply), supply, score, col


@cache
def _result(name: str):
    return assess(read_case(WORKBOOKS[name]), ["gwp100"])


def _load(folder: Path):
    spec = importlib.util.spec_from_file_location(
        f"build_{folder.name}", folder / "build_workbook.py"
    )
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_examples_are_listed_with_their_variants() -> None:
    listed = {e["name"]: e for e in list_examples()}
    assert {Path(c).name for c in listed["beijing_stadium"]["cases"]} == {
        "beijing_stadium.xlsx", "beijing_stadium_after.xlsx"}  # fmt: skip
    assert len(listed["belt_and_road_ev"]["cases"]) == 3
    assert resolve_case("belt_and_road_ev/belt_and_road_ev_rail").name == (
        "belt_and_road_ev_rail.xlsx"
    )


def test_workbooks_are_what_the_builders_write() -> None:
    import openpyxl

    for folder, variants in (
        (STADIUM, {"before": "beijing_stadium.xlsx", "after": "beijing_stadium_after.xlsx"}),
        (EV, {"sea": "belt_and_road_ev.xlsx", "rail": "belt_and_road_ev_rail.xlsx",
              "eu_assembly": "belt_and_road_ev_eu_assembly.xlsx"}),
    ):  # fmt: skip
        module = _load(folder)
        for variant, filename in variants.items():
            expected = module.build(variant)
            book = openpyxl.load_workbook(folder / filename, read_only=True)
            assert book.sheetnames == list(expected), filename
            for sheet, rows in expected.items():
                got = [list(r) for r in book[sheet].iter_rows(values_only=True)]
                want = [[None if v == "" else v for v in row] for row in rows]
                width = max(len(r) for r in want)
                got = [r + [None] * (width - len(r)) for r in got]
                want = [r + [None] * (width - len(r)) for r in want]
                assert len(got) == len(want), (filename, sheet)
                for row_got, row_want in zip(got, want, strict=True):
                    for g, w in zip(row_got, row_want, strict=True):
                        if isinstance(w, float):
                            assert math.isclose(g, w, rel_tol=1e-14), (filename, sheet)
                        else:
                            assert g == w, (filename, sheet, g, w)


@pytest.mark.parametrize("name", list(WORKBOOKS))
def test_total_matches_an_independent_numpy_recomputation(name: str) -> None:
    expected, *_ = _hand(name)
    assert _result(name).total("gwp100") == pytest.approx(expected, rel=2e-6)


def _node(name: str, node: str) -> float:
    table = _result(name).hotspots("gwp100", by="node")
    return dict(zip(table["key"], table["value"], strict=True))[node]


def _grid(process: str) -> float:
    """kg CO2e per kWh of a grid process: its exchanges x AR6 GWP100 written here."""
    gwp = {"co2_fossil": 1.0, "ch4_fossil": 29.8, "n2o": 273.0}
    rows = _csv(INVENTORIES / "grid_electricity" / "exchanges.csv")
    return sum(float(r["amount"]) * gwp[r["input"]] for r in rows
               if r["process"] == process and r["input"] in gwp)  # fmt: skip


def test_stadium_site_electricity_is_the_end_uses_on_the_beijing_grid() -> None:
    before = 2_000_000 + 900_000 + 6_000_000 + 3_000_000
    # LED -30 % (published), HVAC -15 %, 90 screens x 0.8 kW x 1,500 h, 128 x 1.5 kW x 2,000 h
    after = 2_000_000 * 0.7 + 900_000 + 6_000_000 * 0.85 + 3_000_000 + 108_000 + 384_000
    beijing = _grid("electricity_grid_cn_bj")
    assert _node("bj_before", "site_electricity") == pytest.approx(before * beijing, rel=1e-5)
    assert _node("bj_after", "site_electricity") == pytest.approx(after * beijing, rel=1e-5)
    # metro: 1.5 million visits x 30 km x 60 % x 0.08 kWh/pkm
    metro = 1_500_000 * 30 * 0.6 * 0.08
    assert _node("bj_before", "metro_travel") == pytest.approx(metro * beijing, rel=1e-5)


def test_ev_use_phase_and_battery_by_hand() -> None:
    for name in ("ev_sea", "ev_rail", "ev_eu"):
        driving = 200_000 * 0.17 * 1.1 * _grid("electricity_grid_deu")
        assert _node(name, "driving") == pytest.approx(driving, rel=1e-5)
        # Hao et al. (2017): 3,061 kg CO2e for 28 kWh, a 60 kWh pack
        assert _node(name, "battery_pack") == pytest.approx(3061 / 28 * 60, rel=1e-6)


def test_ev_variants_compare_by_their_freight_and_assembly() -> None:
    sea, rail, eu = (_result(n).total("gwp100") for n in ("ev_sea", "ev_rail", "ev_eu"))
    # only the delivery differs between sea and rail: the totals differ by that node alone
    assert rail - sea == pytest.approx(
        _node("ev_rail", "car_delivered") - _node("ev_sea", "car_delivered"), rel=1e-6
    )
    assert rail < sea
    assert eu < sea
    assert _node("ev_eu", "vehicle_assembly") > _node("ev_sea", "vehicle_assembly")


def test_stadium_options_are_priced_in_cny() -> None:
    import scenat.interventions as iv

    case = read_case(WORKBOOKS["bj_before"])
    (pv,) = iv.evaluate(case, [o for o in iv.collect(case) if o.id == "rooftop_pv_cn"]).to_dicts()
    site_kwh = 2_000_000 + 900_000 + 6_000_000 + 3_000_000  # the metro is not matched
    beijing = _grid("electricity_grid_cn_bj")
    assert pv["currency"] == "CNY"
    assert pv["affected_quantity_year"] == pytest.approx(0.2 * site_kwh)
    assert pv["abatement_t_year"] == pytest.approx(0.2 * site_kwh * (beijing - 0.041) / 1000,
                                                   rel=1e-5)  # fmt: skip
    assert pv["capex"] == pytest.approx(0.2 * site_kwh * 3300 / 1200, rel=1e-5)
    rate = 0.08
    eac = pv["capex"] * rate / (1 - (1 + rate) ** -25)
    assert pv["eac"] == pytest.approx(eac, rel=1e-6)


def test_ev_circularity_by_hand() -> None:
    from tests.assessment.test_circularity import _hand_mci, _score

    found = _result("ev_sea").circularity
    assert found is not None
    steel, aluminium, plastics = 650.0, 200.0, 180.0  # kg a car (the builder's bill)
    total = steel + aluminium + plastics
    assert found.mass_kg == pytest.approx(total)
    assert found.recycled_content == pytest.approx((steel * 0.15 + aluminium * 0.30) / total)
    assert found.eol_recycling_rate == pytest.approx(
        (steel * 0.9 + aluminium * 0.9 + plastics * 0.1) / total
    )
    mci = (steel * _hand_mci(0.15, 0.9) + aluminium * _hand_mci(0.3, 0.9)
           + plastics * _hand_mci(0.0, 0.1)) / total  # fmt: skip
    assert found.mci == pytest.approx(mci)
    # module D: the aluminium's net scrap (0.9 - 0.3) x 200 kg; steel and plastics listed
    credit = (
        aluminium
        * 0.6
        * (_score("uslci_aluminium_secondary") - _score("tiangong_aluminium_primary_cn"))
    )
    assert found.module_d["gwp100"] == pytest.approx(credit, rel=2e-6)
    assert len(found.not_credited) == 2


def test_cli_ranks_in_yuan_and_compares_the_variants(capsys: pytest.CaptureFixture) -> None:
    import json

    from scenat.cli import main

    assert main(["interventions", "beijing_stadium"]) == 0
    text = capsys.readouterr().out
    assert "Money: CNY (¥) of 2024" in text
    assert "rooftop_pv_cn" in text and "pv_battery_storage_cn" in text and "¥" in text
    assert main(["compare", "belt_and_road_ev", "belt_and_road_ev/belt_and_road_ev_rail",
                 "--json"]) == 0  # fmt: skip
    document = json.loads(capsys.readouterr().out)
    gwp = next(row for row in document["totals"] if row["indicator"] == "gwp100")
    a, b = _result("ev_sea").total("gwp100"), _result("ev_rail").total("gwp100")
    assert [gwp[k] for k in ("a", "b")] == pytest.approx([a, b], rel=1e-9)
    assert main(["assess", "beijing_stadium/beijing_stadium_after", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["currency"] == "CNY" and set(document["locations"].values()) == {"CN-BJ"}
    assert document["circularity"]["mci"] == pytest.approx(_result("bj_after").circularity.mci)
