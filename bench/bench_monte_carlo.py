"""Monte Carlo at scale: seconds and peak memory of ``scenat.uncertainty.monte_carlo`` against
a floor measured in the same run.

Run: python bench/bench_monte_carlo.py [--nodes 10000] [--iterations 1000] [--source synthetic|bom]

* ``synthetic`` (default): :func:`synthetic.linked_system` (``--background`` processes, every
  foreground flow lognormal, gsd 1.2) with a lognormal (gsd 1.2) on every background
  technosphere input and biosphere exchange: foreground and background both sampled.
* ``bom``: :func:`synthetic.automotive_bom` (when the bench module has it) read as a case and
  linked to the shipped inventories, whose stored distributions are sampled.

The floor is the sum of two parts. (1) The same number of sparse triangular solves done
with SciPy directly: one ``splu`` of the foreground block and of the background block (each
in the sparser of the project's block-triangular order and SuperLU's MMD; COLAMD fills a
supply chain's matrix badly and took 15 s at 10,000 nodes, which had made earlier floors
too generous), then as many right-hand sides as the run's preconditioned solves used
(``solver["foreground_solves"]``, ``solver["background_solves"]``), in batches of the run's
chunk. (2) As many lognormal draws with NumPy's default generator as the run drew
(iterations x uncertain inputs), which any Monte Carlo of these inputs makes too. The ratio
to the solves alone is printed as well.

Memory is the peak resident set (``VmHWM``) of a child process while it prepares and runs
the Monte Carlo (the peak is reset after building the case; the build's own peak is
printed too), with the resident set before the run. Targets (issue 17): 10,000
nodes and 1,000 iterations under 30 s and 1.5 GB, within 3x the floor.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))


def _mb(field: str) -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def synthetic_inputs(case, linked, gsd: float):
    """A lognormal (gsd) on every background technosphere input and biosphere exchange."""
    from scipy import sparse

    from scenat.uncertainty import BackgroundInputs
    from scenat.uncertainty.background import lognormal

    background = np.flatnonzero(~linked.is_foreground)
    a = sparse.csr_matrix(linked.technosphere)[:, background].tocoo()
    rows, cols = a.row, background[a.col]
    inputs = rows != cols
    rows, cols, values = rows[inputs], cols[inputs], a.data[inputs]
    b = sparse.csr_matrix(linked.biosphere)[:, background].tocoo()
    b_cols = background[b.col]
    blocks = {
        "technosphere": [(rows, cols, -values, np.ones(len(rows), bool), lognormal(-values, gsd))],
        "biosphere": [(b.row, b_cols, b.data, np.zeros(len(b.row), bool), lognormal(b.data, gsd))],
    }
    return BackgroundInputs.from_params(linked, blocks, "a synthetic lognormal, gsd 1.2")


def build(source: str, nodes: int, background: int, share: float = 1.0, sampled: str = "all"):
    import synthetic

    if source == "bom":
        import csv

        import scenat
        from scenat.brightway.link import link

        sheets = synthetic.automotive_bom(nodes, seed=1)
        folder = Path(tempfile.mkdtemp(prefix="scenat-bench-mc-"))
        for name, rows in sheets.items():
            with (folder / f"{name}.csv").open("w", newline="") as handle:
                csv.writer(handle).writerows(rows)
        case = scenat.read_case(folder)
        return case, link(case), None
    case, linked = synthetic.linked_system(n_background=background, n_nodes=nodes, seed=1)
    if share < 1.0:
        # only this share of the flows keeps its distribution (the BOM: 30 %)
        import dataclasses

        keep = np.random.default_rng(7).random(len(case.flows)) < share
        case.flows = [
            f if k else dataclasses.replace(f, uncertainty=None) for f, k in zip(case.flows, keep)
        ]
    inputs = synthetic_inputs(case, linked, 1.2)
    if sampled == "biosphere":
        from scenat.uncertainty import BackgroundInputs

        inputs = BackgroundInputs(
            BackgroundInputs.empty(linked, "").technosphere, inputs.biosphere, inputs.source
        )
    return case, linked, inputs


def child(args: argparse.Namespace) -> None:
    """Build, run and measure in this (fresh) process; print one JSON line."""
    from scenat.uncertainty import monte_carlo, prepare

    started = time.perf_counter()
    case, linked, inputs = build(
        args.source, args.nodes, args.background, args.uncertain_share, args.sampled
    )
    built = time.perf_counter() - started
    build_peak = _mb("VmHWM")
    # start the peak afresh (Linux: "5" to clear_refs resets VmHWM to the current RSS), so
    # the peak below is that of preparing and sampling, not of building the synthetic case
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        reset = True
    except OSError:
        reset = False
    before = _mb("VmRSS")
    started = time.perf_counter()
    model = prepare(case, linked=linked, background_inputs=inputs)
    prepared = time.perf_counter() - started
    started = time.perf_counter()
    result = monte_carlo(case, args.iterations, seed=1, model=model, chunk=args.chunk)
    sampled = time.perf_counter() - started
    peak = _mb("VmHWM")
    floor = floor_seconds(model, result.solver)
    floor_draws = draw_seconds(
        args.iterations, result.uncertain_flows + result.uncertain_exchanges, result.solver["chunk"]
    )
    gwp = result.summary().row(0, named=True)
    print(
        json.dumps(
            {
                "nodes": len(model.nodes),
                "flows": len(model.flows),
                "uncertain_flows": result.uncertain_flows,
                "background_products": len(model.bg_cols),
                "uncertain_exchanges": result.uncertain_exchanges,
                "indicators": len(model.indicators),
                "iterations": result.iterations,
                "chunk": result.solver["chunk"],
                "build_s": built,
                "prepare_s": prepared,
                "monte_carlo_s": sampled,
                "floor_s": floor,
                "floor_draws_s": floor_draws,
                "rss_before_mb": before,
                "build_peak_mb": build_peak,
                "peak_reset": reset,
                "peak_rss_mb": peak,
                "methods": result.solver["methods"],
                "foreground_solves": result.solver.get("foreground_solves", 0),
                "background_solves": result.solver.get("background_solves", 0),
                "max_backward_error": result.solver["max_backward_error"],
                "first_indicator": gwp["indicator"],
                "p5": gwp["p5"],
                "p95": gwp["p95"],
                "deterministic": gwp["deterministic"],
            }
        )
    )


def _best_factorisation(matrix):
    """The sparser of the project's order (block triangular, COLAMD where that fills more)
    and SuperLU's symmetric MMD, with the seconds its factorisation took, and a solve of
    ``matrix x = b`` with it (columns of ``b``)."""
    from scipy.sparse.linalg import splu

    from scenat.calc.solver import factorise

    started = time.perf_counter()
    factor, permutation, _ordering = factorise(matrix)
    btf = (time.perf_counter() - started, factor, permutation)
    started = time.perf_counter()
    mmd = splu(
        matrix.T.tocsc(),
        permc_spec="MMD_AT_PLUS_A",
        diag_pivot_thresh=0.1,
        options={"SymmetricMode": True},
    )
    mmd_seconds = time.perf_counter() - started
    if btf[1].nnz <= mmd.nnz:
        seconds, factor, p = btf

        def solve(b):
            out = np.empty_like(b)
            out[p] = factor.solve(np.ascontiguousarray(b[p]))
            return out

        return seconds, solve
    return mmd_seconds, lambda b: mmd.solve(b, trans="T")


def floor_seconds(model, solver: dict) -> float:
    """The same count of sparse solves with SciPy directly: per block, one factorisation of
    its deterministic matrix in the sparser of two orders (:func:`_best_factorisation`; the
    one not chosen is not timed), then as many right-hand sides as the run solved, in
    batches of the run's chunk."""
    from scipy import sparse

    chunk = max(1, int(solver["chunk"]))
    blocks = [(model.ff.matrix(), solver.get("foreground_solves", 0))]
    if model.tech_sampled:
        # the adjoint block [[A_bb^T, 0], [0, 1]] (the run's preconditioner)
        indices, indptr, data = model.m_structure
        n = len(indptr) - 1
        m = sparse.csr_matrix((data, indices, indptr), shape=(n, n))
        m.eliminate_zeros()
        blocks.append((m, solver.get("background_solves", 0)))
    elif model.bg_sampled:
        blocks.append((model.bg_solver.matrix, solver.get("background_solves", 0)))
    seconds = 0.0
    for matrix, count in blocks:
        factor_seconds, solve = _best_factorisation(sparse.csr_matrix(matrix))
        rhs = np.ones((matrix.shape[0], chunk))
        started = time.perf_counter()
        for done in range(0, int(count), chunk):
            width = min(chunk, int(count) - done)
            solve(rhs[:, :width])
        seconds += factor_seconds + time.perf_counter() - started
    return seconds


def draw_seconds(iterations: int, inputs: int, chunk: int) -> float:
    """As many lognormal draws with NumPy's default generator (PCG64, ziggurat normals)
    as the run made, chunk by chunk: the other work any Monte Carlo of these inputs does."""
    rng = np.random.default_rng(1)
    started = time.perf_counter()
    for done in range(0, iterations, chunk):
        rng.lognormal(0.0, 0.2, size=(min(chunk, iterations - done), inputs))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--background", type=int, default=2500)
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--source", choices=["synthetic", "bom"], default="synthetic")
    parser.add_argument(
        "--uncertain-share", type=float, default=1.0, help="synthetic: share of uncertain flows"
    )
    parser.add_argument(
        "--sampled",
        choices=["all", "biosphere"],
        default="all",
        help="synthetic: background exchanges sampled (technosphere and biosphere, or biosphere)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    command = [sys.executable, __file__, "--child", *sys.argv[1:]]
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if out.returncode:
        sys.stderr.write(out.stderr)
        raise SystemExit(out.returncode)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    ratio = figures["monte_carlo_s"] / figures["floor_s"] if figures["floor_s"] else float("nan")
    floor_all = figures["floor_s"] + figures["floor_draws_s"]
    print(
        f"Monte Carlo, {figures['nodes']:,} nodes ({figures['flows']:,} flows, "
        f"{figures['uncertain_flows']:,} uncertain), {figures['background_products']:,} "
        f"background products ({figures['uncertain_exchanges']:,} uncertain exchanges), "
        f"{figures['indicators']} indicators, {figures['iterations']:,} iterations "
        f"(chunks of {figures['chunk']})"
    )
    print(f"  build {figures['build_s']:.1f} s, prepare {figures['prepare_s']:.2f} s")
    print(
        f"  sampling {figures['monte_carlo_s']:.2f} s (target < 30 s); floor: the same sparse "
        f"solves with SciPy {figures['floor_s']:.2f} s + the same number of lognormal draws "
        f"with NumPy {figures['floor_draws_s']:.2f} s = {floor_all:.2f} s; ratio "
        f"{figures['monte_carlo_s'] / floor_all:.2f} (target < 3; to the solves alone "
        f"{ratio:.2f})"
    )
    print(
        f"  peak RSS {figures['peak_rss_mb']:.0f} MB while preparing and sampling "
        f"(before {figures['rss_before_mb']:.0f} MB"
        + (
            f"; building the case peaked at {figures['build_peak_mb']:.0f} MB"
            if figures["peak_reset"]
            else "; includes building the case: VmHWM could not be reset"
        )
        + "); target < 1536 MB"
    )
    print(
        f"  solves: {figures['methods']}, foreground {figures['foreground_solves']:,}, "
        f"background {figures['background_solves']:,}; max backward error "
        f"{figures['max_backward_error']:.2e}"
    )
    print(
        f"  {figures['first_indicator']}: deterministic {figures['deterministic']:.6g}, "
        f"90 % interval {figures['p5']:.6g} .. {figures['p95']:.6g}"
    )
    # the table bench/run_all.py gathers: figure, value, unit, floor, ratio, peak, target
    print()
    print(f"{'figure':<40}  {'value':>8}  unit  {'floor':>8}  {'ratio':>6}  {'peak MB':>8}  target")
    print(
        f"{'Monte Carlo sampling, ' + str(figures['iterations']) + ' iterations':<40}  "
        f"{figures['monte_carlo_s']:>8.2f}  s     {floor_all:>8.2f}  "
        f"{figures['monte_carlo_s'] / floor_all:>6.2f}  {figures['peak_rss_mb']:>8.0f}  "
        "< 30 s, 1.5 GB, 3x"
    )


if __name__ == "__main__":
    main()
