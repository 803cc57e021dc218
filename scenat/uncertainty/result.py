"""The result of a Monte Carlo run: per-indicator samples, streamed node statistics and the
inputs kept for global sensitivity (:meth:`UncertaintyResult.drivers`).

Memory is bounded by what is kept: the totals (iterations x indicators), the node values of
at most :data:`KEPT_NODES` nodes per indicator (the largest deterministic contributors; all
nodes of smaller cases), the sampled values of at most :data:`DRIVER_INPUTS` screened
inputs per indicator, and running mean and variance of every node's value and share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from scenat.model.indicators import Indicator
from scenat.uncertainty.sensitivity import src_squared

#: progress callback: (iterations done, iterations in all)
Progress = Callable[[int, int], None]
QUANTILES = (0.05, 0.5, 0.95)
#: nodes per indicator whose every sample is kept (share quantiles); the others get
#: running mean and sd only
KEPT_NODES = 50
#: screened inputs per indicator kept for the regression of its variance drivers
DRIVER_INPUTS = 40
POINT = "no uncertain inputs: the interval is a point"


def sample_statistics(samples: np.ndarray) -> dict[str, float]:
    """Mean, sd (n - 1) and 5th/50th/95th percentiles of Monte Carlo samples.

    >>> sample_statistics(np.array([1.0, 2.0, 3.0]))["p50"]
    2.0
    """
    q = np.quantile(samples, QUANTILES)
    return {
        "mean": float(samples.mean()),
        "sd": float(samples.std(ddof=1)) if len(samples) > 1 else 0.0,
        "p5": float(q[0]),
        "p50": float(q[1]),
        "p95": float(q[2]),
    }


@dataclass
class RunningMoments:
    """Count, mean and sum of squared deviations of columns, merged chunk by chunk
    (Chan, Golub and LeVeque 1979: ``M2 = M2_a + M2_b + d^2 n_a n_b / n``, ``d`` the
    difference of the chunk means), so no sample has to be kept."""

    count: int
    mean: np.ndarray
    m2: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray) -> RunningMoments:
        mean = values.mean(axis=0)
        deviation = values - mean
        np.square(deviation, out=deviation)  # one temporary, not three
        return cls(len(values), mean, deviation.sum(axis=0))

    def merge(self, other: RunningMoments) -> RunningMoments:
        n = self.count + other.count
        if not other.count:
            return self
        if not self.count:
            return other
        delta = other.mean - self.mean
        mean = self.mean + delta * (other.count / n)
        m2 = self.m2 + other.m2 + delta**2 * (self.count * other.count / n)
        return RunningMoments(n, mean, m2)

    @property
    def sd(self) -> np.ndarray:
        if self.count < 2:
            return np.zeros_like(self.mean)
        return np.sqrt(self.m2 / (self.count - 1))


@dataclass
class DriverInputs:
    """Screened inputs of one indicator and their samples (iterations x inputs)."""

    keys: list[str]
    labels: list[str]
    kinds: list[str]  # "foreground flow" or "background exchange"
    linear_share: np.ndarray  # screening: g^2 var / sum over all uncertain inputs
    samples: np.ndarray


@dataclass
class UncertaintyResult:
    """Samples and summaries of a Monte Carlo run.

    ``totals[indicator]`` holds every iteration's total; ``node_values[indicator]`` the
    samples of the nodes ``kept_nodes[indicator]`` (indices into ``nodes``; every node for
    cases of up to :data:`KEPT_NODES` nodes); ``node_moments`` and ``share_moments`` the running
    mean and variance of every node's value and share of the total.
    """

    indicators: list[Indicator]
    deterministic: dict[str, float]
    totals: dict[str, np.ndarray]
    node_values: dict[str, np.ndarray]
    nodes: list[str]
    seed: int
    iterations: int
    uncertain_flows: int
    background_uncertainty: str = "not sampled"
    notes: list[str] = field(default_factory=list)
    uncertain_exchanges: int = 0
    background_sampled: bool = False
    kept_nodes: dict[str, np.ndarray] = field(default_factory=dict)
    node_moments: dict[str, RunningMoments] = field(default_factory=dict)
    share_moments: dict[str, RunningMoments] = field(default_factory=dict)
    driver_inputs: dict[str, DriverInputs] = field(default_factory=dict)
    solver: dict[str, Any] = field(default_factory=dict)

    @property
    def anything_uncertain(self) -> bool:
        """Whether any input of the run was sampled (else every iteration is the same)."""
        return bool(self.uncertain_flows or self.uncertain_exchanges)

    @property
    def statement(self) -> str:
        """What was sampled, in words (:data:`POINT` when nothing was)."""
        if not self.anything_uncertain:
            return POINT
        parts = [f"{self.uncertain_flows:,} uncertain foreground flows"]
        if self.background_sampled:
            parts.append(f"{self.uncertain_exchanges:,} uncertain background exchanges")
        else:
            parts.append(f"background fixed ({self.background_uncertainty})")
        return "; ".join(parts)

    def summary(self) -> pl.DataFrame:
        """Per indicator: deterministic value, mean, sd, 5th/50th/95th percentiles."""
        rows = []
        for ind in self.indicators:
            rows.append(
                {
                    "indicator": ind.id,
                    "unit": ind.unit,
                    "deterministic": self.deterministic[ind.id],
                    **sample_statistics(self.totals[ind.id]),
                }
            )
        return pl.DataFrame(rows)

    def hotspot_summary(self, indicator_id: str) -> pl.DataFrame:
        """Per node: share of the total as mean, sd and 5th/50th/95th percentiles (the
        percentiles for the nodes whose samples were kept, null for the others)."""
        n = len(self.nodes)
        moments = self.share_moments.get(indicator_id)
        kept = self.kept_nodes.get(indicator_id, np.arange(n))
        quantiles = np.full((3, n), np.nan)
        if len(kept):
            values = self.node_values[indicator_id]
            totals = self.totals[indicator_id][:, None]
            share = np.divide(values, totals, out=np.zeros_like(values), where=totals != 0)
            quantiles[:, kept] = np.quantile(share, QUANTILES, axis=0)
            if moments is None:
                moments = RunningMoments.of(share)
        frame = pl.DataFrame(
            {
                "key": self.nodes,
                "mean_share": moments.mean if moments else np.zeros(n),
                "sd_share": moments.sd if moments else np.zeros(n),
                "p5_share": quantiles[0],
                "p50_share": quantiles[1],
                "p95_share": quantiles[2],
            }
        ).with_columns(pl.col("p5_share", "p50_share", "p95_share").fill_nan(None))
        return frame.sort("mean_share", descending=True)

    def drivers(self, indicator_id: str, top: int = 10) -> pl.DataFrame:
        """The inputs that drive the variance of an indicator's total, largest first.

        Columns: ``input`` (label), ``key``, ``kind`` (foreground flow or background
        exchange), ``src`` and ``src2`` (standardised regression coefficient and its
        square, :func:`scenat.uncertainty.sensitivity.src_squared` over the screened inputs)
        and ``r2``, the share of the variance the linear model explains (the same on every
        row). Background exchanges with the same process and exchange label are one input.
        Empty when nothing was uncertain.
        """
        found = self.driver_inputs.get(indicator_id)
        schema = {
            "input": pl.String,
            "key": pl.String,
            "kind": pl.String,
            "src": pl.Float64,
            "src2": pl.Float64,
            "r2": pl.Float64,
        }
        if found is None or not found.keys:
            return pl.DataFrame(schema=schema)
        columns, fit = self._fit(found, indicator_id)
        frame = pl.DataFrame(
            {
                "input": [found.labels[i] for i in columns],
                "key": [found.keys[i] for i in columns],
                "kind": [found.kinds[i] for i in columns],
                "src": fit.src,
                "src2": fit.src2,
                "r2": np.full(len(columns), fit.r2),
            },
            schema=schema,
        )
        return frame.sort("src2", descending=True, nulls_last=True).head(top)

    def r2(self, indicator_id: str) -> float:
        """R^2 of the linear model behind :meth:`drivers` (0 when nothing varies)."""
        found = self.driver_inputs.get(indicator_id)
        if found is None or not found.keys:
            return 0.0
        return self._fit(found, indicator_id)[1].r2

    def _fit(self, found: DriverInputs, indicator_id: str) -> tuple[np.ndarray, Any]:
        # at least five iterations per regressor: with few iterations only the inputs with
        # the largest screened variance shares enter the regression
        room = max(1, self.iterations // 5)
        columns = np.argsort(-np.asarray(found.linear_share), kind="stable")[:room]
        columns = np.sort(columns)
        return columns, src_squared(found.samples[:, columns], self.totals[indicator_id])

    def samples(self) -> pl.DataFrame:
        """One row per iteration, one column per indicator total (for export)."""
        return pl.DataFrame(
            {"iteration": np.arange(self.iterations), **{k: v for k, v in self.totals.items()}}
        )
