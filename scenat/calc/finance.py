"""Money maths for interventions: annualised capital cost, NPV, payback, abatement cost.

Pure functions on plain floats, no I/O. Sign conventions, used throughout scenat:

* ``capex`` is a one-off investment at the start (year 0), >= 0.
* ``annual_opex_change`` is the change in yearly operating cost *caused by* the
  intervention, bills included: positive costs more, negative saves (an LED retrofit that
  cuts the electricity bill has a negative opex change).
* ``annual_savings`` is an optional separate yearly saving (positive = money saved) for
  callers who keep savings apart from the opex change; it defaults to 0 and is simply
  subtracted from the opex change.
* Cash flows of the operating years fall at the end of each year (years 1..n, "in
  arrears"), as in the HM Treasury Green Book and the usual capital recovery factor.
  A non-integer lifetime uses the same closed formulas (a continuous extension).
* Abatement is positive when emissions go down (t CO2-eq per year avoided).

A marginal abatement cost (MAC) is only meaningful for an option that abates: with no
abatement, or more emissions, it is undefined and returned as NaN; use
:func:`abatement_status` to say why.

>>> round(capital_recovery_factor(0.035, 10), 6)
0.120241
>>> round(equivalent_annual_cost(10_000, 0.035, 10), 2)
1202.41
>>> simple_payback(1_000, -250)
4.0
>>> round(net_present_value(1_000, -250, 0.0, 4), 9)
0.0
>>> round(marginal_abatement_cost(1202.41, -500.0, 2.0), 3)
351.205
"""

from __future__ import annotations

import math

from scenat.errors import InputError, Problem

#: UK HM Treasury Green Book social time preference rate (3.5 % real for years 0-30).
GREEN_BOOK_DISCOUNT_RATE = 0.035


def _check(rate: float, years: float) -> None:
    if not math.isfinite(rate) or rate <= -1.0:
        raise InputError(
            Problem(message="a discount rate is a finite number > -1", value=rate, hint="0.035")
        )
    if not math.isfinite(years) or years <= 0:
        raise InputError(
            Problem(message="a lifetime is a finite number of years > 0", value=years, hint="15")
        )


def annuity_factor(rate: float, years: float) -> float:
    """Present value of 1 currency unit paid at the end of each year for ``years`` years.

    ``(1 - (1 + r)^-n) / r``, and ``n`` when ``r`` is 0.

    >>> annuity_factor(0.0, 4)
    4.0
    >>> round(annuity_factor(0.10, 3), 6)  # 1/1.1 + 1/1.21 + 1/1.331
    2.486852
    """
    _check(rate, years)
    if rate == 0.0:
        return float(years)
    # expm1/log1p keep precision for very small rates, where (1+r)^-n is close to 1.
    return -math.expm1(-years * math.log1p(rate)) / rate


def capital_recovery_factor(rate: float, years: float) -> float:
    """The share of a capital sum to pay each year so that it is repaid with interest.

    ``r (1 + r)^n / ((1 + r)^n - 1)``, the reciprocal of :func:`annuity_factor`;
    ``1 / n`` when ``r`` is 0.

    >>> capital_recovery_factor(0.0, 4)
    0.25
    >>> round(capital_recovery_factor(0.05, 20), 6)
    0.080243
    """
    return 1.0 / annuity_factor(rate, years)


def equivalent_annual_cost(capex: float, rate: float, years: float) -> float:
    """Capex spread over the lifetime as an equal yearly amount at the discount rate.

    >>> equivalent_annual_cost(1_200, 0.0, 12)
    100.0
    >>> round(equivalent_annual_cost(10_000, 0.05, 20), 2)
    802.43
    """
    return capex * capital_recovery_factor(rate, years)


def net_present_value(
    capex: float,
    annual_opex_change: float,
    rate: float,
    years: float,
    annual_savings: float = 0.0,
) -> float:
    """NPV of doing the intervention: discounted net yearly savings minus the capex.

    Positive means the intervention pays for itself over its lifetime at this rate.

    >>> net_present_value(1_000, -300, 0.0, 5)  # saves 300 a year for 5 years
    500.0
    >>> round(net_present_value(1_000, 0.0, 0.10, 3, annual_savings=400), 2)
    -5.26
    """
    net_saving = annual_savings - annual_opex_change
    return net_saving * annuity_factor(rate, years) - capex


def simple_payback(capex: float, annual_opex_change: float, annual_savings: float = 0.0) -> float:
    """Years of undiscounted net savings needed to recover the capex.

    ``inf`` when the intervention never pays back: it costs more each year, or it has a
    capex and no net saving. 0 when it pays back at once: no capex, and no yearly loss.
    :func:`payback_status` names the three cases (JSON has no infinity).

    >>> simple_payback(900, -300)
    3.0
    >>> simple_payback(900, 50)
    inf
    >>> simple_payback(0, 50)  # a green tariff: nothing to invest, dearer every year
    inf
    >>> simple_payback(0, -50)
    0.0
    """
    net_saving = annual_savings - annual_opex_change
    if capex <= 0:
        return 0.0 if net_saving >= 0 else math.inf
    if net_saving <= 0:
        return math.inf
    return capex / net_saving


def payback_status(capex: float, annual_opex_change: float, annual_savings: float = 0.0) -> str:
    """``immediate`` (payback 0), ``years`` (a finite payback), ``never`` (infinite) or
    ``unknown`` (a cost is not known, say in another currency).

    >>> [payback_status(*c) for c in ((0, -5), (900, -300), (0, 50), (float("nan"), 1))]
    ['immediate', 'years', 'never', 'unknown']
    """
    if not math.isfinite(capex + annual_opex_change + annual_savings):
        return "unknown"
    years = simple_payback(capex, annual_opex_change, annual_savings)
    if years == 0:
        return "immediate"
    return "years" if math.isfinite(years) else "never"


def marginal_abatement_cost(
    equivalent_annual_cost: float,
    annual_opex_change: float,
    annual_abatement: float,
    annual_savings: float = 0.0,
) -> float:
    """Cost per unit of emissions avoided: ``(EAC + opex change - savings) / abatement``.

    In currency per unit of ``annual_abatement`` (scenat passes t CO2-eq per year, so the
    result is currency per t CO2-eq). Negative means the option saves money while it
    abates. NaN when ``annual_abatement <= 0`` (see :func:`abatement_status`).

    >>> marginal_abatement_cost(100.0, 50.0, 3.0)
    50.0
    >>> marginal_abatement_cost(100.0, -400.0, 3.0)
    -100.0
    >>> marginal_abatement_cost(100.0, 50.0, 0.0)
    nan
    """
    if not annual_abatement > 0:  # also catches NaN
        return math.nan
    return (equivalent_annual_cost + annual_opex_change - annual_savings) / annual_abatement


def abatement_status(annual_abatement: float, tolerance: float = 0.0) -> str:
    """Why a MAC is or is not defined: ``abates``, ``no_change``, ``increases`` or ``unknown``.

    >>> [abatement_status(x) for x in (2.0, 0.0, -1.0, float("nan"))]
    ['abates', 'no_change', 'increases', 'unknown']
    """
    if math.isnan(annual_abatement):
        return "unknown"
    if annual_abatement > tolerance:
        return "abates"
    if annual_abatement < -tolerance:
        return "increases"
    return "no_change"
