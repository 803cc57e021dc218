"""Monte Carlo: foreground uncertainty around a fixed background (:mod:`.foreground`), the
background's own distributions solved with the kept factorisation (:mod:`.background`), and
two cases compared with shared draws (:func:`probability_lower`)."""

from scenat.uncertainty.background import case_system
from scenat.uncertainty.background import monte_carlo as background_monte_carlo
from scenat.uncertainty.compare import probability_lower
from scenat.uncertainty.foreground import UncertaintyResult, monte_carlo, sample_flow

__all__ = [
    "UncertaintyResult",
    "background_monte_carlo",
    "case_system",
    "monte_carlo",
    "probability_lower",
    "sample_flow",
]
