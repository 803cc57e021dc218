"""Monte Carlo: zero spread gives the deterministic result, a lognormal on one flow of a
linear system matches its analytical mean and sd, and a seed fixes the samples."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

import scenat
from scenat.uncertainty.foreground import monte_carlo


def _case(folder: Path, flows: list[list[object]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = {
        "case.csv": [["field", "value"], ["name", "mc"], ["reference_node", "plant"]],
        "nodes.csv": [
            ["id", "name", "tier", "output_unit"],
            ["plant", "Plant", 0, "item"],
            ["part", "Part", 1, "kg"],
        ],
        "flows.csv": [
            ["node", "kind", "input", "amount", "unit", "distribution", "gsd", "sd", "min", "max"],
            *flows,
        ],
    }
    for name, table in rows.items():
        with (folder / name).open("w", newline="") as handle:
            csv.writer(handle).writerows(table)
    return folder


def test_lognormal_on_one_flow_matches_the_analytical_moments(tmp_path):
    # total = 2 kg part * 3 kg CO2 per kg part + 5 kg CO2 direct; only the 3 is uncertain.
    # Lognormal with median 3 and gsd 1.2: mean = 3 exp(s^2/2), sd = mean sqrt(exp(s^2) - 1).
    flows = [
        ["plant", "node", "part", 2, "kg", "", "", "", "", ""],
        ["plant", "emission", "co2_fossil", 5, "kg", "", "", "", "", ""],
        ["part", "emission", "co2_fossil", 3, "kg", "lognormal", 1.2, "", "", ""],
    ]
    case = scenat.read_case(_case(tmp_path / "ln", flows))
    n = 40_000
    mc = monte_carlo(case, iterations=n, seed=7, indicators=["gwp100"])
    s = np.log(1.2)
    mean = 5 + 2 * 3 * np.exp(s**2 / 2)
    sd = 2 * 3 * np.exp(s**2 / 2) * np.sqrt(np.exp(s**2) - 1)
    samples = mc.totals["gwp100"]
    # Tolerance: 5 standard errors of the mean (sd / sqrt(n)) and of the sd (~ sd / sqrt(2n)
    # for a near-normal variable; lognormal with s = 0.18 is close enough, so allow 5x that).
    assert samples.mean() == pytest.approx(mean, abs=5 * sd / np.sqrt(n))
    assert samples.std(ddof=1) == pytest.approx(sd, abs=5 * sd / np.sqrt(2 * n) * 1.5)
    assert mc.deterministic["gwp100"] == pytest.approx(11.0, rel=1e-12)
    summary = mc.summary().row(0, named=True)
    assert summary["p5"] < summary["p50"] < summary["p95"]
    # Same seed, same samples; another seed, other samples.
    again = monte_carlo(case, iterations=n, seed=7, indicators=["gwp100"])
    assert np.array_equal(again.totals["gwp100"], samples)
    other = monte_carlo(case, iterations=100, seed=8, indicators=["gwp100"])
    assert not np.array_equal(other.totals["gwp100"], samples[:100])


def test_zero_or_missing_spread_is_not_an_error_and_changes_nothing(tmp_path):
    flows = [
        ["plant", "node", "part", 2, "kg", "", "", "", "", ""],
        ["part", "emission", "co2_fossil", 3, "kg", "lognormal", "", "", "", ""],
        ["part", "emission", "n2o", 1, "g", "normal", "", 0, "", ""],
    ]
    case = scenat.read_case(_case(tmp_path / "zero", flows))
    mc = monte_carlo(case, iterations=50, seed=1, indicators=["gwp100"])
    expected = 2 * (3 + 0.001 * 273)
    assert np.allclose(mc.totals["gwp100"], expected, rtol=1e-6)


def test_triangular_and_uniform_samples_stay_in_range_and_are_tracked_by_node(tmp_path):
    flows = [
        ["plant", "node", "part", 2, "kg", "triangular", "", "", 1, 4],
        ["part", "emission", "co2_fossil", 3, "kg", "uniform", "", "", 2, 5],
    ]
    case = scenat.read_case(_case(tmp_path / "tri", flows))
    mc = monte_carlo(case, iterations=5000, seed=2, indicators=["gwp100"])
    samples = mc.totals["gwp100"]
    assert samples.min() >= 1 * 2 - 1e-9 and samples.max() <= 4 * 5 + 1e-9
    # Independent draws: E[part amount] * E[emission] = (1+2+4)/3 * 3.5.
    assert samples.mean() == pytest.approx(7 / 3 * 3.5, rel=0.02)
    shares = mc.hotspot_summary("gwp100")
    assert shares.filter(shares["key"] == "part")["mean_share"][0] == pytest.approx(1.0)


def test_two_measured_rows_of_one_input_are_drawn_independently(tmp_path):
    """Two rows of the same emission, each normal with sd 0.5 kg: independent draws give the
    total an sd of sqrt(2) x 0.5 = 0.707 kg; draws keyed by node|kind|input made them one
    draw, sd 2 x 0.5 = 1.0 kg (+41 %)."""
    flows = [
        ["plant", "emission", "co2_fossil", 4, "kg", "normal", "", 0.5, "", ""],
        ["plant", "emission", "co2_fossil", 6, "kg", "normal", "", 0.5, "", ""],
    ]
    case = scenat.read_case(_case(tmp_path / "two", flows))
    n = 40_000
    samples = monte_carlo(case, iterations=n, seed=3, indicators=["gwp100"]).totals["gwp100"]
    sd = np.sqrt(2) * 0.5
    assert samples.mean() == pytest.approx(10.0, abs=5 * sd / np.sqrt(n))
    assert samples.std(ddof=1) == pytest.approx(sd, abs=5 * sd / np.sqrt(2 * n))


def test_draws_follow_the_row_through_edits(tmp_path):
    """A row keeps its draws when other rows are inserted before it, and when its own amount
    changes (the draws are of the standardised spread): the key is the row's place among the
    rows of its node, kind and input, not its row number or its values."""
    from scenat.uncertainty.foreground import flow_key, sample_flow

    first = ["plant", "emission", "co2_fossil", 4, "kg", "normal", "", 0.5, "", ""]
    second = ["plant", "emission", "co2_fossil", 6, "kg", "normal", "", 0.5, "", ""]
    other = ["plant", "emission", "n2o", 1, "kg", "", "", "", "", ""]
    case = scenat.read_case(_case(tmp_path / "a", [first, second]))
    edited = scenat.read_case(_case(tmp_path / "b", [other, first, [*second[:3], 7, *second[4:]]]))
    keys = [flow_key(f) for f in case.flows]
    assert len(set(keys)) == 2
    assert [flow_key(f) for f in edited.flows[1:]] == keys
    before = sample_flow(case.flows[1], 1000, seed=5) - 6
    after = sample_flow(edited.flows[2], 1000, seed=5) - 7
    assert np.allclose(before, after)
