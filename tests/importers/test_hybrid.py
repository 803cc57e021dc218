"""Hybrid screening: the ``data_source`` breakdown splits a total into process, spend, direct.

The expected shares are computed by hand from the shipped CSV tables and the IPCC 2021
factors bundled with bw2io, not with scenat's matrices.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest

import scenat
from scenat.report.assessment import assessment_document, text_report

ROOT = Path(__file__).resolve().parents[2]
GWP = ("IPCC 2021", "climate change", "global warming potential (GWP100)")


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _gwp_per_unit(process: str) -> float:
    import bw2io

    bundle = Path(bw2io.__file__).parent / "data" / "lcia" / "lcia_39_ecoinvent.zip"
    with zipfile.ZipFile(bundle) as archive:
        data = json.load(archive.open("data.json"))
    (method,) = [m for m in data if tuple(m["name"]) == GWP]
    factors = {e["input"][1]: float(e["amount"]) for e in method["exchanges"]}
    codes = {r["id"]: r["code"] for r in _csv(ROOT / "inventories" / "elementary_flows.csv")}
    total = 0.0
    for folder in ("starter", "grid_electricity", "epa_spend", "materials"):
        for ex in _csv(ROOT / "inventories" / folder / "exchanges.csv"):
            if ex["process"] != process:
                continue
            if ex["type"] == "technosphere":  # DESNZ factors chain to their WTT share
                total += float(ex["amount"]) * _gwp_per_unit(ex["input"])
            else:
                total += float(ex["amount"]) * factors.get(codes.get(ex["input"], ""), 0.0)
    return total


def _write(folder: Path, name: str, rows: list[list]) -> None:
    with (folder / name).open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


@pytest.fixture(scope="module")
def mixed_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hybrid") / "case"
    folder.mkdir()
    _write(
        folder,
        "case.csv",
        [["field", "value"], ["name", "hybrid"], ["reference_node", "plant"], ["year", 2024]],
    )
    _write(
        folder,
        "nodes.csv",
        [
            ["id", "name", "tier", "stage", "output_amount", "output_unit"],
            ["plant", "Plant", 0, "assembly", 1, "item"],
            ["supplier", "Supplier", 1, "materials", 1, "kg"],
        ],
    )
    _write(
        folder,
        "flows.csv",
        [
            ["node", "kind", "input", "amount", "unit"],
            ["plant", "node", "supplier", 2, "kg"],
            ["plant", "process", "natural_gas_combustion_kwh", 50, "kWh"],  # DESNZ
            ["plant", "process", "electricity_grid_gbr", 100, "kWh"],  # grid
            ["plant", "spend", "331110", 1, "kGBP"],  # EEIO
            ["plant", "emission", "co2_fossil", 3, "kg"],  # direct
            ["supplier", "process", "uslci_steel_hot_rolled", 1.1, "kg"],  # curated USLCI
            ["supplier", "credit", "electricity_uk_grid_generated", 0.5, "kWh"],
            ["supplier", "emission", "co2_fossil", 0.25, "kg"],
        ],
    )
    return folder


def test_data_source_split_equals_hand_computed_shares(mixed_case: Path) -> None:
    case = scenat.read_case(mixed_case)
    spend_usd = next(f for f in case.flows if f.kind == "spend").amount_in_reference
    process = (
        50 * _gwp_per_unit("natural_gas_combustion_kwh")
        + 100 * _gwp_per_unit("electricity_grid_gbr")
        + 2 * (1.1 * _gwp_per_unit("uslci_steel_hot_rolled"))
        - 2 * (0.5 * _gwp_per_unit("electricity_uk_grid_generated"))
    )
    spend = spend_usd * _gwp_per_unit("epa_naics_331110")
    direct = 3 + 2 * 0.25
    result = scenat.assess(case)
    table = result.hotspots("gwp100", by="data_source")
    values = dict(zip(table["key"], table["value"]))
    assert set(values) == {"process", "spend", "direct"}
    assert values["process"] == pytest.approx(process, rel=2e-6)
    assert values["spend"] == pytest.approx(spend, rel=2e-6)
    assert values["direct"] == pytest.approx(direct, rel=1e-12)
    total = result.total("gwp100")
    assert total == pytest.approx(process + spend + direct, rel=2e-6)
    for ind in result.indicators:
        split = result.hotspots(ind.id, by="data_source")["value"].sum()
        assert abs(split - result.total(ind.id)) <= 1e-9 * max(abs(result.total(ind.id)), 1e-300)
    shares = dict(zip(table["key"], table["share"]))
    assert shares["spend"] == pytest.approx(spend / total, rel=2e-6)


def test_data_source_is_in_the_json_document_and_the_text_report(mixed_case: Path) -> None:
    result = scenat.assess(scenat.read_case(mixed_case))
    document = assessment_document(result)
    keys = {row["key"] for row in document["hotspots"]["gwp100"]["data_source"]}
    assert keys == {"process", "spend", "direct"}
    assert "by data_source:" in text_report(result)


def test_data_source_of_a_case_without_spend_has_no_spend_row() -> None:
    from scenat.paths import examples_dir

    result = scenat.assess(scenat.read_case(examples_dir() / "bicycle"))
    table = result.hotspots("gwp100", by="data_source")
    assert "spend" not in set(table["key"])
    assert table["value"].sum() == pytest.approx(result.total("gwp100"), rel=1e-9)
