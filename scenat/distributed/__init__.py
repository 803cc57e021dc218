"""Batch assessment and Monte Carlo on Dask: a local cluster, or a scheduler by address
(``SCENAT_DASK_SCHEDULER``); the same seed gives the numbers of the single-process functions."""

from scenat.distributed.runs import (
    ENVIRONMENT_VARIABLE,
    assess_many,
    background_monte_carlo,
    client_for,
    monte_carlo,
)

__all__ = [
    "ENVIRONMENT_VARIABLE",
    "assess_many",
    "background_monte_carlo",
    "client_for",
    "monte_carlo",
]
