"""Monte Carlo with background exchange uncertainty, without re-factorising per sample.

bw2calc's Monte Carlo (``use_distributions=True``) samples every uncertain exchange and
factorises the whole technosphere again for every iteration: on a 20,000-process
background that is about half a second per sample. Here each sampled technosphere
``A_k`` is solved with the factorisation of the deterministic ``A`` as a preconditioner
(:meth:`scenat.calc.solver.FactorisedSystem.solve_perturbed`): a few solves with the kept LU,
each checked by its componentwise backward error against the accuracy of a direct solve,
with GMRES and finally a direct factorisation of ``A_k`` as fall-backs. The result of each
sample is therefore as accurate as a direct solve, not an approximation.

Distributions follow stats_arrays / bw_processing conventions (the ``distributions_array``
of a Brightway datapackage): type 0/1 fixed, 2 lognormal (``loc`` = ln of the median
magnitude, ``scale`` = sigma, ``negative`` flag), 3 normal, 4 uniform, 5 triangular (``loc``
is the mode); other types are drawn by stats_arrays itself. A zero ``scale`` is no
uncertainty: the entry keeps its amount exactly, so zero spread reproduces the
deterministic result to the last digit.

Draws are seeded per iteration (``SeedSequence([seed, iteration])``), so any chunk of
iterations can be computed anywhere (one process, or Dask workers) and gives the same
numbers. Foreground flows of a case are sampled as :mod:`scenat.uncertainty.flows` samples them
(keyed by flow), so the foreground draws equal the foreground-only Monte Carlo's for the
same seed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy import sparse
from scipy.sparse.linalg import splu

from scenat.calc.solver import FactorisedSystem

__all__ = [
    "BackgroundResult",
    "UncertainMatrix",
    "UncertainSystem",
    "case_system",
    "monte_carlo",
    "run_iterations",
]

Progress = Callable[[int, int], None]

UNCERTAINTY_DTYPE = np.dtype(
    [
        ("uncertainty_type", np.uint8),
        ("loc", np.float64),
        ("scale", np.float64),
        ("shape", np.float64),
        ("minimum", np.float64),
        ("maximum", np.float64),
        ("negative", bool),
    ]
)
FIXED, LOGNORMAL, NORMAL, UNIFORM, TRIANGULAR = (1, 2, 3, 4, 5)
#: direct solves of sampled matrices that set the accuracy every sample must reach
CALIBRATION_SAMPLES = 2
CALIBRATION_SEED = 0x5CE1A7
#: from this many products up, "auto" preconditions with a reordered LU
REORDER_FROM = 5000


def no_uncertainty(count: int) -> np.ndarray:
    params = np.zeros(count, dtype=UNCERTAINTY_DTYPE)
    for name in ("loc", "scale", "shape", "minimum", "maximum"):
        params[name] = np.nan
    return params


def lognormal(amounts: np.ndarray, gsd: float | np.ndarray) -> np.ndarray:
    """Lognormal parameters with median ``|amount|`` and geometric sd ``gsd``."""
    amounts = np.asarray(amounts, dtype=float)
    params = no_uncertainty(len(amounts))
    params["uncertainty_type"] = LOGNORMAL
    with np.errstate(divide="ignore"):
        params["loc"] = np.log(np.abs(amounts))
    params["scale"] = np.log(gsd)
    params["negative"] = amounts < 0
    return params


@dataclass
class UncertainMatrix:
    """Entries of a sparse matrix, each with a distribution, summed into one CSR structure.

    Several entries may share a cell (a production exchange and a self-input, two
    databases); each is sampled on its own and the cell holds their sum. ``sign`` is -1 for
    entries stored as positive and flipped into the matrix (technosphere inputs).
    """

    shape: tuple[int, int]
    indptr: np.ndarray
    indices: np.ndarray
    position: np.ndarray  # entry -> index into the CSR data
    amount: np.ndarray  # entry value as stored (before the sign)
    sign: np.ndarray
    params: np.ndarray  # UNCERTAINTY_DTYPE per entry
    _groups: dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    _lognormal: tuple[np.ndarray, ...] = field(default=(), repr=False)

    @classmethod
    def from_entries(
        cls,
        rows: np.ndarray,
        cols: np.ndarray,
        amount: np.ndarray,
        shape: tuple[int, int],
        params: np.ndarray | None = None,
        flip: np.ndarray | None = None,
    ) -> UncertainMatrix:
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        amount = np.asarray(amount, dtype=np.float64)
        sign = (
            np.where(np.asarray(flip, dtype=bool), -1.0, 1.0)
            if flip is not None
            else (np.ones(len(amount)))
        )
        params = no_uncertainty(len(amount)) if params is None else np.asarray(params)
        # CSR structure of the summed matrix; position of each entry in its data array
        linear = rows * shape[1] + cols
        unique, position = np.unique(linear, return_inverse=True)
        u_rows, u_cols = unique // shape[1], unique % shape[1]
        indptr = np.zeros(shape[0] + 1, dtype=np.int64)
        np.add.at(indptr, u_rows + 1, 1)
        indptr = np.cumsum(indptr)
        matrix = cls(shape, indptr, u_cols.astype(np.int32), position, amount, sign, params)
        matrix._group()
        return matrix

    def _group(self) -> None:
        kind = self.params["uncertainty_type"].astype(int)
        spread = self.params["scale"]
        varies = np.ones(len(kind), dtype=bool)
        # zero spread is no uncertainty: the stored amount is kept exactly
        varies &= ~(np.isin(kind, (LOGNORMAL, NORMAL)) & ~(np.nan_to_num(spread) > 0))
        varies &= ~np.isin(kind, (0, FIXED))
        bounded = (kind == UNIFORM) | (kind == TRIANGULAR)
        varies &= ~(bounded & ~(self.params["maximum"] > self.params["minimum"]))
        self._groups = {
            int(k): np.flatnonzero(varies & (kind == k)) for k in np.unique(kind[varies])
        }
        # lognormal draws are most of the work: their parameters ready as arrays
        where = self._groups.get(LOGNORMAL)
        if where is not None:
            loc = self.params["loc"][where]
            loc = np.where(np.isnan(loc), np.log(np.abs(self.amount[where])), loc)
            sign = np.where(self.params["negative"][where], -1.0, 1.0)
            self._lognormal = (where, loc, self.params["scale"][where].astype(float), sign)

    @property
    def uncertain(self) -> int:
        return int(sum(len(v) for v in self._groups.values()))

    def values(self, sampled: np.ndarray | None = None) -> np.ndarray:
        """CSR data: entry values signed and summed per cell (deterministic without ``sampled``)."""
        entries = self.amount if sampled is None else sampled
        return np.bincount(self.position, weights=entries * self.sign, minlength=len(self.indices))

    def matrix(self, data: np.ndarray | None = None) -> sparse.csr_matrix:
        data = self.values() if data is None else data
        return sparse.csr_matrix((data, self.indices, self.indptr), shape=self.shape)

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        """One draw of every entry (as stored, before the sign)."""
        out = self.amount.copy()
        p = self.params
        for kind, where in self._groups.items():
            if kind == LOGNORMAL:
                where, loc, scale, sign = self._lognormal
                draw = rng.standard_normal(len(where))
                draw *= scale
                draw += loc
                np.exp(draw, out=draw)
                draw *= sign
                out[where] = draw
            elif kind == NORMAL:
                loc = np.where(np.isnan(p["loc"][where]), out[where], p["loc"][where])
                out[where] = loc + p["scale"][where] * rng.standard_normal(len(where))
            elif kind == UNIFORM:
                low, high = p["minimum"][where], p["maximum"][where]
                out[where] = low + (high - low) * rng.random(len(where))
            elif kind == TRIANGULAR:
                low, high = p["minimum"][where], p["maximum"][where]
                mode = np.where(np.isnan(p["loc"][where]), out[where], p["loc"][where])
                mode = np.clip(mode, low, high)
                u = rng.random(len(where))
                cut = (mode - low) / (high - low)
                left = low + np.sqrt(u * (high - low) * (mode - low))
                right = high - np.sqrt((1 - u) * (high - low) * (high - mode))
                out[where] = np.where(u < cut, left, right)
            else:
                out[where] = _stats_arrays_draw(p[where], kind, rng)
        return out


def _stats_arrays_draw(params: np.ndarray, kind: int, rng: np.random.Generator) -> np.ndarray:
    from stats_arrays import uncertainty_choices

    distribution = uncertainty_choices[kind]
    seeded = np.random.RandomState(int(rng.integers(2**31 - 1)))
    full = np.zeros(
        len(params),
        dtype=distribution.params_dtype if hasattr(distribution, "params_dtype") else params.dtype,
    )
    for name in params.dtype.names:
        if name in (full.dtype.names or ()):
            full[name] = params[name]
    return distribution.random_variables(full, 1, seeded_random=seeded).ravel()


@dataclass
class UncertainSystem:
    """A linked system whose technosphere and biosphere entries carry distributions.

    ``foreground`` optionally holds flow samples drawn per run (iterations x flows) and, for
    each, where it enters: ``(matrix, entry index)`` (see :func:`case_system`).
    """

    technosphere: UncertainMatrix
    biosphere: UncertainMatrix
    cf: dict[str, np.ndarray]
    demand: np.ndarray
    solver: FactorisedSystem | None = None
    foreground_sampler: Callable[[int, int], dict[str, np.ndarray]] | None = None
    labels: dict[str, Any] = field(default_factory=dict)
    #: "kept": precondition with the deterministic factorisation itself; "reordered": with a
    #: second, sparser LU of the same matrix (:meth:`FactorisedSystem.reordered`: seconds to
    #: make, each solve several times cheaper); "auto": reordered from REORDER_FROM products
    preconditioner: str = "auto"
    _base: dict[str, Any] = field(default_factory=dict, repr=False)

    def base(self) -> dict[str, Any]:
        """Deterministic matrices, factorisation, supply and tolerance (made once)."""
        if not self._base:
            a = self.technosphere.matrix()
            solver = self.solver or FactorisedSystem.from_matrix(a)
            supply = solver.solve(self.demand)
            from scenat.calc.solver import EPS, backward_error

            direct = backward_error(a, supply, self.demand)
            # The accuracy to match: the largest backward error of direct solves of this
            # system, the deterministic matrix and CALIBRATION_SAMPLES sampled ones (drawn
            # with their own seeds, so the tolerance never depends on a run's seed).
            for i in range(CALIBRATION_SAMPLES if self.technosphere.uncertain else 0):
                rng = np.random.default_rng(np.random.SeedSequence([CALIBRATION_SEED, i]))
                sample = self.technosphere.matrix(
                    self.technosphere.values(self.technosphere.sample(rng))
                )
                x = splu(sample.T.tocsc()).solve(self.demand, trans="T")
                direct = max(direct, backward_error(sample, x, self.demand))
            use = self.preconditioner
            if use == "auto":
                use = "reordered" if a.shape[0] >= REORDER_FROM else "kept"
            self._base = {
                "A": a,
                "B": self.biosphere.matrix(),
                "solver": solver,
                "preconditioner": solver.reordered() if use == "reordered" else solver,
                "supply": supply,
                "direct_backward_error": direct,
                "tolerance": max(4 * EPS, direct),
            }
        return self._base

    def __getstate__(self) -> dict[str, Any]:
        # A factorisation does not pickle: a process receiving the system makes its own.
        state = dict(self.__dict__)
        if state.get("solver") is not None or state.get("_base"):
            state["solver"] = None
            state["_base"] = {}
        return state

    def deterministic(self) -> dict[str, float]:
        base = self.base()
        inventory = base["B"] @ base["supply"]
        return {k: float(v @ inventory) for k, v in self.cf.items()}


@dataclass
class BackgroundResult:
    """Samples of a background Monte Carlo and how every sample was solved."""

    totals: dict[str, np.ndarray]
    deterministic: dict[str, float]
    seed: int
    iterations: int
    methods: np.ndarray  # per iteration: "refinement", "gmres", "direct"
    solves: np.ndarray  # per iteration: solves with the kept factorisation
    backward_errors: np.ndarray
    tolerance: float
    direct_backward_error: float
    uncertain_exchanges: int
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> pl.DataFrame:
        from scenat.uncertainty.result import sample_statistics

        rows = []
        for key, samples in self.totals.items():
            rows.append(
                {
                    "indicator": key,
                    "deterministic": self.deterministic[key],
                    **sample_statistics(samples),
                }
            )
        return pl.DataFrame(rows)

    def solver_summary(self) -> dict[str, Any]:
        methods, counts = np.unique(self.methods, return_counts=True)
        return {
            "methods": dict(zip(methods.tolist(), counts.tolist())),
            "mean_solves": float(self.solves.mean()) if len(self.solves) else 0.0,
            "max_backward_error": float(self.backward_errors.max(initial=0.0)),
            "tolerance": self.tolerance,
            "direct_backward_error": self.direct_backward_error,
        }


def iteration_rng(seed: int, iteration: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, iteration]))


def run_iterations(
    system: UncertainSystem,
    start: int,
    stop: int,
    seed: int,
    progress: Progress | None = None,
    batch: int = 8,
) -> dict[str, Any]:
    """Iterations ``start..stop-1`` of a run: totals per indicator and solver records.

    The unit of work a Dask task runs; the same (seed, iteration) always gives the same draw
    and, solved in batches of ``batch`` samples that share each LU solve, the same result
    (a sample's iteration does not depend on the others in its batch).
    """
    base = system.base()
    solver: FactorisedSystem = base["preconditioner"]
    tolerance = base["tolerance"]
    count = stop - start
    totals = {k: np.zeros(count) for k in system.cf}
    methods = np.empty(count, dtype=object)
    solves = np.zeros(count, dtype=np.int64)
    errors = np.zeros(count)
    foreground = system.foreground_sampler(start, stop) if system.foreground_sampler else {}
    for first in range(0, count, batch):
        last = min(first + batch, count)
        matrices, biospheres = [], []
        for i in range(first, last):
            rng = iteration_rng(seed, start + i)
            tech = system.technosphere.sample(rng)
            bio = system.biosphere.sample(rng)
            if foreground:
                tech[foreground["tech_entries"]] = foreground["tech"][i]
                bio[foreground["bio_entries"]] = foreground["bio"][i]
            matrices.append(system.technosphere.matrix(system.technosphere.values(tech)))
            biospheres.append(system.biosphere.matrix(system.biosphere.values(bio)))
        solved = solver.solve_perturbed_many(
            matrices, system.demand, x0=base["supply"], tolerance=tolerance
        )
        for i, result, b in zip(range(first, last), solved, biospheres):
            inventory = b @ result.x
            for key, cf in system.cf.items():
                totals[key][i] = float(cf @ inventory)
            methods[i] = result.method
            solves[i] = result.iterations
            errors[i] = result.backward_error
        if progress:
            progress(last, count)
    return {
        "start": start,
        "stop": stop,
        "totals": totals,
        "methods": methods,
        "solves": solves,
        "backward_errors": errors,
        "deterministic": system.deterministic(),
        "tolerance": tolerance,
        "direct_backward_error": base["direct_backward_error"],
        "uncertain_exchanges": system.technosphere.uncertain + system.biosphere.uncertain,
    }


def combine(parts: Sequence[dict[str, Any]], seed: int) -> BackgroundResult:
    """Chunks of :func:`run_iterations` (any order) -> one result in iteration order."""
    parts = sorted(parts, key=lambda p: p["start"])
    first = parts[0]
    return BackgroundResult(
        totals={k: np.concatenate([p["totals"][k] for p in parts]) for k in first["totals"]},
        deterministic=first["deterministic"],
        seed=seed,
        iterations=sum(p["stop"] - p["start"] for p in parts),
        methods=np.concatenate([p["methods"] for p in parts]),
        solves=np.concatenate([p["solves"] for p in parts]),
        backward_errors=np.concatenate([p["backward_errors"] for p in parts]),
        tolerance=first["tolerance"],
        direct_backward_error=first["direct_backward_error"],
        uncertain_exchanges=first["uncertain_exchanges"],
    )


def monte_carlo(
    system: UncertainSystem,
    iterations: int = 1000,
    seed: int = 42,
    progress: Progress | None = None,
    chunk: int = 50,
) -> BackgroundResult:
    """Run ``iterations`` samples of an :class:`UncertainSystem` in this process."""
    started = time.perf_counter()
    parts = []
    for start in range(0, iterations, chunk):
        stop = min(start + chunk, iterations)
        parts.append(run_iterations(system, start, stop, seed))
        if progress:
            progress(stop, iterations)
    result = combine(parts, seed)
    result.seconds = time.perf_counter() - started
    return result


# --- a case on the Brightway project --------------------------------------------------------


def case_system(
    case: Any,
    indicators: Sequence[str] | None = None,
    default_gsd: float | None = None,
    iterations: int = 1000,
    seed: int = 42,
    foreground: bool = True,
    background: bool = True,
) -> UncertainSystem:
    """The case linked to the project's background, every exchange with its distribution.

    Background exchanges keep the distributions stored in their databases; with
    ``default_gsd`` every background exchange that has none (production exchanges
    excepted) gets a lognormal with that geometric sd (a screening assumption, stated in
    the result). Foreground flows are drawn with :func:`scenat.uncertainty.flows.sample_flow`
    for ``iterations`` runs and ``seed`` (``foreground=False`` keeps them fixed;
    ``background=False`` keeps the background's stored distributions out, so only the
    foreground varies, as in :mod:`scenat.uncertainty.foreground`).
    """
    from scenat.brightway.link import background_entries, foreground_entries, link
    from scenat.model.indicators import resolve
    from scenat.uncertainty.flows import sample_flow

    chosen = resolve(list(indicators) if indicators else None)
    linked = link(case, indicators=chosen)
    n, m = linked.technosphere.shape[0], linked.biosphere.shape[0]
    entries: dict[str, list[Any]] = {"technosphere": [], "biosphere": []}
    for name, blocks in background_entries(linked).items():
        for (rows, cols, amount, flip, distributions), is_reference in blocks:
            params = (
                _as_params(distributions)
                if distributions is not None and background
                else no_uncertainty(len(rows))
            )
            if default_gsd is not None:
                none = np.isin(params["uncertainty_type"], (0, FIXED)) & ~is_reference
                none &= amount != 0
                params[none] = lognormal(amount[none], default_gsd)
            entries[name].append((rows, cols, amount, flip, params))
    # The foreground: production entries fixed, one entry per flow, as the link made them;
    # sampled per flow by scenat.uncertainty.flows.sample_flow.
    offsets = {name: sum(len(e[0]) for e in entries[name]) for name in entries}
    for name, (rows, cols, amount, flip, _none) in foreground_entries(linked).items():
        entries[name].append((rows, cols, amount, flip, no_uncertainty(len(rows))))
    flow_entries = linked.source.foreground.flow_entries
    uncertain = {"technosphere": [], "biosphere": []}
    positions: dict[str, list[int]] = {"technosphere": [], "biosphere": []}
    for flow, (name, index) in zip(case.flows, flow_entries):
        uncertain[name].append(flow)
        positions[name].append(offsets[name] + index)

    def stack(parts: list[Any], shape: tuple[int, int]) -> UncertainMatrix:
        return UncertainMatrix.from_entries(
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
            shape,
            np.concatenate([p[4] for p in parts]),
            np.concatenate([p[3] for p in parts]),
        )

    technosphere = stack(entries["technosphere"], (n, n))
    biosphere = stack(entries["biosphere"], (m, n))
    tech_entries = np.array(positions["technosphere"], dtype=np.int64)
    bio_entries = np.array(positions["biosphere"], dtype=np.int64)

    def sampler(start: int, stop: int) -> dict[str, np.ndarray]:
        # sample_flow draws a stream per flow: the first `stop` draws, then the chunk.
        def draws(flow_list: list[Any]) -> np.ndarray:
            if not flow_list:
                return np.zeros((stop - start, 0))
            return np.column_stack([sample_flow(f, stop, seed)[start:stop] for f in flow_list])

        return {
            "tech_entries": tech_entries,
            "tech": draws(uncertain["technosphere"]),
            "bio_entries": bio_entries,
            "bio": draws(uncertain["biosphere"]),
        }

    has_foreground = foreground and any(f.uncertainty is not None for f in case.flows)
    return UncertainSystem(
        technosphere=technosphere,
        biosphere=biosphere,
        cf=linked.cf,
        demand=linked.demand,
        solver=linked.solver,
        foreground_sampler=sampler if has_foreground else None,
        labels={
            "case": case.name,
            "default_gsd": default_gsd,
            "foreground_sampled": has_foreground,
        },
    )


def _as_params(distributions: np.ndarray) -> np.ndarray:
    params = no_uncertainty(len(distributions))
    for name in UNCERTAINTY_DTYPE.names:
        if name in (distributions.dtype.names or ()):
            params[name] = distributions[name]
    return params
