"""Pure calculation over arrays (numpy, scipy; polars for result tables): no files, no Brightway.

In the spirit of pymrio's ``iomath``: each function states its formula. The one place that
solves linear systems (:mod:`scenat.calc.solver`), the linked system and its inventories
(:mod:`scenat.calc.linked`), breakdowns, structural paths, the supply-chain graph, the
foreground on its own (:mod:`scenat.calc.foreground`), money (:mod:`scenat.calc.finance`)
and ranking (:mod:`scenat.calc.rank`).
"""

from scenat.calc.breakdowns import ALL_BREAKDOWNS, BREAKDOWNS, compute_breakdowns
from scenat.calc.foreground import (
    ForegroundModel,
    foreground_model,
    foreground_totals,
    node_supply,
    solve_foreground,
)
from scenat.calc.linked import LinkedSystem
from scenat.calc.solver import FactorisedSystem
from scenat.calc.structural_paths import PathTable, path_table, structural_paths

__all__ = [
    "ALL_BREAKDOWNS",
    "BREAKDOWNS",
    "FactorisedSystem",
    "ForegroundModel",
    "LinkedSystem",
    "PathTable",
    "compute_breakdowns",
    "foreground_model",
    "foreground_totals",
    "node_supply",
    "path_table",
    "solve_foreground",
    "structural_paths",
]
