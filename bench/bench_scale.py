"""Scale: assessment on a 20,000-process background, background Monte Carlo, Dask, big ledgers.

Run: python bench/bench_scale.py [--processes 20000] [--only assess,memory,bmc,dask,ledger]

Every figure is set against a floor measured in the same run, on the same data:
- assess: scenat's real path (bw2calc LCA from in-memory float64 datapackages of the
  synthetic background, factorise once, node/tier/stage/process/flow breakdowns for 4
  indicators) vs scipy `splu` of the transposed technosphere + one solve. Target <= 2x.
- memory: peak RSS of a fresh process doing that assessment, and the part above what the
  process held once its inputs were built (imports, matrices, datapackages).
- bmc: Monte Carlo with every background exchange uncertain (lognormal, gsd 1.2, technosphere
  inputs and biosphere flows; production exchanges fixed): scenat (each sample solved with
  the deterministic LU as preconditioner, backward error checked against a direct solve's)
  vs bw2calc's own Monte Carlo (`use_distributions=True`) on the same matrix with the same
  distributions. Iterations per second; target 10x.
- dask: 1,000 Monte Carlo iterations of the shipped bicycle case on the embedded project,
  in this process vs a Dask LocalCluster of 2 workers (cluster start-up counted, and
  without it); once over the foreground's uncertainty, once with a screening gsd of 1.2 on
  every background exchange as well.
- ledger: a 5,000,000-row CSV ledger generated here (seed 0; 300 EPA sectors plus 2 unknown
  codes; USD/GBP/EUR; 2022-2024), screened in a fresh process: rows/s and peak RSS.
  Targets: under 20 s and under 2 GB.
Synthetic background: bench/synthetic.py (1/rank^1.3 supplier draws, seed 1, ~10 inputs per
process, 12 flows). First-use set-up and warm `scenat assess` are in bench_foundation.py.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

os.environ.setdefault("BW2CALC_NO_PYPARDISO_WARNING", "1")

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

GSD = 1.2
ROWS: list[dict] = []


def row(
    figure: str,
    value: float,
    unit: str,
    floor: float | None = None,
    target: str = "-",
    ratio: float | None = None,
) -> None:
    if ratio is None and floor:
        ratio = value / floor
    ROWS.append(
        {
            "figure": figure,
            "value": value,
            "unit": unit,
            "floor": floor,
            "ratio": ratio,
            "target": target,
        }
    )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def high_water_mb() -> float:
    """Peak resident set size since the last reset (Linux /proc VmHWM), in MB."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return peak_mb()


def current_mb() -> float:
    """Resident set size now (Linux /proc), in MB."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


# --- assessment on the synthetic background through scenat's link() ---------------------------


def synthetic_project(n: int):
    """The synthetic case plus a stand-in Project serving in-memory float64 datapackages."""
    import bw_processing as bwp
    from synthetic import linked_system

    from scenat.brightway.project import Project
    from scenat.model.catalogue import shipped_catalogue
    from scenat.model.indicators import default_indicators

    case, linked = linked_system(n)
    a = linked.technosphere[:n, :n].tocoo()
    b = linked.biosphere[:, :n].tocoo()
    process_base, flow_base = 10_000_000, 20_000_000
    package = bwp.create_datapackage(sequential=True)
    package.add_persistent_vector(
        matrix="technosphere_matrix",
        indices_array=np.array(
            list(zip(a.row + process_base, a.col + process_base)), dtype=bwp.INDICES_DTYPE
        ),
        data_array=np.abs(a.data),
        flip_array=a.data < 0,
    )
    package.add_persistent_vector(
        matrix="biosphere_matrix",
        indices_array=np.array(
            list(zip(b.row + flow_base, b.col + process_base)), dtype=bwp.INDICES_DTYPE
        ),
        data_array=b.data,
    )
    methods = {}
    for ind in default_indicators():
        cf = linked.cf[ind.id]
        method = bwp.create_datapackage(sequential=True)
        nonzero = np.flatnonzero(cf)
        method.add_persistent_vector(
            matrix="characterization_matrix",
            indices_array=np.array([(flow_base + i, 0) for i in nonzero], dtype=bwp.INDICES_DTYPE),
            data_array=cf[nonzero],
            global_index=0,
        )
        methods[ind.id] = method

    class SyntheticProject(Project):
        def background_datapackages(self):
            return [package]

        def method_datapackage(self, indicator_id):
            return methods[indicator_id]

    project = SyntheticProject(
        name="synthetic",
        databases=["synthetic"],
        methods={i.id: i.method for i in default_indicators()},
        catalogue=shipped_catalogue(),
    )
    keys = linked.activity_keys
    project.process_ids = {keys[i]: process_base + i for i in range(n)}
    project.process_names = {process_base + i: (keys[i], keys[i]) for i in range(n)}
    project.biosphere_ids = {k: flow_base + i for i, k in enumerate(linked.flow_keys)}
    project.biosphere_info = {flow_base + i: (k, k, "kg") for i, k in enumerate(linked.flow_keys)}
    return case, linked, project


def assess_synthetic(case, project):
    from scenat.brightway import link
    from scenat.calc import compute_breakdowns
    from scenat.model.indicators import default_indicators

    chosen = default_indicators()
    linked = link(case, project=project, indicators=chosen)
    return linked, compute_breakdowns(case, linked, chosen)


def bench_assess(n: int, repeat: int) -> None:
    from scipy.sparse.linalg import splu

    case, _linked, project = synthetic_project(n)
    assess_synthetic(case, project)  # warm: imports
    runs, floors = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        linked, (totals, _b) = assess_synthetic(case, project)
        runs.append(time.perf_counter() - start)
        matrix, demand = linked.technosphere, linked.demand
        start = time.perf_counter()
        splu(matrix.T.tocsc()).solve(demand, trans="T")
        floors.append(time.perf_counter() - start)
    row(f"assess, {n} processes (bw2calc + breakdowns)", min(runs), "s", min(floors), "<= 2x")


def memory_child(n: int) -> None:
    """In a fresh process: peak RSS of an assessment on the synthetic background."""
    case, _linked, project = synthetic_project(n)
    import gc

    import bw2calc  # noqa: F401

    del _linked
    gc.collect()
    before = current_mb()
    # Building the synthetic inputs (lil matrices) peaks far above what they hold; reset the
    # high-water mark (Linux: VmHWM) so the peak measured is the assessment's.
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")
    assess_synthetic(case, project)
    print(json.dumps({"inputs_mb": before, "peak_mb": high_water_mb()}))


def bench_memory(n: int) -> None:
    out = (
        subprocess.run(
            [sys.executable, __file__, "--memory-child", "--processes", str(n)],
            check=True,
            capture_output=True,
            text=True,
            env=_env(),
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    figures = json.loads(out)
    row(
        f"assessment peak RSS, {n} processes (floor: RSS with inputs built)",
        figures["peak_mb"],
        "MB",
        figures["inputs_mb"],
    )


# --- background Monte Carlo vs bw2calc's -----------------------------------------------------


def bench_background_mc(n: int, iterations: int, bw_iterations: int) -> None:
    import bw_processing as bwp
    from synthetic import background

    from scenat.uncertainty.background import (
        UncertainMatrix,
        UncertainSystem,
        lognormal,
        monte_carlo,
        no_uncertainty,
    )

    a, b = background(n, 10, 12, 1)
    a, b = a.tocoo(), b.tocoo()
    diagonal = a.row == a.col
    stored = np.abs(a.data)
    params = lognormal(stored, GSD)
    params[diagonal] = no_uncertainty(int(diagonal.sum()))
    technosphere = UncertainMatrix.from_entries(a.row, a.col, stored, (n, n), params, a.data < 0)
    biosphere = UncertainMatrix.from_entries(b.row, b.col, b.data, b.shape, lognormal(b.data, GSD))
    cf = np.zeros(12)
    cf[:3] = (1.0, 29.8, 273.0)
    rng = np.random.default_rng(0)
    products = rng.choice(n, 20, replace=False)
    demand = np.zeros(n)
    demand[products] = 1.0
    system = UncertainSystem(technosphere, biosphere, {"gwp": cf}, demand)
    start = time.perf_counter()
    system.base()
    setup = time.perf_counter() - start
    result = monte_carlo(system, iterations=iterations, seed=1)
    ours = iterations / result.seconds

    def distributions(amount, fixed):
        d = np.zeros(len(amount), dtype=bwp.UNCERTAINTY_DTYPE)
        d["uncertainty_type"] = np.where(fixed, 0, 2)
        d["loc"] = np.where(fixed, amount, np.log(np.abs(np.where(fixed, 1.0, amount))))
        d["scale"] = np.where(fixed, np.nan, np.log(GSD))
        d["shape"] = d["minimum"] = d["maximum"] = np.nan
        return d

    package = bwp.create_datapackage(sequential=True)
    package.add_persistent_vector(
        matrix="technosphere_matrix",
        indices_array=np.array(list(zip(a.row, a.col)), dtype=bwp.INDICES_DTYPE),
        data_array=stored,
        flip_array=a.data < 0,
        distributions_array=distributions(stored, diagonal),
    )
    package.add_persistent_vector(
        matrix="biosphere_matrix",
        indices_array=np.array(list(zip(b.row + 10**6, b.col)), dtype=bwp.INDICES_DTYPE),
        data_array=b.data,
        distributions_array=distributions(b.data, np.zeros(len(b.data), dtype=bool)),
    )
    package.add_persistent_vector(
        matrix="characterization_matrix",
        indices_array=np.array([(10**6 + i, 0) for i in range(3)], dtype=bwp.INDICES_DTYPE),
        data_array=cf[:3],
        global_index=0,
    )
    import bw2calc as bc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bc.LCA(
            {int(p): 1.0 for p in products},
            data_objs=[package],
            use_distributions=True,
            seed_override=1,
        )
        lca.lci()
        lca.lcia()
        start = time.perf_counter()
        bw_scores = []
        for _ in range(bw_iterations):
            next(lca)
            bw_scores.append(lca.score)
        theirs = bw_iterations / (time.perf_counter() - start)
    summary = result.solver_summary()
    row(
        f"background MC it/s, {n} processes, every exchange gsd {GSD}",
        ours,
        "it/s",
        theirs,
        ">= 10x",
        ratio=ours / theirs,
    )
    row("  floor: bw2calc Monte Carlo it/s (same matrix)", theirs, "it/s")
    row("  set-up: factorisations (kept, reordered, calibration)", setup, "s")
    row(
        "  1,000 iterations incl. set-up (bw2calc: 1,000 iterations)",
        setup + 1000 / ours,
        "s",
        1000 / theirs,
        "-",
    )
    row(
        f"  LU solves per sample (mean); fallbacks {summary['methods']}",
        summary["mean_solves"],
        "solves",
    )
    row(
        "  largest backward error / tolerance (direct solve's)",
        summary["max_backward_error"] / summary["tolerance"],
        "ratio",
        target="<= 1",
    )
    mean, theirs_mean = result.totals["gwp"].mean(), float(np.mean(bw_scores))
    row(
        f"  mean score scenat {mean:.6g} vs bw2calc {theirs_mean:.6g} ({bw_iterations} it)",
        mean / theirs_mean,
        "ratio",
    )


# --- Dask ----------------------------------------------------------------------------------


def bench_dask(iterations: int) -> None:
    import scenat
    from scenat.brightway.project import ensure_project
    from scenat.distributed import runs as distributed
    from scenat.paths import examples_dir
    from scenat.uncertainty import background as background_uncertainty
    from scenat.uncertainty import foreground as uncertainty

    ensure_project()
    case = scenat.read_case(examples_dir() / "bicycle")
    chunk = max(1, iterations // 8)
    start = time.perf_counter()
    local = uncertainty.monte_carlo(case, iterations=iterations, seed=1, chunk=chunk)
    single = time.perf_counter() - start
    start = time.perf_counter()
    with distributed.client_for(workers=2) as client:
        started = time.perf_counter() - start
        t0 = time.perf_counter()
        remote = distributed.monte_carlo(
            case, iterations=iterations, seed=1, chunk=chunk, client=client
        )
        warm = time.perf_counter() - t0
        same = all(np.array_equal(local.totals[k], remote.totals[k]) for k in local.totals)
        t0 = time.perf_counter()
        distributed.monte_carlo(case, iterations=iterations, seed=2, chunk=chunk, client=client)
        warmer = time.perf_counter() - t0
        # background: each sample solves the whole linked system
        t0 = time.perf_counter()
        system = background_uncertainty.case_system(
            case, default_gsd=GSD, iterations=iterations, seed=1
        )
        bg_local = background_uncertainty.monte_carlo(system, iterations, seed=1, chunk=chunk)
        bg_single = time.perf_counter() - t0
        t0 = time.perf_counter()
        bg_remote = distributed.background_monte_carlo(
            case, iterations, seed=1, default_gsd=GSD, chunk=chunk, client=client
        )
        bg_dask = time.perf_counter() - t0
        bg_same = all(
            np.array_equal(bg_local.totals[k], bg_remote.totals[k]) for k in bg_local.totals
        )
    total = time.perf_counter() - start
    row(f"MC {iterations} it, foreground, 1 process", single, "s")
    row(
        f"  Dask 2 workers incl. cluster start (identical: {same})",
        total - bg_single - bg_dask,
        "s",
        single,
    )
    row("  Dask 2 workers, cluster running (workers link the case)", warm, "s", single)
    row("  Dask 2 workers, workers warm (case linked)", warmer, "s", single)
    row("  cluster start-up of 2 workers", started, "s")
    row(f"MC {iterations} it, background gsd {GSD} + foreground, 1 process", bg_single, "s")
    row(f"  Dask 2 workers (identical: {bg_same})", bg_dask, "s", bg_single, "< 1x")


# --- ledger --------------------------------------------------------------------------------


def ledger_child(path: str) -> None:
    from scenat.casefile.ledger import screen_ledger

    start = time.perf_counter()
    screen = screen_ledger(path, problem_lines=1000)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": seconds,
                "lines": screen.lines,
                # VmHWM, not ru_maxrss: after fork + exec, ru_maxrss keeps the parent's peak
                "peak_mb": high_water_mb(),
                "screened": screen.screened_lines,
                "sectors": len(screen.sectors),
            }
        )
    )


def bench_ledger(rows: int) -> None:
    from scenat.casefile.ledger import generate_ledger, spend_sectors

    codes = sorted(
        s.removeprefix("epa_naics_")
        for s in spend_sectors()
        if s.startswith("epa_naics_") and not s.endswith("_no_margins")
    )[:300]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.csv"
        start = time.perf_counter()
        generate_ledger(rows, codes + ["UNKNOWN1", "UNKNOWN2"], seed=0).write_csv(path)
        made = time.perf_counter() - start
        size = path.stat().st_size / 1e6
        # floor: polars reading the same file and summing the amounts (streaming)
        floor_code = (
            "import polars as pl, sys, time; t = time.perf_counter(); "
            "pl.scan_csv(sys.argv[1]).select(pl.col('amount').sum())"
            ".collect(engine='streaming'); print(time.perf_counter() - t)"
        )
        floor = float(
            subprocess.run(
                [sys.executable, "-c", floor_code, str(path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
        out = (
            subprocess.run(
                [sys.executable, __file__, "--ledger-child", str(path)],
                check=True,
                capture_output=True,
                text=True,
                env=_env(),
            )
            .stdout.strip()
            .splitlines()[-1]
        )
    figures = json.loads(out)
    row(
        f"ledger {rows:,} rows ({size:.0f} MB CSV, generated in {made:.0f} s)",
        figures["seconds"],
        "s",
        floor,
        "< 20 s",
    )
    row("  rows per second", figures["lines"] / figures["seconds"], "rows/s")
    row("  peak RSS of the screening process", figures["peak_mb"], "MB", target="< 2048")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def print_table() -> None:
    print(f"{'figure':<62} {'value':>12} {'unit':>7} {'floor':>10} {'ratio':>8} {'target':>8}")
    for r in ROWS:
        floor = f"{r['floor']:.4g}" if r["floor"] is not None else "-"
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        print(
            f"{r['figure']:<62}  {r['value']:>11.4g}  {r['unit']:>6}  {floor:>9}  "
            f"{ratio:>7}  {r['target']:>7}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mc-iterations", type=int, default=100)
    parser.add_argument("--bw2calc-iterations", type=int, default=5)
    parser.add_argument("--dask-iterations", type=int, default=1000)
    parser.add_argument("--ledger-rows", type=int, default=5_000_000)
    parser.add_argument("--only", default="assess,memory,bmc,dask,ledger")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ledger-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.processes)
        return
    if args.ledger_child:
        ledger_child(args.ledger_child)
        return
    own_home = "SCENAT_HOME" not in os.environ
    home = tempfile.mkdtemp(prefix="scenat-bench-") if own_home else os.environ["SCENAT_HOME"]
    os.environ["SCENAT_HOME"] = home
    parts = set(args.only.split(","))
    if "assess" in parts:
        bench_assess(args.processes, args.repeat)
    if "memory" in parts:
        bench_memory(args.processes)
    if "bmc" in parts:
        bench_background_mc(args.processes, args.mc_iterations, args.bw2calc_iterations)
    if "dask" in parts:
        bench_dask(args.dask_iterations)
    if "ledger" in parts:
        bench_ledger(args.ledger_rows)
    print(f"synthetic background: bench/synthetic.py, seed 1; SCENAT_HOME {home}")
    print_table()
    if args.json:
        args.json.write_text(json.dumps(ROWS, indent=2))


if __name__ == "__main__":
    main()
