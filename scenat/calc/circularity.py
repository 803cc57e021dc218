"""The Material Circularity Indicator (MCI) of the Ellen MacArthur Foundation.

Ellen MacArthur Foundation and Granta Design, *Circularity Indicators: An Approach to
Measuring Circularity — Methodology* (2015; version of 2019). For a product of mass ``M``
with recycled feedstock share ``F_R``, reused share ``F_U``, share from sustained biological
production ``F_S``, end-of-life collection shares for recycling ``C_R``, reuse ``C_U``,
composting ``C_C`` and energy recovery ``C_E``, and recycling efficiencies ``E_C`` (of the
end-of-life recycling) and ``E_F`` (of making the recycled feedstock)::

    V   = M (1 - F_R - F_U - F_S)                  virgin feedstock
    W_0 = M (1 - C_R - C_U - C_C - C_E)            unrecoverable waste at end of life
    W_C = M (1 - E_C) C_R                          waste of end-of-life recycling
    W_F = M (1 - E_F) F_R / E_F                    waste of producing the recycled feedstock
    W   = W_0 + (W_F + W_C) / 2
    LFI = (V + W) / (2 M + (W_F - W_C) / 2)        linear flow index
    X   = (L / L_av) (U / U_av)                    utility: lifetime and intensity of use
    MCI = max(0, 1 - LFI 0.9 / X)

A fully linear product scores 0.1, a fully circular one 1. A company's (or a supply
chain's) MCI is the mass-weighted mean of its products'. ``M`` cancels out, so the
indicator takes shares.

>>> round(mci(), 3)                                   # all virgin, all landfilled
0.1
>>> round(mci(recycled=1.0, collected_for_recycling=1.0), 3)
1.0
>>> round(mci(recycled=0.3, collected_for_recycling=0.9, lifetime_ratio=2.0), 2)
0.82
"""

from __future__ import annotations

from collections.abc import Sequence

from scenat.errors import InputError, Problem


def linear_flow_index(
    recycled: float = 0.0,
    reused: float = 0.0,
    sustained: float = 0.0,
    collected_for_recycling: float = 0.0,
    collected_for_reuse: float = 0.0,
    composted: float = 0.0,
    energy_recovered: float = 0.0,
    recycling_efficiency: float = 1.0,
    feedstock_efficiency: float = 1.0,
) -> float:
    """``LFI = (V + W) / (2M + (W_F - W_C)/2)`` per unit mass (see the module docstring)."""
    shares = (
        recycled,
        reused,
        sustained,
        collected_for_recycling,
        collected_for_reuse,
        composted,
        energy_recovered,
    )
    if any(not 0.0 <= s <= 1.0 for s in shares):
        raise _bad(f"circularity shares lie between 0 and 1, got {shares}")
    if recycled + reused + sustained > 1.0 + 1e-12:
        raise _bad("recycled, reused and sustained feedstock add up to more than 1")
    end_of_life = collected_for_recycling + collected_for_reuse + composted + energy_recovered
    if end_of_life > 1.0 + 1e-12:
        raise _bad("end-of-life shares add up to more than 1")
    if not (0.0 < recycling_efficiency <= 1.0 and 0.0 < feedstock_efficiency <= 1.0):
        raise _bad("recycling efficiencies lie in (0, 1]")
    virgin = 1.0 - recycled - reused - sustained
    unrecoverable = 1.0 - end_of_life
    recycling_waste = (1.0 - recycling_efficiency) * collected_for_recycling
    feedstock_waste = (1.0 - feedstock_efficiency) * recycled / feedstock_efficiency
    waste = unrecoverable + (feedstock_waste + recycling_waste) / 2.0
    return (virgin + waste) / (2.0 + (feedstock_waste - recycling_waste) / 2.0)


def mci(
    recycled: float = 0.0,
    collected_for_recycling: float = 0.0,
    lifetime_ratio: float = 1.0,
    use_ratio: float = 1.0,
    **shares: float,
) -> float:
    """``MCI = max(0, 1 - LFI * 0.9 / X)`` with ``X = lifetime_ratio * use_ratio``; other
    shares and efficiencies as :func:`linear_flow_index` takes them."""
    utility = lifetime_ratio * use_ratio
    if utility <= 0:
        raise _bad(f"the utility X must be positive, got {utility}")
    lfi = linear_flow_index(
        recycled=recycled, collected_for_recycling=collected_for_recycling, **shares
    )
    return max(0.0, 1.0 - lfi * 0.9 / utility)


def mass_weighted(values: Sequence[float], masses: Sequence[float]) -> float:
    """``sum m_i v_i / sum m_i``: a company's MCI from its products' (EMF's aggregation)."""
    total = float(sum(masses))
    if total <= 0:
        raise _bad("mass-weighted mean of nothing")
    return float(sum(m * v for m, v in zip(masses, values)) / total)


def _bad(message: str) -> InputError:
    return InputError(Problem(message=message, hint="give shares between 0 and 1"))
