"""Low-carbon interventions: the priced library, matching, what-if application, KPIs, portfolios.

An intervention is data, not code (:mod:`.library` documents every column). Later sources
override earlier ones by ``id``: the shipped library, user libraries, the case's own sheet.
:func:`apply` makes a modified copy of a case; :func:`evaluate` scores every applicable
option (change per indicator, EAC, MAC, payback, NPV); :func:`plan_portfolio` chooses a
set under a budget, evaluated as a combination; :func:`rank_probabilities` says how robust a
ranking is under uncertainty.
"""

from scenat.interventions.apply import apply, apply_all
from scenat.interventions.evaluate import (
    CARBON_INDICATOR,
    DEFAULT_DISCOUNT_RATE,
    assess_totals,
    case_discount_rate,
    evaluate,
    evaluate_combination,
    plan_portfolio,
)
from scenat.interventions.library import (
    CATEGORY_PREFIX,
    Intervention,
    case_interventions,
    collect,
    load_library,
    shipped_library_path,
    validate_library,
)
from scenat.interventions.matching import affected_quantity, applicable, matched_flows, matches
from scenat.interventions.ranking_uncertainty import rank_probabilities

__all__ = [
    "CARBON_INDICATOR",
    "CATEGORY_PREFIX",
    "DEFAULT_DISCOUNT_RATE",
    "Intervention",
    "affected_quantity",
    "applicable",
    "apply",
    "apply_all",
    "assess_totals",
    "case_discount_rate",
    "case_interventions",
    "collect",
    "evaluate",
    "evaluate_combination",
    "load_library",
    "matched_flows",
    "matches",
    "plan_portfolio",
    "rank_probabilities",
    "shipped_library_path",
    "validate_library",
]
