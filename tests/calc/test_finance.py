"""Money maths against numbers worked out by hand (shown in the comments)."""

from __future__ import annotations

import math

import pytest

from scenat.calc import finance


def test_capital_recovery_factor_by_hand() -> None:
    # 1.035^10 = 1.4105987606; crf = 0.035 * 1.4105987606 / 0.4105987606 = 0.1202413679
    assert finance.capital_recovery_factor(0.035, 10) == pytest.approx(0.1202413679, rel=1e-9)
    # 1.05^20 = 2.6532977051; crf = 0.05 * 2.6532977051 / 1.6532977051 = 0.0802425872
    assert finance.capital_recovery_factor(0.05, 20) == pytest.approx(0.0802425872, rel=1e-9)


def test_rate_zero_is_straight_line() -> None:
    assert finance.capital_recovery_factor(0.0, 8) == 0.125
    assert finance.equivalent_annual_cost(1_200, 0.0, 12) == 100.0
    assert finance.annuity_factor(0.0, 4) == 4.0
    # The closed formula tends to 1/n as the rate goes to 0: no jump at 0.
    assert finance.capital_recovery_factor(1e-12, 10) == pytest.approx(0.1, rel=1e-9)


def test_equivalent_annual_cost() -> None:
    # 10,000 x 0.1202413679 = 1,202.413679
    assert finance.equivalent_annual_cost(10_000, 0.035, 10) == pytest.approx(1202.413679, rel=1e-9)


def test_npv_by_hand() -> None:
    # Annuity factor at 10 % over 3 years: 1/1.1 + 1/1.21 + 1/1.331 = 2.4868519910
    # Saving 300 a year on 1,000 capex: 300 x 2.4868519910 - 1000 = -253.9444027
    assert finance.net_present_value(1_000, -300, 0.10, 3) == pytest.approx(-253.9444027, rel=1e-9)
    # The same with the saving given separately.
    assert finance.net_present_value(1_000, 0.0, 0.10, 3, annual_savings=300) == pytest.approx(
        -253.9444027, rel=1e-9
    )
    # No discounting: 5 x 300 - 1000 = 500.
    assert finance.net_present_value(1_000, -300, 0.0, 5) == 500.0
    # A cost increase with no capex: NPV = -50 x 4 at rate 0.
    assert finance.net_present_value(0, 50, 0.0, 4) == -200.0


def test_simple_payback() -> None:
    assert finance.simple_payback(900, -300) == 3.0
    assert finance.simple_payback(900, 200, annual_savings=500) == 3.0
    assert finance.simple_payback(900, 50) == math.inf
    assert finance.simple_payback(900, 0) == math.inf
    assert finance.simple_payback(0, -50) == 0.0


def test_marginal_abatement_cost() -> None:
    # (1,202.41 - 500) / 2 t = 351.205 per t
    assert finance.marginal_abatement_cost(1202.41, -500.0, 2.0) == pytest.approx(351.205)
    # An option that saves money abates at a negative cost.
    assert finance.marginal_abatement_cost(100.0, -400.0, 3.0) == pytest.approx(-100.0)
    assert finance.marginal_abatement_cost(100.0, 0.0, 3.0, annual_savings=400.0) == pytest.approx(
        -100.0
    )
    for no_abatement in (0.0, -1.0, float("nan")):
        assert math.isnan(finance.marginal_abatement_cost(100.0, 50.0, no_abatement))
    assert finance.abatement_status(-1.0) == "increases"
    assert finance.abatement_status(0.0) == "no_change"
    assert finance.abatement_status(2.0) == "abates"


@pytest.mark.parametrize(("rate", "years"), [(-1.0, 10), (0.03, 0), (0.03, -5), (math.nan, 3)])
def test_bad_rate_or_lifetime(rate: float, years: float) -> None:
    with pytest.raises(ValueError):
        finance.capital_recovery_factor(rate, years)


def test_an_option_without_capex_that_costs_more_never_pays_back() -> None:
    """A green tariff: nothing to invest, GBP 500 a year more. Its payback is never, not 0
    (0 is an option that saves money from the first day)."""
    assert finance.simple_payback(0, 500) == math.inf
    assert finance.payback_status(0, 500) == "never"
    assert finance.simple_payback(0, -500) == 0.0
    assert finance.payback_status(0, -500) == "immediate"
    assert finance.payback_status(0, 0) == "immediate"  # nothing invested, nothing lost
    assert finance.payback_status(900, -300) == "years"
    assert finance.payback_status(900, 50) == "never"
    assert finance.payback_status(math.nan, 50) == "unknown"
