"""Foreground flows' draws: a flow's key, its distribution parameters and its samples.

Draws are tied to the flow they belong to: a keyed stream (:mod:`scenat.uncertainty.draws`)
from the run's seed and the flow's :func:`flow_key`: its node, kind and input, and which row
of them it is. Two cases that share a flow share its draws: comparisons use common random
numbers, and the same seed always gives the same samples. Two rows of the same input are two
measurements and get draws of their own; a row keeps its draws when its amount is edited or
other rows are added before it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scenat.model.case import Flow
from scenat.uncertainty.draws import (
    LOGNORMAL,
    NORMAL,
    TRIANGULAR,
    UNIFORM,
    key_bases,
    keyed_samples,
    varying,
)

__all__ = ["flow_key", "flow_parameters", "sample_flow", "sample_flows"]


def flow_key(flow: Flow) -> str:
    """The identity a flow's draws are seeded from: node, kind, input, and for the second
    and later rows of the same three, the row's place among them (``Flow.repeat``).

    >>> from scenat.model.case import Flow
    >>> f = Flow("n", "emission", "co2_fossil", 2.0, "kg", 2.0, "kg")
    >>> flow_key(f), flow_key(Flow(**{**f.__dict__, "repeat": 1}))
    ('n|emission|co2_fossil', 'n|emission|co2_fossil#1')
    """
    key = f"{flow.node}|{flow.kind}|{flow.input}"
    return f"{key}#{flow.repeat}" if flow.repeat else key


def flow_parameters(flows: Sequence[Flow]) -> dict[str, np.ndarray]:
    """Distribution parameters of flows' amounts in their inputs' reference units, as arrays
    for :func:`scenat.uncertainty.draws.keyed_samples` (``varies`` marks uncertain flows).

    Conventions: lognormal ``amount`` is the median, spread ``gsd`` (or ``sd`` of ln);
    normal ``amount`` is the mean; triangular ``amount`` is the mode; uniform ignores it.
    """
    n = len(flows)
    out = {
        "base": np.array([f.amount_in_reference for f in flows], dtype=float),
        "kind": np.zeros(n, dtype=int),
        "loc": np.zeros(n),
        "scale": np.zeros(n),
        "low": np.zeros(n),
        "high": np.zeros(n),
        "sign": np.ones(n),
    }
    codes = {"lognormal": LOGNORMAL, "normal": NORMAL, "uniform": UNIFORM, "triangular": TRIANGULAR}
    for i, flow in enumerate(flows):
        unc = flow.uncertainty
        if unc is None:
            continue
        base = out["base"][i]
        factor = base / flow.amount if flow.amount else 1.0  # unit conversion of the amount
        kind = codes.get(unc.distribution)
        if kind is None:
            raise ValueError(f"unknown distribution {unc.distribution!r}")
        out["kind"][i] = kind
        if kind == LOGNORMAL:
            out["scale"][i] = np.log(unc.gsd) if unc.gsd else float(unc.sd or 0.0)
            with np.errstate(divide="ignore"):
                out["loc"][i] = np.log(abs(base))
            out["sign"][i] = -1.0 if base < 0 else 1.0
        elif kind == NORMAL:
            out["loc"][i] = base
            out["scale"][i] = float(unc.sd or 0.0) * abs(factor)
        else:
            low, high = float(unc.minimum) * factor, float(unc.maximum) * factor
            out["low"][i], out["high"][i] = min(low, high), max(low, high)
            out["loc"][i] = base
    out["varies"] = varying(out["kind"], out["scale"], out["low"], out["high"])
    return out


def sample_flows(
    flows: Sequence[Flow],
    seed: int,
    start: int,
    stop: int,
    parameters: dict[str, np.ndarray] | None = None,
    bases: np.ndarray | None = None,
) -> np.ndarray:
    """Amounts of iterations ``start..stop-1`` (rows) of every flow (columns), in reference
    units; a certain flow keeps its amount. Each uncertain flow draws from its own keyed
    stream (:mod:`scenat.uncertainty.draws`), so any chunk gives the same numbers."""
    p = parameters or flow_parameters(flows)
    out = np.repeat(p["base"][None, :], stop - start, axis=0)
    where = np.flatnonzero(p["varies"])
    if len(where):
        if bases is None:
            bases = key_bases([flow_key(flows[i]) for i in where], seed)
        out[:, where] = uncertain_draws(p, where, bases, start, stop)
    return out


def uncertain_draws(
    parameters: dict[str, np.ndarray], where: np.ndarray, bases: np.ndarray, start: int, stop: int
) -> np.ndarray:
    """Amounts of iterations ``start..stop-1`` (rows) of the flows ``where`` (columns, indices
    into :func:`flow_parameters`' arrays), each from its keyed stream ``bases``."""
    p = parameters
    return keyed_samples(
        bases,
        start,
        stop,
        p["kind"][where],
        p["loc"][where],
        p["scale"][where],
        p["low"][where],
        p["high"][where],
        p["sign"][where],
    )


def sample_flow(flow: Flow, iterations: int, seed: int) -> np.ndarray:
    """Samples of a flow's amount in its input's reference unit (the amount itself if certain).

    Conventions: lognormal ``amount`` is the median, spread ``gsd`` (or ``sd`` of ln);
    normal ``amount`` is the mean; triangular ``amount`` is the mode; uniform ignores it.
    The draws are the flow's keyed stream (seed and :func:`flow_key`).

    >>> from scenat.model.case import Flow, Uncertainty
    >>> f = Flow("n", "emission", "co2_fossil", 2.0, "t", 2000.0, "kg",
    ...          uncertainty=Uncertainty("uniform", minimum=1.0, maximum=3.0))
    >>> s = sample_flow(f, 5, seed=1)
    >>> bool(((s >= 1000) & (s <= 3000)).all()), s.tolist() == sample_flow(f, 5, 1).tolist()
    (True, True)
    """
    return sample_flows([flow], seed, 0, iterations)[:, 0]
