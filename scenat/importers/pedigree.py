"""Uncertainty of shipped exchanges from a pedigree assessment, where a source gives none.

The ecoinvent v2 method (Frischknecht et al. 2007, ecoinvent report No. 1; the method openLCA
and USLCI use): an exchange's lognormal spread combines a *basic* uncertainty factor ``U_b``
of its flow class (electricity 1.05, transport 2.0, CO2 1.05, CH4 1.5, ...) with one factor
``U_i`` per pedigree indicator (reliability, completeness, temporal, geographical and further
technological correlation, each scored 1 (best) to 5)::

    GSD^2 = exp( sqrt( sum_i ln(U_i)^2 + ln(U_b)^2 ) )

``GSD^2`` is the factor of the 95 % interval (median x/÷ GSD^2), so the geometric standard
deviation is ``GSD = sqrt(GSD^2)`` and stats_arrays' ``scale`` is ``ln(GSD)``. The factor
tables are those of openLCA's "ecoinvent data quality system" as shipped with USLCI
(``../shared/data/uncertainty/pedigree_uncertainty_factors.csv``, MIT); the basic factors the
ecoinvent v2 table (``basic_uncertainty_factors_ecoinvent_v2.csv``). Every shipped exchange
that gets its spread here says so in ``uncertainty_source``, with its scores, so the number
can be checked and regenerated.

>>> scores = Pedigree(2, 1, 1, 1, 2)
>>> round(scores.gsd(1.05), 4)            # DESNZ CO2 and energy carriers
1.0432
>>> scores.describe(1.05)
'pedigree (2,1,1,1,2), basic factor 1.05: GSD^2 1.088 (ecoinvent v2 method, openLCA factors)'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: the openLCA "ecoinvent data quality system" factors (USLCI's copy), scores 1..5
FACTORS: dict[str, tuple[float, float, float, float, float]] = {
    "reliability": (1.0, 1.05, 1.1, 1.2, 1.5),
    "completeness": (1.0, 1.02, 1.05, 1.1, 1.2),
    "temporal": (1.0, 1.03, 1.1, 1.2, 1.5),
    "geographical": (1.0, 1.01, 1.02, 1.05, 1.1),
    "technological": (1.0, 1.05, 1.2, 1.5, 2.0),
}
FACTOR_SOURCE = "ecoinvent v2 method, openLCA factors"

#: basic uncertainty factors (U_b = GSD^2) of the flow classes scenat ships, ecoinvent v2 table
BASIC = {
    "energy": 1.05,  # thermal energy, electricity, semi-finished products, working material
    "transport": 2.0,  # transport services (tkm)
    "infrastructure": 3.0,
    "resource": 1.05,  # primary energy carriers, metals, salts
    "co2": 1.05,
    "ch4": 1.5,  # combustion
    "n2o": 1.5,  # combustion
    "water": 1.5,  # inorganic emissions, others (process)
    "other_air": 1.5,
    "so2": 1.05,
    "nox": 1.5,
    "nh3": 1.5,
    "pm25": 3.0,
    "co": 5.0,
}

#: scenat elementary flow id -> its class in BASIC (flows not listed: other_air)
FLOW_CLASSES = {
    "co2_fossil": "co2",
    "co2_biogenic": "co2",
    "ch4_fossil": "ch4",
    "ch4_biogenic": "ch4",
    "n2o": "n2o",
    "so2": "so2",
    "nox": "nox",
    "nh3": "nh3",
    "pm25": "pm25",
    "co": "co",
    "water": "water",
    "natural_gas_resource": "resource",
    "crude_oil_resource": "resource",
    "hard_coal_resource": "resource",
    "brown_coal_resource": "resource",
    "uranium_resource": "resource",
}


def basic_factor(flow: str) -> float:
    """The basic uncertainty factor of an elementary flow (``other_air`` when unlisted).

    >>> basic_factor("pm25"), basic_factor("hfc134a")
    (3.0, 1.5)
    """
    return BASIC[FLOW_CLASSES.get(flow, "other_air")]


@dataclass(frozen=True)
class Pedigree:
    """Scores 1 (best) to 5 of the five indicators."""

    reliability: int
    completeness: int
    temporal: int
    geographical: int
    technological: int

    def __post_init__(self) -> None:
        for name in FACTORS:
            score = getattr(self, name)
            if score not in (1, 2, 3, 4, 5):
                raise ValueError(f"pedigree score {name} must be 1..5, got {score!r}")

    def gsd_squared(self, basic: float) -> float:
        """``exp(sqrt(sum ln(U_i)^2 + ln(U_b)^2))``: the factor of the 95 % interval."""
        squares = sum(math.log(FACTORS[n][getattr(self, n) - 1]) ** 2 for n in FACTORS)
        return math.exp(math.sqrt(squares + math.log(basic) ** 2))

    def gsd(self, basic: float) -> float:
        """The geometric standard deviation, ``sqrt(GSD^2)``."""
        return math.sqrt(self.gsd_squared(basic))

    def describe(self, basic: float) -> str:
        scores = ",".join(str(getattr(self, n)) for n in FACTORS)
        return (
            f"pedigree ({scores}), basic factor {basic:g}: GSD^2 {self.gsd_squared(basic):.3f} "
            f"({FACTOR_SOURCE})"
        )

    def columns(self, basic: float) -> dict[str, object]:
        """The uncertainty columns of an exchange row (see :mod:`scenat.importers.inventory`)."""
        return {
            "distribution": "lognormal",
            "gsd": round(self.gsd(basic), 6),
            "min": None,
            "max": None,
            "uncertainty_source": self.describe(basic),
        }
