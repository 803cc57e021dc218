"""Scale-out on Dask: ``scenat.distributed.assess_many`` and the Dask Monte Carlo on a
10,000-node case, against the same work done in this process in the same run.

Run: python bench/bench_distributed_scale.py [--case /tmp/bench/bom10000] [--nodes 10000]
[--variants 20] [--iterations 1000] [--workers 2]

* the case is the CSV folder ``--case`` when it exists (the pre-built synthetic automotive
  BOM), else :func:`synthetic.automotive_bom` of ``--nodes`` written to a temporary folder;
* ``assess_many``: ``--variants`` copies of the case, variant ``i`` with every grid
  electricity purchase scaled by ``1 - 0.02 i`` (so no two are the same case),
  ``--assess-chunk`` (2) cases per task;
* Monte Carlo: :func:`scenat.distributed.monte_carlo` of ``--iterations`` iterations
  (foreground flows and the shipped inventories' stored distributions, seed 1).

Both run on a ``LocalCluster`` of ``--workers`` processes (one thread each), restarted
between the two so each worker's peak resident set (``VmHWM``, read in the worker) is that
of one workload. The floor is the same work in this process afterwards (each variant
assessed in turn; :func:`scenat.uncertainty.monte_carlo` with the same chunk), and the
results must be equal: totals of every variant to 1e-12, Monte Carlo totals and node means
iteration by iteration to 1e-12 (the draws are keyed by seed and iteration, so the chunks
give the same numbers wherever they run). The driver's peak is read before the in-process
floor runs.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))


def _status_mb(field: str = "VmHWM") -> float:
    """A field of this process's ``/proc/self/status`` in MB (run in a worker by ``client.run``)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load_case(folder: str | None, nodes: int):
    import scenat

    if folder and Path(folder).exists():
        return scenat.read_case(folder)
    import synthetic

    out = Path(tempfile.mkdtemp(prefix="scenat-bench-dask-"))
    for name, rows in synthetic.automotive_bom(nodes, seed=0).items():
        with (out / f"{name}.csv").open("w", newline="") as handle:
            csv.writer(handle).writerows(rows)
    return scenat.read_case(out)


def variants(case, count: int) -> list:
    """``count`` cases: variant ``i`` buys ``1 - 0.02 i`` times its grid electricity."""
    out = []
    for i in range(count):
        factor = 1.0 - 0.02 * i
        flows = [
            dataclasses.replace(
                f, amount=f.amount * factor, amount_in_reference=f.amount_in_reference * factor
            )
            if f.kind == "process" and f.input.startswith("electricity_")
            else f
            for f in case.flows
        ]
        out.append(dataclasses.replace(case, name=f"{case.name} (variant {i})", flows=flows))
    return out


def worker_peaks(client) -> list[float]:
    return sorted(client.run(_status_mb).values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", default="/tmp/bench/bom10000")
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--variants", type=int, default=20)
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=500, help="Monte Carlo iterations per task")
    parser.add_argument("--assess-chunk", type=int, default=2, help="cases per assess_many task")
    args = parser.parse_args()

    from scenat.assessment.result import assess
    from scenat.brightway.project import ensure_project
    from scenat.distributed import runs as distributed
    from scenat.uncertainty import monte_carlo

    ensure_project()  # built once here, not by every worker at once
    started = time.perf_counter()
    case = load_case(args.case, args.nodes)
    cases = variants(case, args.variants)
    print(
        f"case: {len(case.nodes):,} nodes, {len(case.flows):,} flows, read in "
        f"{time.perf_counter() - started:.1f} s; {args.variants} variants; "
        f"{args.workers} Dask worker processes"
    )
    with distributed.client_for(workers=args.workers) as client:
        idle = worker_peaks(client)
        started = time.perf_counter()
        many = distributed.assess_many(cases, client=client, chunk=args.assess_chunk)
        many_s = time.perf_counter() - started
        many_peaks = worker_peaks(client)
        client.restart()
        started = time.perf_counter()
        mc = distributed.monte_carlo(case, args.iterations, seed=1, client=client, chunk=args.chunk)
        mc_s = time.perf_counter() - started
        mc_peaks = worker_peaks(client)
    driver_peak = _status_mb()

    started = time.perf_counter()
    local = [assess(c) for c in cases]
    local_s = time.perf_counter() - started
    started = time.perf_counter()
    local_mc = monte_carlo(case, args.iterations, seed=1, chunk=args.chunk)
    local_mc_s = time.perf_counter() - started

    worst = max(
        abs(a.totals[k] - b.totals[k]) / max(abs(b.totals[k]), 1e-300)
        for a, b in zip(many, local)
        for k in b.totals
    )
    ids = [i.id for i in local_mc.indicators]
    mc_totals = max(
        float(np.max(np.abs(mc.totals[k] - local_mc.totals[k]) / np.abs(local_mc.totals[k])))
        for k in ids
    )
    scale = {k: np.abs(local_mc.node_moments[k].mean).max() or 1.0 for k in ids}
    mc_nodes = max(
        float(np.max(np.abs(mc.node_moments[k].mean - local_mc.node_moments[k].mean)) / scale[k])
        for k in ids
    )
    equal = worst <= 1e-12 and mc_totals <= 1e-12 and mc_nodes <= 1e-12
    print(f"  worker peak RSS when idle: {', '.join(f'{p:.0f}' for p in idle)} MB")
    print(
        f"assess_many, {args.variants} variants: {many_s:.1f} s; in process one after the "
        f"other {local_s:.1f} s; ratio {many_s / local_s:.2f}; worker peak RSS "
        f"{', '.join(f'{p:.0f}' for p in many_peaks)} MB; totals equal to in-process to "
        f"{worst:.1e} (relative)"
    )
    print(
        f"Monte Carlo on Dask, {args.iterations:,} iterations (chunks of "
        f"{local_mc.solver['chunk']}): {mc_s:.1f} s (each worker links and prepares the case "
        f"once); in process {local_mc_s:.1f} s; ratio {mc_s / local_mc_s:.2f}; worker peak "
        f"RSS {', '.join(f'{p:.0f}' for p in mc_peaks)} MB; totals equal to {mc_totals:.1e}, "
        f"node means to {mc_nodes:.1e}"
    )
    print(f"driver peak RSS (before the in-process runs) {driver_peak:.0f} MB")
    print(f"results equal to the in-process ones: {'yes' if equal else 'NO'}")
    # the table bench/run_all.py gathers: figure, value, unit, in one process, ratio, peaks
    print()
    print(f"{'figure':<34}  {'value':>8}  unit  {'1 process':>9}  {'ratio':>6}  worker MB")
    for name, took, alone, peaks in (
        (f"assess_many, {args.variants} cases", many_s, local_s, many_peaks),
        (f"Monte Carlo, {args.iterations} iterations", mc_s, local_mc_s, mc_peaks),
    ):
        print(
            f"{name:<34}  {took:>8.2f}  s     {alone:>9.2f}  {took / alone:>6.2f}  "
            + "/".join(f"{p:.0f}" for p in peaks)
        )
    if not equal:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
