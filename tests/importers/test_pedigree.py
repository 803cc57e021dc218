"""Pedigree uncertainty: the ecoinvent v2 formula against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from scenat.importers.pedigree import Pedigree
from scenat.model.case import Uncertainty


def test_gsd_matches_the_formula_worked_by_hand():
    # (2,1,1,1,2), U_b 1.05: three factors of 1.05 -> exp(sqrt(3 ln(1.05)^2)) = 1.088181
    assert Pedigree(2, 1, 1, 1, 2).gsd_squared(1.05) == pytest.approx(1.088181, rel=1e-6)
    # (3,2,3,3,3), U_b 1.05: 1.1, 1.02, 1.1, 1.02, 1.2 and 1.05
    squares = sum(math.log(u) ** 2 for u in (1.1, 1.02, 1.1, 1.02, 1.2, 1.05))
    assert Pedigree(3, 2, 3, 3, 3).gsd_squared(1.05) == pytest.approx(math.exp(squares**0.5))
    assert Pedigree(3, 2, 3, 3, 3).gsd(1.05) == pytest.approx(1.123901, rel=1e-6)
    assert Pedigree(1, 1, 1, 1, 1).gsd(2.0) == pytest.approx(2.0**0.5)
    with pytest.raises(ValueError):
        Pedigree(0, 1, 1, 1, 1)


def test_columns_say_where_the_spread_comes_from():
    columns = Pedigree(2, 1, 1, 1, 2).columns(1.05)
    assert columns["distribution"] == "lognormal"
    assert columns["gsd"] == pytest.approx(1.043159, abs=1e-6)
    assert "pedigree (2,1,1,1,2)" in columns["uncertainty_source"]


def test_stats_arrays_fields_of_each_distribution():
    lognormal = Uncertainty("lognormal", gsd=1.2).stats_arrays(3.0)
    assert lognormal["uncertainty type"] == 2
    assert lognormal["loc"] == pytest.approx(math.log(3.0))
    assert lognormal["scale"] == pytest.approx(math.log(1.2))
    assert Uncertainty("lognormal", sd=0.1).stats_arrays(-3.0)["negative"] is True
    normal = Uncertainty("normal", sd=0.5).stats_arrays(3.0)
    assert (normal["uncertainty type"], normal["loc"], normal["scale"]) == (3, 3.0, 0.5)
    triangle = Uncertainty("triangular", minimum=1.0, maximum=5.0).stats_arrays(2.0)
    assert (triangle["loc"], triangle["minimum"], triangle["maximum"]) == (2.0, 1.0, 5.0)
    assert (
        Uncertainty("uniform", minimum=1.0, maximum=5.0).stats_arrays(2.0)["uncertainty type"] == 4
    )
