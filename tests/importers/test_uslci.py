"""USLCI (openLCA JSON-LD) -> Brightway background, on the published files in ../shared/data.

For speed the import runs on a closed subset of the openLCA 1.5 export (the aluminium ingot
mix and the cold-formed steel studs, five processes whose supply chains stay inside the
subset, one of them a loop through an allocated co-product) plus the whole openLCA 2 rail
package (whose diesel provider is not in the subset, so it is cut off). The full import of
the three JSON-LD archives runs too (about 20 s), once.

The reference for the GWP100 check shares no code with scenat: it reads the JSON files with
``json``, converts the few units by a table written here, splits the multi-output process by
mass itself, links inputs by flow id, solves with numpy, and characterises with a hand-made
table from USLCI's flow names to biosphere3 names, whose factors it reads from the IPCC 2021
method in the project. Brightway stores values as float32, so agreement is to 1e-6 relative.
"""

from __future__ import annotations

import csv
import json
import time
import zipfile
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from scenat.errors import InputError
from scenat.importers import olca

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "uslci"
USLCI_15 = SHARED / "uslci_olca1_5_0_json_ld.zip"
RAIL = SHARED / "uslci-rail_v1.0_jsonld.zip"
TRANSPORT = SHARED / "uslci-transport_v1.1_jsonld.zip"

pytestmark = pytest.mark.skipif(
    not USLCI_15.exists() or not RAIL.exists(),
    reason=f"the shared USLCI files are not in {SHARED}",
)

ALUMINIUM_MIX = "a8eb9a6a-e8e6-3da6-a3ab-20dcf68e883a"  # Aluminum ingot, production mix
STUDS = "2250f2f2-7faa-3307-9534-ca78b371b4dd"  # Steel, cold-formed studs and track
RAIL_AVERAGE = "7de9c230-fd0f-3478-be87-f80181132faa"  # rail freight, weighted average tier
DB = "uslci_subset"
GWP = ("IPCC 2021", "climate change", "global warming potential (GWP100)")

#: USLCI / FEDEFL names of air emissions in the subset -> biosphere3 names, by hand
AIR_NAMES = {
    "Carbon dioxide, fossil": "Carbon dioxide, fossil",
    "Carbon dioxide": "Carbon dioxide, fossil",  # FEDEFL (rail package): fossil
    "Methane, fossil": "Methane, fossil",
    "Methane": "Methane, fossil",
    "Dinitrogen monoxide": "Dinitrogen monoxide",
    "Nitrous oxide": "Dinitrogen monoxide",
    "Chloroform": "Chloroform",
    "Ethane": "Ethane",
    "Propane": "Propane",
    "Sulfur hexafluoride": "Sulfur hexafluoride",
    "Nitrogen fluoride": "Nitrogen fluoride",
    "Ethane, 1,1,1,2-tetrafluoro-, HFC-134a": "Ethane, 1,1,1,2-tetrafluoro-, HFC-134a",
    "Ethane, 1,1,1-trichloro-, HCFC-140": "Ethane, 1,1,1-trichloro-, HCFC-140",
    "Ethane, 1,2-dichloro-": "Ethane, 1,2-dichloro-",
    "Ethane, 1,2-dichloro-1,1,2,2-tetrafluoro-, CFC-114": (
        "Ethane, 1,2-dichloro-1,1,2,2-tetrafluoro-, CFC-114"
    ),
    "Ethane, 2-chloro-1,1,1,2-tetra-fluoro-, HCFC-124": (
        "Ethane, 2-chloro-1,1,1,2-tetrafluoro-, HCFC-124"
    ),
    "Ethane, hexafluoro-, HFC-116": "Ethane, hexafluoro-, HFC-116",
    "Ethane, pentafluoro-, HFC-125": "Ethane, pentafluoro-, HFC-125",
    "Ethene, tetrachloro-": "Tetrachloroethylene",
    "Ethene, trichloro-": "Trichloroethylene",
    "Methane, bromo-, Halon 1001": "Methane, bromo-, Halon 1001",
    "Methane, bromotrifluoro-, Halon 1301": "Methane, bromotrifluoro-, Halon 1301",
    "Methane, chlorodifluoro-, HCFC-22": "Methane, chlorodifluoro-, HCFC-22",
    "Methane, chlorotrifluoro-, CFC-13": "Methane, chlorotrifluoro-, CFC-13",
    "Methane, dichloro-, HCC-30": "Methane, dichloro-, HCC-30",
    "Methane, dichlorodifluoro-, CFC-12": "Methane, dichlorodifluoro-, CFC-12",
    "Methane, difluoro-, HFC-32": "Methane, difluoro-, HFC-32",
    "Methane, monochloro-, R-40": "Methane, monochloro-, R-40",
    "Methane, tetrachloro-, CFC-10": "Methane, tetrachloro-, R-10",
    "Methane, tetrafluoro-, FC-14": "Methane, tetrafluoro-, R-14",
    "Methane, trichlorofluoro-, CFC-11": "Methane, trichlorofluoro-, CFC-11",
    "Methane, trifluoro-, HFC-23": "Methane, trifluoro-, HFC-23",
}
#: greenhouse gases of the subset that biosphere3 (ecoinvent 3.9) has no flow for: they do
#: not link, so no indicator counts them (listed in the unlinked-flows CSV)
NOT_IN_BIOSPHERE3 = {"Ethane, trifluoro-, HFC-143", "1,1,1,3,3-Pentafluoropropane, HFC-245fa"}
UNITS = {"kg": 1.0, "t": 1000.0, "t*km": 1.0, "kg*km": 1e-3}


# ----------------------------------------------------------------------------------------
# The subset, written as a JSON-LD folder beside a copy of the rail package


def _zip_entities(path: Path) -> dict[str, dict[str, dict]]:
    entities: dict[str, dict[str, dict]] = defaultdict(dict)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            parts = name.split("/")
            if name.endswith(".json") and len(parts) >= 2 and parts[-2] in olca.FOLDERS:
                data = json.loads(archive.read(name))
                entities[parts[-2]][data["@id"]] = data
    return entities


@pytest.fixture(scope="module")
def uslci15() -> dict[str, dict[str, dict]]:
    return _zip_entities(USLCI_15)


def _closure(entities: dict[str, dict[str, dict]], roots: list[str]) -> list[str]:
    flows, processes = entities["flows"], entities["processes"]
    makers = defaultdict(list)
    for pid, process in processes.items():
        for e in process["exchanges"]:
            if not e["input"] and flows[e["flow"]["@id"]]["flowType"] == "PRODUCT_FLOW":
                makers[e["flow"]["@id"]].append(pid)
    found: list[str] = []
    todo = list(roots)
    while todo:
        pid = todo.pop()
        if pid in found:
            continue
        found.append(pid)
        for e in processes[pid]["exchanges"]:
            if e["input"] and flows[e["flow"]["@id"]]["flowType"] == "PRODUCT_FLOW":
                todo += makers.get(e["flow"]["@id"], [])
    return found


@pytest.fixture(scope="module")
def subset_dir(uslci15, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("uslci-subset")
    export = root / "uslci_subset_json_ld"
    chosen = _closure(uslci15, [ALUMINIUM_MIX, STUDS])
    assert len(chosen) == 5
    used_flows = {
        e["flow"]["@id"] for pid in chosen for e in uslci15["processes"][pid]["exchanges"]
    }
    keep = {
        "processes": set(chosen),
        "flows": used_flows,
        "unit_groups": set(uslci15["unit_groups"]),
        "flow_properties": set(uslci15["flow_properties"]),
        "categories": set(uslci15["categories"]),
        "locations": set(uslci15["locations"]),
    }
    for folder, ids in keep.items():
        (export / folder).mkdir(parents=True)
        for uid in ids:
            text = json.dumps(uslci15[folder][uid])
            (export / folder / f"{uid}.json").write_text(text, encoding="utf-8")
    (root / RAIL.name).write_bytes(RAIL.read_bytes())
    return root


@pytest.fixture(scope="module")
def imported(subset_dir):
    from scenat.brightway.project import brightway_project, database_changed
    from scenat.importers.uslci import import_uslci

    report = import_uslci(subset_dir, DB)
    yield report
    with brightway_project() as bd:
        if DB in bd.databases:
            del bd.databases[DB]
    database_changed(DB)


# ----------------------------------------------------------------------------------------
# Reading and units (no Brightway)


def test_reads_openlca_1_5_and_2_exports_together(subset_dir):
    data = olca.read_jsonld(subset_dir)
    assert sorted(data.schema_versions.values()) == [1, 2]
    assert len(data.processes) == 5 + 11
    studs = data.processes[STUDS]
    # openLCA 1.5 categories are references; upgraded to a path
    assert isinstance(studs.category, str) and studs.category
    assert any(e.is_quantitative_reference for e in studs.exchanges)
    rail = data.processes[RAIL_AVERAGE]
    assert rail.default_allocation_method.value == "PHYSICAL_ALLOCATION"


def test_gallons_of_diesel_become_cubic_metres(subset_dir, uslci15):
    data = olca.read_jsonld(subset_dir)
    units = olca.Units(data)
    rail = data.processes["1060609d-5399-31d3-ae65-76bc3141d232"]
    diesel = next(e for e in rail.exchanges if e.flow.name == "Diesel, at refinery")
    assert diesel.unit.name == "gal (US fl)" and diesel.amount == pytest.approx(0.001170413)
    gallon = next(
        u["conversionFactor"]
        for g in uslci15["unit_groups"].values()
        for u in g["units"]
        if u["@id"] == diesel.unit.id
    )
    # USLCI's unit group rounds the US gallon (0.003785 m3) to 0.00379 m3; the data rules
    assert gallon == 0.00379
    flow = data.flows[diesel.flow.id]
    assert units.reference_unit(flow) == "m3"
    assert units.to_reference(flow, diesel) == pytest.approx(0.001170413 * gallon, rel=1e-12)


def test_a_package_without_its_database_is_refused():
    data = olca.read_jsonld(RAIL)
    conversion = olca.to_brightway(data, "x", olca.BiosphereMatcher([]))
    assert conversion.data == {}
    assert conversion.counts["exchanges with a unit problem"] > 0
    assert "needs that database beside it" in conversion.unit_problems[0]["problem"]


def test_fuel_densities_are_desnz_ratios():
    from scenat.importers.uslci import FUEL_DENSITIES, fuel_densities_from_desnz

    flat = SHARED.parent / "desnz" / "ghg-conversion-factors-2025-flat-format.csv"
    if not flat.exists():
        pytest.skip(f"{flat} is absent")
    computed = fuel_densities_from_desnz(flat)
    for name, (density, _, _) in FUEL_DENSITIES.items():
        assert density == pytest.approx(computed[name], rel=1e-5), name  # rounded in the table
    assert (
        500
        < computed["Liquefied petroleum gas, at refinery"]
        < computed["Gasoline, at refinery"]
        < computed["Diesel, at refinery"]
        < computed["Residual fuel oil, at refinery"]
        < 1000
    )


def test_no_jsonld_is_an_input_error(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here")
    with pytest.raises(InputError, match="no openLCA JSON-LD processes"):
        olca.read_jsonld(tmp_path)


def test_matcher_rules_on_uslci_spellings():
    flows = [
        {
            "code": "co2",
            "name": "Carbon dioxide, fossil",
            "categories": ("air",),
            "unit": "kilogram",
        },
        {
            "code": "co2-nonurban",
            "name": "Carbon dioxide, fossil",
            "categories": ("air", "non-urban air or from high stacks"),
            "unit": "kilogram",
        },
        {
            "code": "cf4",
            "name": "Methane, tetrafluoro-, R-14",
            "categories": ("air",),
            "unit": "kilogram",
        },
        {
            "code": "cu",
            "name": "Copper II",
            "categories": ("water", "surface water"),
            "unit": "kilogram",
            "synonyms": ["Copper ion"],
        },
        {
            "code": "river",
            "name": "Water, river",
            "categories": ("natural resource", "in water"),
            "unit": "cubic meter",
        },
        {
            "code": "coal",
            "name": "Coal, hard, unspecified",
            "categories": ("natural resource", "in ground"),
            "unit": "kilogram",
        },
    ]
    m = olca.BiosphereMatcher(flows)
    assert m.match("Carbon dioxide, fossil", "air/low population density", "kg", None).code == (
        "co2-nonurban"
    )
    assert m.match("Carbon dioxide", "Elementary flows/emission/air", "kg", None).code == "co2"
    assert m.match("Methane, tetrafluoro-, FC-14", "air/unspecified", "kg", None).code == "cf4"
    assert m.match("Copper, ion", "water/unspecified", "kg", None).code == "cu"
    water = m.match("Water, process, surface", "resource/in water", "kg", None)
    assert (water.code, water.multiplier) == ("river", pytest.approx(1e-3))
    coal = m.match("Coal, bituminous, 24.8 MJ per kg, in ground", "resource/in ground", "kg", None)
    assert coal.code == "coal"
    # a unit that does not convert does not link
    assert m.match("Coal, hard, unspecified", "resource/in ground", "MJ", None) is None
    # no compartment, no link
    assert m.match("Carbon dioxide, fossil", "final-waste-flow/unspecified", "kg", None) is None


# ----------------------------------------------------------------------------------------
# The import into Brightway


def test_subset_import_report(imported):
    c = imported.counts
    assert c["processes read"] == 16
    # 5 + 11 processes; the studs process is split by mass into 4 provider flows
    assert c["activities"] == 16 + 3
    assert c["allocation: physical, computed from mass"] == 1
    # the rail tiers name diesel's provider, which the subset lacks: cut off and listed
    assert c["default providers not in the import"] == 11
    assert "Diesel, at refinery" in {r["flow_name"] for r in imported.cutoff_inputs}
    assert 0.5 < imported.match_rate["flows"] <= 1.0
    assert 0.5 < imported.match_rate["exchanges"] <= 1.0
    with open(imported.files["unlinked elementary flows"], encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(imported.unlinked_flows) > 0
    assert NOT_IN_BIOSPHERE3 <= {r["name"].strip() for r in rows}
    assert rows[0].keys() >= {"flow", "name", "category", "unit", "cas", "exchanges", "reason"}


def test_studs_split_by_mass(imported):
    from scenat.brightway.project import brightway_project

    with brightway_project() as bd:
        studs = bd.get_node(database=DB, code=STUDS)
        assert studs["unit"] == "kilogram"
        assert studs["olca"]["allocation"] == "physical, computed from mass"
        outputs = 1.0 + 0.000309 + 0.0284 + 5.47e-05  # kg: studs and three co-products
        sheet = next(e for e in studs.technosphere() if e.input["name"].startswith("Galvanized"))
        assert sheet["amount"] == pytest.approx(1.03 * 1.0 / outputs, rel=1e-12)


def _raw(*paths: Path) -> tuple[dict, dict]:
    processes: dict[str, dict] = {}
    flows: dict[str, dict] = {}
    for path in paths:
        entities = _zip_entities(path)
        processes.update(entities["processes"])
        flows.update(entities["flows"])
    return processes, flows


def _flag(exchange: dict, v1: str, v2: str) -> bool:
    return bool(exchange.get(v1, exchange.get(v2, False)))


def _gwp_factors() -> dict[str, float]:
    """biosphere3 name -> IPCC 2021 GWP100 of its air flows (one value for every air flow)."""
    from scenat.brightway.project import brightway_project

    with brightway_project() as bd:
        factors: dict[str, set[float]] = defaultdict(set)
        for node_id, cf in bd.Method(GWP).load():
            node = bd.get_node(id=node_id)
            if node["categories"][0] == "air":
                factors[node["name"]].add(float(cf))
    assert all(len(v) == 1 for v in factors.values())
    return {k: v.pop() for k, v in factors.items()}


def reference_scores(process_ids: list[str]) -> dict[str, float]:
    """GWP100 per reference unit of each process, from the JSON files with numpy."""
    processes, flows = _raw(USLCI_15, RAIL)
    gwp = _gwp_factors()
    columns: list[tuple[str, str, float, float]] = []  # process, flow, production, share
    for pid in process_ids:
        process = processes[pid]
        outputs = [
            e
            for e in process["exchanges"]
            if not _flag(e, "input", "isInput")
            and flows[e["flow"]["@id"]]["flowType"] == "PRODUCT_FLOW"
        ]
        assert all(e["unit"]["name"] == "kg" for e in outputs) or len(outputs) == 1
        total = sum(e["amount"] for e in outputs)
        for e in outputs:
            share = e["amount"] / total if len(outputs) > 1 else 1.0
            amount = e["amount"] * UNITS[e["unit"]["name"]]
            columns.append((pid, e["flow"]["@id"], amount, share))
    index = {(pid, fid): i for i, (pid, fid, _, _) in enumerate(columns)}
    by_flow = {fid: i for (pid, fid), i in index.items()}
    a = np.zeros((len(columns), len(columns)))
    g = np.zeros(len(columns))
    for j, (pid, _flow, production, share) in enumerate(columns):
        a[j, j] += production
        for e in processes[pid]["exchanges"]:
            flow = flows[e["flow"]["@id"]]
            is_input = _flag(e, "input", "isInput")
            if flow["flowType"] == "PRODUCT_FLOW" and is_input and flow["@id"] in by_flow:
                a[by_flow[flow["@id"]], j] -= e["amount"] * UNITS[e["unit"]["name"]] * share
            elif flow["flowType"] == "ELEMENTARY_FLOW":
                name = flow["name"].strip()
                if name in NOT_IN_BIOSPHERE3 or name not in AIR_NAMES:
                    continue
                if not _is_air(flow):
                    continue
                sign = -1.0 if is_input else 1.0
                g[j] += sign * e["amount"] * share * gwp.get(AIR_NAMES[name], 0.0)
    scores = np.linalg.solve(a.T, g)
    return {pid: scores[index[(pid, ref)]] for pid, ref in _references(processes, process_ids)}


_AIR_FLOWS: set[str] = set()


def _is_air(flow: dict) -> bool:
    """Whether an elementary flow is an emission to air (read from its category path)."""
    if not _AIR_FLOWS:
        entities = _zip_entities(USLCI_15)
        categories = entities["categories"]

        def path(cid: str) -> str:
            names = []
            while cid:
                names.append(categories[cid]["name"])
                cid = (categories[cid].get("category") or {}).get("@id")
            return "/".join(reversed(names)).lower()

        for fid, f in entities["flows"].items():
            if f["flowType"] == "ELEMENTARY_FLOW" and "/air/" in f"/{path(f['category']['@id'])}/":
                _AIR_FLOWS.add(fid)
        for fid, f in _zip_entities(RAIL)["flows"].items():
            if f["flowType"] == "ELEMENTARY_FLOW" and f["category"].endswith("/air"):
                _AIR_FLOWS.add(fid)
    return flow["@id"] in _AIR_FLOWS


def _references(processes: dict, process_ids: list[str]) -> list[tuple[str, str]]:
    out = []
    for pid in process_ids:
        ref = next(
            e
            for e in processes[pid]["exchanges"]
            if _flag(e, "quantitativeReference", "isQuantitativeReference")
        )
        out.append((pid, ref["flow"]["@id"]))
    return out


def test_case_on_uslci_matches_numpy_from_the_json(imported, uslci15, write_case):
    import scenat

    chain = _closure(uslci15, [ALUMINIUM_MIX, STUDS]) + [RAIL_AVERAGE]
    scores = reference_scores(chain)
    assert 3.0 < scores[ALUMINIUM_MIX] < 10.0  # kg CO2-eq per kg of US ingot mix: plausible
    sheets = {
        "case": [["field", "value"], ["name", "USLCI subset"], ["reference_node", "plant"]],
        "nodes": [
            ["id", "name", "tier", "stage", "location", "output_amount", "output_unit"],
            ["plant", "Plant", 0, "assembly", "US", 1, "item"],
        ],
        "flows": [
            ["node", "kind", "input", "amount", "unit"],
            ["plant", "process", f"{DB}:{ALUMINIUM_MIX}", 2, "kg"],
            ["plant", "process", f"{DB}:{STUDS}", 0.003, "t"],
            ["plant", "process", f"{DB}:{RAIL_AVERAGE}", 10, "t*km"],
        ],
    }
    case = scenat.read_case(write_case(sheets=sheets))
    result = scenat.assess(case, ["gwp100"])
    expected = 2 * scores[ALUMINIUM_MIX] + 3 * scores[STUDS] + 10 * scores[RAIL_AVERAGE]
    assert result.total("gwp100") == pytest.approx(expected, rel=1e-6)
    keys = result.hotspots("gwp100", by="process")["key"].to_list()
    assert f"{DB}:{RAIL_AVERAGE}" in keys  # background processes keep the id a case uses


def test_full_uslci_import():
    from scenat.brightway.project import brightway_project, database_changed
    from scenat.importers.uslci import import_uslci

    started = time.perf_counter()
    report = import_uslci(SHARED, "uslci_full")
    seconds = time.perf_counter() - started
    try:
        print(report.summary(), f"\nwall time {seconds:.1f} s")
        assert report.counts["processes read"] == 766 + 41 + 11 - 1  # one rail process replaces
        assert report.match_rate["flows"] > 0.7
        assert report.match_rate["exchanges"] > 0.75
        # the rail package's new version of USLCI's train process keeps the old consumers
        assert report.counts["inputs linked to a newer version of their provider"] > 300
        with brightway_project() as bd:
            refinery = [
                a
                for a in bd.Database("uslci_full")
                if a["olca"]["process"] == "0aaf1e13-5d80-37f9-b7bb-81a6b8965c71"
            ]
            # 1 kg of crude refined into fuels given in m3 and coke in kg: split by mass
            assert len(refinery) == 10
            assert {a["olca"]["allocation"] for a in refinery} == {"physical, computed from mass"}
    finally:
        with brightway_project() as bd:
            del bd.databases["uslci_full"]
        database_changed("uslci_full")
