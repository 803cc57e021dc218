"""ÖKOBAUDAT 2020-II importer and the shipped ``inventories/okobaudat``.

Expected values are read from ``OBD_2020_II.csv`` here with the ``csv`` module (not with the
importer), e.g. reinforcing steel ``e9ae96ee-...`` module A1-A3: GWP 0.683355033568454,
ADPE 2.302103303663e-7, ADPF 7.62747645571319, PENRT 8.79911410362331, FW 0.00347406613664946.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest

from scenat import cli
from scenat.errors import InputError
from scenat.importers import okobaudat
from scenat.importers.inventory import compare_inventories

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
OBD = SHARED_DATA / "okobaudat" / "OBD_2020_II.csv"
SHIPPED = REPO / "inventories" / "okobaudat"
REBAR = "e9ae96ee-ba8d-420d-9725-7c8abd06e082"
CONCRETE = "a758fb6a-7fb1-4cdc-b652-c42cf2f7632c"

needs_data = pytest.mark.skipif(not OBD.exists(), reason="needs ../shared/data/okobaudat")


def _csv_rows(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("latin-1")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def _a1a3(uuid: str) -> dict[str, str]:
    (row,) = [r for r in _csv_rows(OBD) if r["UUID"] == uuid and r["Modul"] == "A1-A3"]
    return row


def _shipped_exchanges() -> dict[tuple[str, str], dict[str, str]]:
    with (SHIPPED / "exchanges.csv").open(encoding="utf-8") as handle:
        return {(r["process"], r["input"]): r for r in csv.DictReader(handle)}


def _shipped_processes() -> dict[str, dict[str, str]]:
    with (SHIPPED / "processes.csv").open(encoding="utf-8") as handle:
        return {r["id"]: r for r in csv.DictReader(handle)}


@needs_data
def test_rebuild_matches_shipped(tmp_path):
    out = tmp_path / "okobaudat"
    assert cli.main(["data", "okobaudat", str(OBD), str(out)]) == 0
    assert compare_inventories(SHIPPED, out) == []


@needs_data
def test_rebar_a1a3_read_independently():
    row = _a1a3(REBAR)
    assert (row["Bezugsgroesse"], row["Bezugseinheit"]) == ("1", "kg")
    # the figures SOURCES.md quotes for this dataset
    assert round(float(row["GWP"]), 3) == 0.683
    assert round(float(row["FW"]), 5) == 0.00347
    ex = _shipped_exchanges()
    pid = "okobaudat_steel_rebar"
    assert float(ex[pid, "co2_fossil"]["amount"]) == pytest.approx(float(row["GWP"]), rel=1e-11)
    # EF 3.1 ADP elements: antimony is the reference substance, 1 kg Sb-eq per kg
    assert float(ex[pid, "antimony_resource"]["amount"]) == pytest.approx(
        float(row["ADPE"]), rel=1e-11
    )
    # EF 3.1 ADP fossil: natural gas 36 MJ per standard m3, so m3 = ADPF / 36
    assert float(ex[pid, "natural_gas_resource"]["amount"]) == pytest.approx(
        float(row["ADPF"]) / 36.0, rel=1e-11
    )
    assert float(ex[pid, "okobaudat_penrt"]["amount"]) == pytest.approx(
        float(row["PENRT"]), rel=1e-11
    )
    assert float(ex[pid, "okobaudat_fw"]["amount"]) == pytest.approx(float(row["FW"]), rel=1e-11)
    # provenance on every row: UUID, module, release, licence
    for flow in ("co2_fossil", "antimony_resource", "okobaudat_fw"):
        assert REBAR in ex[pid, flow]["source"]
        assert "A1-A3" in ex[pid, flow]["table"]
        assert "2020-II" in ex[pid, flow]["source"]
        assert "without restriction" in ex[pid, flow]["licence"]
        assert ex[pid, flow]["year"] == row["Referenzjahr"] == "2018"


@needs_data
def test_every_shipped_product_matches_its_csv_row():
    ex = _shipped_exchanges()
    processes = _shipped_processes()
    assert set(processes) == {s.id for s in okobaudat.SELECTION}
    rows = {(r["UUID"], r["Modul"]): r for r in _csv_rows(OBD)}
    units = {"kg": "kg", "m3": "m3", "qm": "m2", "pcs.": "item", "MJ": "MJ"}
    for item in okobaudat.SELECTION:
        row = rows[item.uuid, item.module]
        size = float(row["Bezugsgroesse"])
        assert processes[item.id]["unit"] == units[row["Bezugseinheit"]]
        assert float(ex[item.id, "co2_fossil"]["amount"]) == pytest.approx(
            float(row["GWP"]) / size, rel=1e-11
        )
        assert float(ex[item.id, "antimony_resource"]["amount"]) == pytest.approx(
            float(row["ADPE"]) / size, rel=1e-11
        )
        assert float(ex[item.id, "natural_gas_resource"]["amount"]) == pytest.approx(
            float(row["ADPF"]) / size / 36.0, rel=1e-11
        )
        assert processes[item.id]["recorded_indicators"] == (
            "gwp100;fossil_energy;metals_minerals;okobaudat_penrt;okobaudat_fw"
        )


@needs_data
def test_wind_electricity_is_module_b6_per_mj():
    # ÖKOBAUDAT 'Strom aus Windkraft', module B6, per 3.6 MJ: GWP 0.0104843572665241 kg,
    # ADPF 0.123042015303325 MJ (read off the CSV by hand), shipped per MJ
    (row,) = [
        r
        for r in _csv_rows(OBD)
        if r["UUID"] == "394b2abb-1165-4456-ba50-acbe5964f605" and r["Modul"] == "B6"
    ]
    assert (row["Bezugsgroesse"], row["Bezugseinheit"]) == ("3.6", "MJ")
    ex = _shipped_exchanges()
    pid = "okobaudat_electricity_wind"
    assert float(ex[pid, "co2_fossil"]["amount"]) == pytest.approx(0.0104843572665241 / 3.6)
    assert float(ex[pid, "natural_gas_resource"]["amount"]) == pytest.approx(
        0.123042015303325 / 3.6 / 36.0
    )
    assert _shipped_processes()[pid]["unit"] == "MJ"
    assert _shipped_processes()[pid]["category"] == "electricity"


def test_every_exchange_has_a_pedigree_lognormal():
    # GSD^2 = exp(sqrt(sum ln(U_i)^2 + ln(U_b)^2)) with the openLCA factors of the scores
    # (2,2,3,3,3): reliability 1.05, completeness 1.02, temporal 1.10, geography 1.02,
    # technology 1.20; basic factor 1.05 (CO2, resources) or 1.5 (water)
    scores = [1.05, 1.02, 1.10, 1.02, 1.20]

    def gsd(basic: float) -> float:
        return math.sqrt(math.exp(math.sqrt(sum(math.log(u) ** 2 for u in [*scores, basic]))))

    with (SHIPPED / "exchanges.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 5 * len(okobaudat.SELECTION)
    for row in rows:
        assert row["distribution"] == "lognormal"
        basic = 1.5 if row["input"] == "okobaudat_fw" else 1.05
        assert float(row["gsd"]) == pytest.approx(gsd(basic), abs=1e-6)
        assert row["uncertainty_source"].startswith("pedigree (2,2,3,3,3)")


def test_declared_unit_is_divided_out():
    rows = [
        {
            "UUID": "u1",
            "Version": "1",
            "Modul": "A1-A3",
            "Bezugsgroesse": "1000",
            "Bezugseinheit": "kg",
            "Name (de)": "Probe",
            "Name (en)": "",
            "Typ": "generic dataset",
            "Referenzjahr": "2020",
            "Laenderkennung": "DE",
            "Konformität": "EN 15804",
            "GWP": "2000",
            "ADPF": "36000",
            "ADPE": "0.5",
            "PENRT": "40000",
            "FW": "",
            "_row": "7",
        }
    ]
    selection = [okobaudat.Selected("okobaudat_probe", "u1", "a probe")]
    characterised = {"co2_fossil": ["gwp100"], "antimony_resource": ["metals_minerals"]}
    processes, exchanges = okobaudat.to_inventory(rows, characterised, selection=selection)
    amounts = {r["input"]: r["amount"] for r in exchanges.iter_rows(named=True)}
    assert amounts == {
        "co2_fossil": 2.0,
        "natural_gas_resource": 1.0,
        "antimony_resource": 0.0005,
        "okobaudat_penrt": 40.0,
    }
    # an undeclared FW is not covered: no row, never a zero
    assert "okobaudat_fw" not in amounts
    assert processes["recorded_indicators"].to_list() == ["gwp100;metals_minerals"]


def test_bad_input_is_located(tmp_path):
    with pytest.raises(InputError) as err:
        okobaudat.read_okobaudat(tmp_path / "missing.csv")
    assert "not found" in str(err.value)
    bad = tmp_path / "OBD_2020_II.csv"
    bad.write_bytes("UUID;Modul\nx;A1-A3\n".encode("latin-1"))
    with pytest.raises(InputError) as err:
        okobaudat.read_okobaudat(bad)
    assert err.value.problems[0].row == 1 and "GWP" in err.value.problems[0].column
    rows = [
        {
            "UUID": "u1",
            "Modul": "A1-A3",
            "Bezugsgroesse": "1",
            "Bezugseinheit": "kg",
            "GWP": "n/a",
            "_row": "3",
            "Version": "1",
            "Name (de)": "x",
            "Typ": "t",
            "Konformität": "EN 15804",
        }
    ]
    with pytest.raises(InputError) as err:
        okobaudat.to_inventory(rows, {}, selection=[okobaudat.Selected("p", "u1", "x")])
    problem = err.value.problems[0]
    assert (problem.row, problem.column, problem.value) == (3, "GWP", "n/a")
    with pytest.raises(InputError):
        okobaudat.unit_of("barrel")


def test_epd_indicators_enter_ef_only_where_mapped(tmp_path):
    """1 m3 of C30/37: gwp100, fossil_energy and metals_minerals equal the EPD's GWP, ADPF and
    ADPE; EF water does not count FW (coverage says so), okobaudat_fw does."""
    import scenat

    case = tmp_path / "case"
    case.mkdir()
    (case / "case.csv").write_text(
        "field,value\nname,concrete\nreference_node,site\nreference_amount,1\n"
        "functional_unit,one m3 poured\ncurrency,GBP\nyear,2024\n",
        encoding="utf-8",
    )
    (case / "nodes.csv").write_text(
        "id,name,tier,stage,location,output_amount,output_unit\n"
        "site,Site,0,construction,GB,1,item\n",
        encoding="utf-8",
    )
    (case / "flows.csv").write_text(
        "node,kind,input,amount,unit,source\n"
        "site,process,okobaudat_concrete_c30_37,1,m3,delivery note\n",
        encoding="utf-8",
    )
    # ÖKOBAUDAT 2020-II, Transportbeton C30/37, A1-A3 (read off the CSV by hand)
    gwp, adpf, adpe, fw = (
        283.064314187452,
        863.904340466262,
        1.50578668893909e-05,
        0.454832049120151,
    )
    if OBD.exists():
        row = _a1a3(CONCRETE)
        assert (float(row["GWP"]), float(row["ADPF"]), float(row["ADPE"]), float(row["FW"])) == (
            gwp,
            adpf,
            adpe,
            fw,
        )
    result = scenat.assess(
        scenat.read_case(case),
        indicators=[
            "gwp100",
            "fossil_energy",
            "metals_minerals",
            "water",
            "okobaudat_fw",
            "okobaudat_penrt",
        ],
    )
    assert result.total("gwp100") == pytest.approx(gwp, rel=1e-6)
    assert result.total("fossil_energy") == pytest.approx(adpf, rel=1e-6)
    assert result.total("metals_minerals") == pytest.approx(adpe, rel=1e-6)
    assert result.total("okobaudat_fw") == pytest.approx(fw, rel=1e-6)
    assert result.total("okobaudat_penrt") == pytest.approx(939.062517829406, rel=1e-6)
    assert result.total("water") == 0.0
    water = result.coverage["water"]
    assert water.low and water.uncovered == ("okobaudat_concrete_c30_37",)
    assert not result.coverage["metals_minerals"].low
    # the assessment says which share of each mapped indicator is EPD data: all of it here
    for indicator in ("gwp100", "fossil_energy", "metals_minerals"):
        assert any(
            n.startswith(f"{indicator}: 100.0 % of the result is ÖKOBAUDAT") for n in result.notes
        ), (indicator, result.notes)


def test_cli_reports_a_folder_without_the_export_and_exits_2(tmp_path, capsys):
    empty = tmp_path / "okobaudat"
    empty.mkdir()
    assert cli.main(["data", "okobaudat", str(empty), str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "ÖKOBAUDAT export not found" in err and "OBD_2020_II.csv" in err
    assert not (tmp_path / "out").exists()
