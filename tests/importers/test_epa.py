"""EPA supply-chain factors importer and the shipped ``inventories/epa_spend``.

Expected values are read off the EPA v1.3.0 files by hand, e.g.
``grep '^331110' SupplyChainGHGEmissionFactors_v1.3.0_NAICS_CO2e_USD2022.csv``:
``331110,Iron and Steel Mills and Ferroalloy Manufacturing,All GHGs,...,0.769,0.018,0.787``.
"""

from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path

import polars as pl
import pytest

from scenat import cli
from scenat.errors import InputError
from scenat.importers import epa
from scenat.importers.inventory import compare_inventories
from scenat.importers.useeio import INDICATORS, resolve_code

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
EPA_DIR = SHARED_DATA / "epa-supply-chain-factors"
GWP_TABLE = SHARED_DATA / "gwp" / "globalwarmingpotentials_0.13.2.csv"
SHIPPED = REPO / "inventories" / "epa_spend"
USEEIO = SHARED_DATA / "useeio" / "USEEIOv2.0.1-411"
INVENTORIES = REPO / "inventories"

HEADER = (
    "2017 NAICS Code,2017 NAICS Title,GHG,Unit,Supply Chain Emission Factors without Margins,"
    "Margins of Supply Chain Emission Factors,Supply Chain Emission Factors with Margins,"
    "Reference USEEIO Code"
)
CO2E_UNIT = '"kg CO2e/2022 USD, purchaser price"'
GAS_UNIT = '"kg/2022 USD, purchaser price"'
# EPA gas name -> species in the globalwarmingpotentials table (an independent GWP source).
SPECIES = {
    "Methane": "CH4",
    "Nitrous oxide": "N2O",
    "Sulfur hexafluoride": "SF6",
    "Nitrogen trifluoride": "NF3",
    "Carbon tetrafluoride": "CF4",
    "Hexafluoroethane": "C2F6",
    "Perfluoropropane": "C3F8",
    "Perfluorobutane": "C4F10",
    "Perfluorohexane": "C6F14",
    "Perfluorocyclobutane": "cC4F8",
    "HFC-23": "HFC23",
    "HFC-32": "HFC32",
    "HFC-125": "HFC125",
    "HFC-134a": "HFC134a",
    "HFC-143a": "HFC143a",
    "HFC-236fa": "HFC236fa",
}


@pytest.fixture(scope="module")
def epa_files() -> tuple[Path, Path]:
    assert EPA_DIR.is_dir(), f"shared open data folder {EPA_DIR} is missing"
    return epa.find_source_files(EPA_DIR)


@pytest.fixture(scope="module")
def factors(epa_files):
    return epa.read_factors(*epa_files)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def shipped() -> tuple[dict[str, dict], list[dict]]:
    processes = {row["id"]: row for row in read_rows(SHIPPED / "processes.csv")}
    return processes, read_rows(SHIPPED / "exchanges.csv")


def gwp_columns() -> dict[str, dict[str, float]]:
    if not GWP_TABLE.is_file():
        pytest.skip(f"{GWP_TABLE} is absent")
    lines = [line for line in GWP_TABLE.read_text().splitlines() if not line.startswith("#")]
    rows = {row["Species"]: row for row in csv.DictReader(lines)}
    out = {}
    for column in ("AR4GWP100", "AR5GWP100", "AR6GWP100"):
        table = {"Carbon dioxide": 1.0, "HFCs and PFCs, unspecified": 1.0}
        table |= {name: float(rows[species][column]) for name, species in SPECIES.items()}
        out[column] = table
    return out


def write(tmp_path: Path, co2e: list[str], gas: list[str]) -> tuple[Path, Path]:
    a, b = tmp_path / "co2e.csv", tmp_path / "gas.csv"
    a.write_text("\n".join([HEADER, *co2e]) + "\n", encoding="utf-8")
    b.write_text("\n".join([HEADER, *gas]) + "\n", encoding="utf-8")
    return a, b


# ---------------------------------------------------------------------- reading


def test_iron_and_steel_mills_as_published(factors):
    totals, gases, year = factors
    assert year == 2022
    row = totals.filter(pl.col("naics") == "331110").row(0, named=True)
    assert row["title"] == "Iron and Steel Mills and Ferroalloy Manufacturing"
    assert (row["without_margins"], row["margins"], row["with_margins"]) == (0.769, 0.018, 0.787)
    co2 = gases.filter((pl.col("naics") == "331110") & (pl.col("ghg") == "Carbon dioxide"))
    assert co2.select("without_margins", "with_margins").row(0) == (0.722, 0.738)


def test_both_files_cover_1016_commodities_and_18_gases(factors):
    totals, gases, _ = factors
    assert totals.height == 1016 and totals["naics"].is_unique().all()
    assert gases.height == 1016 * 18
    assert set(gases["ghg"]) == set(epa.GASES)


def test_by_gas_file_is_in_kg_of_gas(epa_files):
    """The Unit column says kg of gas per USD for every gas but the unspecified HFC/PFC
    mix, which EPA gives in kg CO2e (format-specs/README.md: "kg gas per $ or kgCO2e")."""
    units = {}
    for row in _raw(epa_files[1]):
        units.setdefault(row["GHG"], set()).add(row["Unit"])
    for gas, unit in units.items():
        expected = "kg CO2e" if gas == "HFCs and PFCs, unspecified" else "kg"
        assert unit == {f"{expected}/2022 USD, purchaser price"}, gas


def _raw(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _recomputed(totals, gases, gwp: dict[str, float], column: str) -> list[float]:
    """Relative difference of sum(mass x GWP) from EPA's CO2e, per sector."""
    weights = pl.DataFrame({"ghg": list(gwp), "gwp": list(gwp.values())})
    sums = (
        gases.join(weights, on="ghg")
        .group_by("naics")
        .agg((pl.col(column) * pl.col("gwp")).sum().alias("recomputed"))
        .join(totals.select("naics", pl.col(column).alias("epa")), on="naics")
    )
    return ((sums["recomputed"] - sums["epa"]).abs() / sums["epa"]).to_list()


def _quantile(values: list[float], q: float) -> float:
    return sorted(values)[int(q * (len(values) - 1))]


@pytest.mark.parametrize("column", ["with_margins", "without_margins"])
def test_gas_masses_times_ar5_gwp_reproduce_epa_co2e(factors, column):
    """EPA's CO2e is on the AR5 GWP100 basis: sum(mass x AR5 GWP) reproduces it with a
    median relative difference of 0.11 % (with margins) / 0.15 % (without), 95 % of sectors
    within 1 %. The rest is rounding: the CO2e file has 3 decimals (0.0005 kg for
    0.05 kg/USD sectors is 1 %) and each gas 3 significant digits. AR4 and AR6 do
    worse: medians 0.4 %, 95th percentiles 4.9 % and 1.3 % (with margins)."""
    totals, gases, _ = factors
    diffs = {basis: _recomputed(totals, gases, g, column) for basis, g in gwp_columns().items()}
    ar5 = diffs["AR5GWP100"]
    assert statistics.median(ar5) < 0.002
    assert _quantile(ar5, 0.95) < 0.01
    assert max(ar5) < 0.015
    for other in ("AR4GWP100", "AR6GWP100"):
        assert statistics.median(diffs[other]) > 2 * statistics.median(ar5), other
        assert _quantile(diffs[other], 0.95) > 0.01, other
    # The module's own GWPs (LCIAformatter's table) are these AR5 values.
    assert dict(epa.AR5_GWP100) == pytest.approx(gwp_columns()["AR5GWP100"])


def test_every_sector_within_published_rounding(factors):
    """|recomputed - EPA| <= 0.0005 (half the last decimal of the CO2e total) + 0.5 % of
    the recomputed CO2e (half the third significant digit of each gas mass)."""
    totals, gases, _ = factors
    weights = pl.DataFrame({"ghg": list(epa.AR5_GWP100), "gwp": list(epa.AR5_GWP100.values())})
    for column in ("with_margins", "without_margins"):
        sums = (
            gases.join(weights, on="ghg")
            .group_by("naics")
            .agg((pl.col(column) * pl.col("gwp")).sum().alias("recomputed"))
            .join(totals.select("naics", pl.col(column).alias("epa")), on="naics")
        )
        bound = 0.0005 + 0.005 * sums["recomputed"]
        excess = sums.filter((sums["recomputed"] - sums["epa"]).abs() > bound)
        assert excess.is_empty(), excess


# ------------------------------------------------------------ malformed input


def test_malformed_rows_are_located(tmp_path):
    co2e, gas = write(
        tmp_path,
        [
            f"331110,Iron and Steel Mills,All GHGs,{CO2E_UNIT},0.769,0.018,0.787,331110",
            f"33111,Short code,All GHGs,{CO2E_UNIT},0.1,0.0,0.1,x",
        ],
        [
            f"331110,Iron and Steel Mills,Carbon dioxide,{GAS_UNIT},7.22e-01,1.60e-02,abc,331110",
            f"331110,Iron and Steel Mills,Unobtainium,{GAS_UNIT},1,0,1,331110",
            f"331110,Iron and Steel Mills,Methane,{CO2E_UNIT},1,0,1,331110",
            f"331110,Iron and Steel Mills,Carbon dioxide,{GAS_UNIT},1,0,1,331110",
        ],
    )
    with pytest.raises(InputError) as info:
        epa.read_factors(co2e, gas)
    found = {(Path(p.file).name, p.row, p.column) for p in info.value.problems}
    assert found == {
        ("co2e.csv", 3, "2017 NAICS Code"),
        ("gas.csv", 2, "Supply Chain Emission Factors with Margins"),
        ("gas.csv", 3, "GHG"),
        ("gas.csv", 4, "Unit"),
        ("gas.csv", 5, "GHG"),
    }
    bad = next(p for p in info.value.problems if p.column.endswith("with Margins"))
    assert bad.value == "abc"


def test_missing_column_and_mismatched_files(tmp_path):
    co2e, gas = write(
        tmp_path,
        [f"331110,Iron and Steel Mills,All GHGs,{CO2E_UNIT},0.769,0.018,0.787,331110"],
        [f"331111,Other Mills,Carbon dioxide,{GAS_UNIT},1,0,1,331111"],
    )
    with pytest.raises(InputError) as info:
        epa.read_factors(co2e, gas)
    messages = {(p.row, p.message) for p in info.value.problems}
    assert (2, "commodity is not in the CO2e file") in messages
    assert (2, "commodity has no rows in the by-GHG file") in messages

    gas.write_text(HEADER.replace(",Unit", "") + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        epa.read_factors(co2e, gas)
    assert [(p.row, p.column) for p in info.value.problems] == [(1, "Unit")]


def test_command_line_reports_bad_folder(tmp_path, capsys):
    assert cli.main(["data", "epa", str(tmp_path), str(tmp_path / "out")]) == 2
    assert "expected exactly one CO2e file" in capsys.readouterr().err


# ------------------------------------------------------------- shipped files


def test_shipped_epa_inventory_is_what_the_importer_builds(epa_files, tmp_path):
    epa.build_epa_inventory(EPA_DIR, tmp_path)
    problems = compare_inventories(SHIPPED, tmp_path)
    assert not problems, (
        "inventories/epa_spend is stale: rerun scenat data epa "
        "../shared/data/epa-supply-chain-factors inventories/epa_spend\n" + "\n".join(problems[:20])
    )
    assert not list(tmp_path.glob("*.tmp"))


def test_shipped_iron_and_steel(shipped):
    processes, exchanges = shipped
    with_m = processes["epa_naics_331110"]
    without = processes["epa_naics_331110_no_margins"]
    assert (with_m["unit"], with_m["price_year"], with_m["location"]) == ("USD", "2022", "US")
    assert float(with_m["epa_kg_co2e"]) == 0.787
    assert float(without["epa_kg_co2e"]) == 0.769
    assert with_m["price_basis"] == "purchaser price, with margins"
    co2 = [
        float(r["amount"])
        for r in exchanges
        if r["process"] == "epa_naics_331110" and r["input"] == "co2_fossil"
    ]
    assert co2[0] == 0.738  # kg CO2 per USD, straight from the by-GHG file
    assert len(co2) == 2  # and one CO2-eq exchange for the gases without a flow


def test_shipped_masses_reproduce_shipped_epa_co2e(shipped):
    """AR5 GWP of the shipped exchanges gives back the shipped EPA total of each process."""
    processes, exchanges = shipped
    flow_gwp = {g.flow: g.gwp_ar5 for g in epa.GASES.values() if g.flow}
    totals: dict[str, float] = {}
    for row in exchanges:
        if row["input"].startswith("useeio_"):  # USEEIO's indicators, not gases
            continue
        totals[row["process"]] = totals.get(row["process"], 0.0) + flow_gwp[row["input"]] * float(
            row["amount"]
        )
    assert set(totals) == set(processes)
    diffs = [abs(totals[p] / float(r["epa_kg_co2e"]) - 1) for p, r in processes.items()]
    assert statistics.median(diffs) < 0.002 and _quantile(diffs, 0.95) < 0.01


def test_shipped_rows_carry_provenance_and_resolve(shipped):
    processes, exchanges = shipped
    assert list(next(iter(processes.values()))) == [*epa.PROCESS_COLUMNS, "recorded_indicators"]
    assert len(processes) == 2 * 1016
    flows = {row["id"] for row in read_rows(INVENTORIES / "elementary_flows.csv")}
    indicator_flows = {row["id"]: row for row in read_rows(INVENTORIES / "indicator_flows.csv")}
    for row in [*processes.values(), *exchanges]:
        for key in ("source", "table", "year", "licence"):
            assert row[key].strip(), (row, key)
        assert "public domain" in row["licence"]
    for row in exchanges:
        assert row["process"] in processes
        assert row["type"] == "biosphere"
        if row["input"] in indicator_flows:  # USEEIO v2.0.1, 2012 data
            assert row["year"] == "2012"
        else:
            assert row["year"] == "2022" and row["unit"] == "kg"
            assert row["input"] in flows
        assert float(row["amount"]) > 0
        assert row["distribution"] == "lognormal" and float(row["gsd"]) > 1, row
        assert row["uncertainty_source"].startswith("pedigree ("), row


def test_process_ids_are_unique_across_all_inventories():
    seen: dict[str, str] = {}
    for path in sorted(INVENTORIES.glob("*/processes.csv")):
        for row in read_rows(path):
            assert row["id"] not in seen, (row["id"], path.parent.name, seen.get(row["id"]))
            seen[row["id"]] = path.parent.name
    assert "epa_naics_331110" in seen and "electricity_grid_gbr" in seen


# ------------------------------------------------------------- USEEIO indicators


@pytest.fixture(scope="module")
def useeio_n() -> tuple[list[str], list[str], list[list[float]], list[float]]:
    sectors = sorted(json.loads((USEEIO / "sectors.json").read_text()), key=lambda s: s["index"])
    indicators = sorted(
        json.loads((USEEIO / "indicators.json").read_text()), key=lambda i: i["index"]
    )
    n = json.loads((USEEIO / "matrix" / "N.json").read_text())
    x = [v[0] for v in json.loads((USEEIO / "matrix" / "x.json").read_text())]
    return [s["code"] for s in sectors], [i["code"] for i in indicators], n, x


def _shipped(shipped, pid: str, flow: str) -> float:
    rows = shipped[1]
    (value,) = [float(r["amount"]) for r in rows if r["process"] == pid and r["input"] == flow]
    return value


def test_steel_indicators_by_hand_from_n_json(shipped, useeio_n):
    codes, indicators, n, _ = useeio_n
    col = codes.index("331110")
    nn = {code: n[i][col] for i, code in enumerate(indicators)}
    assert round(nn["NNRG"], 2) == 26.67  # SOURCES.md: iron and steel mills, NNRG 26.67 MJ/USD
    k = 0.769 / nn["GHG"]  # EPA without margins (kg CO2e/USD 2022) / USEEIO GHG (per USD 2012)
    pid = "epa_naics_331110_no_margins"
    for code in ("ENRG", "NNRG", "RNRG", "WATR", "MNRL", "LAND"):
        assert _shipped(shipped, pid, INDICATORS[code][0]) == pytest.approx(nn[code] * k, rel=1e-9)
    # with margins: EPA's 0.787 instead of 0.769
    assert _shipped(shipped, "epa_naics_331110", "useeio_nnrg") == pytest.approx(
        nn["NNRG"] * 0.787 / nn["GHG"], rel=1e-9
    )
    # jobs per USD: deflated by US CPI-U 2012 -> 2022 (229.594 -> 292.655, BLS); value
    # added is USD per USD, kept
    assert _shipped(shipped, pid, "useeio_jobs") == pytest.approx(
        nn["JOBS"] / (292.655 / 229.594), rel=1e-9
    )
    assert _shipped(shipped, pid, "useeio_vadd") == pytest.approx(nn["VADD"], rel=1e-9)


def test_codes_missing_from_v201_are_averaged_by_output(shipped, useeio_n):
    codes, indicators, n, x = useeio_n
    processes = shipped[0]
    assert processes["epa_naics_562111"]["useeio_code"] == "562000"  # split in v2.0.1
    found, how = resolve_code("562000", codes)
    assert (found, how) == (
        ["562111", "562HAZ", "562212", "562213", "562910", "562920", "562OTH"],
        "prefix 562",
    )
    cols = [codes.index(c) for c in found]
    weights = [x[c] / sum(x[c] for c in cols) for c in cols]
    mean = {
        code: sum(w * n[i][c] for w, c in zip(weights, cols)) for i, code in enumerate(indicators)
    }
    epa_total = float(processes["epa_naics_562111"]["epa_kg_co2e"])
    assert _shipped(shipped, "epa_naics_562111", "useeio_watr") == pytest.approx(
        mean["WATR"] * epa_total / mean["GHG"], rel=1e-9
    )
    # every EPA process is matched: exactly, by a list of codes or by a prefix
    assert {r["recorded_indicators"] for r in processes.values()} == {
        "gwp100;" + ";".join(INDICATORS[c][0] for c in INDICATORS)
    }


def test_spend_counts_in_useeio_indicators_and_never_in_ef(tmp_path):
    import scenat

    case = tmp_path / "case"
    case.mkdir()
    (case / "case.csv").write_text(
        "field,value\nname,steel purchase\nreference_node,buyer\nreference_amount,1\n"
        "functional_unit,one purchase\ncurrency,USD\nyear,2022\n",
        encoding="utf-8",
    )
    (case / "nodes.csv").write_text(
        "id,name,tier,stage,location,output_amount,output_unit\nbuyer,Buyer,0,assembly,US,1,item\n",
        encoding="utf-8",
    )
    (case / "flows.csv").write_text(
        "node,kind,input,amount,unit,source\n"
        "buyer,spend,epa_naics_331110_no_margins,1000,USD,invoice\n",
        encoding="utf-8",
    )
    result = scenat.assess(
        scenat.read_case(case), indicators=["gwp100", "fossil_energy", "useeio_nnrg", "useeio_jobs"]
    )
    nnrg = 1000 * 26.674017 * 0.769 / 1.14252  # N.json NNRG and GHG of 331110
    assert result.total("useeio_nnrg") == pytest.approx(nnrg, rel=1e-4)
    assert result.total("useeio_jobs") == pytest.approx(1000 * 5.82025e-06 / 1.274663, rel=1e-4)
    assert result.total("fossil_energy") == 0.0  # USEEIO's energy is not EF's
    assert result.total("gwp100") > 0
