"""Curated TianGong set (inventories/tiangong): provenance, hand-checked values, regeneration.

The values are recomputed from the TianGong XML with regular expressions and arithmetic
(no scenat code): the Beijing generation mix buys 3.4594416 MJ of thermal power per 3.6 MJ,
so per kWh it carries 3.4594416 / 3.6 of one Beijing thermal power data set (per 3.6 MJ).
"""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import pytest

from scenat.importers import tiangong

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "inventories" / "tiangong"
FLOWS = ROOT / "inventories" / "elementary_flows.csv"
ZIP = Path("/work/shared/data/tiangong/tiangong-lca-data-a55b302.zip")
if not ZIP.exists():
    ZIP = ROOT.parent / "shared" / "data" / "tiangong" / "tiangong-lca-data-a55b302.zip"

BEIJING_MIX = "7ab2aa31-91ff-4843-9e65-56865e6836a0"
BEIJING_THERMAL = "dbf9e576-0d58-4ddd-b491-8dbfb73674ca"
CEMENT = "819dca5d-3347-461b-acae-77b5b4dd39f4"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _exchanges(uuid: str) -> list[tuple[str, str, float]]:
    """(flow English name, direction, amount) of a TianGong process, by regex on its XML."""
    with zipfile.ZipFile(ZIP) as archive:
        text = archive.read(f"tiangong_lca_data/processes/{uuid}.xml").decode("utf-8")
    out = []
    for block in re.findall(r"<exchange .*?</exchange>", text, flags=re.S):
        name = re.search(r'<common:shortDescription xml:lang="en">([^<]*)<', block)
        direction = re.search(r"<exchangeDirection>(\w+)<", block).group(1)
        amount = float(re.search(r"<meanAmount>([^<]+)<", block).group(1))
        # "hard coal;  26.3 MJ/kg" -> "hard coal"
        text = name.group(1).split(";")[0].strip().lower() if name else ""
        out.append((text, direction, amount))
    return out


def _shipped(process: str) -> dict[str, float]:
    return {
        e["input"]: float(e["amount"])
        for e in _rows(FOLDER / "exchanges.csv")
        if e["process"] == process
    }


def test_every_row_has_provenance_and_the_mit_licence() -> None:
    processes, exchanges = _rows(FOLDER / "processes.csv"), _rows(FOLDER / "exchanges.csv")
    ids = {p["id"] for p in processes}
    assert {
        "tiangong_electricity_beijing",
        "tiangong_electricity_cn",
        "tiangong_steel_hot_rolled_cn",
        "tiangong_aluminium_primary_cn",
        "tiangong_cement_cn",
        "tiangong_copper_cn",
        "tiangong_copper_secondary_cn",
        "tiangong_lithium_carbonate_cn",
    } <= ids
    # China and 30 provinces: TianGong has no mix for Tibet (Xizang)
    assert len([i for i in ids if i.startswith("tiangong_electricity_")]) == 31
    for row in processes + exchanges:
        for column in ("source", "table", "licence"):
            assert row[column].strip(), (row, column)
        assert row["licence"].startswith("MIT"), row
        assert "TianGong" in row["source"] and re.search(r"\[[0-9a-f-]{36}\]", row["source"])
    for row in processes:
        assert row["year"].isdigit() and row["location"].startswith("CN"), row
    beijing = next(p for p in processes if p["id"] == "tiangong_electricity_beijing")
    assert beijing["location"] == "CN-BJ" and beijing["unit"] == "kWh"
    flow_ids = {f["id"] for f in _rows(FLOWS)}
    assert {e["input"] for e in exchanges} <= flow_ids
    assert {e["process"] for e in exchanges} == ids


def test_no_ceeio_process_ships() -> None:
    uuids = {
        re.search(r"\[([0-9a-f-]{36})\]", p["source"]).group(1)
        for p in _rows(FOLDER / "processes.csv")
    }
    with zipfile.ZipFile(ZIP) as archive:
        for uuid in uuids:
            text = archive.read(f"tiangong_lca_data/processes/{uuid}.xml").decode("utf-8")
            assert "CEEIO" not in text, uuid
    assert all(not n.uuid.startswith("_") for n in tiangong.NODES)


def test_beijing_mix_matches_the_hand_calculation() -> None:
    mix = _exchanges(BEIJING_MIX)
    thermal_share = next(a for n, d, a in mix if n == "electricity for thermal power")
    output = next(a for n, d, a in mix if d == "Output")
    assert output == 3.6
    x = thermal_share / 3.6  # thermal data sets (each per 3.6 MJ) per kWh of the mix
    thermal = _exchanges(BEIJING_THERMAL)
    amount = {n: a for n, d, a in thermal}
    shipped = _shipped("tiangong_electricity_beijing")
    assert shipped["co2_fossil"] == pytest.approx(x * amount["carbon dioxide (fossil)"], rel=1e-6)
    assert shipped["so2"] == pytest.approx(x * amount["sulfur dioxide"], rel=1e-6)
    # fuels as resources: raw coal as hard coal (kg), oil products as crude oil (kg),
    # natural gas kg / 0.80246 kg per Sm3
    assert shipped["hard_coal_resource"] == pytest.approx(x * amount["raw coal"], rel=1e-6)
    oil = sum(
        amount[k] for k in ("diesel", "petroleum coke", "liquefied petroleum gas", "refinery gas")
    )
    assert shipped["crude_oil_resource"] == pytest.approx(x * oil, rel=1e-6)
    gas = x * amount["natural gas"] / 0.80246  # "Natural gas, high pressure", in kg
    assert shipped["natural_gas_resource"] == pytest.approx(gas, rel=1e-6)


def test_cement_is_the_published_lci_result_per_kg() -> None:
    amount = {}
    for name, _, value in _exchanges(CEMENT):
        amount[name] = amount.get(name, 0.0) + value
    shipped = _shipped("tiangong_cement_cn")
    assert shipped["co2_fossil"] == pytest.approx(amount["carbon dioxide (fossil)"] / 1000)
    # 192 MJ of hard coal per t at EF v3.1's 18.01 MJ/kg
    assert shipped["hard_coal_resource"] == pytest.approx(amount["hard coal"] / 18.01 / 1000)
    assert shipped["crude_oil_resource"] == pytest.approx(amount["crude oil"] / 43.4 / 1000)


def test_every_exchange_has_a_lognormal_from_the_stated_method() -> None:
    for row in _rows(FOLDER / "exchanges.csv"):
        assert row["distribution"] == "lognormal" and float(row["gsd"]) > 1.0, row
        assert "TianGong data sets pedigree (3,3,t,1,3)" in row["uncertainty_source"], row


def test_inventory_search_beijing_lists_both_grids(capsys: pytest.CaptureFixture[str]) -> None:
    from scenat.cli import main

    assert main(["inventory", "search", "beijing"]) == 0
    out = capsys.readouterr().out
    assert "electricity_grid_cn_bj" in out and "tiangong_electricity_beijing" in out


def test_temporal_scores() -> None:
    assert [tiangong.temporal_score(y, 2024) for y in (2024, 2021, 2018, 2014, 2009)] == [
        1,
        2,
        3,
        4,
        5,
    ]


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiangong") / "tiangong"
    tiangong.build_tiangong_inventory(ZIP, out)
    return out


def test_regenerating_reproduces_the_shipped_folder(rebuilt: Path) -> None:
    from scenat.importers.inventory import compare_inventories

    assert compare_inventories(FOLDER, rebuilt) == []
