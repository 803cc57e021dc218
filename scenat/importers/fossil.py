"""Fossil and nuclear energy as the resource flows EF 3.1 characterises, booked by energy.

EF v3.1's "ADP fossil" (scenat's ``fossil_energy``) characterises each fossil resource flow
with one fixed factor per reference unit: ``Coal, hard, unspecified`` 18.01 MJ/kg, ``Gas,
natural`` 36 MJ/Sm3, ``Oil, crude`` 43.4 MJ/kg (bw2io 0.9.17's bundled EF 3.1), whatever the
real heating value of the coal or gas. Importers that know a fuel's **net energy** ``E`` (MJ,
net calorific value) therefore book ``E / CF`` of its flow (a kg-equivalent at EF's reference
heating value): the indicator then equals the net energy, which is what published primary
energy figures measure, and no heating value has to be guessed. Uranium is booked
physically, in kg of natural uranium (EF: 560,000 MJ/kg).

The factors are read from the bundled method by each flow's biosphere3 code, never typed.

>>> flow, amount, unit = energy_flow("gas", 36.0)
>>> flow, round(amount, 12), unit
('natural_gas_resource', 1.0, 'm3')
>>> round(energy_flow("coal", 18.01)[1], 12)
1.0
"""

from __future__ import annotations

from functools import lru_cache

from scenat.errors import InputError, Problem

__all__ = ["CARRIERS", "ef_fossil_factor", "energy_flow", "energy_note"]

#: energy carrier -> the elementary flow (``inventories/elementary_flows.csv``) it is booked on
CARRIERS = {
    "coal": "hard_coal_resource",
    "gas": "natural_gas_resource",
    "oil": "crude_oil_resource",
}
FOSSIL_INDICATOR = "fossil_energy"


@lru_cache(maxsize=1)
def _factors() -> dict[str, float]:
    from scenat.model.catalogue import shipped_catalogue
    from scenat.model.indicators import bundled_methods, indicator

    method = bundled_methods()[indicator(FOSSIL_INDICATOR).method]
    by_code = {
        code: amount for database, code, amount in method.factors if database == "biosphere3"
    }
    return {
        flow.id: by_code[flow.code]
        for flow in shipped_catalogue().elementary.values()
        if flow.code in by_code
    }


def ef_fossil_factor(flow: str) -> float:
    """EF 3.1 ADP-fossil factor of a flow of ``elementary_flows.csv`` (MJ per flow unit).

    >>> ef_fossil_factor("uranium_resource")
    560000.0
    """
    factors = _factors()
    if flow not in factors:
        raise InputError(
            Problem(
                value=flow,
                message="not a fossil resource flow characterised by EF 3.1 ADP fossil",
                hint="one of " + ", ".join(sorted(factors)),
            )
        )
    return factors[flow]


def energy_flow(carrier: str, megajoules: float) -> tuple[str, float, str]:
    """``(flow id, amount, unit)`` booking ``megajoules`` of net energy of ``carrier``
    (coal, gas or oil) so that EF 3.1 counts exactly that energy."""
    from scenat.model.catalogue import shipped_catalogue

    flow = CARRIERS[carrier]
    unit = shipped_catalogue().elementary[flow].unit
    return flow, megajoules / ef_fossil_factor(flow), unit


def energy_note(carrier: str) -> str:
    """How an amount of ``carrier`` was booked, for an exchange comment.

    >>> energy_note("oil")
    'booked by energy: net MJ / 43.4 MJ/kg, the EF 3.1 factor of crude_oil_resource'
    """
    flow = CARRIERS[carrier]
    from scenat.model.catalogue import shipped_catalogue

    unit = shipped_catalogue().elementary[flow].unit
    factor = ef_fossil_factor(flow)
    return f"booked by energy: net MJ / {factor:g} MJ/{unit}, the EF 3.1 factor of {flow}"
