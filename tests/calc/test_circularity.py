"""The Material Circularity Indicator, against the methodology's formulas worked by hand."""

from __future__ import annotations

import pytest

from scenat.calc.circularity import linear_flow_index, mass_weighted, mci


def test_extremes_of_the_methodology():
    assert linear_flow_index() == pytest.approx(1.0)
    assert mci() == pytest.approx(0.1)
    assert mci(recycled=1.0, collected_for_recycling=1.0) == pytest.approx(1.0)


def test_partly_circular_product_by_hand():
    # F_R 0.3, C_R 0.9, E_C 0.8, E_F 0.9, twice the average lifetime:
    # V = 0.7; W_0 = 0.1; W_C = 0.2 * 0.9 = 0.18; W_F = 0.1 * 0.3 / 0.9 = 0.0333...
    # W = 0.1 + (0.0333 + 0.18) / 2 = 0.206667; LFI = (0.7 + 0.206667) / (2 + (0.0333 - 0.18) / 2)
    v, w0, wc, wf = 0.7, 0.1, 0.18, 0.1 * 0.3 / 0.9
    lfi = (v + w0 + (wf + wc) / 2) / (2 + (wf - wc) / 2)
    got = linear_flow_index(
        recycled=0.3,
        collected_for_recycling=0.9,
        recycling_efficiency=0.8,
        feedstock_efficiency=0.9,
    )
    assert got == pytest.approx(lfi)
    assert mci(
        recycled=0.3,
        collected_for_recycling=0.9,
        lifetime_ratio=2.0,
        recycling_efficiency=0.8,
        feedstock_efficiency=0.9,
    ) == pytest.approx(1 - lfi * 0.9 / 2)


def test_bad_shares_and_aggregation():
    with pytest.raises(ValueError):
        mci(recycled=1.2)
    with pytest.raises(ValueError):
        mci(collected_for_recycling=0.8, collected_for_reuse=0.5)
    assert mass_weighted([0.1, 1.0], [3.0, 1.0]) == pytest.approx((0.3 + 1.0) / 4)
