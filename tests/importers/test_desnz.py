"""DESNZ flat-file importer, the shipped starter inventory and the elementary-flow table.

Expected values are read off the 2025 flat file by hand, e.g.
``grep '^7_400_4000_5_' ghg-conversion-factors-2025-flat-format.csv``.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import re
import zipfile
from pathlib import Path

import polars as pl
import pytest

from scenat import cli
from scenat.errors import InputError
from scenat.importers import desnz
from scenat.importers.inventory import UNCERTAIN_EXCHANGE_COLUMNS, compare_inventories

REPO = Path(__file__).parents[2]
SHARED_DATA = Path(__file__).parents[3] / "shared" / "data"
FLAT_CSV = SHARED_DATA / "desnz" / "ghg-conversion-factors-2025-flat-format.csv"
FULL_SET = SHARED_DATA / "desnz" / "ghg-conversion-factors-2025-full-set.xlsx"
STARTER = REPO / "inventories" / "starter"
FLOWS_CSV = REPO / "inventories" / "elementary_flows.csv"

HEADER = (
    "ID,Scope,Level 1,Level 2,Level 3,Level 4,Column Text,UOM,GHG/Unit,GHG Conversion Factor 2025"
)
ELEC = "Scope 2,UK electricity,Electricity generated,Electricity: UK,kWh,,kWh"

# Units of the elementary-flow table (biosphere3 spelling) as exchanges write them.
FLOW_UNIT_IN_EXCHANGES = {
    "kilogram": "kg",
    "cubic meter": "m3",
    "standard cubic meter": "m3",
    "megajoule": "MJ",
}
GWP_METHOD = ("IPCC 2021", "climate change", "global warming potential (GWP100)")
RESOURCE_METHODS = {
    "EF v3.1 ADP fossil": (
        "EF v3.1",
        "energy resources: non-renewable",
        "abiotic depletion potential (ADP): fossil fuels",
    ),
    "EF v3.1 ADP elements": (
        "EF v3.1",
        "material resources: metals/minerals",
        "abiotic depletion potential (ADP): elements (ultimate reserves)",
    ),
    "EF v3.1 water use": (
        "EF v3.1",
        "water use",
        "user deprivation potential (deprivation-weighted water consumption)",
    ),
}


@pytest.fixture(scope="module")
def factors() -> pl.DataFrame:
    # the shared data is part of CI: a missing folder is a failure, not a skip
    assert SHARED_DATA.is_dir(), f"shared open data folder {SHARED_DATA} is missing"
    return desnz.read_flat_file(FLAT_CSV)


@pytest.fixture(scope="module")
def exchanges_by_process() -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {}
    for row in read_rows(STARTER / "exchanges.csv"):
        found.setdefault(row["process"], []).append(row)
    return found


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def factor(factors: pl.DataFrame, desnz_id: str) -> dict:
    return factors.filter(pl.col("desnz_id") == desnz_id).row(0, named=True)


def write_flat(tmp_path: Path, lines: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "flat.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8-sig")
    return path


# ---------------------------------------------------------------------- reading


def test_reads_uk_electricity_2025(factors):
    row = factor(factors, "7_400_4000_5")
    assert row["year"] == 2025
    assert (row["scope"], row["level1"], row["level2"], row["level3"], row["uom"]) == (
        "Scope 2",
        "UK electricity",
        "Electricity generated",
        "Electricity: UK",
        "kWh",
    )
    assert row["kg_co2e"] == 0.17700
    assert row["co2_kg_co2e"] == 0.17489
    assert row["ch4_kg_co2e"] == 0.00090
    assert row["n2o_kg_co2e"] == 0.00122


def test_one_row_per_factor_and_totals_only_where_published(factors):
    assert factors["desnz_id"].is_unique().all()
    assert factors["kg_co2e"].null_count() == 0
    # 1_101_1021_8 (refinery miscellaneous, litres) has an empty total in the file.
    assert factors.filter(pl.col("desnz_id") == "1_101_1021_8").is_empty()
    # Material use has a total and no split.
    steel = factor(factors, "19_504_5116_15")
    assert steel["kg_co2e"] == 2863.90131
    assert steel["co2_kg_co2e"] is None and steel["ch4_kg_co2e"] is None


def test_published_split_sums_to_total_within_rounding(factors):
    """DESNZ rounds each figure to 5 decimals, so CO2 + CH4 + N2O may differ from the
    total by up to 1e-5 kg CO2e (absolute); nowhere by more."""
    split = factors.filter(pl.col("co2_kg_co2e").is_not_null())
    assert split.height > 1000
    gap = (
        split["kg_co2e"] - split["co2_kg_co2e"] - split["ch4_kg_co2e"] - split["n2o_kg_co2e"]
    ).abs()
    assert gap.max() <= 1e-5 + 1e-12


def test_ar5_gwps_are_the_published_ar5_values():
    table = SHARED_DATA / "gwp" / "globalwarmingpotentials_0.13.2.csv"
    if not table.is_file():
        pytest.skip(f"{table} is absent")
    lines = [line for line in table.read_text().splitlines() if not line.startswith("#")]
    rows = {row["Species"]: row for row in csv.DictReader(lines)}
    assert float(rows["CH4"]["AR5GWP100"]) == desnz.AR5_GWP100["CH4"] == 28
    assert float(rows["N2O"]["AR5GWP100"]) == desnz.AR5_GWP100["N2O"] == 265


# ------------------------------------------------------------------- inventory


def test_uk_electricity_becomes_gas_masses(factors):
    selection = [
        {
            "id": "electricity_uk_grid_generated",
            "name": "electricity, UK grid",
            "desnz_id": "7_400_4000_5",
            "unit": "kWh",
            "location": "GB",
            "category": "electricity",
        }
    ]
    processes, exchanges = desnz.to_inventory(factors, selection)
    masses = dict(exchanges.select("input", "amount").rows())
    assert masses == pytest.approx(
        {"co2_fossil": 0.17489, "ch4_fossil": 0.00090 / 28, "n2o": 0.00122 / 265},
        rel=1e-12,
    )
    gwp_ar5 = masses["co2_fossil"] + 28 * masses["ch4_fossil"] + 265 * masses["n2o"]
    assert abs(gwp_ar5 - 0.17700) <= 1e-5 + 1e-12
    assert processes.row(0, named=True)["table"].startswith("7_400_4000_5; UK electricity")
    assert set(exchanges["unit"]) == {"kg"}


def test_total_only_factor_is_booked_as_fossil_co2(factors):
    selection = [
        {
            "id": "steel",
            "name": "steel",
            "desnz_id": "19_504_5116_15",
            "unit": "t",
            "location": "GB",
            "category": "material",
        }
    ]
    _, exchanges = desnz.to_inventory(factors, selection)
    (row,) = exchanges.rows(named=True)
    assert (row["input"], row["amount"], row["unit"]) == ("co2_fossil", 2863.90131, "kg")
    assert "no gas split" in row["comment"]


def test_selection_errors_are_located(factors):
    selection = [
        {
            "id": "steel",
            "name": "steel",
            "desnz_id": "19_504_5116_15",
            "unit": "kg",  # DESNZ publishes material use per tonne
            "location": "GB",
            "category": "material",
        },
        {
            "id": "Bad Id",
            "name": "x",
            "desnz_id": "9_999_9999_9",
            "unit": "kWh",
            "location": "GB",
            "category": "x",
        },
    ]
    with pytest.raises(InputError) as info:
        desnz.to_inventory(factors, selection)
    found = {(p.row, p.column) for p in info.value.problems}
    assert {(1, "unit"), (2, "id"), (2, "desnz_id")} <= found


# ------------------------------------------------------------ malformed input


def test_factor_that_is_not_a_number_is_reported_with_row_and_column(tmp_path):
    path = write_flat(
        tmp_path,
        [
            f"7_400_4000_5_1,{ELEC},kg CO2e,0.17700",
            f"7_400_4000_5_2,{ELEC},kg CO2e of CO2 per unit,0.17x89",
        ],
    )
    with pytest.raises(InputError) as info:
        desnz.read_flat_file(path)
    (problem,) = info.value.problems
    assert problem.row == 3
    assert problem.column == "GHG Conversion Factor 2025"
    assert problem.value == "0.17x89"
    assert problem.file == str(path)


def test_missing_columns_are_reported_on_the_header_row(tmp_path):
    header = HEADER.replace(",UOM", "")
    path = write_flat(tmp_path, ["7_400_4000_5_1,Scope 2,a,b,c,d,,kg CO2e,0.1"], header)
    with pytest.raises(InputError) as info:
        desnz.read_flat_file(path)
    assert [(p.row, p.column) for p in info.value.problems] == [(1, "UOM")]


def test_year_bom_blank_cells_and_unknown_units(tmp_path):
    header = HEADER.replace("2025", "2031")
    path = write_flat(
        tmp_path,
        [
            f"7_400_4000_5_1,{ELEC},kg CO2e,0.1",
            f"7_400_4000_5_2,{ELEC},kg CO2e of CO2 per unit,",
            f"8_400_4000_5_1,{ELEC},kg CO2e,",
        ],
        header,
    )
    df = desnz.read_flat_file(path)
    assert df.rows() == [
        (
            "7_400_4000_5",
            "Scope 2",
            "UK electricity",
            "Electricity generated",
            "Electricity: UK",
            "kWh",
            None,
            "kWh",
            2031,
            0.1,
            None,
            None,
            None,
        )
    ]
    bad = write_flat(
        tmp_path,
        [
            f"7_400_4000_5_1,{ELEC},kg CO2e of HFC per unit,0.1",
            ",,,,,,,,,",  # blank rows are skipped, and counted in row numbers
            f"7_400_4000_5_2,{ELEC},,0.1",
            f"7_400_4000_5_3,{ELEC},kg CO2e of CH4 per unit,0.1",
            f"7_400_4000_5_9,{ELEC},kg CO2e of CH4 per unit,0.1",
        ],
    )
    with pytest.raises(InputError) as info:
        desnz.read_flat_file(bad)
    assert [(p.row, p.column) for p in info.value.problems] == [
        (2, "GHG/Unit"),
        (4, "GHG/Unit"),
        (6, "GHG/Unit"),
    ]
    assert "second 'kg CO2e of CH4 per unit' row" in info.value.problems[2].message


def test_command_line_exit_codes(tmp_path, capsys):
    bad = write_flat(tmp_path, [f"7_400_4000_5_1,{ELEC},kg CO2e,abc"])
    assert cli.main(["data", "desnz", str(bad), str(tmp_path / "out")]) == 2
    assert "row 2" in capsys.readouterr().err


# ------------------------------------------------------------- shipped files


def test_shipped_starter_inventory_is_what_the_importer_builds(factors, tmp_path):
    desnz.build_starter_inventory(FLAT_CSV, tmp_path)
    problems = compare_inventories(STARTER, tmp_path)
    assert not problems, (
        "inventories/starter is stale: rerun scenat data desnz FLAT_CSV inventories/starter\n"
        + "\n".join(problems[:20])
    )
    assert not list(tmp_path.glob("*.tmp"))


def test_shipped_rows_carry_provenance_and_a_spread():
    processes = read_rows(STARTER / "processes.csv")
    exchanges = read_rows(STARTER / "exchanges.csv")
    assert list(processes[0]) == [*desnz.PROCESS_COLUMNS, "recorded_indicators"]
    assert list(exchanges[0]) == list(UNCERTAIN_EXCHANGE_COLUMNS)
    for row in processes + exchanges:
        for key in ("source", "table", "year", "licence"):
            assert row[key].strip(), (row, key)
    for row in processes:
        assert row["year"] == "2025" and row["licence"] == "Open Government Licence v3.0"
    for row in exchanges:
        if row["type"] == "technosphere":  # DESNZ adds the linked factor one for one
            assert not row["distribution"], row
            assert row["uncertainty_source"].startswith("none: exact by definition"), row
        else:
            assert row["distribution"] == "lognormal" and float(row["gsd"]) > 1, row
            assert row["uncertainty_source"].startswith("pedigree ("), row
        if row["source"].startswith("UK Government GHG Conversion Factors"):
            assert row["year"] == "2025" and row["licence"] == "Open Government Licence v3.0"
        else:  # the resource flows of USLCI's extraction and of the grid model
            assert row["input"].endswith("_resource"), row


def test_shipped_exchanges_resolve():
    processes = {row["id"]: row for row in read_rows(STARTER / "processes.csv")}
    flows = {row["id"]: row for row in read_rows(FLOWS_CSV)}
    for pid, row in processes.items():
        assert re.fullmatch(r"[a-z0-9_.-]+", pid)
        assert row["unit"] in desnz.SCENAT_UNITS
    for row in read_rows(STARTER / "exchanges.csv"):
        assert row["process"] in processes
        assert math.isfinite(float(row["amount"]))
        if row["type"] == "technosphere":
            assert row["input"] in processes
            assert row["unit"] == processes[row["input"]]["unit"]
        else:
            assert row["type"] == "biosphere"
            assert row["input"] in flows
            assert row["unit"] == FLOW_UNIT_IN_EXCHANGES[flows[row["input"]]["unit"]]


def test_shipped_processes_reproduce_desnz_totals(factors):
    """AR5 GWP of the booked masses, following technosphere links, gives back the DESNZ
    total of each process (delivered electricity: the sum of its four factors)."""
    ar5 = {"co2_fossil": 1.0, "ch4_fossil": 28.0, "n2o": 265.0}
    links: dict[str, list[tuple[str, float]]] = {}
    direct: dict[str, float] = {}
    for row in read_rows(STARTER / "exchanges.csv"):
        if row["type"] == "technosphere":
            links.setdefault(row["process"], []).append((row["input"], float(row["amount"])))
        elif row["input"] in ar5:
            direct[row["process"]] = direct.get(row["process"], 0.0) + ar5[row["input"]] * float(
                row["amount"]
            )

    def total(pid: str) -> float:
        return direct.get(pid, 0.0) + sum(a * total(i) for i, a in links.get(pid, []))

    desnz_total = {
        pid: factor(factors, stem)["kg_co2e"]
        for pid, stem in {
            "electricity_uk_grid_generated": "7_400_4000_5",
            "electricity_uk_td_losses": "13_402_4000_5",
            "natural_gas_wtt_kwh": "11_100_1004_7",
            "steel_cans_primary": "19_504_5116_15",
            "water_supply": "17_404_4005_1",
        }.items()
    }
    for pid, expected in desnz_total.items():
        assert abs(total(pid) - expected) <= 1e-5 + 1e-12, pid
    assert total("electricity_uk_grid_delivered") == pytest.approx(
        0.17700 + 0.01853 + 0.04590 + 0.00397, abs=4e-5
    )
    assert total("natural_gas_combustion_kwh") == pytest.approx(0.20270 + 0.03347, abs=2e-5)
    assert total("freight_hgv_diesel_tkm") == pytest.approx(0.10163 + 0.02359, abs=2e-5)


def _sheet_by_hand(path: Path) -> dict[str, list]:
    import openpyxl

    sheet = openpyxl.load_workbook(path, read_only=True, data_only=True)["Fuel properties"]
    rows = {}
    for cells in sheet.iter_rows(values_only=True):
        values = [c for c in cells if c is not None]
        # Fuel rows: [group?] name, year, net CV GJ/t, gross CV GJ/t, density kg/m3, ...
        for i, value in enumerate(values[:-1]):
            if isinstance(value, str) and isinstance(values[i + 1], int) and values[i + 1] > 2000:
                rows[value.strip()] = values[i + 2 :]
    return rows


@pytest.mark.parametrize(
    "workbook",
    [
        "ghg-conversion-factors-2024-full_set__for_advanced_users__v1_1.xlsx",
        "ghg-conversion-factors-2025-full-set.xlsx",
        "ghg-conversion-factors-2026-full-set.xlsx",
    ],
)
def test_fuel_properties_are_read_from_the_workbook(workbook):
    path = SHARED_DATA / "desnz" / workbook
    table = desnz.read_fuel_properties(path)
    by_hand = _sheet_by_hand(path)
    by_hand.pop("Year:")  # the header block ("Year:", 2025) is no fuel
    assert table.height == len(by_hand) == 39
    gas = table.filter(pl.col("fuel") == "Natural Gas").row(0, named=True)
    net_cv, _, density = by_hand["Natural Gas"][0:3]
    assert (gas["net_cv_gj_per_t"], gas["density_kg_per_m3"]) == (net_cv, density)
    assert gas["row"] == 31
    diesel = table.filter(pl.col("fuel") == "Diesel (average biofuel blend)").row(0, named=True)
    assert diesel["net_kwh_per_l"] == by_hand["Diesel (average biofuel blend)"][-2]
    coal = table.filter(pl.col("fuel") == "Coal (electricity generation)").row(0, named=True)
    assert coal["density_kg_per_m3"] is None  # DESNZ leaves it empty


def test_a_bad_fuel_property_cell_is_located(tmp_path):
    import openpyxl

    workbook = openpyxl.load_workbook(FULL_SET)
    workbook["Fuel properties"]["D25"] = "n/a"
    path = tmp_path / "full.xlsx"
    workbook.save(path)
    with pytest.raises(InputError) as info:
        desnz.read_fuel_properties(path)
    (problem,) = info.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "Fuel properties",
        25,
        "D",
        "n/a",
    )


def test_fuels_carry_their_energy_content(factors, exchanges_by_process):
    props = _sheet_by_hand(FULL_SET)

    def co2(desnz_id):
        return factors.filter(pl.col("desnz_id") == desnz_id)["co2_kg_co2e"][0]

    def resource(pid, flow):  # the first is the fuel's energy, the second its extraction loss
        return [float(r["amount"]) for r in exchanges_by_process[pid] if r["input"] == flow]

    # diesel: 9.905 kWh/L (row 25) x 3.6 x fossil share (CO2 per kWh of blend / mineral)
    share = co2("1_101_1011_7") / co2("1_101_1012_7")
    diesel_mj = props["Diesel (average biofuel blend)"][-2] * 3.6 * share
    fuel, lost = resource("diesel_wtt_l", "crude_oil_resource")
    assert fuel == pytest.approx(diesel_mj / 43.4, rel=1e-12)  # EF 3.1: 43.4 MJ/kg crude
    assert lost == pytest.approx(diesel_mj * 0.035 / 43.4, rel=1e-12)  # USLCI 1.035 kg/kg
    # petrol: 8.926 kWh/L (row 36)
    share = co2("1_101_1017_7") / co2("1_101_1018_7")
    petrol, _ = resource("petrol_wtt_l", "crude_oil_resource")
    assert petrol == pytest.approx(props["Petrol (average biofuel blend)"][-2] * 3.6 * share / 43.4)
    # natural gas per kWh (net CV): 3.6 MJ x fossil share / 36 MJ/Sm3, plus 4 % lost
    share = co2("1_100_1004_7") / co2("1_100_1005_7")
    gas, gas_lost = resource("natural_gas_wtt_kwh", "natural_gas_resource")
    assert gas == pytest.approx(3.6 * share / 36) and gas_lost == pytest.approx(gas * 0.04)
    # HGV: 0.10012 kg CO2/tkm / 0.26475 kg CO2 per kWh of mineral diesel = 0.378 kWh
    hgv, _ = resource("freight_hgv_diesel_wtt_tkm", "crude_oil_resource")
    assert hgv == pytest.approx(0.10012 / 0.26475 * 3.6 / 43.4)
    # the vehicle carrier (car carrier): 0.03805 / 0.27509 (marine fuel oil) kWh per tkm
    carrier, _ = resource("freight_sea_vehicle_carrier_wtt_tkm", "crude_oil_resource")
    assert carrier == pytest.approx(0.03805 / 0.27509 * 3.6 / 43.4)


def test_uk_td_losses_carry_the_lost_kwh_of_generation(exchanges_by_process):
    lost = 0.01853 / 0.177  # DESNZ T&D factor / generation factor: kWh lost per kWh consumed
    for flow in ("hard_coal_resource", "natural_gas_resource", "uranium_resource"):
        gen = [
            float(r["amount"])
            for r in exchanges_by_process["electricity_uk_grid_generated"]
            if r["input"] == flow
        ]
        td = [
            float(r["amount"])
            for r in exchanges_by_process["electricity_uk_td_losses"]
            if r["input"] == flow
        ]
        assert td[0] == pytest.approx(gen[0] * lost, rel=1e-9), flow


def test_the_selection_refuses_another_year(factors):
    properties = desnz.read_fuel_properties(
        SHARED_DATA / "desnz" / "ghg-conversion-factors-2026-full-set.xlsx"
    )
    with pytest.raises(InputError, match="fuel properties of the same year"):
        desnz.starter_selection(factors, properties)


# ---------------------------------------------------- elementary flows vs bw2io


@pytest.fixture(scope="module")
def bw2io_data() -> Path:
    # find_spec locates the package without importing it (importing bw2io imports
    # bw2data, which writes to the user's home folder).
    spec = importlib.util.find_spec("bw2io")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("bw2io is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _bw2io_normalize_units(bw2io_data: Path):
    # bw2io/units.py has no imports of its own, so it loads alone.
    spec = importlib.util.spec_from_file_location("bw2io_units", bw2io_data.parent / "units.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.normalize_units


@pytest.fixture(scope="module")
def biosphere3(bw2io_data) -> dict[str, tuple[str, str, str]]:
    """code -> (name, categories as scenat writes them, unit as bw2io stores it), read
    from the ecoinvent 3.9 list that bw2io.create_default_biosphere3() imports, with the
    same clean-up (unspecified sub-compartments dropped, units normalised)."""
    etree = pytest.importorskip("lxml.etree")
    normalize = _bw2io_normalize_units(bw2io_data)
    ns = {"e": "http://www.EcoInvent.org/EcoSpold02"}
    root = etree.parse(str(bw2io_data / "lci" / "ecoinvent elementary flows 3.9.xml"))
    flows = {}
    for el in root.getroot():
        comp = el.find("e:compartment", ns)
        categories = [comp.find("e:compartment", ns).text]
        sub = comp.find("e:subcompartment", ns).text
        if sub not in (None, "", "unspecified", "(unspecified)"):
            categories.append(sub)
        flows[el.get("id")] = (
            el.find("e:name", ns).text,
            "::".join(categories),
            normalize(el.find("e:unitName", ns).text),
        )
    return flows


@pytest.fixture(scope="module")
def lcia(bw2io_data) -> dict[tuple[str, ...], dict[str, float]]:
    with zipfile.ZipFile(bw2io_data / "lcia" / "lcia_39_ecoinvent.zip") as archive:
        methods = json.load(archive.open("data.json"))
    return {
        tuple(m["name"]): {exc["input"][1]: exc["amount"] for exc in m["exchanges"]}
        for m in methods
    }


def test_elementary_flow_table_shape():
    rows = read_rows(FLOWS_CSV)
    assert list(rows[0]) == ["id", "name", "categories", "unit", "code", "kind", "note"]
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    for row in rows:
        assert re.fullmatch(r"[A-Za-z0-9_]+", row["id"])
        assert row["kind"] in {"emission", "resource"}
        assert row["unit"] in FLOW_UNIT_IN_EXCHANGES
    required = {"co2_fossil", "co2_biogenic", "ch4_fossil", "ch4_biogenic", "n2o", "sf6"}
    required |= {"hfc134a", "hfc32", "hfc125", "co", "nox", "so2", "pm25", "nh3", "water"}
    required |= {"natural_gas_resource", "crude_oil_resource", "hard_coal_resource"}
    assert required <= set(ids)


def test_elementary_flows_are_bundled_biosphere3_flows(biosphere3):
    rows = {row["id"]: row for row in read_rows(FLOWS_CSV)}
    assert rows["co2_fossil"]["code"] == "349b29d1-3e58-4c66-98b9-9d1a076efd2e"
    assert rows["ch4_fossil"]["code"] == "0795345f-c7ae-410c-ad25-1845784c75f5"
    assert rows["n2o"]["code"] == "20185046-64bb-4c09-a8e7-e8a9e144ca98"
    assert rows["ch4_biogenic"]["name"] == "Methane, non-fossil"
    for row in rows.values():
        assert row["code"] in biosphere3, row["id"]
        assert biosphere3[row["code"]] == (row["name"], row["categories"], row["unit"])


def test_elementary_flows_are_characterised_as_their_notes_say(lcia):
    gwp = lcia[GWP_METHOD]
    for row in read_rows(FLOWS_CSV):
        cf = re.search(r"CF ([0-9.e+-]+)", row["note"])
        if row["kind"] == "resource":
            (method,) = [m for key, m in RESOURCE_METHODS.items() if key in row["note"]]
            assert lcia[method].get(row["code"]), row["id"]
            assert float(cf.group(1)) == pytest.approx(lcia[method][row["code"]], rel=1e-3)
        elif "IPCC 2021 GWP100 CF" in row["note"]:
            assert float(cf.group(1)) == pytest.approx(gwp[row["code"]], rel=1e-3), row["id"]
        else:
            assert row["code"] not in gwp, row["id"]


def test_fuel_energy_is_booked_with_the_ef_factors(lcia):
    from scenat.importers.fossil import ef_fossil_factor

    method = RESOURCE_METHODS["EF v3.1 ADP fossil"]
    for flow in ("crude_oil_resource", "natural_gas_resource", "hard_coal_resource"):
        code = next(r["code"] for r in read_rows(FLOWS_CSV) if r["id"] == flow)
        assert ef_fossil_factor(flow) == lcia[method][code]
