"""Coverage of indicators by the background data, against plain numpy on the bicycle."""

from __future__ import annotations

import numpy as np
import pytest

import scenat
from scenat.calc.coverage import LOW_COVERAGE, coverage
from scenat.paths import examples_dir
from scenat.report import assessment_document, text_report


@pytest.fixture(scope="module")
def result():
    return scenat.assess(scenat.read_case(examples_dir() / "bicycle"))


def test_coverage_matches_dense_numpy(result):
    linked = result.linked
    a = linked.technosphere.toarray()
    b = linked.biosphere.toarray()
    inverse = np.linalg.inv(a)
    purchases = [
        (row, amount * linked.supply[linked.node_cols[n]])
        for n in linked.node_order
        for row, amount in linked.purchases[n]
    ]
    carbon_scores = linked.cf["gwp100"] @ b @ inverse
    carbon = np.array([abs(w * carbon_scores[row]) for row, w in purchases])
    found = coverage(linked, [i.id for i in result.indicators])
    for ind in result.indicators:
        scores = linked.cf[ind.id] @ b @ inverse
        covered = np.array([abs(scores[row]) > 1e-12 * abs(scores).max() for row, _ in purchases])
        assert found[ind.id].purchases == len(purchases)
        assert found[ind.id].by_count == pytest.approx(covered.mean())
        assert found[ind.id].by_carbon == pytest.approx(carbon[covered].sum() / carbon.sum())
    assert found["gwp100"].by_carbon == pytest.approx(1.0)
    assert found["gwp100"].uncovered == ()


def test_assessment_flags_low_coverage_instead_of_a_silent_zero(result):
    metals = result.coverage["metals_minerals"]
    # only the frame's ÖKOBAUDAT aluminium records metals; the DESNZ purchases record none
    assert result.total("metals_minerals") > 0.0
    assert metals.low and metals.by_carbon < LOW_COVERAGE
    assert any(n.startswith("metals_minerals covers") for n in result.notes)
    document = assessment_document(result)
    assert document["indicators"]["metals_minerals"]["coverage"]["low"] is True
    assert "[low coverage" in text_report(result)
