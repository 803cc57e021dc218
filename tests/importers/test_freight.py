"""premise freight (rail, container ship) and the shipped ``inventories/freight``.

Expected values are read off the premise workbooks with openpyxl here, independently of the
importer's block reader.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from scenat import cli
from scenat.importers import freight
from scenat.importers.inventory import compare_inventories

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
FREIGHT = SHARED_DATA / "freight"
SHIPPED = REPO / "inventories" / "freight"


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def shipped() -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {}
    for row in read_rows(SHIPPED / "exchanges.csv"):
        found.setdefault(row["process"], []).append(row)
    return found


def sheet_value(file: str, activity: str, location: str, exchange: str) -> list:
    """The exchange row of an activity, found by walking the sheet row by row."""
    workbook = openpyxl.load_workbook(FREIGHT / file, read_only=True, data_only=True)
    sheet = workbook["inventories"] if "inventories" in workbook.sheetnames else workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    for i, row in enumerate(rows):
        if row[0] == "Activity" and row[1] == activity:
            block = rows[i : i + 60]
            if any(r[0] == "location" and r[1] == location for r in block[:12]):
                for r in block:
                    if r[0] == exchange:
                        return list(r)
    raise AssertionError((activity, location, exchange))


def test_shipped_freight_is_what_the_importer_builds(tmp_path):
    assert FREIGHT.is_dir(), f"shared open data folder {FREIGHT} is missing"
    freight.build_freight_inventory(FREIGHT, tmp_path)
    problems = compare_inventories(SHIPPED, tmp_path)
    assert not problems, "inventories/freight is stale: rerun scenat data freight\n" + "\n".join(
        problems[:20]
    )


def test_china_electric_train_links_the_chinese_grid(shipped):
    row = sheet_value(
        freight.RAIL_FILE,
        "transport, freight train, electric",
        "CN",
        "market group for electricity, medium voltage",
    )
    assert row[1] == pytest.approx(0.0223, rel=1e-3)  # kWh per tkm (SOURCES.md)
    (link,) = [
        r
        for r in shipped["freight_rail_electric_cn_tkm"]
        if r["input"].startswith("electricity_grid")
    ]
    assert (link["type"], link["input"], float(link["amount"])) == (
        "technosphere",
        "electricity_grid_chn",
        row[1],
    )
    (eu,) = [
        r
        for r in shipped["freight_rail_electric_eu_tkm"]
        if r["type"] == "technosphere" and r["input"].startswith("electricity_grid")
    ]
    assert eu["input"] == "electricity_grid_eu" and float(eu["amount"]) == pytest.approx(
        0.05898, rel=1e-3
    )


def test_diesel_is_linked_in_litres_at_the_desnz_density(shipped):
    kg = sheet_value(
        freight.RAIL_FILE,
        "transport, freight train, diesel-electric",
        "Europe without Switzerland",
        "market for diesel",
    )[1]
    (link,) = [r for r in shipped["freight_rail_diesel_eu_tkm"] if r["input"] == "diesel_wtt_l"]
    # DESNZ 2025 fuel properties, Diesel (100% mineral diesel): 830.565 kg/m3
    assert float(link["amount"]) == pytest.approx(kg / 0.830565, rel=1e-9)
    assert link["unit"] == "L"


def test_ship_keeps_premise_triangular_distributions(shipped):
    row = sheet_value(
        freight.SHIP_FILE,
        "transport, freight, sea, container ship, powered with diesel",
        "RER",
        "Carbon dioxide, fossil",
    )
    (co2,) = [r for r in shipped["freight_sea_container_diesel_tkm"] if r["input"] == "co2_fossil"]
    assert float(co2["amount"]) == row[1]
    assert (co2["distribution"], float(co2["min"]), float(co2["max"])) == (
        "triangular",
        row[10],
        row[11],
    )


def test_every_train_exchange_has_a_pedigree_spread(shipped):
    for pid, rows in shipped.items():
        for row in rows:
            assert row["distribution"] in ("lognormal", "triangular"), row
            if pid.startswith("freight_rail"):
                assert row["uncertainty_source"].startswith("pedigree (2,2,2,2,3)"), row


def test_rail_gwp_per_tkm_by_hand():
    """GWP100 of 1 tkm by Chinese electric train, assessed, against a hand sum."""
    import scenat

    result = scenat.assess(_one_flow_case("freight_rail_electric_cn_tkm"), indicators=["gwp100"])
    grid = 0.5575  # Ember CHN 2024, kg CO2e/kWh
    diesel_l = 0.000677 / 0.830565
    diesel_wtt = 0.61101  # DESNZ WTT diesel, kg CO2e per litre (CO2 booked)
    direct = 0.002129842 + 8.801e-08 * 29.8 + 6.77e-08 * 273 + 3.14e-09 * 25200
    expected = 1000 * (0.0222999898 * grid + diesel_l * diesel_wtt + direct)
    assert result.total("gwp100") == pytest.approx(expected, rel=2e-4)


def _one_flow_case(process: str):
    import tempfile

    import scenat

    folder = Path(tempfile.mkdtemp())
    (folder / "case.csv").write_text(
        "field,value\nname,shipment\nreference_node,shipper\nreference_amount,1\n"
        "functional_unit,1000 tkm\ncurrency,GBP\nyear,2025\n",
        encoding="utf-8",
    )
    (folder / "nodes.csv").write_text(
        "id,name,tier,stage,location,output_amount,output_unit\n"
        "shipper,Shipper,0,transport,CN,1,item\n",
        encoding="utf-8",
    )
    (folder / "flows.csv").write_text(
        f"node,kind,input,amount,unit,source\nshipper,process,{process},1000,tkm,test\n",
        encoding="utf-8",
    )
    return scenat.read_case(folder)


def test_command_line_reports_a_missing_folder(tmp_path, capsys):
    assert cli.main(["data", "freight", str(tmp_path / "none"), str(tmp_path / "out")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
