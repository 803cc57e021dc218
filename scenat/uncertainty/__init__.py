"""Monte Carlo: foreground flows and background exchanges sampled together with keyed draws
(:func:`monte_carlo`, :mod:`.montecarlo`; the draws: :mod:`.draws`, :mod:`.flows`), the
foreground alone around a fixed background (:mod:`.foreground`), the background's own
distributions on the whole linked system (:mod:`.background`), variance drivers
(:mod:`.sensitivity`), and two cases compared with shared draws (:func:`probability_lower`)."""

from scenat.uncertainty.background import case_system
from scenat.uncertainty.background import monte_carlo as background_monte_carlo
from scenat.uncertainty.compare import probability_lower
from scenat.uncertainty.flows import sample_flow
from scenat.uncertainty.montecarlo import (
    BackgroundInputs,
    MonteCarloModel,
    combine_chunks,
    monte_carlo,
    prepare,
)
from scenat.uncertainty.result import POINT, UncertaintyResult
from scenat.uncertainty.sensitivity import src_squared

__all__ = [
    "POINT",
    "BackgroundInputs",
    "MonteCarloModel",
    "UncertaintyResult",
    "background_monte_carlo",
    "case_system",
    "combine_chunks",
    "monte_carlo",
    "prepare",
    "probability_lower",
    "sample_flow",
    "src_squared",
]
