"""assess --mc: foreground and background sampled by default, --mc-background off keeps the
background fixed (a case without uncertain flows is then a point, and says so), the top
variance drivers are printed, --mc-samples writes every iteration."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from scenat.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_mc_samples_the_background_and_names_its_drivers(capsys, tmp_path):
    samples = tmp_path / "samples.csv"
    code = main(
        ["assess", "bicycle", "--json", "--mc", "120", "--seed", "5", "--mc-samples", str(samples)]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    mc = doc["monte_carlo"]
    assert mc["background_sampled"] is True and mc["uncertain_exchanges"] > 0
    assert mc["anything_uncertain"] is True
    gwp = next(r for r in mc["summary"] if r["indicator"] == "gwp100")
    assert gwp["p5"] < gwp["p95"]
    drivers = mc["drivers"]["gwp100"]
    assert drivers["inputs"] and 0 < drivers["r2"] <= 1 + 1e-9
    shares = [row["src2"] for row in drivers["inputs"]]
    assert shares == sorted(shares, reverse=True)
    written = pl.read_csv(samples)
    assert written.height == 120
    # the file holds the same totals the summary was computed from
    assert np.percentile(written["gwp100"].to_numpy(), 5) == pytest.approx(gwp["p5"], rel=1e-9)
    assert any(c.startswith("gwp100: input ") for c in written.columns)


STADIUM = str(ROOT / "examples" / "stadium_retrofit" / "stadium_retrofit.xlsx")


def test_mc_with_the_background_off_is_a_point_without_uncertain_flows(capsys, tmp_path):
    # the stadium's flows carry no distribution
    assert main(["assess", STADIUM, "--mc", "30", "--mc-background", "off"]) == 0
    text = capsys.readouterr().out
    assert "no uncertain inputs: the interval is a point" in text
    assert "90 % interval" not in text and "variance drivers" not in text
    assert main(["assess", STADIUM, "--json", "--mc", "30", "--mc-background", "off"]) == 0
    mc = json.loads(capsys.readouterr().out)["monte_carlo"]
    assert mc["anything_uncertain"] is False and mc["statement"].startswith("no uncertain")
    assert all(not d["inputs"] for d in mc["drivers"].values())
    for row in mc["summary"]:
        assert row["p5"] == pytest.approx(row["deterministic"], rel=1e-12)
        assert row["p95"] == pytest.approx(row["deterministic"], rel=1e-12)


def test_mc_text_prints_the_top_five_drivers(capsys, tmp_path):
    out = tmp_path / "s.parquet"
    assert main(["assess", "bicycle", "--mc", "80", "--mc-samples", str(out)]) == 0
    text = capsys.readouterr().out
    assert "variance drivers of gwp100" in text and "R^2 =" in text
    block = text.split("variance drivers of gwp100")[1].splitlines()[1:6]
    assert len(block) == 5 and all("%" in line for line in block)
    assert pl.read_parquet(out).height == 80


def test_mc_samples_with_another_suffix_is_refused(capsys, tmp_path):
    code = main(["assess", "bicycle", "--mc", "10", "--mc-samples", str(tmp_path / "s.txt")])
    assert code == 2
    assert "--mc-samples" in capsys.readouterr().err
