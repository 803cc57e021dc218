"""Monte Carlo over the workbook's uncertainty columns, partitioned around a fixed background.

The background never buys from the foreground, so the linked system is block triangular:
the foreground block ``A_ff`` (small, dense) and the background block (large, sparse, fixed).
Each iteration samples the uncertain foreground amounts, solves the small foreground
system, and scores what it buys with the background's cradle-to-gate intensities
``s = c B A^-1``, computed once with the kept factorisation. That is exact, not an
approximation, and the background is never factorised again.

Draws are tied to the flow they belong to (a seed derived from the run's seed and the
flow's :func:`flow_key`: its node, kind and input, and which row of them it is), so two
cases that share a flow share its draws: comparisons use common random numbers, and the
same seed always gives the same samples. Two rows of the same input are two measurements
and get draws of their own; a row keeps its draws when its amount is edited or other rows
are added before it.

Uncertainty stored in background databases is not sampled here (the shipped inventories
carry none); results say so in ``background_uncertainty``. :mod:`scenat.uncertainty.background`
samples it, with the same foreground draws for the same seed, and :mod:`scenat.distributed.runs`
runs either on Dask.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from scenat.brightway.link import link
from scenat.calc.foreground import ForegroundModel, foreground_model, solve_foreground
from scenat.calc.linked import LinkedSystem
from scenat.model.case import Case, Flow
from scenat.model.indicators import Indicator, resolve

Progress = Callable[[int, int], None]
QUANTILES = (0.05, 0.5, 0.95)


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


def _flow_seed(seed: int, key: str) -> np.random.SeedSequence:
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little")
    return np.random.SeedSequence([seed, digest])


def sample_flow(flow: Flow, iterations: int, seed: int) -> np.ndarray:
    """Samples of a flow's amount in its input's reference unit (the amount itself if certain).

    Conventions: lognormal ``amount`` is the median, spread ``gsd`` (or ``sd`` of ln);
    normal ``amount`` is the mean; triangular ``amount`` is the mode; uniform ignores it.

    >>> from scenat.model.case import Flow, Uncertainty
    >>> f = Flow("n", "emission", "co2_fossil", 2.0, "t", 2000.0, "kg",
    ...          uncertainty=Uncertainty("uniform", minimum=1.0, maximum=3.0))
    >>> s = sample_flow(f, 5, seed=1)
    >>> bool(((s >= 1000) & (s <= 3000)).all()), s.tolist() == sample_flow(f, 5, 1).tolist()
    (True, True)
    """
    base = flow.amount_in_reference
    unc = flow.uncertainty
    if unc is None:
        return np.full(iterations, base)
    rng = np.random.default_rng(_flow_seed(seed, flow_key(flow)))
    factor = base / flow.amount if flow.amount else 1.0  # unit conversion of the amount
    if unc.distribution == "lognormal":
        sigma = np.log(unc.gsd) if unc.gsd else float(unc.sd)
        return base * np.exp(sigma * rng.standard_normal(iterations))
    if unc.distribution == "normal":
        return base + float(unc.sd) * factor * rng.standard_normal(iterations)
    low, high = float(unc.minimum) * factor, float(unc.maximum) * factor
    if unc.distribution == "uniform":
        return low + (high - low) * rng.random(iterations)
    if unc.distribution == "triangular":
        mode = min(max(base, low), high)
        if high == low:
            return np.full(iterations, base)
        # Inverse CDF of the triangular distribution on uniforms: one uniform per draw, as
        # the other distributions use one normal per draw.
        u = rng.random(iterations)
        cut = (mode - low) / (high - low)
        left = low + np.sqrt(u * (high - low) * (mode - low))
        right = high - np.sqrt((1 - u) * (high - low) * (high - mode))
        return np.where(u < cut, left, right)
    raise ValueError(f"unknown distribution {unc.distribution!r}")


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
class UncertaintyResult:
    """Samples and summaries of a Monte Carlo run."""

    indicators: list[Indicator]
    deterministic: dict[str, float]
    totals: dict[str, np.ndarray]  # indicator -> samples
    node_values: dict[str, np.ndarray]  # indicator -> iterations x nodes
    nodes: list[str]
    seed: int
    iterations: int
    uncertain_flows: int
    background_uncertainty: str = (
        "not sampled (the shipped inventories carry none; scenat.uncertainty.background "
        "samples databases that do)"
    )
    notes: list[str] = field(default_factory=list)

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
        """Per node: share of the total as mean, sd and 5th/50th/95th percentiles."""
        values = self.node_values[indicator_id]
        totals = self.totals[indicator_id][:, None]
        share = np.divide(values, totals, out=np.zeros_like(values), where=totals != 0)
        q = np.quantile(share, QUANTILES, axis=0)
        return pl.DataFrame(
            {
                "key": self.nodes,
                "mean_share": share.mean(axis=0),
                "sd_share": share.std(axis=0, ddof=1) if len(share) > 1 else 0.0 * share[0],
                "p5_share": q[0],
                "p50_share": q[1],
                "p95_share": q[2],
            }
        ).sort("mean_share", descending=True)

    def samples(self) -> pl.DataFrame:
        """One row per iteration, one column per indicator total (for export)."""
        return pl.DataFrame(
            {"iteration": np.arange(self.iterations), **{k: v for k, v in self.totals.items()}}
        )


def score_samples(
    model: ForegroundModel, chosen: list[Indicator], amounts: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Totals and node values per indicator for sampled amounts (iterations x flows).

    The unit of work of :func:`monte_carlo`; :mod:`scenat.distributed.runs` runs the same
    function on the same chunks, so both give identical numbers for the same seed.
    """
    owner = np.zeros((len(model.flows), len(model.nodes)))  # flow -> node it belongs to
    owner[np.arange(len(model.flows)), model.node_of_flow] = 1.0
    supply = solve_foreground(model, amounts)
    runs = supply[:, model.node_of_flow]  # supply of each flow's node
    totals, node_values = {}, {}
    for ind in chosen:
        by_node = (amounts * runs * model.weights[ind.id]) @ owner
        node_values[ind.id] = by_node
        totals[ind.id] = by_node.sum(axis=1)
    return totals, node_values


def monte_carlo(
    case: Case,
    iterations: int = 1000,
    seed: int = 42,
    indicators: list[str] | None = None,
    progress: Progress | None = None,
    chunk: int = 500,
    linked: LinkedSystem | None = None,
) -> UncertaintyResult:
    """Sample the case's uncertain amounts; totals and node contributions per iteration."""
    chosen = resolve(indicators)
    linked = linked or link(case, indicators=chosen)
    model = foreground_model(case, linked, chosen)
    samples = (
        np.column_stack([sample_flow(f, iterations, seed) for f in model.flows])
        if (model.flows)
        else np.zeros((iterations, 0))
    )
    totals = {ind.id: np.zeros(iterations) for ind in chosen}
    node_values = {ind.id: np.zeros((iterations, len(model.nodes))) for ind in chosen}
    done = 0
    while done < iterations:
        stop = min(done + chunk, iterations)
        chunk_totals, chunk_nodes = score_samples(model, chosen, samples[done:stop])
        for ind in chosen:
            node_values[ind.id][done:stop] = chunk_nodes[ind.id]
            totals[ind.id][done:stop] = chunk_totals[ind.id]
        done = stop
        if progress:
            progress(done, iterations)
    deterministic = {ind.id: linked.total(ind.id) for ind in chosen}
    return UncertaintyResult(
        indicators=chosen,
        deterministic=deterministic,
        totals=totals,
        node_values=node_values,
        nodes=model.nodes,
        seed=seed,
        iterations=iterations,
        uncertain_flows=sum(f.uncertainty is not None for f in model.flows),
    )
