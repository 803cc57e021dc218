"""ILCD importer: a hand-written package with known numbers, hostile XML, and TianGong itself.

The tiny package (``data/ilcd_tiny``) is: electricity (3.6 MJ from 10 MJ of hard coal, 0.9 kg
CO2, 0.001 kg biogenic CH4 with a uniform range, 0.01 kg of a flow biosphere3 lacks); clinker
(2 t in a unit group whose reference unit is the tonne, 1,600 kg CO2); steel billet (1,000 kg
reference output, buying 720 MJ of electricity and 0.5 t of clinker, 1,800 kg CO2 with a
log-normal GSD^2 of 1.21); a services process whose data source is CEEIO. Per kg of steel,
by hand: electricity 0.72 MJ = 0.2 of its process, clinker 0.0005 t = 0.00025 of its
process, so CO2 = 1.8 + 0.2 x 0.9 + 0.00025 x 1,600 = 2.38 kg, hard coal 0.2 x 10 MJ =
2 MJ = 2 / 18.01 kg (EF v3.1's heating value), biogenic methane 0.2 x 0.001 = 0.0002 kg.
Brightway's matrices hold the amounts as 32-bit floats (0.9 is 0.899999976), hence the
relative tolerance of 1e-6 on solved values.
"""

from __future__ import annotations

import csv
import math
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from scenat.errors import InputError
from scenat.importers import ilcd
from scenat.importers.olca import Units

ROOT = Path(__file__).resolve().parents[2]
TINY = Path(__file__).parent / "data" / "ilcd_tiny"
TIANGONG = Path("/work/shared/data/tiangong/tiangong-lca-data-a55b302.zip")
if not TIANGONG.exists():  # the shared data beside the repository, wherever it is checked out
    TIANGONG = ROOT.parent / "shared" / "data" / "tiangong" / "tiangong-lca-data-a55b302.zip"

STEEL = "00000000-0000-0000-0000-0000000000e2"
ELECTRICITY = "00000000-0000-0000-0000-0000000000e1"
CLINKER = "00000000-0000-0000-0000-0000000000e3"
CEEIO = "00000000-0000-0000-0000-0000000000e4"
UNOBTAINIUM = "00000000-0000-0000-0000-0000000000d4"


def _zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(folder.rglob("*.xml")):
            archive.write(file, "pkg/" + file.relative_to(folder).as_posix())
    return target


@pytest.fixture(scope="module")
def tiny_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _zip(TINY, tmp_path_factory.mktemp("ilcd") / "tiny.zip")


def test_reading_a_zip_and_a_folder_gives_the_same_entities(tiny_zip: Path) -> None:
    a, b = ilcd.read_ilcd(tiny_zip), ilcd.read_ilcd(TINY)
    assert set(a.data.processes) == set(b.data.processes) == {STEEL, ELECTRICITY, CLINKER, CEEIO}
    assert len(a.data.flows) == 8 and len(a.data.unit_groups) == 3
    assert a.process_info[STEEL]["year"] == "2020"
    # TianGong's <sub>-CN location codes in ISO 3166-2 order
    assert a.data.processes[STEEL].location.name == "CN-JS-SZ"
    assert a.data.processes[ELECTRICITY].location.name == "CN-BJ"
    # the English base name wins over the first (Chinese) one
    assert a.data.processes[STEEL].name == "steel billet production"


def test_units_are_normalised_to_the_reference_unit_and_property() -> None:
    data = ilcd.read_ilcd(TINY).data
    units = Units(data)
    clinker = data.flows["00000000-0000-0000-0000-0000000000c3"]
    # the tonne group states t = 1000 and kg = 1: read as t = 1 (reference), kg = 0.001
    assert units.reference_unit(clinker) == "t"
    group = units.group_units["00000000-0000-0000-0000-0000000000a3"]
    assert group == {"t": 1.0, "kg": 0.001}
    # a flow whose reference property states 2 kg and 10 MJ: 5 MJ per kg
    flow = data.flows[UNOBTAINIUM]
    assert units.amount_in(flow, "00000000-0000-0000-0000-0000000000b2") == pytest.approx(5.0)
    assert units.amount_in(flow, "00000000-0000-0000-0000-0000000000b1") == 1.0


def test_uncertainty_is_read_as_ilcd_defines_it() -> None:
    data = ilcd.read_ilcd(TINY).data
    steel_co2 = next(e for e in data.processes[STEEL].exchanges if e.amount == 1800)
    assert steel_co2.uncertainty.geom_sd == pytest.approx(1.1)  # sqrt(GSD^2 = 1.21)
    methane = next(e for e in data.processes[ELECTRICITY].exchanges if e.amount == 0.001)
    assert (methane.uncertainty.minimum, methane.uncertainty.maximum) == (0.0005, 0.0015)


def test_ceeio_processes_are_flagged_from_their_data_source() -> None:
    info = ilcd.read_ilcd(TINY).process_info
    assert info[CEEIO]["non_commercial"] and info[CEEIO]["marker"] == "CEEIO"
    assert not any(info[p]["non_commercial"] for p in (STEEL, ELECTRICITY, CLINKER))


@pytest.fixture(scope="module")
def tiny_import(tiny_zip: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("ilcd_report")
    return ilcd.import_ilcd(tiny_zip, "ilcd_tiny", report_dir=folder)


def test_import_reports_match_rate_and_unlinked_flow(tiny_import) -> None:
    report = tiny_import
    assert report.counts["processes read"] == 4
    assert report.counts["processes flagged non-commercial"] == 1
    # 4 elementary flows used (CO2, hard coal, biogenic CH4, unobtainium), 3 link;
    # 7 elementary exchanges (4 + 1 + 1 + 1), 6 link
    assert report.match_rate["flows"] == pytest.approx(3 / 4)
    assert report.match_rate["exchanges"] == pytest.approx(6 / 7)
    with open(report.files["unlinked elementary flows"], encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["flow"] for r in rows] == [UNOBTAINIUM]
    with open(report.files["processes flagged non-commercial"], encoding="utf-8") as handle:
        assert [r["process"] for r in csv.DictReader(handle)] == [CEEIO]
    assert "75.0%" in report.summary()


def test_cradle_to_gate_per_kg_matches_the_hand_calculation(tiny_import) -> None:
    from scenat.brightway import biosphere_flows, lci_of

    solved = lci_of("ilcd_tiny", [STEEL])
    g = dict(zip((f["code"] for f in solved.flows), solved.inventories[STEEL]))
    by_name = {
        (f["name"], tuple(f["categories"])): f["code"] for f in biosphere_flows() if f["code"] in g
    }
    co2 = sum(g[code] for (name, _), code in by_name.items() if name == "Carbon dioxide, fossil")
    assert co2 == pytest.approx(1.8 + 0.2 * 0.9 + 0.00025 * 1600, rel=1e-6)
    coal = g[by_name[("Coal, hard, unspecified", ("natural resource", "in ground"))]]
    assert coal == pytest.approx(2.0 / 18.01, rel=1e-6)
    methane = sum(g[code] for (n, _), code in by_name.items() if n == "Methane, non-fossil")
    assert methane == pytest.approx(0.0002, rel=1e-6)
    assert solved.activities[STEEL]["unit"] == "kilogram"
    # the stored log-normal: scale ln(1.1) on the activity's own CO2 exchange
    from scenat.brightway import activity_exchanges

    stored = [e for e in activity_exchanges("ilcd_tiny", STEEL) if e["type"] == "biosphere"]
    assert stored[0]["uncertainty type"] == 2
    assert stored[0]["scale"] == pytest.approx(math.log(1.1))
    # the clinker is bought in tonnes, its reference unit: 0.5 t per 1,000 kg of steel
    bought = [e for e in activity_exchanges("ilcd_tiny", STEEL) if e["type"] == "technosphere"]
    assert sorted((e["input"][1], e["amount"]) for e in bought) == [
        (ELECTRICITY, 720.0),
        (CLINKER, 0.5),
    ]


def test_ceeio_activity_says_non_commercial(tiny_import) -> None:
    from scenat.brightway.databases import _bd

    activity = _bd().Database("ilcd_tiny").get(CEEIO)
    assert activity["non_commercial"] is True
    assert activity["licence"].startswith("non-commercial")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<processDataSet xmlns="http://lca.jrc.it/ILCD/Process">&lol3;</processDataSet>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<processDataSet xmlns="http://lca.jrc.it/ILCD/Process">&secret;</processDataSet>
"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL], ids=["expansion", "external"])
def test_entity_declarations_are_refused_with_the_file_named(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "pkg"
    shutil.copytree(TINY, folder)
    (folder / "processes" / "evil.xml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        ilcd.read_ilcd(folder)
    problem = caught.value.problems[0]
    assert problem.file.endswith("evil.xml")
    assert "DTD" in problem.message and problem.hint


def test_broken_xml_and_oversized_members_are_refused(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "pkg"
    shutil.copytree(TINY, folder)
    (folder / "flows" / "broken.xml").write_text("<flowDataSet><oops></flowDataSet>", "utf-8")
    with pytest.raises(InputError, match="not well-formed"):
        ilcd.read_ilcd(folder)
    monkeypatch.setattr(ilcd, "MAX_MEMBER_BYTES", 100)
    with pytest.raises(InputError, match="zip bomb"):
        ilcd.read_ilcd(_zip(TINY, tmp_path / "tiny.zip"))


def test_not_a_package_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match="no ILCD process"):
        ilcd.read_ilcd(tmp_path)


def test_cli_imports_and_prints_the_match_rate(tiny_zip: Path, capsys) -> None:
    from scenat.cli import main

    assert main(["data", "ilcd", str(tiny_zip), "ilcd_cli"]) == 0
    out = capsys.readouterr().out
    assert "elementary flows linked to biosphere3: 3 of 4 (75.0%)" in out
    assert "processes flagged non-commercial (kept, licence says so): 1" in out


# ------------------------------------------------------------------ TianGong (real data)


def _xml_amounts(member: str) -> list[tuple[str, str, float]]:
    """(flow UUID, direction, amount) of a TianGong process, read with a regex, not the code."""
    with zipfile.ZipFile(TIANGONG) as archive:
        text = archive.read(member).decode("utf-8")
    found = re.findall(
        r'refObjectId="([^"]+)" uri="\.\./flows/.*?<exchangeDirection>(\w+)</exchangeDirection>'
        r"\s*<meanAmount>([^<]+)</meanAmount>",
        text,
        flags=re.S,
    )
    return [(f, d, float(a)) for f, d, a in found]


@pytest.fixture(scope="module")
def tiangong_import(tmp_path_factory: pytest.TempPathFactory):
    return ilcd.import_ilcd(TIANGONG, "tiangong_test", report_dir=tmp_path_factory.mktemp("tg"))


def test_tiangong_import_reports_its_match_rate(tiangong_import) -> None:
    report = tiangong_import
    assert report.counts["processes read"] == 4133
    assert report.counts["processes flagged non-commercial"] == 153
    assert 0.8 <= report.match_rate["flows"] <= 1.0
    assert 0.85 <= report.match_rate["exchanges"] <= 1.0
    assert Path(report.files["unlinked elementary flows"]).stat().st_size > 0
    assert "elementary flows linked to biosphere3" in report.summary()


def test_tiangong_beijing_thermal_power_as_published(tiangong_import) -> None:
    from scenat.brightway import activity_exchanges, biosphere_flows

    uuid = "dbf9e576-0d58-4ddd-b491-8dbfb73674ca"
    xml = _xml_amounts(f"tiangong_lca_data/processes/{uuid}.xml")
    co2_flow = "08a91e70-3ddc-11dd-923d-0050c2490048"  # ILCD "carbon dioxide (fossil)"
    co2 = next(a for f, d, a in xml if f == co2_flow)
    names = {f["code"]: f["name"] for f in biosphere_flows()}
    stored = activity_exchanges("tiangong_test", uuid)
    production = next(e["amount"] for e in stored if e["type"] == "production")
    linked = [e for e in stored if e["type"] == "biosphere"]
    assert production == 3.6
    assert [e["amount"] for e in linked if names[e["input"][1]] == "Carbon dioxide, fossil"] == [
        co2
    ]
    assert co2 == pytest.approx(0.358975589)


def test_cli_refuses_hostile_xml_with_exit_2(tmp_path: Path, capsys) -> None:
    from scenat.cli import main

    folder = tmp_path / "pkg"
    shutil.copytree(TINY, folder)
    (folder / "processes" / "evil.xml").write_text(BILLION_LAUGHS, encoding="utf-8")
    assert main(["data", "ilcd", str(folder), "ilcd_evil"]) == 2
    captured = capsys.readouterr()
    assert "evil.xml" in captured.err + captured.out
    assert "Traceback" not in captured.err + captured.out
