"""Probability of ranking in the top k, under the workbook's uncertainty."""

from __future__ import annotations

import numpy as np
import pytest

import scenat
from scenat.interventions.ranking_uncertainty import rank_probabilities
from scenat.paths import examples_dir


@pytest.fixture(scope="module")
def bicycle():
    return scenat.read_case(examples_dir() / "bicycle")


def test_without_uncertainty_the_top_k_is_the_deterministic_macc_order(bicycle):
    certain = bicycle.copy(
        flows=[f.__class__(**{**f.__dict__, "uncertainty": None}) for f in bicycle.flows]
    )
    table = rank_probabilities(certain, k=4, iterations=30, seed=5)
    probabilities = table["probability_top_k"].to_numpy()
    assert set(np.unique(probabilities)) <= {0.0, 1.0}
    abating = table.filter(table["probability_abates"] == 1.0).sort("mac")
    expected_top = set(abating["id"].to_list()[:4])
    got_top = set(table.filter(table["probability_top_k"] == 1.0)["id"].to_list())
    assert got_top == expected_top


def test_probabilities_are_consistent_under_uncertainty(bicycle):
    table = rank_probabilities(bicycle, k=3, iterations=400, seed=11)
    p = table["probability_top_k"].to_numpy()
    assert ((p >= 0) & (p <= 1)).all()
    # Every iteration fills exactly k places when at least k options abate in it.
    if (table["probability_abates"] == 1.0).sum() >= 3:
        assert p.sum() == pytest.approx(3.0, abs=1e-12)
    assert (table["abatement_t_year_p5"] <= table["abatement_t_year_p95"]).all()
    again = rank_probabilities(bicycle, k=3, iterations=400, seed=11)
    assert again.equals(table)
