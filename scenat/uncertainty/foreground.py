"""The Monte Carlo with the background kept fixed: the workbook's flow distributions alone.

:func:`monte_carlo` here samples the foreground only, around the fixed background (the
background's stored distributions are not sampled; results say so). The Monte Carlo for
users, :func:`scenat.uncertainty.monte_carlo` (:mod:`scenat.uncertainty.montecarlo`), samples
both, with the same flow draws (:mod:`scenat.uncertainty.flows`) for the same seed.
"""

from __future__ import annotations

from typing import Any

from scenat.calc.linked import LinkedSystem
from scenat.model.case import Case
from scenat.uncertainty.flows import flow_key, flow_parameters, sample_flow, sample_flows
from scenat.uncertainty.montecarlo import monte_carlo as combined
from scenat.uncertainty.result import (
    QUANTILES,
    Progress,
    UncertaintyResult,
    sample_statistics,
)

__all__ = [
    "QUANTILES",
    "Progress",
    "UncertaintyResult",
    "flow_key",
    "flow_parameters",
    "monte_carlo",
    "sample_flow",
    "sample_flows",
    "sample_statistics",
]


def monte_carlo(
    case: Case,
    iterations: int = 1000,
    seed: int = 42,
    indicators: list[str] | None = None,
    progress: Progress | None = None,
    chunk: int = 500,
    linked: LinkedSystem | None = None,
    **options: Any,
) -> UncertaintyResult:
    """Sample the case's uncertain flows around the fixed background: totals, node
    contributions and variance drivers per iteration (:func:`scenat.uncertainty.montecarlo.
    monte_carlo` with ``background=False``)."""
    return combined(
        case, iterations, seed, indicators, progress, chunk, linked, background=False, **options
    )
