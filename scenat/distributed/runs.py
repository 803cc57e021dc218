"""Batch assessment and Monte Carlo on ``dask.distributed``: a local cluster or a scheduler.

Where the work runs:

* ``scheduler=None`` and no ``SCENAT_DASK_SCHEDULER`` in the environment: a
  ``LocalCluster`` of ``workers`` processes (default 2, one thread each) started here and
  closed afterwards; nothing to set up;
* ``scheduler="tcp://host:8786"`` (or ``SCENAT_DASK_SCHEDULER``): an existing cluster. Its
  workers need scenat installed; each opens (or first builds) the Brightway project in its
  own ``SCENAT_HOME``;
* ``client=``: a ``dask.distributed.Client`` the caller manages.

Each worker links a case (builds and factorises its system) once and keeps it for every
chunk of the same run (:data:`_CACHE`, keyed by a digest of the case and the options).
Work is chunked; each chunk is a task with a key naming the run and its first iteration,
and results are put together by that position, so a chunk recomputed after a worker died
(dask reschedules the tasks of a lost worker, and ``retries`` re-runs a failed one)
replaces nothing and leaves no gap. Draws depend only on the seed and the iteration (or
flow): the same seed gives the same numbers as the single-process functions
(:func:`scenat.uncertainty.monte_carlo`, :func:`scenat.uncertainty.background_monte_carlo`),
which these call chunk by chunk with the same chunk boundaries. A task returns one chunk's
totals, running moments and kept samples, so a worker holds one chunk at a time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "assess_many",
    "background_monte_carlo",
    "client_for",
    "monte_carlo",
    "scheduler_address",
]

ENVIRONMENT_VARIABLE = "SCENAT_DASK_SCHEDULER"
Progress = Callable[[int, int], None]

#: per worker process: linked systems and models of the runs it has taken part in
_CACHE: dict[str, Any] = {}
_CACHE_SIZE = 4


def scheduler_address(scheduler: str | None = None) -> str | None:
    """The scheduler to use: the argument, else ``SCENAT_DASK_SCHEDULER``; None or
    ``"local"`` for a local cluster."""
    address = scheduler or os.environ.get(ENVIRONMENT_VARIABLE) or None
    return None if address in (None, "", "local") else address


@contextlib.contextmanager
def client_for(scheduler: str | None = None, client: Any = None, workers: int = 2) -> Iterator[Any]:
    """A ``dask.distributed.Client``: the given one, one on ``scheduler``, or a local cluster."""
    if client is not None:
        yield client
        return
    from dask.distributed import Client, LocalCluster

    address = scheduler_address(scheduler)
    if address:
        with Client(address) as remote:
            yield remote
        return
    from scenat.paths import scenat_home

    package_root = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH", "")
    env = {
        "SCENAT_HOME": str(scenat_home()),
        "PYTHONPATH": package_root + (os.pathsep + path if path else ""),
        # one BLAS thread per worker: the workers are the parallelism
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            env=env,
        ) as cluster,
        Client(cluster) as local,
    ):
        yield local


def _digest(*parts: Any) -> str:
    return hashlib.sha256(pickle.dumps(parts, protocol=5)).hexdigest()[:20]


def _cached(key: str, build: Callable[[], Any]) -> Any:
    if key not in _CACHE:
        while len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = build()
    return _CACHE[key]


def _gather(
    client: Any,
    function: Callable[..., Any],
    tasks: Sequence[tuple[int, int, tuple[Any, ...] | Callable[[], tuple[Any, ...]]]],
    name: str,
    progress: Progress | None,
    total: int,
    retries: int,
    window: int | None = None,
) -> dict[int, Any]:
    """Submit one task per (start, size, args); results by start, progress as they finish.

    ``args`` may be a function that makes them (called when the task is submitted: data
    scattered then, not all up front). With ``window``, at most that many tasks are out at
    a time, the next submitted as one finishes, and each finished task is released once its
    result is here: the cluster then holds the data and results of ``window`` tasks, not of
    the whole run.
    """
    from dask.distributed import as_completed

    pending = list(tasks)
    sizes: dict[str, tuple[int, int]] = {}
    running = as_completed()

    def submit_next() -> None:
        start, size, args = pending.pop(0)
        made = args() if callable(args) else args
        future = client.submit(
            function, *made, key=f"{name}-{start:09d}", retries=retries, pure=False
        )
        sizes[future.key] = (start, size)
        running.add(future)

    for _ in range(len(pending) if window is None else min(max(1, window), len(pending))):
        submit_next()
    results: dict[int, Any] = {}
    done = 0
    for future in running:
        start, size = sizes[future.key]
        if start not in results:  # never count a chunk twice
            results[start] = future.result()
            done += size
            if progress:
                progress(done, total)
        future.release()
        del future
        if pending:
            submit_next()
    missing = [start for start, _ in sizes.values() if start not in results]
    if missing:
        raise RuntimeError(f"chunks starting at {missing} returned no result")
    return results


# --- batch assessment -----------------------------------------------------------------------


def _assess_chunk(cases: list[Any], indicators: list[str] | None) -> list[Any]:
    from scenat.assessment.result import assess

    out = []
    for case in cases:
        result = assess(case, indicators=indicators)
        result.linked = None  # the factorisation stays on the worker
        # the driver has the case: sending it back would cost more than the assessment
        result.case = None
        out.append(result)
    return out


def assess_many(
    cases: Sequence[Any],
    indicators: list[str] | None = None,
    *,
    scheduler: str | None = None,
    client: Any = None,
    workers: int = 2,
    chunk: int = 4,
    progress: Progress | None = None,
    retries: int = 2,
) -> list[Any]:
    """Assess many cases on Dask; :class:`~scenat.assessment.Assessment` objects in input order.

    The assessments carry totals and every breakdown, but not the linked system
    (``linked`` is None: a factorisation does not travel between processes); re-assess one
    case locally for paths or graph edges. ``case`` is the case given (it is not sent
    back). At most two tasks of ``chunk`` cases per worker thread are out at a time, so a
    worker holds a few cases and their assessments, however many cases there are.
    """
    cases = list(cases)
    if not cases:
        return []
    run = _digest("assess", [c.name for c in cases], time.time_ns())
    with client_for(scheduler, client, workers) as dask_client:

        def shipped(start: int) -> Callable[[], tuple[Any, ...]]:
            # the cases go to the cluster as data when their task is submitted, not in the
            # task graph (a 10,000-node case pickles to megabytes) and not all at once
            return lambda: (
                dask_client.scatter(cases[start : start + chunk], hash=False),
                indicators,
            )

        tasks = [
            (start, len(cases[start : start + chunk]), shipped(start))
            for start in range(0, len(cases), chunk)
        ]
        threads = sum(dask_client.nthreads().values()) or 1
        results = _gather(
            dask_client,
            _assess_chunk,
            tasks,
            f"scenat-assess-{run}",
            progress,
            len(cases),
            retries,
            window=2 * threads,
        )
    out = [item for start in sorted(results) for item in results[start]]
    for case, item in zip(cases, out):
        item.case = case
    return out


# --- the Monte Carlo for users (foreground and background) -----------------------------------


def _model(case: Any, indicators: list[str] | None, background: bool, key: str) -> Any:
    def build() -> Any:
        from scenat.uncertainty.montecarlo import prepare

        return prepare(case, indicators, background=background)

    return _cached(key, build)


def _model_metadata(
    case: Any, indicators: list[str] | None, background: bool, key: str
) -> dict[str, Any]:
    return _model(case, indicators, background, key).metadata()


def _monte_carlo_chunk(
    case: Any,
    indicators: list[str] | None,
    background: bool,
    key: str,
    seed: int,
    start: int,
    stop: int,
) -> dict[str, Any]:
    model = _model(case, indicators, background, key)
    bases = _cached(f"{key}-bases-{seed}", lambda: model.bases(seed))
    return model.run_chunk(seed, start, stop, bases)


def monte_carlo(
    case: Any,
    iterations: int = 1000,
    seed: int = 42,
    indicators: list[str] | None = None,
    *,
    background: bool = True,
    scheduler: str | None = None,
    client: Any = None,
    workers: int = 2,
    chunk: int = 500,
    progress: Progress | None = None,
    retries: int = 2,
) -> Any:
    """:func:`scenat.uncertainty.monte_carlo` on Dask, chunk by chunk: identical samples.

    Each worker links the case and prepares its model once (:data:`_CACHE`); a task computes
    one chunk of iterations and returns its totals, running moments and kept samples (never
    per-iteration matrices), so a worker's memory is one chunk's. ``chunk`` has the same
    meaning as there, cut to the same memory budget
    (:func:`scenat.uncertainty.montecarlo.chunk_size`), so the chunks and the numbers are
    the same as in one process.
    """
    from scenat.uncertainty.montecarlo import chunk_size, combine_chunks

    key = _digest("montecarlo", case, indicators, background)
    with client_for(scheduler, client, workers) as dask_client:
        shipped = dask_client.scatter(case, hash=False)
        # every worker that will get a chunk links the case and prepares its model at the
        # same time (seconds at 10,000 nodes), rather than the first while the others wait
        addresses = sorted(dask_client.nthreads())[: max(1, -(-iterations // max(1, chunk)))]
        stamp = time.time_ns()
        warming = [
            dask_client.submit(
                _model_metadata,
                shipped,
                indicators,
                background,
                key,
                key=f"scenat-mc-meta-{key}-{stamp}-{i}",
                workers=[address] if address else None,
                allow_other_workers=True,
                retries=retries,
                pure=False,
            )
            for i, address in enumerate(addresses or [None])
        ]
        meta = warming[0].result()
        step = chunk_size(chunk, meta["width"])
        tasks = [
            (
                start,
                min(start + step, iterations) - start,
                (shipped, indicators, background, key, seed, start, min(start + step, iterations)),
            )
            for start in range(0, iterations, step)
        ]
        parts = _gather(
            dask_client,
            _monte_carlo_chunk,
            tasks,
            f"scenat-mc-{key}-{seed}-{iterations}-{time.time_ns()}",
            progress,
            iterations,
            retries,
        )
        del warming  # kept until here: a released warm-up would be cancelled
    return combine_chunks(meta, list(parts.values()), seed)


# --- Monte Carlo with background uncertainty -------------------------------------------------


def _background_chunk(
    system_or_case: Any,
    options: dict[str, Any],
    key: str,
    seed: int,
    start: int,
    stop: int,
) -> dict[str, Any]:
    from scenat.uncertainty.background import UncertainSystem, case_system, run_iterations

    def build() -> Any:
        if isinstance(system_or_case, UncertainSystem):
            return system_or_case
        return case_system(system_or_case, **options)

    system = _cached(key, build)
    return run_iterations(system, start, stop, seed)


def background_monte_carlo(
    case_or_system: Any,
    iterations: int = 1000,
    seed: int = 42,
    indicators: list[str] | None = None,
    *,
    default_gsd: float | None = None,
    foreground: bool = True,
    scheduler: str | None = None,
    client: Any = None,
    workers: int = 2,
    chunk: int = 50,
    progress: Progress | None = None,
    retries: int = 2,
) -> Any:
    """Background (and foreground) Monte Carlo on Dask; see :mod:`scenat.uncertainty.background`.

    ``case_or_system`` is a case (each worker links it to its project, as
    :func:`~scenat.uncertainty.background.case_system` does here) or a ready
    :class:`~scenat.uncertainty.background.UncertainSystem` (shipped to the workers once,
    without its factorisation, which each worker makes once). Same seed, same numbers as
    :func:`scenat.uncertainty.background.monte_carlo` with the same ``chunk``.
    """
    from scenat.uncertainty.background import UncertainSystem, combine

    started = time.perf_counter()
    is_system = isinstance(case_or_system, UncertainSystem)
    options = {
        "indicators": indicators,
        "default_gsd": default_gsd,
        "iterations": iterations,
        "seed": seed,
        "foreground": foreground,
    }
    if is_system:
        key = _digest("background-system", _system_fingerprint(case_or_system))
    else:
        key = _digest("background", case_or_system, options)
    with client_for(scheduler, client, workers) as dask_client:
        shipped = dask_client.scatter(case_or_system, hash=False, broadcast=is_system)
        tasks = [
            (
                s,
                min(s + chunk, iterations) - s,
                (shipped, {} if is_system else options, key, seed, s, min(s + chunk, iterations)),
            )
            for s in range(0, iterations, chunk)
        ]
        parts = _gather(
            dask_client,
            _background_chunk,
            tasks,
            f"scenat-bmc-{key}-{seed}-{iterations}",
            progress,
            iterations,
            retries,
        )
    result = combine(list(parts.values()), seed)
    result.seconds = time.perf_counter() - started
    return result


def _system_fingerprint(system: Any) -> tuple[Any, ...]:
    t, b = system.technosphere, system.biosphere
    return (
        hashlib.sha256(t.amount.tobytes() + t.params.tobytes() + t.position.tobytes()).hexdigest(),
        hashlib.sha256(b.amount.tobytes() + b.params.tobytes() + b.position.tobytes()).hexdigest(),
        hashlib.sha256(system.demand.tobytes()).hexdigest(),
        sorted(system.cf),
    )
