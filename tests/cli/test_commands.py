"""The analysis commands in-process: assess --paths/--mc/--edges, interventions, compare, data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from scenat.cli import main

ROOT = Path(__file__).resolve().parents[2]
DESNZ = ROOT.parent / "shared" / "data" / "desnz" / "ghg-conversion-factors-2025-flat-format.csv"


def _json(capsys) -> dict:
    out = capsys.readouterr().out
    return json.loads(out)


def test_assess_with_paths_monte_carlo_and_edges(capsys, tmp_path):
    edges = tmp_path / "edges.csv"
    code = main(
        [
            "assess",
            "bicycle",
            "--json",
            "--paths",
            "5",
            "--mc",
            "200",
            "--seed",
            "3",
            "--edges",
            str(edges),
        ]
    )
    assert code == 0
    doc = _json(capsys)
    gwp_paths = doc["paths"]["gwp100"]
    assert len(gwp_paths["paths"]) == 5
    assert 0 < gwp_paths["coverage"] <= 1
    assert sum(p["value"] for p in gwp_paths["paths"]) == pytest.approx(
        gwp_paths["coverage"] * doc["indicators"]["gwp100"]["total"], rel=1e-9
    )
    mc = doc["monte_carlo"]
    assert mc["iterations"] == 200 and mc["seed"] == 3
    summary = {row["indicator"]: row for row in mc["summary"]}
    assert summary["gwp100"]["deterministic"] == pytest.approx(
        doc["indicators"]["gwp100"]["total"], rel=1e-12
    )
    with edges.open() as handle:
        rows = list(csv.DictReader(handle))
    assert {"source", "target", "kind", "amount", "impact_gwp100"} <= set(rows[0])
    assert {r["kind"] for r in rows} == {"node", "background"}


def test_interventions_json_is_ranked_by_mac(capsys):
    assert main(["interventions", "bicycle", "--json", "--budget", "20000"]) == 0
    doc = _json(capsys)
    ranked = [r for r in doc["interventions"] if r.get("rank") is not None]
    macs = [r["mac"] for r in ranked]
    assert macs == sorted(macs) and ranked == doc["interventions"][: len(ranked)]
    assert doc["portfolio"]["capex"] <= 20000
    assert doc["discount_rate"] == pytest.approx(0.035)


def test_interventions_text_names_the_portfolio_the_json_chooses(capsys):
    """The text once read a key the document does not have and printed "none" while the
    JSON chose 33 options."""
    assert main(["interventions", "bicycle", "--json", "--budget", "20000"]) == 0
    chosen = _json(capsys)["portfolio"]["chosen"]
    assert chosen
    assert main(["interventions", "bicycle", "--budget", "20000"]) == 0
    text = capsys.readouterr().out
    line = next(x for x in text.splitlines() if x.startswith("Portfolio within budget"))
    assert line.split(": ", 1)[1].split(", ") == chosen
    assert "capex" in text.split("Portfolio within budget", 1)[1]


def test_interventions_text_says_never_for_a_payback_that_never_comes(capsys):
    assert main(["interventions", "bicycle", "--json"]) == 0
    never = [r["id"] for r in _json(capsys)["interventions"] if r["payback_status"] == "never"]
    assert never  # the bicycle library has options that cost more every year
    assert main(["interventions", "bicycle"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[2:] if line}
    assert all(" never " in rows[i] for i in never), [rows[i] for i in never]


def test_interventions_topsis_with_weights_and_bad_weights(capsys):
    assert (
        main(
            [
                "interventions",
                "bicycle",
                "--json",
                "--rank",
                "topsis",
                "--weights",
                "gwp100=0.7,cost=0.3",
            ]
        )
        == 0
    )
    assert _json(capsys)["ranking"] == "topsis"
    assert main(["interventions", "bicycle", "--weights", "gwp100"]) == 2
    err = capsys.readouterr().err
    assert "--weights" in err and "Traceback" not in err


def test_compare_two_cases_with_monte_carlo(capsys, tmp_path):
    bicycle = ROOT / "examples" / "bicycle"
    variant = tmp_path / "variant"
    variant.mkdir()
    for name in ("case.csv", "nodes.csv"):
        (variant / name).write_text((bicycle / name).read_text())
    lines = (bicycle / "flows.csv").read_text().splitlines()
    kept = [line for line in lines if "hfc134a" not in line]
    (variant / "flows.csv").write_text("\n".join(kept) + "\n")
    assert main(["compare", str(bicycle), str(variant), "--json", "--mc", "100"]) == 0
    doc = _json(capsys)
    gwp = next(r for r in doc["totals"] if r["indicator"] == "gwp100")
    assert gwp["difference"] == pytest.approx(-0.002 * 1530, rel=1e-6)
    assert (
        next(r for r in doc["monte_carlo"] if r["indicator"] == "gwp100")["probability_a_lower"]
        == 0.0
    )


@pytest.mark.skipif(not DESNZ.exists(), reason="shared DESNZ data is not beside the checkout")
def test_data_command_rebuilds_the_starter_inventory(tmp_path):
    out = tmp_path / "starter"
    assert main(["data", "desnz", str(DESNZ), str(out)]) == 0
    for name in ("processes.csv", "exchanges.csv"):
        assert (out / name).read_bytes() == (ROOT / "inventories" / "starter" / name).read_bytes()


def test_out_json_is_the_document_json_prints(capsys, tmp_path):
    """One document builder: ``--out r.json`` holds what ``--json`` prints, options included."""
    out = tmp_path / "r.json"
    options = ["--paths", "3", "--mc", "50", "--seed", "7"]
    assert main(["assess", "bicycle", "--json", "--out", str(out), *options]) == 0
    printed = _json(capsys)
    assert json.loads(out.read_text()) == printed
    assert set(printed) >= {"paths", "monte_carlo", "indicators", "hotspots"}


def test_the_client_report_carries_the_ranking_and_portfolio(capsys, tmp_path):
    """``--rank``/``--weights``/``--budget`` put the consultant's choices in the report."""
    from openpyxl import load_workbook

    out = tmp_path / "client.xlsx"
    options = ["--rank", "topsis", "--weights", "gwp100=0.6,cost=0.4", "--budget", "5000"]
    assert main(["assess", "bicycle", "--json", "--out", str(out), *options]) == 0
    printed = _json(capsys)
    assert printed["choices"]["ranking"] == "topsis"
    assert printed["choices"]["weights"] == {"gwp100": 0.6, "cost": 0.4}
    assert printed["portfolio"]["capex"] <= 5000
    book = load_workbook(out, read_only=True)
    assert {"case", "choices", "interventions", "portfolio"} <= set(book.sheetnames)
    rows = list(book["interventions"].values)
    assert len(rows) - 1 == len(printed["interventions"])


def test_outputs_that_cannot_be_written_are_bad_input(capsys, tmp_path):
    assert main(["assess", "bicycle", "--out", str(tmp_path)]) == 2
    assert "unsupported output file type" in capsys.readouterr().err
    folder = tmp_path / "report.json"
    folder.mkdir()
    assert main(["assess", "bicycle", "--out", str(folder)]) == 2
    assert "this is a folder" in capsys.readouterr().err
    assert main(["assess", "bicycle", "--out", str(tmp_path / "missing" / "x" / "r.json")]) == 0
    for argv in (
        ["assess", "bicycle", "--mc", "-5"],
        ["compare", "bicycle", "bicycle", "--by", "foo"],
    ):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
    assert main(["interventions", "bicycle", "--rank", "weighted", "--weights", "foo=1"]) == 2
    assert "unknown criterion 'foo'" in capsys.readouterr().err


def test_edges_csv_keeps_a_hostile_name_in_one_quoted_cell(write_case, tmp_path, capsys):
    """Names a spreadsheet would run: one with a formula after a ';' (the separator of many
    locales: unquoted, a German Excel started a cell there), one starting with '-'."""
    name = "Plant;=cmd|' /C calc'!A0"
    nodes = [["id", "name", "tier", "stage", "location", "output_amount", "output_unit"],
             ["plant", name, 0, "assembly", "GB", 1, "item"],
             ["supplier", " -1+2", 1, "materials", "GB", 1, "kg"]]  # fmt: skip
    edges = tmp_path / "edges.csv"
    assert main(["assess", str(write_case("xlsx", nodes=nodes)), "--edges", str(edges)]) == 0
    raw = edges.read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    labels = {r[3] for r in rows[1:]} | {r[1] for r in rows[1:]}
    assert name in labels and "'-1+2" in labels  # names are read trimmed
    assert f'"{name}"' in raw  # quoted: no separator inside it splits the cell
