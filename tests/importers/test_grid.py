"""Ember grid-intensity importer and the shipped ``inventories/grid_electricity``.

Expected values are read off ``ember_average_intensities_via_co2js.csv`` by hand, e.g.
``grep -E '^(GBR|CHN),' ember_average_intensities_via_co2js.csv``:
``GBR,GBR,United Kingdom,2024,215.79`` and ``CHN,CHN,China,2024,557.5``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from scenat import cli
from scenat.errors import InputError
from scenat.importers import grid

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
GRID_DIR = SHARED_DATA / "grid-intensity"
CSV_FILE = GRID_DIR / "ember_average_intensities_via_co2js.csv"
JSON_FILE = GRID_DIR / "co2js_average-intensities.json"
SHIPPED = REPO / "inventories" / "grid_electricity"
HEADER = "key,country_code,country_or_region,year,emissions_intensity_gco2_per_kwh"


@pytest.fixture(scope="module")
def table():
    if not GRID_DIR.is_dir():
        pytest.skip(f"shared open data folder {GRID_DIR} is absent")
    return grid.read_ember(CSV_FILE)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def shipped_amount(pid: str) -> float:
    (row,) = [r for r in read_rows(SHIPPED / "exchanges.csv") if r["process"] == pid]
    assert (row["input"], row["unit"]) == ("co2_fossil", "kg")
    return float(row["amount"])


# ---------------------------------------------------------------------- reading


def test_published_values_for_gbr_chn_usa(table):
    rows = {r["key"]: r for r in table.iter_rows(named=True)}
    assert (rows["GBR"]["year"], rows["GBR"]["g_per_kwh"]) == (2024, "215.79")
    assert (rows["CHN"]["year"], rows["CHN"]["g_per_kwh"]) == (2024, "557.5")
    assert (rows["USA"]["year"], rows["USA"]["g_per_kwh"]) == (2024, "383.55")
    assert table.height == 222
    assert table.filter(table["country_code"].is_null()).height == 13  # World, EU, G7, ...


def test_json_and_csv_copies_give_the_same_table(table):
    if not JSON_FILE.is_file():
        pytest.skip(f"{JSON_FILE} is absent")
    from_json = grid.read_ember(JSON_FILE)
    columns = ["key", "country_code", "name", "year", "g_per_kwh"]
    assert from_json.select(columns).sort("key").equals(table.select(columns).sort("key"))


def test_malformed_rows_are_located(tmp_path):
    path = tmp_path / "ember.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                "GBR,GBR,United Kingdom,2024,215.79",
                "GB,GB,United Kingdom,2024,215.79",
                "FRA,FRA,France,last year,44.18",
                "DEU,DEU,Germany,2024,-3",
                "GBR,GBR,United Kingdom,2023,230",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        grid.read_ember(path)
    found = [(p.row, p.column) for p in info.value.problems]
    assert found == [
        (3, "country_code"),
        (4, "year"),
        (5, "emissions_intensity_gco2_per_kwh"),
        (6, "country_code"),
    ]
    assert info.value.problems[2].value == "-3"


def test_missing_column_and_command_line(tmp_path, capsys):
    path = tmp_path / "ember.csv"
    path.write_text("country_code,year\nGBR,2024\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        grid.read_ember(path)
    assert {(p.row, p.column) for p in info.value.problems} == {
        (1, "country_or_region"),
        (1, "emissions_intensity_gco2_per_kwh"),
    }
    assert cli.main(["data", "grid", str(path), str(tmp_path / "out")]) == 2
    assert "row 1" in capsys.readouterr().err


# ------------------------------------------------------------- shipped files


def test_shipped_grid_inventory_is_what_the_importer_builds(table, tmp_path):
    grid.build_grid_inventory(GRID_DIR, tmp_path)
    for name in ("processes.csv", "exchanges.csv"):
        assert (tmp_path / name).read_bytes() == (SHIPPED / name).read_bytes(), (
            f"inventories/grid_electricity/{name} is stale: rerun scenat data grid "
            "../shared/data/grid-intensity inventories/grid_electricity"
        )
    assert not list(tmp_path.glob("*.tmp"))


def test_shipped_gbr_and_chn_in_kg_per_kwh():
    assert shipped_amount("electricity_grid_gbr") == 0.21579  # 215.79 g/kWh, Ember 2024
    assert shipped_amount("electricity_grid_chn") == 0.5575  # 557.5 g/kWh, Ember 2024
    assert shipped_amount("electricity_grid_world") == 0.47294
    processes = {r["id"]: r for r in read_rows(SHIPPED / "processes.csv")}
    gbr = processes["electricity_grid_gbr"]
    assert (gbr["unit"], gbr["location"], gbr["year"]) == ("kWh", "GBR", "2024")
    assert processes["electricity_grid_abw"]["year"] == "2022"  # each row keeps its year


def test_shipped_rows_carry_provenance():
    processes = read_rows(SHIPPED / "processes.csv")
    exchanges = read_rows(SHIPPED / "exchanges.csv")
    assert len(processes) == len(exchanges) == 222
    assert len([p for p in processes if len(p["location"]) == 3]) >= 200  # countries
    for row in processes + exchanges:
        for key in ("source", "table", "year", "licence"):
            assert row[key].strip(), (row, key)
        assert row["licence"] == "CC BY-SA 4.0 (Ember)"
        assert 2022 <= int(row["year"]) <= 2024
    for row in exchanges:
        assert "life-cycle" in row["comment"] and "booked as fossil CO2" in row["comment"]
