"""Circularity per case, checked by hand: the MCI from the Ellen MacArthur formula written
out here, mass-weighted shares, and module D from cradle-to-gate scores of the primary and
secondary processes computed with plain numpy from the shipped inventory CSVs and the
IPCC 2021 factors bundled in bw2io; the workbook columns' problems are located.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("SCENAT_HOME", tempfile.mkdtemp(prefix="scenat-test-"))

from scenat.assessment import assess  # noqa: E402
from scenat.casefile import read_case  # noqa: E402
from scenat.errors import InputError  # noqa: E402
from scenat.report.assessment import assessment_document, json_bytes, text_report  # noqa: E402
from tests.casefile.test_examples import _factors, _inventory  # noqa: E402

FLOWS_HEADER = "node,kind,input,amount,unit,recycled_content,eol_recycling_rate,recycling_process"


def _write(folder: Path, flows: list[str], frame_output: str = "item") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.csv").write_text(
        "field,value\nname,circular frame\nreference_node,frame\nannual_volume,1000\n"
        "currency,CNY\nyear,2024\nregion,CN\n",
        encoding="utf-8",
    )
    (folder / "nodes.csv").write_text(
        "id,name,tier,output_unit,location,output_amount\n"
        f"frame,Frame,0,{frame_output},CN-BJ,2\n"
        "tube,Tube,1,kg,CN-JS,1\n",
        encoding="utf-8",
    )
    (folder / "flows.csv").write_text("\n".join([FLOWS_HEADER, *flows]) + "\n", encoding="utf-8")
    return folder


def _hand_mci(recycled: float, eol: float) -> float:
    """EMF MCI with utility 1 and efficiencies 1: LFI = (V + W0) / 2, MCI = 1 - 0.9 LFI."""
    virgin, waste = 1 - recycled, 1 - eol
    return max(0.0, 1 - 0.9 * (virgin + waste) / 2)


def _score(process: str) -> float:
    """Cradle-to-gate GWP100 per unit of a shipped process, from the CSVs with numpy."""
    units, exchanges, codes = _inventory()
    cf = _factors()
    needed, stack = [], [process]
    while stack:
        p = stack.pop()
        if p not in needed:
            needed.append(p)
            stack += [e["input"] for e in exchanges.get(p, []) if e["type"] == "technosphere"]
    col = {p: i for i, p in enumerate(needed)}
    a, b = np.eye(len(needed)), np.zeros(len(needed))
    for p in needed:
        for ex in exchanges.get(p, []):
            if ex["type"] == "technosphere":
                a[col[ex["input"]], col[p]] -= float(ex["amount"])
            else:
                b[col[p]] += float(ex["amount"]) * cf.get(codes.get(ex["input"], ""), 0.0)
    demand = np.zeros(len(needed))
    demand[0] = 1.0
    return float(b @ np.linalg.solve(a, demand))


def test_indicators_and_module_d_by_hand(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "case",
        [
            # per 2 frames: 3 kg of aluminium, 20 % recycled in, 90 % recycled at end of life
            "frame,process,uslci_aluminium_primary,3,kg,0.2,0.9,uslci_aluminium_secondary",
            "frame,node,tube,4,kg,0.5,0.5,",
            "frame,process,electricity_grid_local,10,kWh,,,",
            # the tube maker: 1.1 kg of steel per kg of tube, 10 % in, 85 % out, no route
            "tube,process,uslci_steel_hot_rolled,1.1,kg,0.1,0.85,",
        ],
    )
    result = assess(read_case(folder), ["gwp100"])
    found = result.circularity
    assert found is not None
    # per functional unit (1 frame = half a run of the frame node)
    aluminium, tube, steel = 1.5, 2.0, 2.0 * 1.1
    masses = {"uslci_aluminium_primary": aluminium, "tube": tube, "uslci_steel_hot_rolled": steel}
    got = {r["input"]: r["mass_kg"] for r in found.materials.to_dicts()}
    assert got == pytest.approx(masses)
    total = aluminium + tube + steel
    assert found.mass_kg == pytest.approx(total)
    assert found.recycled_content == pytest.approx(
        (aluminium * 0.2 + tube * 0.5 + steel * 0.1) / total
    )
    assert found.eol_recycling_rate == pytest.approx(
        (aluminium * 0.9 + tube * 0.5 + steel * 0.85) / total
    )
    assert _hand_mci(0.2, 0.9) == pytest.approx(0.595)
    expected_mci = (
        aluminium * _hand_mci(0.2, 0.9) + tube * _hand_mci(0.5, 0.5) + steel * _hand_mci(0.1, 0.85)
    ) / total
    assert found.mci == pytest.approx(expected_mci)
    # module D: only the aluminium has a route; its net scrap is 1.5 x (0.9 - 0.2) kg
    net = aluminium * (0.9 - 0.2)
    primary = _score("uslci_aluminium_primary")
    secondary = _score("uslci_aluminium_secondary")
    assert secondary < primary
    assert found.module_d["gwp100"] == pytest.approx(net * (secondary - primary), rel=2e-6)
    # the steel has net scrap but no route: listed, never a silent zero
    assert [label.split(":")[0] for label in found.not_credited] == ["tube"]
    # the total stays cut-off: module D is beside it
    plain = _write(
        tmp_path / "plain",
        [
            "frame,process,uslci_aluminium_primary,3,kg,,,",
            "frame,node,tube,4,kg,,,",
            "frame,process,electricity_grid_local,10,kWh,,,",
            "tube,process,uslci_steel_hot_rolled,1.1,kg,,,",
        ],
    )
    baseline = assess(read_case(plain), ["gwp100"])
    assert baseline.circularity is None
    assert result.total("gwp100") == pytest.approx(baseline.total("gwp100"), rel=1e-12)


def test_more_recycled_in_than_out_is_a_module_d_burden(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "c",
        ["frame,process,uslci_aluminium_primary,2,kg,0.8,0.3,uslci_aluminium_secondary"],
    )
    found = assess(read_case(folder), ["gwp100"]).circularity
    net = 1.0 * (0.3 - 0.8)
    expected = net * (_score("uslci_aluminium_secondary") - _score("uslci_aluminium_primary"))
    assert expected > 0
    assert found.module_d["gwp100"] == pytest.approx(expected, rel=2e-6)


def test_documents_show_circularity_currency_and_places(tmp_path: Path) -> None:
    folder = _write(tmp_path / "c", ["frame,process,uslci_steel_hot_rolled,2,kg,0.25,0.75,"])
    result = assess(read_case(folder), ["gwp100"])
    document = assessment_document(result)
    json_bytes(document)  # strict JSON: the unknown module D is null, not NaN
    circular = document["circularity"]
    assert circular["module_d"] == {"gwp100": None}
    assert circular["mci"] == pytest.approx(_hand_mci(0.25, 0.75))
    assert document["currency"] == "CNY" and document["region"] == "CN"
    assert document["locations"] == {"frame": "CN-BJ", "tube": "CN-JS"}
    text = text_report(result)
    assert "Money: CNY (¥) of 2024" in text
    assert "recycled content              25.0 %" in text
    assert "module D" in text and "unknown" in text


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ("frame,process,uslci_steel_hot_rolled,2,kg,1.2,0.5,", "recycled_content", "between 0"),
        ("frame,process,uslci_steel_hot_rolled,2,kg,0.2,,", "eol_recycling_rate", "without"),
        ("frame,process,uslci_steel_hot_rolled,2,kg,x,0.5,", "recycled_content", "number"),
        ("frame,process,electricity_grid_local,2,kWh,0.2,0.5,", "recycled_content", "by mass"),
        ("frame,emission,co2_fossil,2,kg,0.2,0.5,", "recycled_content", "by mass"),
        ("frame,process,uslci_steel_hot_rolled,2,kg,0.2,0.5,no_such", "recycling_process",
         "unknown recycling process"),
        ("frame,process,uslci_steel_hot_rolled,2,kg,0.2,0.5,electricity_grid_cn_bj",
         "recycling_process", "not by mass"),
        ("frame,process,uslci_steel_hot_rolled,2,kg,,,uslci_aluminium_secondary",
         "recycling_process", "without"),
        ("frame,node,tube,2,kg,0.2,0.5,uslci_aluminium_secondary", "recycling_process",
         "primary material as a background process"),
    ],
)  # fmt: skip
def test_bad_circularity_cells_are_located(
    tmp_path: Path, row: str, column: str, words: str
) -> None:
    folder = _write(tmp_path / "c", [row, "tube,process,uslci_steel_hot_rolled,1,kg,,,"])
    with pytest.raises(InputError) as caught:
        read_case(folder)
    problems = [p for p in caught.value.problems if p.severity == "error"]
    assert any(
        p.sheet == "flows" and p.row == 2 and p.column == column and words in p.message
        for p in problems
    ), [(p.row, p.column, p.message) for p in problems]


def test_mci_helper_agrees_with_the_hand_formula() -> None:
    from scenat.calc.circularity import mci

    for recycled, eol in ((0.0, 0.0), (0.3, 0.6), (1.0, 1.0), (0.45, 0.2)):
        assert mci(recycled=recycled, collected_for_recycling=eol) == pytest.approx(
            _hand_mci(recycled, eol)
        )
    assert math.isclose(_hand_mci(0.0, 0.0), 0.1)


def test_html_and_client_reports_show_money_places_and_circularity(tmp_path: Path) -> None:
    pytest.importorskip("plotly")
    from scenat.report.client import case_metadata
    from scenat.report.html import html_report

    folder = _write(
        tmp_path / "c",
        ["frame,process,uslci_aluminium_primary,2,kg,0.5,0.5,uslci_aluminium_secondary"],
    )
    result = assess(read_case(folder), ["gwp100"])
    page = html_report(result, generated="today")
    assert "<h2>Circularity</h2>" in page and "CNY (¥) of 2024" in page
    assert "CN-BJ, CN-JS" in page
    metadata = dict(case_metadata(result))
    assert metadata["currency"] == "CNY" and metadata["money"] == "CNY (¥) of 2024"
    assert metadata["node locations"] == "CN-BJ, CN-JS"
    # equal shares in and out: no net scrap, module D is zero (known, not unknown)
    assert result.circularity.module_d == {"gwp100": 0.0}
